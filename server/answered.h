/* answered.h: read answers as escd last gave them, while nothing changed.
 *
 * Every change writes an event, so while the event head stands still a
 * read asked again, by the same user, in the same quarter of an hour (the
 * default quarter follows the date, in the database's time zone), gets the
 * same answer: one given from here is the one the database would give at
 * that head. The desk tells the cache the head of each read batch
 * (answered_at); a different head forgets everything. Keys and answers are
 * bytes: the desk's, opaque here. The cache is bounded (ANSWERED_SLOTS
 * entries, ANSWERED_ENTRY_MAX each, ANSWERED_BYTES_MAX in all): no reader
 * can grow escd through it. */
#ifndef ESC_ANSWERED_H
#define ESC_ANSWERED_H

#include <stddef.h>
#include <stdint.h>

#define ANSWERED_SLOTS 16384
#define ANSWERED_WAYS 8         /* the slots an entry may take, from its hash's */
#define ANSWERED_ENTRY_MAX (64 << 10)
#define ANSWERED_BYTES_MAX (4 << 20)

typedef struct answered answered_t;

answered_t *answered_new (void);
void answered_destroy (answered_t **self_p);

/* The head the next gets and puts are at: a new one forgets every entry. */
void answered_at (answered_t *self, int64_t head);
/* The answer held for KEY (KEY_LEN bytes) at the head, its length in *LEN
 * (valid until the next put or head); NULL when none is held. */
const uint8_t *answered_get (const answered_t *self, const uint8_t *key, size_t key_len,
                             size_t *len);
/* Keeps ANSWER for KEY at the head; one too large is not kept. One that
 * would pass the bound in all is kept in a cache emptied for it. */
void answered_put (answered_t *self, const uint8_t *key, size_t key_len, const uint8_t *answer,
                   size_t len);

#endif
