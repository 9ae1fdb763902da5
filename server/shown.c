/* shown.c: escalations as escd last showed them. See shown.h. */
#include "shown.h"

#include <stdlib.h>

typedef struct {
    int64_t id;                 /* 0: empty */
    size_t len;
    uint8_t bytes[];            /* the packed esc.Escalation */
} entry_t;

struct shown {
    int64_t head;
    size_t bytes;               /* held in all */
    entry_t *slots[SHOWN_SLOTS];
};

shown_t *
shown_new (void)
{
    shown_t *self = calloc (1, sizeof *self);
    if (!self)
        abort ();
    self->head = -1;
    return self;
}

static void
forget (shown_t *self)
{
    for (size_t i = 0; i < SHOWN_SLOTS; i++) {
        free (self->slots[i]);
        self->slots[i] = NULL;
    }
    self->bytes = 0;
}

void
shown_destroy (shown_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    forget (*self_p);
    free (*self_p);
    *self_p = NULL;
}

void
shown_at (shown_t *self, int64_t head)
{
    if (head != self->head)
        forget (self);
    self->head = head;
}

static entry_t **
slot (shown_t *self, int64_t id)
{
    return &self->slots[(uint64_t) id % SHOWN_SLOTS];
}

/* protobuf-c's allocator over an arena: freed with it */
static void *
arena_allocate (void *data, size_t size)
{
    return arena_alloc (data, size);
}

static void
arena_free (void *data, void *p)
{
    (void) data;
    (void) p;
}

Esc__Escalation *
shown_get (shown_t *self, arena_t *a, int64_t id)
{
    entry_t *e = *slot (self, id);
    if (!e || e->id != id)
        return NULL;
    ProtobufCAllocator allocator = { arena_allocate, arena_free, a };
    return esc__escalation__unpack (&allocator, e->len, e->bytes);
}

void
shown_put (shown_t *self, int64_t id, const Esc__Escalation *e)
{
    size_t len = esc__escalation__get_packed_size (e);
    if (id <= 0 || len > SHOWN_ENTRY_MAX)
        return;
    entry_t **s = slot (self, id);
    size_t held = *s ? (*s)->len : 0;
    if (self->bytes - held + len > SHOWN_BYTES_MAX)
        return;                 /* full: the next head starts afresh */
    free (*s);
    *s = malloc (sizeof **s + len);
    if (!*s)
        abort ();
    (*s)->id = id;
    (*s)->len = esc__escalation__pack (e, (*s)->bytes);
    self->bytes += len - held;
}
