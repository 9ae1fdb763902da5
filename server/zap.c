/* zap.c: ZAP (ZMQ RFC 27) handler backed by the users table. */
#include "zap.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <zmq.h>

#include "keys.h"

/* version, request id, domain, address, identity, mechanism, and CURVE's
 * one credential: the client's public key */
#define ZAP_FRAMES 7

void *
zap_bind (void *ctx)
{
    void *socket = zmq_socket (ctx, ZMQ_REP);
    if (socket && zmq_bind (socket, ZAP_ENDPOINT) == 0)
        return socket;
    if (socket)
        zmq_close (socket);
    return NULL;
}

static void
send_frame (void *socket, const void *data, size_t len, bool more)
{
    zmq_send (socket, data, len, more ? ZMQ_SNDMORE : 0);
}

static void
reply (void *socket, const zmq_msg_t *request_id, const char *code, const char *text,
       const char *user)
{
    send_frame (socket, "1.0", 3, true);
    send_frame (socket, zmq_msg_data ((zmq_msg_t *) request_id),
                zmq_msg_size ((zmq_msg_t *) request_id), true);
    send_frame (socket, code, strlen (code), true);
    send_frame (socket, text, strlen (text), true);
    send_frame (socket, user, strlen (user), true);
    send_frame (socket, "", 0, false);                  /* no metadata */
}

static bool
frame_is (zmq_msg_t *frame, const char *text)
{
    return zmq_msg_size (frame) == strlen (text)
        && memcmp (zmq_msg_data (frame), text, strlen (text)) == 0;
}

int
zap_handle (void *socket, store_t *store)
{
    zmq_msg_t frames[ZAP_FRAMES];
    int n = 0;
    bool more = true;
    /* read every frame of the request, keeping the first ZAP_FRAMES */
    while (more) {
        zmq_msg_t scratch;
        zmq_msg_t *f = n < ZAP_FRAMES ? &frames[n] : &scratch;
        zmq_msg_init (f);
        if (zmq_msg_recv (f, socket, 0) < 0) {
            zmq_msg_close (f);
            for (int i = 0; i < n && i < ZAP_FRAMES; i++)
                zmq_msg_close (&frames[i]);
            return -1;
        }
        more = zmq_msg_more (f);
        if (f == &scratch)
            zmq_msg_close (f);
        n++;
    }
    int kept = n < ZAP_FRAMES ? n : ZAP_FRAMES;

    char user[64] = "";
    const char *code = "400", *text = "unknown key";
    if (kept < 2) {
        /* not even a request id: REP still owes a reply */
        zmq_msg_t none;
        zmq_msg_init (&none);
        reply (socket, &none, "500", "malformed ZAP request", "");
        zmq_msg_close (&none);
        goto done;
    }
    if (n != ZAP_FRAMES || !frame_is (&frames[0], "1.0")
        || !frame_is (&frames[5], "CURVE") || zmq_msg_size (&frames[6]) != 32) {
        code = "400";
        text = "only CURVE clients are admitted";
    }
    else {
        char key[KEY_Z85_LEN + 1];
        zmq_z85_encode (key, zmq_msg_data (&frames[6]), 32);
        esc_error_t err;
        if (store_connect (store, &err) || store_user_by_key (store, key, user, sizeof user, &err)) {
            code = "300";
            text = "the user directory is unavailable";
            user[0] = '\0';
        }
        else if (user[0]) {
            code = "200";
            text = "OK";
        }
    }
    reply (socket, &frames[1], code, text, user);
done:
    for (int i = 0; i < kept; i++)
        zmq_msg_close (&frames[i]);
    return 0;
}
