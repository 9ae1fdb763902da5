/* feed.c: the ROUTER side of the decision feed. See feed.h. */
#include "feed.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zmq.h>

#include "arena.h"
#include "esc.pb-c.h"
#include "logline.h"
#include "proc.h"
#include "zap.h"

#define FEED_SKIP_MIN 10000     /* a backlog this long (or 10 queues) is skipped */
#define FEED_ACCEPT_MAX 256     /* subscribers' messages read per call */
#define FEED_IN_MAX 4096        /* bytes in one message from a subscriber (a CURVE
                                 * handshake command is some hundreds) */
#define FEED_IN_HWM 16          /* messages from one subscriber queued in libzmq */
/* A subscriber unreachable this long has gone. (ROUTER says "unreachable"
 * both for a connection that has gone and, for a moment, for one whose
 * full queue is draining: only a lasting silence tells them apart.) */
#define FEED_GONE_MS 5000.0

/* One connection following the feed. */
typedef struct {
    uint8_t id[256];            /* the ROUTER's routing id of the connection */
    size_t id_len;
    char key[KEY_Z85_LEN + 1];  /* the key ZAP admitted it with */
    double unreachable_since;   /* ms; 0 while messages reach it */
    bool gone;                  /* disconnected: removed after the send */
} subscriber_t;

struct feed {
    void *router;
    feed_limits_t limits;
    feed_key_check_t check;
    void *check_arg;
    subscriber_t *subs;
    size_t n_subs, cap_subs;    /* CAP_SUBS: room in SUBS (the most limits.max was) */
    int64_t published;          /* last seq sent */
    double last_send;           /* ms, monotonic */
    bool users_changed;         /* a user.* event passed, or events were skipped */
};

feed_t *
feed_new (void *ctx, const char *endpoint, const keypair_t *key, const feed_limits_t *limits,
          int64_t starts_after, feed_key_check_t check, void *check_arg)
{
    void *router = zmq_socket (ctx, ZMQ_ROUTER);
    /* the kernel's share of a subscriber's queue is bounded alike: about
     * 512 bytes an event, 256 KiB at most (a watcher that lags further
     * catches up by request) */
    int one = 1, zero = 0, hwm = limits->hwm, in_hwm = FEED_IN_HWM;
    int sndbuf = hwm < 128 ? 65536 : hwm > 512 ? 262144 : hwm * 512;
    int64_t max = FEED_IN_MAX;  /* probes (empty) and nothing else is expected */
    if (!router
        || zmq_setsockopt (router, ZMQ_CURVE_SERVER, &one, sizeof one)
        || zmq_setsockopt (router, ZMQ_CURVE_SECRETKEY, key->secret_key, KEY_Z85_LEN)
        || zmq_setsockopt (router, ZMQ_ZAP_DOMAIN, ZAP_DOMAIN, strlen (ZAP_DOMAIN))
        || zmq_setsockopt (router, ZMQ_ROUTER_MANDATORY, &one, sizeof one)
        || zmq_setsockopt (router, ZMQ_SNDHWM, &hwm, sizeof hwm)
        || zmq_setsockopt (router, ZMQ_RCVHWM, &in_hwm, sizeof in_hwm)
        || zmq_setsockopt (router, ZMQ_SNDBUF, &sndbuf, sizeof sndbuf)
        || zmq_setsockopt (router, ZMQ_MAXMSGSIZE, &max, sizeof max)
        || zmq_setsockopt (router, ZMQ_LINGER, &zero, sizeof zero)
        || zmq_bind (router, endpoint) != 0) {
        logline (LOGLINE_ERROR, "cannot publish the feed on %s: %s", endpoint,
                 zmq_strerror (errno));
        if (router)
            zmq_close (router);
        return NULL;
    }
    feed_t *self = calloc (1, sizeof *self);
    if (!self)
        abort ();
    self->router = router;
    self->limits = *limits;
    self->check = check;
    self->check_arg = check_arg;
    self->published = starts_after;
    self->last_send = proc_now_ms ();
    return self;
}

void
feed_destroy (feed_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    zmq_close ((*self_p)->router);
    free ((*self_p)->subs);
    free (*self_p);
    *self_p = NULL;
}

void
feed_set_limits (feed_t *self, int per_user, int max)
{
    self->limits.per_user = per_user;
    self->limits.max = max;
}

void *feed_socket (feed_t *self) { return self->router; }
size_t feed_subscribers (const feed_t *self) { return self->n_subs; }
int64_t feed_last (const feed_t *self) { return self->published; }

/* ==== Sending ============================================================ */

/* Sends [topic][payload] to subscriber S without ever blocking. The
 * payload is a copy of PAYLOAD that shares its bytes: every subscriber's
 * queue holds the one event, not one each. A full queue loses the message
 * (the watcher finds the gap by its sequence number); a connection
 * unreachable for FEED_GONE_MS marks S for removal. */
static void
send_to (feed_t *self, subscriber_t *s, const char *topic, zmq_msg_t *payload)
{
    if (zmq_send (self->router, s->id, s->id_len, ZMQ_SNDMORE | ZMQ_DONTWAIT) < 0) {
        double now = proc_now_ms ();
        if (errno != EHOSTUNREACH)
            s->unreachable_since = 0;
        else if (!s->unreachable_since)
            s->unreachable_since = now;
        else if (now - s->unreachable_since >= FEED_GONE_MS)
            s->gone = true;
        return;
    }
    s->unreachable_since = 0;
    /* after the routing id the rest of the message is accepted whole */
    zmq_msg_t copy;
    zmq_msg_init (&copy);
    zmq_msg_copy (&copy, payload);
    zmq_send (self->router, topic, strlen (topic), ZMQ_SNDMORE | ZMQ_DONTWAIT);
    if (zmq_msg_send (&copy, self->router, ZMQ_DONTWAIT) < 0)
        zmq_msg_close (&copy);
}

/* Drops the subscribers marked gone. */
static void
sweep (feed_t *self)
{
    size_t kept = 0;
    for (size_t i = 0; i < self->n_subs; i++)
        if (!self->subs[i].gone)
            self->subs[kept++] = self->subs[i];
    self->n_subs = kept;
}

static void
broadcast (feed_t *self, const char *topic, const void *data, size_t len)
{
    zmq_msg_t payload;
    zmq_msg_init_size (&payload, len);
    memcpy (zmq_msg_data (&payload), data, len);
    for (size_t i = 0; i < self->n_subs; i++)
        send_to (self, &self->subs[i], topic, &payload);
    zmq_msg_close (&payload);
    sweep (self);
    self->last_send = proc_now_ms ();
}

/* Tells one connection why the feed will not serve it (an esc.error
 * message whose payload is a Reply with the status and reason). */
static void
refuse (feed_t *self, subscriber_t *s, esc_status_t status, const char *reason,
        const char *message)
{
    Esc__Reply r = ESC__REPLY__INIT;
    r.has_status = true;
    r.status = (Esc__Status) status;
    r.reason = (char *) reason;
    r.message = (char *) message;
    uint8_t buf[512];
    if (esc__reply__get_packed_size (&r) > sizeof buf)
        return;
    zmq_msg_t payload;
    size_t len = esc__reply__pack (&r, buf);
    zmq_msg_init_size (&payload, len);
    memcpy (zmq_msg_data (&payload), buf, len);
    send_to (self, s, ESC_FEED_TOPIC_ERROR, &payload);
    zmq_msg_close (&payload);
}

/* ==== Subscribers ======================================================== */

static subscriber_t *
find (feed_t *self, const uint8_t *id, size_t len)
{
    for (size_t i = 0; i < self->n_subs; i++)
        if (self->subs[i].id_len == len && memcmp (self->subs[i].id, id, len) == 0)
            return &self->subs[i];
    return NULL;
}

static size_t
count_key (const feed_t *self, const char *key)
{
    size_t n = 0;
    for (size_t i = 0; i < self->n_subs; i++)
        n += strcmp (self->subs[i].key, key) == 0;
    return n;
}

/* Makes connection ID (admitted with KEY) a subscriber, if there is room. */
static void
subscribe (feed_t *self, const uint8_t *id, size_t len, const char *key)
{
    subscriber_t candidate = { .id_len = len };
    memcpy (candidate.id, id, len);
    snprintf (candidate.key, sizeof candidate.key, "%s", key);
    char why[160];
    if (!self->check (self->check_arg, key)) {
        refuse (self, &candidate, ESC_UNAUTHENTICATED, "UNAUTHENTICATED",
                "this key is not an active user's key");
        return;
    }
    if (count_key (self, key) >= (size_t) self->limits.per_user) {
        snprintf (why, sizeof why, "this user follows the feed on %d connections already, "
                  "the most one escd serves", self->limits.per_user);
        refuse (self, &candidate, ESC_RESOURCE_EXHAUSTED, "FEED_LIMIT", why);
        return;
    }
    if (self->n_subs >= (size_t) self->limits.max) {
        snprintf (why, sizeof why, "escd serves %d subscriptions already, its most",
                  self->limits.max);
        refuse (self, &candidate, ESC_RESOURCE_EXHAUSTED, "FEED_LIMIT", why);
        return;
    }
    if (self->n_subs == self->cap_subs) {
        size_t cap = (size_t) self->limits.max;
        self->subs = realloc (self->subs, cap * sizeof *self->subs);
        if (!self->subs)
            abort ();
        self->cap_subs = cap;
    }
    self->subs[self->n_subs++] = candidate;
}

void
feed_accept (feed_t *self)
{
    for (int n = 0; n < FEED_ACCEPT_MAX; n++) {
        zmq_msg_t id, frame;
        zmq_msg_init (&id);
        if (zmq_msg_recv (&id, self->router, ZMQ_DONTWAIT) < 0) {
            zmq_msg_close (&id);
            return;
        }
        /* the rest of the message: its frames say nothing we need */
        bool more = zmq_msg_more (&id);
        char key[KEY_Z85_LEN + 1] = "";
        zmq_msg_init (&frame);
        while (more && zmq_msg_recv (&frame, self->router, 0) >= 0) {
            more = zmq_msg_more (&frame);
            const char *user = zmq_msg_gets (&frame, "User-Id");
            if (user)
                snprintf (key, sizeof key, "%s", user);
        }
        zmq_msg_close (&frame);
        size_t len = zmq_msg_size (&id);
        subscriber_t *known = find (self, zmq_msg_data (&id), len);
        if (known && key[0] && strcmp (known->key, key) != 0) {
            /* the id came back on another connection, with another key */
            known->gone = true;
            sweep (self);
            known = NULL;
        }
        if (!known && key[0] && len <= sizeof ((subscriber_t *) 0)->id)
            subscribe (self, zmq_msg_data (&id), len, key);
        zmq_msg_close (&id);
    }
}

int
feed_recheck (feed_t *self)
{
    int dropped = 0;
    for (size_t i = 0; i < self->n_subs; i++) {
        subscriber_t *s = &self->subs[i];
        if (self->check (self->check_arg, s->key))
            continue;
        refuse (self, s, ESC_UNAUTHENTICATED, "UNAUTHENTICATED",
                "this key was revoked or replaced: the feed stops here");
        s->gone = true;
        dropped++;
    }
    sweep (self);
    return dropped;
}

/* ==== Publishing ========================================================= */

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
         * failed-over database. Follow it, and say so at once with a
         * heartbeat (not after the next quiet second): a watcher past it
         * must stop rather than drop the new events that reuse its
         * numbers as duplicates (it stops with LOG_BEHIND). */
        logline (LOGLINE_WARNING, "the event log ends at %lld but the feed published up to "
                 "%lld: the database went back in time; the feed follows it",
                 (long long) page->last_seq, (long long) self->published);
        self->published = page->last_seq;
        self->users_changed = true;
        self->last_send = 0;            /* feed_tick: a heartbeat is due */
        rc = 0;
        goto done;
    }
    int64_t skip_over = self->limits.hwm * 10 > FEED_SKIP_MIN ? self->limits.hwm * 10
                                                              : FEED_SKIP_MIN;
    if (page->last_seq - self->published > skip_over) {
        /* far more than a subscriber's queue holds: sending it all would
         * mostly be dropped, and hold up requests; watchers fetch the
         * skipped part by request */
        logline (LOGLINE_WARNING, "the feed is %lld events behind; publishing the last %d, "
                 "watchers catch up on the rest",
                 (long long) (page->last_seq - self->published), self->limits.hwm);
        self->published = page->last_seq - self->limits.hwm;
        self->users_changed = true;             /* unread: may hold any */
        rc = 1;
        goto done;
    }
    for (size_t i = 0; i < page->n_events; i++) {
        const Esc__Event *e = page->events[i];
        size_t len = esc__event__get_packed_size (e);
        uint8_t *buf = arena_alloc (a, len + 1);
        esc__event__pack (e, buf);
        broadcast (self, ESC_FEED_TOPIC_EVENT, buf, len);
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
feed_tick (feed_t *self, bool *beat)
{
    double idle = proc_now_ms () - self->last_send;
    *beat = idle >= ESC_FEED_HEARTBEAT_MS;
    if (*beat) {
        Esc__Heartbeat hb = ESC__HEARTBEAT__INIT;
        hb.has_last_seq = true;
        hb.last_seq = self->published;
        uint8_t buf[32];
        size_t len = esc__heartbeat__pack (&hb, buf);
        broadcast (self, ESC_FEED_TOPIC_HEARTBEAT, buf, len);
        idle = 0;
    }
    return (long) (ESC_FEED_HEARTBEAT_MS - idle) + 1;
}
