/* transport.h: one request to escd and its reply, over CURVE.
 *
 * A DEALER socket sends [""][request] and waits for [""][reply] until the
 * deadline. A monitor on the socket tells a refused key (the server's ZAP
 * handler said no) from a server that is simply not there, so the first is
 * UNAUTHENTICATED (exit 4) and the second a timeout (exit 5). */
#ifndef ESC_TRANSPORT_H
#define ESC_TRANSPORT_H

#include "esc.pb-c.h"
#include "keys.h"
#include "status.h"

typedef struct {
    const char *endpoint;
    const char *server_key;     /* Z85 */
    const keypair_t *client;
    int timeout_ms;
} transport_t;

/* Sends REQ and returns the reply (free it with esc__reply__free_unpacked
 * (reply, NULL)), or NULL with ERR: UNAVAILABLE on timeout,
 * UNAUTHENTICATED when the key was refused, INTERNAL for a garbled reply. */
Esc__Reply *transport_call (const transport_t *t, const Esc__Request *req, esc_error_t *err);

/* A fresh request id: 32 random hex digits into BUF (at least 33 bytes). */
void transport_request_id (char *buf);

#endif
