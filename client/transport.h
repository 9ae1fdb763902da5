/* transport.h: talking to escd over CURVE: requests and the feed.
 *
 * A transport holds one ZeroMQ context and, once used, one DEALER socket
 * to the request endpoint: it sends [""][request] and waits for
 * [""][reply]. Without an answer it closes the socket, opens a fresh one
 * and sends the same request again (the Lazy Pirate pattern: escd answers
 * a repeated request id with its first answer), up to RETRIES more times
 * within the one deadline. With several escd (ENDPOINT "a,b"), each try
 * asks one of them and the next try the next (the Freelance pattern,
 * model 1): the same request, so escd's shared request log applies it
 * once. A late reply to an earlier try is never taken
 * for the answer to another request. A monitor on every socket tells a refused key
 * (the server's ZAP handler said no) from a server that is simply not
 * there: the first is UNAUTHENTICATED (exit 4), the second a timeout
 * (exit 5). */
#ifndef ESC_TRANSPORT_H
#define ESC_TRANSPORT_H

#include "esc.pb-c.h"
#include "keys.h"
#include "status.h"

typedef struct transport transport_t;

/* A transport to ENDPOINT (or to several, comma-separated, asked in turn),
 * whose server key is SERVER_KEY (Z85), speaking as CLIENT, giving each
 * call TIMEOUT_MS in all for 1 + RETRIES tries, and at least one try per
 * endpoint. The strings and the keys must outlive it. */
transport_t *transport_new (const char *endpoint, const char *server_key,
                            const keypair_t *client, int timeout_ms, int retries);
void transport_destroy (transport_t **self_p);

/* Sends REQ and returns the reply (free it with esc__reply__free_unpacked
 * (reply, NULL)); a reply saying UNAVAILABLE (escd's database is down or
 * busy) is tried again too while time is left. NULL with ERR: UNAVAILABLE
 * on timeout,
 * UNAUTHENTICATED when the key was refused, INVALID_ARGUMENT for a bad
 * endpoint or key, INTERNAL for a garbled reply. */
Esc__Reply *transport_call (transport_t *self, const Esc__Request *req, esc_error_t *err);

/* A subscription to the feed: a DEALER with ZMQ_PROBE_ROUTER (its empty
 * first message, sent again on every reconnection, asks escd for the
 * feed), connected to each endpoint of ENDPOINTS (comma-separated) with
 * the transport's keys, queueing about RCVHWM messages (in ZeroMQ and in
 * the kernel) before the feed drops them; 0 keeps the defaults. Returns
 * 0, or -1 with ERR. */
int transport_subscribe (transport_t *self, const char *endpoints, int rcvhwm, esc_error_t *err);
/* The feed's socket and its monitor, to poll (NULL when not subscribed). */
void *transport_feed (transport_t *self);
void *transport_feed_monitor (transport_t *self);
/* Reads one event from the feed monitor. Returns -1 with ERR when it says
 * the key was refused, else 0. */
int transport_feed_trouble (transport_t *self, esc_error_t *err);
/* Closes the feed's socket (a later transport_subscribe opens a new one). */
void transport_unsubscribe (transport_t *self);

/* A fresh request id: 32 random hex digits into BUF (at least 33 bytes). */
void transport_request_id (char *buf);

#endif
