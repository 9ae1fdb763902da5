/* feed.h: the decision feed: every committed event, published in order.
 *
 * The event log is the truth. Sequence numbers are handed out under a row
 * lock held to commit (store.h), so they commit in order and without gaps:
 * once seq N is visible, every seq below it is too. The feed keeps the
 * last seq it published and, whenever it is woken (after a batch this escd
 * committed, on a NOTIFY from another escd, or once a second), publishes
 * every committed event after it, in order. Each escd sharing a database
 * publishes the whole feed. When there is nothing to say it sends a
 * heartbeat with the last seq, so that a subscriber can tell a quiet feed
 * from a cut one, and notice what it missed. */
#ifndef ESC_FEED_H
#define ESC_FEED_H

#include <stdbool.h>
#include <stdint.h>

#include "keys.h"
#include "store.h"
#include "wire.h"


typedef struct feed feed_t;

/* Events queued for one subscriber before the feed drops its messages (it
 * then finds the gap and catches up): how far a watcher may lag. */
#define FEED_DEFAULT_HWM 1000

/* A PUB socket bound at ENDPOINT in CTX, under CURVE with the server's KEY
 * and the same ZAP admission as requests, queueing at most HWM messages
 * per subscriber; publishing starts after the event STARTS_AFTER. NULL
 * (with the reason on stderr) when it cannot. */
feed_t *feed_new (void *ctx, const char *endpoint, const keypair_t *key, int hwm,
                  int64_t starts_after);
void feed_destroy (feed_t **self_p);

/* Publishes the next page of committed events after the last one
 * published (a page, so that a backlog never holds up requests). Returns 1
 * when more are waiting, 0 when the feed is up to date, -1 when the
 * database could not be read (the next call picks up where this one
 * stopped). A backlog of more than ten subscriber queues (at least
 * 10,000 events) is skipped down to one queue: watchers fetch the rest by
 * request. */
int feed_publish (feed_t *self, store_t *store);

/* Sends a heartbeat when nothing was sent for ESC_FEED_HEARTBEAT_MS. Returns
 * the milliseconds until the next one is due. */
long feed_tick (feed_t *self);
/* Whether users or their keys may have changed (a user.* event was
 * published, or events were passed over) since the last call. */
bool feed_users_changed (feed_t *self);

/* The last seq published. */
int64_t feed_last (const feed_t *self);

#endif
