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

struct feed {
    void *pub;
    int64_t published;          /* last seq sent */
    double last_send;           /* ms, monotonic */
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
    int count = 0;
    for (;;) {
        arena_t *a = arena_new ();
        Esc__EventList *page;
        esc_error_t err;
        if (store_events_since (store, a, self->published, FEED_PAGE, &page, &err)) {
            arena_destroy (&a);
            return -1;
        }
        for (size_t i = 0; i < page->n_events; i++) {
            const Esc__Event *e = page->events[i];
            size_t len = esc__event__get_packed_size (e);
            uint8_t *buf = arena_alloc (a, len + 1);
            esc__event__pack (e, buf);
            send_message (self, ESC_FEED_TOPIC_EVENT, buf, len);
            count++;
        }
        self->published = page->scanned_to;
        bool more = page->scanned_to < page->last_seq;
        arena_destroy (&a);
        if (!more)
            return count;
    }
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
