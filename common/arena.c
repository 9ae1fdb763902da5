/* arena.c: bump allocator; blocks are chained and freed together. */
#include "arena.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ARENA_BLOCK 8192

typedef struct block {
    struct block *next;
    size_t used, size;
    max_align_t data[];
} block_t;

struct arena {
    block_t *head;
};

static void *
xcalloc (size_t n)
{
    void *p = calloc (1, n);
    if (!p) {
        fputs ("out of memory\n", stderr);
        abort ();
    }
    return p;
}

arena_t *
arena_new (void)
{
    return xcalloc (sizeof (arena_t));
}

void
arena_destroy (arena_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    block_t *b = (*self_p)->head;
    while (b) {
        block_t *next = b->next;
        free (b);
        b = next;
    }
    free (*self_p);
    *self_p = NULL;
}

void *
arena_alloc (arena_t *self, size_t size)
{
    const size_t align = _Alignof (max_align_t);
    if (size > SIZE_MAX - align)
        abort ();
    size = (size + align - 1) / align * align;
    block_t *b = self->head;
    if (!b || b->size - b->used < size) {
        size_t cap = size > ARENA_BLOCK ? size : ARENA_BLOCK;
        b = xcalloc (sizeof (block_t) + cap);
        b->size = cap;
        b->next = self->head;
        self->head = b;
    }
    void *p = (char *) b->data + b->used;
    b->used += size;
    return p;
}

char *
arena_strdup (arena_t *self, const char *s)
{
    if (!s)
        return NULL;
    size_t n = strlen (s) + 1;
    return memcpy (arena_alloc (self, n), s, n);
}

char *
arena_printf (arena_t *self, const char *fmt, ...)
{
    va_list ap;
    va_start (ap, fmt);
    int n = vsnprintf (NULL, 0, fmt, ap);
    va_end (ap);
    if (n < 0)
        return arena_strdup (self, "");
    char *s = arena_alloc (self, (size_t) n + 1);
    va_start (ap, fmt);
    vsnprintf (s, (size_t) n + 1, fmt, ap);
    va_end (ap);
    return s;
}
