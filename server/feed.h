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
 * from a cut one, and notice what it missed.
 *
 * The socket is a ROUTER, not a PUB: a watcher connects a DEALER (with
 * ZMQ_PROBE_ROUTER, so that each connection announces itself with an empty
 * message) and escd keeps one entry per connection: its routing id and the
 * key it was admitted with. escd sends each message to each entry, every
 * queue sharing the one copy of an event. So what a subscriber makes escd
 * hold is its entry and a queue of at most --feed-hwm references (libzmq's
 * PUB and XPUB keep every subscription a peer sends, without bound), a
 * user holds at most a fixed number of entries, and a subscriber whose key
 * is revoked or replaced is told so ("esc.error") and dropped. */
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
/* Subscriptions of one user, and in all, that one escd serves. */
#define FEED_DEFAULT_PER_USER 16
#define FEED_DEFAULT_MAX 10000

typedef struct {
    int hwm;                    /* messages queued per subscriber */
    int per_user;               /* subscriptions of one user */
    int max;                    /* subscriptions in all */
} feed_limits_t;

/* Whether KEY (Z85) is the active key of a registered, unrevoked user. */
typedef bool (*feed_key_check_t) (void *arg, const char *key);

/* A ROUTER bound at ENDPOINT in CTX, under CURVE with the server's KEY and
 * the same ZAP admission as requests; publishing starts after the event
 * STARTS_AFTER. CHECK says whether a subscriber's key is still good. NULL
 * (with the reason on stderr) when it cannot bind. */
feed_t *feed_new (void *ctx, const char *endpoint, const keypair_t *key,
                  const feed_limits_t *limits, int64_t starts_after,
                  feed_key_check_t check, void *check_arg);
void feed_destroy (feed_t **self_p);

/* The socket to poll for subscribers' messages. */
void *feed_socket (feed_t *self);
/* Reads what subscribers sent (at most a bounded number of messages a
 * call): a new connection's probe makes it a subscriber, if its key is
 * good and its user has room; anything else is read and dropped. */
void feed_accept (feed_t *self);
/* Tells every subscriber whose key is no longer good so, and drops it
 * (after users changed). Returns how many were dropped. */
int feed_recheck (feed_t *self);
/* Subscribers now. */
size_t feed_subscribers (const feed_t *self);

/* Publishes the next page of committed events after the last one
 * published (a page, so that a backlog never holds up requests). Returns 1
 * when more are waiting, 0 when the feed is up to date, -1 when the
 * database could not be read (the next call picks up where this one
 * stopped). A backlog of more than ten subscriber queues (at least
 * 10,000 events) is skipped down to one queue: watchers fetch the rest by
 * request. */
int feed_publish (feed_t *self, store_t *store);

/* Sends a heartbeat when nothing was sent for ESC_FEED_HEARTBEAT_MS (it also
 * finds subscribers that have gone), and says so in *BEAT. Returns the
 * milliseconds until the next one is due. */
long feed_tick (feed_t *self, bool *beat);
/* Whether users or their keys may have changed (a user.* event was
 * published, or events were passed over) since the last call. */
bool feed_users_changed (feed_t *self);

/* The last seq published. */
int64_t feed_last (const feed_t *self);
/* Events read per query of the log. */
#define FEED_PAGE 1000

/* The subscriptions of one user (PER_USER), and in all (MAX), from now on,
 * as a reload of escd's settings asks: a subscriber past a lowered limit
 * stays until it goes, and the next is refused. The queue per subscriber
 * (LIMITS' hwm) is the socket's, set when it was bound: it stays. */
void feed_set_limits (feed_t *self, int per_user, int max);

#endif
