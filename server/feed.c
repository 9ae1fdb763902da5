/* feed.c: the PUB side of the decision feed. See feed.h. */
#include "feed.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zmq.h>

#include "arena.h"
#include "proc.h"
#include "zap.h"

#define FEED_PAGE 1000          /* events read per query */
#define FEED_SKIP_MIN 10000     /* a backlog this long (or 10 queues) is skipped */

struct feed {
    void *pub;
    int hwm;                    /* a subscriber's queue, in messages */
    int64_t published;          /* last seq sent */
    double last_send;           /* ms, monotonic */
    bool users_changed;         /* a user.* event passed, or events were skipped */
};

feed_t *
feed_new (void *ctx, const char *endpoint, const keypair_t *key, int hwm, int64_t starts_after)
{
    void *pub = zmq_socket (ctx, ZMQ_PUB);
    /* the kernel's share of a subscriber's queue is bounded alike: about
     * 512 bytes an event */
    int one = 1, zero = 0, sndbuf = hwm < 128 ? 65536 : hwm * 512;
    int64_t max = 4096;         /* subscriptions and CURVE handshakes; nothing else comes in */
    if (!pub
        || zmq_setsockopt (pub, ZMQ_CURVE_SERVER, &one, sizeof one)
        || zmq_setsockopt (pub, ZMQ_CURVE_SECRETKEY, key->secret_key, KEY_Z85_LEN)
        || zmq_setsockopt (pub, ZMQ_ZAP_DOMAIN, ZAP_DOMAIN, strlen (ZAP_DOMAIN))
        || zmq_setsockopt (pub, ZMQ_SNDHWM, &hwm, sizeof hwm)
        || zmq_setsockopt (pub, ZMQ_SNDBUF, &sndbuf, sizeof sndbuf)
        || zmq_setsockopt (pub, ZMQ_MAXMSGSIZE, &max, sizeof max)
        || zmq_setsockopt (pub, ZMQ_LINGER, &zero, sizeof zero)
        || zmq_bind (pub, endpoint) != 0) {
        fprintf (stderr, "escd: cannot publish the feed on %s: %s\n", endpoint,
                 zmq_strerror (errno));
        if (pub)
            zmq_close (pub);
        return NULL;
    }
    feed_t *self = calloc (1, sizeof *self);
    if (!self)
        abort ();
    self->pub = pub;
    self->hwm = hwm;
    self->published = starts_after;
    self->last_send = proc_now_ms ();
    return self;
}

void
feed_destroy (feed_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    zmq_close ((*self_p)->pub);
    free (*self_p);
    *self_p = NULL;
}

int64_t
feed_last (const feed_t *self)
{
    return self->published;
}

/* Sends one two-frame message. PUB never blocks: a subscriber whose queue
 * is full loses the message and finds the gap by its sequence number. */
static void
send_message (feed_t *self, const char *topic, const uint8_t *data, size_t len)
{
    zmq_send (self->pub, topic, strlen (topic), ZMQ_SNDMORE | ZMQ_DONTWAIT);
    zmq_send (self->pub, data, len, ZMQ_DONTWAIT);
    self->last_send = proc_now_ms ();
}

int
feed_publish (feed_t *self, store_t *store)
{
    arena_t *a = arena_new ();
    Esc__EventList *page;
    esc_error_t err;
    int rc = -1;
    if (store_events_since (store, a, self->published, FEED_PAGE, &page, &err))
        goto done;
    if (page->last_seq < self->published) {
        /* the log is shorter than what was published: a restored or
         * failed-over database. Follow it; watchers will say so too. */
        fprintf (stderr, "escd: the event log ends at %lld but the feed published up to "
                 "%lld: the database went back in time; the feed follows it\n",
                 (long long) page->last_seq, (long long) self->published);
        self->published = page->last_seq;
        self->users_changed = true;
        rc = 0;
        goto done;
    }
    int64_t skip_over = self->hwm * 10 > FEED_SKIP_MIN ? self->hwm * 10 : FEED_SKIP_MIN;
    if (page->last_seq - self->published > skip_over) {
        /* far more than a subscriber's queue holds: sending it all would
         * mostly be dropped, and hold up requests; watchers fetch the
         * skipped part by request */
        fprintf (stderr, "escd: the feed is %lld events behind; publishing the last %d, "
                 "watchers catch up on the rest\n",
                 (long long) (page->last_seq - self->published), self->hwm);
        self->published = page->last_seq - self->hwm;
        self->users_changed = true;             /* unread: may hold any */
        rc = 1;
        goto done;
    }
    for (size_t i = 0; i < page->n_events; i++) {
        const Esc__Event *e = page->events[i];
        size_t len = esc__event__get_packed_size (e);
        uint8_t *buf = arena_alloc (a, len + 1);
        esc__event__pack (e, buf);
        send_message (self, ESC_FEED_TOPIC_EVENT, buf, len);
        if (e->type && strncmp (e->type, "user.", 5) == 0)
            self->users_changed = true;
    }
    self->published = page->scanned_to;
    rc = page->scanned_to < page->last_seq;
done:
    arena_destroy (&a);
    return rc;
}

bool
feed_users_changed (feed_t *self)
{
    bool changed = self->users_changed;
    self->users_changed = false;
    return changed;
}

long
feed_tick (feed_t *self)
{
    double idle = proc_now_ms () - self->last_send;
    if (idle >= ESC_FEED_HEARTBEAT_MS) {
        Esc__Heartbeat hb = ESC__HEARTBEAT__INIT;
        hb.has_last_seq = true;
        hb.last_seq = self->published;
        uint8_t buf[32];
        size_t len = esc__heartbeat__pack (&hb, buf);
        send_message (self, ESC_FEED_TOPIC_HEARTBEAT, buf, len);
        idle = 0;
    }
    return (long) (ESC_FEED_HEARTBEAT_MS - idle) + 1;
}
