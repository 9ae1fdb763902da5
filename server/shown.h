/* shown.h: escalations as escd last showed them, while nothing changed.
 *
 * Every change writes an event, so while the event head stands still an
 * escalation reads the same: a show answered from here is the one the
 * database would give at that head. The desk tells the cache the head of
 * each batch (shown_at); a different head forgets everything. The
 * cache is bounded (one entry per slot by id, SHOWN_BYTES_MAX in all,
 * SHOWN_ENTRY_MAX each): no reader can grow escd through it. */
#ifndef ESC_SHOWN_H
#define ESC_SHOWN_H

#include <stddef.h>
#include <stdint.h>

#include "arena.h"
#include "esc.pb-c.h"

#define SHOWN_SLOTS 8192
#define SHOWN_ENTRY_MAX 8192
#define SHOWN_BYTES_MAX (4 << 20)

typedef struct shown shown_t;

shown_t *shown_new (void);
void shown_destroy (shown_t **self_p);

/* The head the next gets and puts are at: a new one forgets every entry. */
void shown_at (shown_t *self, int64_t head);
/* Escalation ID as shown at the head, unpacked into A; NULL when not held. */
Esc__Escalation *shown_get (shown_t *self, arena_t *a, int64_t id);
/* Keeps E (escalation ID as the database showed it at the head); one too
 * large is not kept. */
void shown_put (shown_t *self, int64_t id, const Esc__Escalation *e);

#endif
