/* transport.c: request/reply over a CURVE DEALER socket, with a deadline;
 * the feed over another DEALER that announces itself to escd's feed. */
#include "transport.h"
#include "proc.h"

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>
#include <zmq.h>

#include "wire.h"

void
transport_request_id (char *buf)
{
    uint8_t bytes[16];
    if (getrandom (bytes, sizeof bytes, 0) != (ssize_t) sizeof bytes) {
        /* no entropy source: time and pid are unique enough for an id */
        struct timespec ts;
        clock_gettime (CLOCK_REALTIME, &ts);
        snprintf (buf, 33, "%016llx%016llx", (unsigned long long) ts.tv_nsec,
                  (unsigned long long) ts.tv_sec ^ (unsigned long long) getpid ());
        return;
    }
    for (size_t i = 0; i < sizeof bytes; i++)
        snprintf (buf + 2 * i, 3, "%02x", bytes[i]);
}

/* A CURVE socket and the monitor that reports its failed handshakes. */
typedef struct {
    void *socket;
    void *monitor;
} curve_socket_t;

#define TRANSPORT_ENDPOINTS_MAX 64     /* more than a setting of 511 characters holds */

struct transport {
    const char *endpoint, *server_key;     /* ENDPOINT: the whole list */
    /* the list's endpoints, each asked alone; CURRENT answered last (or
     * is next to be asked) */
    char endpoints[TRANSPORT_ENDPOINTS_MAX][256];
    size_t n_endpoints, current;
    const keypair_t *client;
    int timeout_ms;
    int retries;
    void *ctx;
    curve_socket_t dealer, sub;
};

transport_t *
transport_new (const char *endpoint, const char *server_key, const keypair_t *client,
               int timeout_ms, int retries)
{
    transport_t *self = calloc (1, sizeof *self);
    if (!self)
        abort ();
    self->endpoint = endpoint;
    /* "a,b,c": asked in turn (an empty entry is skipped; one too long is
     * kept cut short, and libzmq refuses it as BAD_ENDPOINT) */
    for (const char *p = endpoint; *p && self->n_endpoints < TRANSPORT_ENDPOINTS_MAX;) {
        size_t len = strcspn (p, ",");
        if (len)
            snprintf (self->endpoints[self->n_endpoints++], sizeof self->endpoints[0], "%.*s",
                      (int) len, p);
        p += len + (p[len] == ',');
    }
    if (!self->n_endpoints)
        self->n_endpoints = 1;  /* "": libzmq says what is wrong with it */
    self->server_key = server_key;
    self->client = client;
    self->timeout_ms = timeout_ms;
    self->retries = retries < 0 ? 0 : retries;
    self->ctx = zmq_ctx_new ();
    return self;
}

static void
curve_close (curve_socket_t *c)
{
    if (c->monitor) {
        zmq_socket_monitor (c->socket, NULL, 0);
        zmq_close (c->monitor);
    }
    if (c->socket)
        zmq_close (c->socket);
    c->socket = c->monitor = NULL;
}

void
transport_destroy (transport_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    transport_t *self = *self_p;
    curve_close (&self->dealer);
    curve_close (&self->sub);
    zmq_ctx_term (self->ctx);
    free (self);
    *self_p = NULL;
}

/* Opens a DEALER with the transport's CURVE keys and a monitor of its
 * handshakes, connected to each of the comma-separated ENDPOINTS. With
 * PROBE, each connection starts with an empty message: on the feed, that
 * is the subscription (escd's feed is a ROUTER). */
static int
curve_open (transport_t *self, const char *endpoints, bool probe, int rcvhwm, curve_socket_t *c,
            esc_error_t *err)
{
    /* a bounded queue is bounded in the kernel too: about 512 bytes an event */
    int zero = 0, one = 1, rcvbuf = rcvhwm < 128 ? 65536 : rcvhwm * 512;
    int type = ZMQ_DEALER;
    c->socket = zmq_socket (self->ctx, type);
    c->monitor = NULL;
    if (!c->socket
        || zmq_setsockopt (c->socket, ZMQ_CURVE_SERVERKEY, self->server_key,
                           strlen (self->server_key))
        || zmq_setsockopt (c->socket, ZMQ_CURVE_PUBLICKEY, self->client->public_key, KEY_Z85_LEN)
        || zmq_setsockopt (c->socket, ZMQ_CURVE_SECRETKEY, self->client->secret_key, KEY_Z85_LEN)
        || zmq_setsockopt (c->socket, ZMQ_LINGER, &zero, sizeof zero)
        || (rcvhwm > 0 && zmq_setsockopt (c->socket, ZMQ_RCVHWM, &rcvhwm, sizeof rcvhwm))
        || (rcvhwm > 0 && zmq_setsockopt (c->socket, ZMQ_RCVBUF, &rcvbuf, sizeof rcvbuf))
        || (probe && zmq_setsockopt (c->socket, ZMQ_PROBE_ROUTER, &one, sizeof one))) {
        curve_close (c);
        return esc_fail (err, ESC_INVALID_ARGUMENT, "BAD_KEY",
                         "the server key or this identity's keys are not valid CURVE keys");
    }
    char monitor_ep[64];
    snprintf (monitor_ep, sizeof monitor_ep, "inproc://esc-monitor-%p", c->socket);
    if (zmq_socket_monitor (c->socket, monitor_ep, ZMQ_EVENT_HANDSHAKE_FAILED_AUTH
                                                   | ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL) == 0) {
        c->monitor = zmq_socket (self->ctx, ZMQ_PAIR);
        if (c->monitor && zmq_connect (c->monitor, monitor_ep) != 0) {
            zmq_close (c->monitor);
            c->monitor = NULL;
        }
    }
    char list[1024];
    snprintf (list, sizeof list, "%s", endpoints);
    char *save = NULL;
    for (char *ep = strtok_r (list, ",", &save); ep; ep = strtok_r (NULL, ",", &save))
        if (zmq_connect (c->socket, ep) != 0) {
            esc_fail (err, ESC_INVALID_ARGUMENT, "BAD_ENDPOINT", "cannot use endpoint '%s': %s",
                      ep, zmq_strerror (errno));
            curve_close (c);
            return -1;
        }
    return 0;
}

/* Reads one monitor event; returns its number and value. */
static uint16_t
monitor_event (void *monitor, uint32_t *value)
{
    zmq_msg_t frame;
    uint16_t event = 0;
    zmq_msg_init (&frame);
    if (zmq_msg_recv (&frame, monitor, 0) >= 6) {
        const uint8_t *d = zmq_msg_data (&frame);
        memcpy (&event, d, 2);
        memcpy (value, d + 2, 4);
    }
    bool more = zmq_msg_more (&frame);
    zmq_msg_close (&frame);
    while (more) {              /* the endpoint frame */
        zmq_msg_init (&frame);
        if (zmq_msg_recv (&frame, monitor, 0) < 0)
            more = false;
        else
            more = zmq_msg_more (&frame);
        zmq_msg_close (&frame);
    }
    return event;
}

/* Turns a monitor event of C into an error. Returns -1 with ERR when the
 * handshake failed, else 0. */
static int
curve_trouble (curve_socket_t *c, const char *endpoint, esc_error_t *err)
{
    uint32_t value = 0;
    uint16_t event = monitor_event (c->monitor, &value);
    if (event == ZMQ_EVENT_HANDSHAKE_FAILED_AUTH)
        return esc_fail (err, ESC_UNAUTHENTICATED, "UNAUTHENTICATED",
                         "the server refused this identity's key (not registered, or revoked)");
    if (event == ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL)
        return esc_fail (err, ESC_UNAUTHENTICATED, "HANDSHAKE_FAILED",
                         "the CURVE handshake with %s failed: is the server key right?",
                         endpoint);
    return 0;
}

/* Reads the reply [""][payload] into *REPLY: 1 when it answers REQUEST_ID,
 * 0 when it answers another (a late reply: ignore it), -1 with ERR when it
 * cannot be read. */
static int
read_reply (void *socket, const char *request_id, Esc__Reply **reply, esc_error_t *err)
{
    zmq_msg_t frames[2];
    int n = 0;
    bool more = true;
    *reply = NULL;
    while (more) {
        zmq_msg_t scratch, *f = n < 2 ? &frames[n] : &scratch;
        zmq_msg_init (f);
        if (zmq_msg_recv (f, socket, 0) < 0) {
            zmq_msg_close (f);
            break;
        }
        more = zmq_msg_more (f);
        if (f == &scratch)
            zmq_msg_close (f);
        n++;
    }
    if (n == 2 && zmq_msg_size (&frames[0]) == 0)
        *reply = esc__reply__unpack (NULL, zmq_msg_size (&frames[1]), zmq_msg_data (&frames[1]));
    for (int i = 0; i < n && i < 2; i++)
        zmq_msg_close (&frames[i]);
    if (!*reply)
        return esc_fail (err, ESC_INTERNAL, "BAD_REPLY", "the server's reply could not be read");
    if ((*reply)->request_id && strcmp ((*reply)->request_id, request_id) != 0) {
        esc__reply__free_unpacked (*reply, NULL);
        *reply = NULL;
        return 0;
    }
    return 1;
}

/* One try: sends the packed request to the current endpoint on a fresh or
 * kept socket and waits until DEADLINE. Returns the reply, or NULL with
 * ERR; *AGAIN says whether another try may help (no answer, or the server
 * said UNAVAILABLE): the next goes to the next endpoint. */
static Esc__Reply *
attempt (transport_t *self, const uint8_t *buf, size_t len, const char *request_id,
         double deadline, bool *again, esc_error_t *err)
{
    Esc__Reply *reply = NULL;
    const char *endpoint = self->endpoints[self->current];
    *again = false;
    if (!self->dealer.socket
        && curve_open (self, endpoint, false, 0, &self->dealer, err))
        return NULL;
    void *socket = self->dealer.socket, *monitor = self->dealer.monitor;
    if (zmq_send (socket, "", 0, ZMQ_SNDMORE) < 0 || zmq_send (socket, buf, len, 0) < 0) {
        esc_fail (err, ESC_UNAVAILABLE, "UNREACHABLE", "cannot send to %s: %s",
                  endpoint, zmq_strerror (errno));
        *again = true;
        curve_close (&self->dealer);
        return NULL;
    }
    for (;;) {
        long left = (long) (deadline - proc_now_ms ());
        if (left <= 0) {
            esc_fail (err, ESC_UNAVAILABLE, "TIMEOUT", "no answer from %s", endpoint);
            *again = true;
            break;
        }
        zmq_pollitem_t items[] = { { socket, 0, ZMQ_POLLIN, 0 }, { monitor, 0, ZMQ_POLLIN, 0 } };
        if (zmq_poll (items, monitor ? 2 : 1, left) < 0) {
            if (errno == EINTR)
                continue;
            esc_fail (err, ESC_UNAVAILABLE, "UNREACHABLE", "poll: %s", zmq_strerror (errno));
            break;
        }
        if (items[0].revents & ZMQ_POLLIN) {
            int got = read_reply (socket, request_id, &reply, err);
            if (got == 0)
                continue;                       /* a late reply to an earlier try */
            *again = got > 0 && reply->status == ESC__STATUS__UNAVAILABLE;
            return got > 0 ? reply : NULL;
        }
        if (monitor && (items[1].revents & ZMQ_POLLIN)
            && curve_trouble (&self->dealer, endpoint, err))
            break;
    }
    /* a reply may still come: a fresh socket will not mistake it for another's */
    curve_close (&self->dealer);
    return NULL;
}

Esc__Reply *
transport_call (transport_t *self, const Esc__Request *req, esc_error_t *err)
{
    size_t len = esc__request__get_packed_size (req);
    if (len > ESC_MAX_MESSAGE) {
        esc_fail (err, ESC_INVALID_ARGUMENT, "REQUEST_TOO_LARGE",
                  "the request is %zu bytes; escd reads at most %d", len, ESC_MAX_MESSAGE);
        return NULL;
    }
    uint8_t *buf = malloc (len ? len : 1);
    if (!buf)
        abort ();
    esc__request__pack (req, buf);
    /* the Lazy Pirate: the same bytes, so the same request id, on a fresh
     * socket each time; escd answers a repeat with its first answer. With
     * several endpoints, the Freelance pattern's first model: each try
     * asks one escd, the next try the next one (every one at least once),
     * and the one that answers is asked first next time. escds sharing a
     * database share the request log, so a request that reached two is
     * applied once and both answer with the first answer. */
    int tries = self->retries + 1;
    if ((size_t) tries < self->n_endpoints)
        tries = (int) self->n_endpoints;
    double start = proc_now_ms (), end = start + self->timeout_ms;
    Esc__Reply *reply = NULL;
    for (int i = 0; i < tries; i++) {
        double deadline = i == tries - 1 ? end
                        : proc_now_ms () + (end - proc_now_ms ()) / (tries - i);
        bool again;
        esc__reply__free_unpacked (reply, NULL);
        esc_error_clear (err);          /* only the last try's trouble counts */
        reply = attempt (self, buf, len, req->request_id, deadline, &again, err);
        if (!again || proc_now_ms () >= end)
            break;
        if (self->n_endpoints > 1) {
            curve_close (&self->dealer);        /* the next escd, on a socket of its own */
            self->current = (self->current + 1) % self->n_endpoints;
        }
        if (reply && i < tries - 1) {
            /* escd is up but its database is not: give it a moment */
            long pause = (long) ((end - proc_now_ms ()) / (tries - i) / 2);
            struct timespec ts = { pause / 1000, (pause % 1000) * 1000000L };
            nanosleep (&ts, NULL);
        }
    }
    free (buf);
    if (!reply && err->status == ESC_UNAVAILABLE && strcmp (err->reason, "TIMEOUT") == 0)
        esc_fail (err, ESC_UNAVAILABLE, "TIMEOUT", "no answer from %s within %.1f s (%d tr%s)",
                  self->endpoint, self->timeout_ms / 1000.0, tries, tries == 1 ? "y" : "ies");
    return reply;
}

int
transport_subscribe (transport_t *self, const char *endpoints, int rcvhwm, esc_error_t *err)
{
    curve_close (&self->sub);
    return curve_open (self, endpoints, true, rcvhwm, &self->sub, err);
}

void *transport_feed (transport_t *self) { return self->sub.socket; }
void *transport_feed_monitor (transport_t *self) { return self->sub.monitor; }

int
transport_feed_trouble (transport_t *self, esc_error_t *err)
{
    return self->sub.monitor ? curve_trouble (&self->sub, "the feed", err) : 0;
}

void
transport_unsubscribe (transport_t *self)
{
    curve_close (&self->sub);
}
