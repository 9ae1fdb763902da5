/* zap.c: ZAP (ZMQ RFC 27) handler backed by the users table. */
#include "zap.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zmq.h>

#include "keys.h"
#include "logline.h"
#include "proc.h"

/* version, request id, domain, address, identity, mechanism, and CURVE's
 * one credential: the client's public key */
#define ZAP_FRAMES 7

/* A key the database admitted, and whose key it is. */
typedef struct {
    char key[KEY_Z85_LEN + 1];
    char user[64];
} admitted_t;

struct zap {
    void *socket;
    store_t *store;
    admitted_t *admitted;       /* what the database last said, per key */
    size_t n_admitted, cap;
    double lookups;             /* database lookups of unknown keys it may make */
    double lookups_at;          /* when LOOKUPS was worked out (ms) */
};

/* Keys not in memory are looked up in the database at most this often
 * (a second's worth at once): the table holds every registered key,
 * reread after each user.* event, so a miss is mostly a stranger, and
 * strangers must not keep escd's database busy. */
#define ZAP_LOOKUPS_PER_S 20.0
#define ZAP_LOOKUPS_BURST 100.0

static void remember (zap_t *self, const char *key, const char *user);

static void
remember_each (void *self, const char *key, const char *user)
{
    remember (self, key, user);
}

zap_t *
zap_new (void *ctx, store_t *store)
{
    void *socket = zmq_socket (ctx, ZMQ_REP);
    if (!socket || zmq_bind (socket, ZAP_ENDPOINT) != 0) {
        if (socket)
            zmq_close (socket);
        return NULL;
    }
    zap_t *self = calloc (1, sizeof *self);
    if (!self)
        abort ();
    self->socket = socket;
    self->store = store;
    /* every registered key, so that an outage does not lock out a user
     * who had not connected yet; kept current by each lookup */
    esc_error_t err;
    store_user_keys (store, remember_each, self, &err);
    return self;
}

void
zap_reload (zap_t *self)
{
    /* read into a table of its own, taken only when the read succeeds:
     * a database that cannot answer leaves the keys as they were */
    zap_t fresh = { .store = self->store };
    esc_error_t err;
    if (store_user_keys (self->store, remember_each, &fresh, &err) != 0) {
        free (fresh.admitted);
        return;
    }
    free (self->admitted);
    self->admitted = fresh.admitted;
    self->n_admitted = fresh.n_admitted;
    self->cap = fresh.cap;
}

void
zap_destroy (zap_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    zmq_close ((*self_p)->socket);
    free ((*self_p)->admitted);
    free (*self_p);
    *self_p = NULL;
}

void *
zap_socket (zap_t *self)
{
    return self->socket;
}

static int
by_key (const void *a, const void *b)
{
    return strcmp (((const admitted_t *) a)->key, ((const admitted_t *) b)->key);
}

static admitted_t *
find (zap_t *self, const char *key)
{
    admitted_t probe;
    snprintf (probe.key, sizeof probe.key, "%s", key);
    return self->n_admitted
        ? bsearch (&probe, self->admitted, self->n_admitted, sizeof probe, by_key) : NULL;
}

/* Remembers what the database said about KEY: USER, or "" for nobody. The
 * table stays sorted by key. */
static void
remember (zap_t *self, const char *key, const char *user)
{
    admitted_t *a = find (self, key);
    if (!user[0]) {
        if (a) {
            size_t i = (size_t) (a - self->admitted);
            memmove (a, a + 1, (self->n_admitted - i - 1) * sizeof *a);
            self->n_admitted--;
        }
        return;
    }
    if (!a) {
        if (self->n_admitted == self->cap) {
            self->cap = self->cap ? self->cap * 2 : 16;
            self->admitted = realloc (self->admitted, self->cap * sizeof *self->admitted);
            if (!self->admitted)
                abort ();
        }
        size_t i = 0;
        while (i < self->n_admitted && strcmp (self->admitted[i].key, key) < 0)
            i++;
        memmove (&self->admitted[i + 1], &self->admitted[i],
                 (self->n_admitted - i) * sizeof *self->admitted);
        self->n_admitted++;
        a = &self->admitted[i];
        snprintf (a->key, sizeof a->key, "%s", key);
    }
    snprintf (a->user, sizeof a->user, "%s", user);
}

bool
zap_key_active (zap_t *self, const char *key)
{
    return find (self, key) != NULL;
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

/* Whether a key unknown to memory may be looked up in the database now
 * (taking one lookup of the budget). */
static bool
may_look_up (zap_t *self)
{
    double now = proc_now_ms ();
    self->lookups += (now - self->lookups_at) * ZAP_LOOKUPS_PER_S / 1000.0;
    if (self->lookups > ZAP_LOOKUPS_BURST)
        self->lookups = ZAP_LOOKUPS_BURST;
    self->lookups_at = now;
    if (self->lookups < 1)
        return false;
    self->lookups -= 1;
    return true;
}

/* Reads one ZAP request and answers it. Returns 0, or -1 when nothing
 * could be read. */
static int
handle_one (zap_t *self)
{
    void *socket = self->socket;
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

    char user[64] = "", key[KEY_Z85_LEN + 1] = "";
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
        zmq_z85_encode (key, zmq_msg_data (&frames[6]), 32);
        const admitted_t *known = find (self, key);
        esc_error_t err;
        if (known)
            snprintf (user, sizeof user, "%s", known->user);
        else if (!may_look_up (self))
            text = "unknown key";
        else if (store_connect (self->store, &err) == 0
                 && store_user_by_key (self->store, key, user, sizeof user, &err) == 0)
            remember (self, key, user);
        else {
            code = "300";
            text = "the user directory is unavailable";
        }
        if (user[0]) {
            code = "200";
            text = "OK";
        }
    }
    /* the User-Id every message of the connection carries is the key it
     * was admitted with: the desk finds the user by it on every request,
     * so that a key replaced or revoked later stops working at once */
    reply (socket, &frames[1], code, text, user[0] ? key : "");
    if (logline_enabled (LOGLINE_DEBUG)) {
        /* the peer's address, as libzmq gives it (frame 3) */
        char from[64];
        size_t len = kept > 3 ? zmq_msg_size (&frames[3]) : 0, i = 0;
        const char *at = kept > 3 ? zmq_msg_data (&frames[3]) : "";
        for (; i < len && i < sizeof from - 1; i++)
            from[i] = at[i] > 0x20 && at[i] < 0x7f ? at[i] : '?';
        snprintf (from + i, sizeof from - i, "%s", i ? "" : "-");
        logline (LOGLINE_DEBUG, "handshake from %s, key %.8s: %s%s%s", from,
                 key[0] ? key : "-", user[0] ? "admitted as " : "refused, ", user[0] ? user : text,
                 code[0] == '3' ? " (try again)" : "");
    }
done:
    for (int i = 0; i < kept; i++)
        zmq_msg_close (&frames[i]);
    return 0;
}

int
zap_handle (zap_t *self)
{
    int n = 0;
    while (n < ZAP_HANDLE_MAX && handle_one (self) == 0) {
        n++;
        int events = 0;
        size_t len = sizeof events;
        if (zmq_getsockopt (self->socket, ZMQ_EVENTS, &events, &len) != 0
            || !(events & ZMQ_POLLIN))
            break;
    }
    return n;
}
