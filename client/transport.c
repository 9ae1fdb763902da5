/* transport.c: request/reply over a CURVE DEALER socket, with a deadline. */
#include "transport.h"

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

static int64_t
now_ms (void)
{
    struct timespec ts;
    clock_gettime (CLOCK_MONOTONIC, &ts);
    return (int64_t) ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
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

/* Reads the reply [""][payload]; NULL if it is not one. */
static Esc__Reply *
read_reply (void *socket, const char *request_id, esc_error_t *err)
{
    zmq_msg_t frames[2];
    int n = 0;
    bool more = true;
    Esc__Reply *reply = NULL;
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
        reply = esc__reply__unpack (NULL, zmq_msg_size (&frames[1]), zmq_msg_data (&frames[1]));
    for (int i = 0; i < n && i < 2; i++)
        zmq_msg_close (&frames[i]);
    if (!reply)
        esc_fail (err, ESC_INTERNAL, "BAD_REPLY", "the server's reply could not be read");
    else if (reply->request_id && strcmp (reply->request_id, request_id) != 0) {
        esc__reply__free_unpacked (reply, NULL);
        reply = NULL;
        esc_fail (err, ESC_INTERNAL, "BAD_REPLY", "the reply answers another request");
    }
    return reply;
}

Esc__Reply *
transport_call (const transport_t *t, const Esc__Request *req, esc_error_t *err)
{
    Esc__Reply *reply = NULL;
    void *ctx = zmq_ctx_new ();
    void *socket = zmq_socket (ctx, ZMQ_DEALER), *monitor = NULL;
    int zero = 0;
    size_t len = esc__request__get_packed_size (req);
    uint8_t *buf = malloc (len ? len : 1);
    if (!buf)
        abort ();
    esc__request__pack (req, buf);

    if (zmq_setsockopt (socket, ZMQ_CURVE_SERVERKEY, t->server_key, strlen (t->server_key))
        || zmq_setsockopt (socket, ZMQ_CURVE_PUBLICKEY, t->client->public_key, KEY_Z85_LEN)
        || zmq_setsockopt (socket, ZMQ_CURVE_SECRETKEY, t->client->secret_key, KEY_Z85_LEN)
        || zmq_setsockopt (socket, ZMQ_LINGER, &zero, sizeof zero)) {
        esc_fail (err, ESC_INVALID_ARGUMENT, "BAD_KEY",
                  "the server key or this identity's keys are not valid CURVE keys");
        goto done;
    }
    /* tell a refused key from a missing server */
    char monitor_ep[64];
    snprintf (monitor_ep, sizeof monitor_ep, "inproc://esc-monitor-%p", socket);
    if (zmq_socket_monitor (socket, monitor_ep, ZMQ_EVENT_HANDSHAKE_FAILED_AUTH
                                                | ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL) == 0) {
        monitor = zmq_socket (ctx, ZMQ_PAIR);
        if (monitor && zmq_connect (monitor, monitor_ep) != 0) {
            zmq_close (monitor);
            monitor = NULL;
        }
    }
    if (zmq_connect (socket, t->endpoint) != 0) {
        esc_fail (err, ESC_INVALID_ARGUMENT, "BAD_ENDPOINT", "cannot use endpoint '%s': %s",
                  t->endpoint, zmq_strerror (errno));
        goto done;
    }
    if (zmq_send (socket, "", 0, ZMQ_SNDMORE) < 0 || zmq_send (socket, buf, len, 0) < 0) {
        esc_fail (err, ESC_UNAVAILABLE, "UNREACHABLE", "cannot send to %s: %s",
                  t->endpoint, zmq_strerror (errno));
        goto done;
    }
    int64_t deadline = now_ms () + t->timeout_ms;
    for (;;) {
        int64_t left = deadline - now_ms ();
        if (left <= 0) {
            esc_fail (err, ESC_UNAVAILABLE, "TIMEOUT", "no answer from %s within %.1f s",
                      t->endpoint, t->timeout_ms / 1000.0);
            break;
        }
        zmq_pollitem_t items[] = { { socket, 0, ZMQ_POLLIN, 0 }, { monitor, 0, ZMQ_POLLIN, 0 } };
        if (zmq_poll (items, monitor ? 2 : 1, (long) left) < 0) {
            if (errno == EINTR)
                continue;
            esc_fail (err, ESC_UNAVAILABLE, "UNREACHABLE", "poll: %s", zmq_strerror (errno));
            break;
        }
        if (items[0].revents & ZMQ_POLLIN) {
            reply = read_reply (socket, req->request_id, err);
            break;
        }
        if (monitor && (items[1].revents & ZMQ_POLLIN)) {
            uint32_t value = 0;
            uint16_t event = monitor_event (monitor, &value);
            if (event == ZMQ_EVENT_HANDSHAKE_FAILED_AUTH && value == 300) {
                esc_fail (err, ESC_UNAVAILABLE, "DATABASE_UNAVAILABLE",
                          "the server cannot check keys right now (its database is unavailable)");
                break;
            }
            if (event == ZMQ_EVENT_HANDSHAKE_FAILED_AUTH) {
                esc_fail (err, ESC_UNAUTHENTICATED, "UNAUTHENTICATED",
                          "the server refused this identity's key (not registered, or revoked)");
                break;
            }
            if (event == ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL) {
                esc_fail (err, ESC_UNAUTHENTICATED, "HANDSHAKE_FAILED",
                          "the CURVE handshake with %s failed: is the server key right?",
                          t->endpoint);
                break;
            }
        }
    }
done:
    free (buf);
    if (monitor) {
        zmq_socket_monitor (socket, NULL, 0);
        zmq_close (monitor);
    }
    zmq_close (socket);
    zmq_ctx_term (ctx);
    return reply;
}
