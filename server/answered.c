/* answered.c: read answers as escd last gave them. See answered.h. */
#include "answered.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    uint64_t hash;
    size_t key_len, len;
    uint8_t bytes[];            /* the key, then the answer */
} entry_t;

struct answered {
    int64_t head;
    size_t bytes;               /* held in all */
    entry_t *slots[ANSWERED_SLOTS];
    uint32_t used[ANSWERED_SLOTS];      /* the slots filled, to forget them */
    size_t n_used;
};

answered_t *
answered_new (void)
{
    answered_t *self = calloc (1, sizeof *self);
    if (!self)
        abort ();
    self->head = -1;
    return self;
}

static void
forget (answered_t *self)
{
    for (size_t i = 0; i < self->n_used; i++) {
        free (self->slots[self->used[i]]);
        self->slots[self->used[i]] = NULL;
    }
    self->n_used = 0;
    self->bytes = 0;
}

void
answered_destroy (answered_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    forget (*self_p);
    free (*self_p);
    *self_p = NULL;
}

void
answered_at (answered_t *self, int64_t head)
{
    if (head != self->head)
        forget (self);
    self->head = head;
}

/* FNV-1a, 64 bits */
static uint64_t
hash (const uint8_t *key, size_t len)
{
    uint64_t h = 14695981039346656037ULL;
    for (size_t i = 0; i < len; i++)
        h = (h ^ key[i]) * 1099511628211ULL;
    return h;
}

/* An entry lives in one of ANSWERED_WAYS slots from its hash's: entries
 * are only ever forgotten all at once, so a search may stop at an empty
 * slot. */
static bool
holds (const entry_t *e, uint64_t h, const uint8_t *key, size_t key_len)
{
    return e && e->hash == h && e->key_len == key_len && memcmp (e->bytes, key, key_len) == 0;
}

const uint8_t *
answered_get (const answered_t *self, const uint8_t *key, size_t key_len, size_t *len)
{
    uint64_t h = hash (key, key_len);
    for (size_t w = 0; w < ANSWERED_WAYS; w++) {
        const entry_t *e = self->slots[(h + w) % ANSWERED_SLOTS];
        if (!e)
            return NULL;
        if (holds (e, h, key, key_len)) {
            *len = e->len;
            return e->bytes + key_len;
        }
    }
    return NULL;
}

void
answered_put (answered_t *self, const uint8_t *key, size_t key_len, const uint8_t *answer,
              size_t len)
{
    size_t size = key_len + len;
    if (size > ANSWERED_ENTRY_MAX)
        return;
    uint64_t h = hash (key, key_len);
    /* the key's own slot, else the first empty one, else the first */
    size_t at = h % ANSWERED_SLOTS;
    for (size_t w = 0; w < ANSWERED_WAYS; w++) {
        size_t i = (h + w) % ANSWERED_SLOTS;
        if (!self->slots[i] || holds (self->slots[i], h, key, key_len)) {
            at = i;
            break;
        }
    }
    entry_t **s = &self->slots[at];
    size_t held = *s ? (*s)->key_len + (*s)->len : 0;
    if (self->bytes - held + size > ANSWERED_BYTES_MAX) {
        /* full: this head starts afresh. Keeping nothing more until the
         * head moves would leave every read asked later at this head to
         * the database, every list to the one reader thread (one user's
         * many shows could do that to everyone's lists); starting afresh
         * keeps what is asked now, and most what is asked most */
        forget (self);
        at = h % ANSWERED_SLOTS;
        s = &self->slots[at];
        held = 0;
    }
    if (!*s)
        self->used[self->n_used++] = (uint32_t) at;
    free (*s);
    *s = malloc (sizeof **s + size);
    if (!*s)
        abort ();
    (*s)->hash = h;
    (*s)->key_len = key_len;
    (*s)->len = len;
    memcpy ((*s)->bytes, key, key_len);
    memcpy ((*s)->bytes + key_len, answer, len);
    self->bytes += size - held;
}
