/* arena.h: a bump allocator for short-lived object graphs.
 *
 * escd builds each reply (a protobuf message with many strings and arrays)
 * in one arena and frees it in one call once the reply is packed. Allocation
 * never fails: on out-of-memory the process aborts, as there is nothing
 * sensible to answer. */
#ifndef ESC_ARENA_H
#define ESC_ARENA_H

#include <stddef.h>

typedef struct arena arena_t;

arena_t *arena_new (void);
/* Frees every block and sets *self_p to NULL; a NULL *self_p is a no-op. */
void arena_destroy (arena_t **self_p);

/* Zeroed memory aligned for any type, valid until the arena is destroyed. */
void *arena_alloc (arena_t *self, size_t size);
/* A copy of S (NULL gives NULL). */
char *arena_strdup (arena_t *self, const char *s);
/* A formatted string. */
char *arena_printf (arena_t *self, const char *fmt, ...)
    __attribute__ ((format (printf, 2, 3)));

#endif
