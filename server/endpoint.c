/* endpoint.c: the ROUTER socket, the ZAP handler and the request loop. */
#include "endpoint.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zmq.h>

#include "desk.h"
#include "feed.h"
#include "migrate.h"
#include "proc.h"
#include "validate.h"
#include "zap.h"

/* ==== Requests in flight ================================================= */

#define BATCH_LIMIT 256

/* One request as it came off the ROUTER: [identity] [""] [payload]. */
typedef struct {
    zmq_msg_t identity;
    zmq_msg_t payload;
    bool delimited;             /* had the empty delimiter frame (REQ, DEALER) */
    bool well_formed;           /* exactly identity, delimiter, payload */
    char user[64];              /* the ZAP handler's User-Id */
    double started;
    desk_answer_t answer;
} pending_t;

/* Reads one whole message. Returns 1 when one was read, 0 when none was
 * waiting, -1 on error. A malformed one is still read whole and kept for
 * an error reply. */
static int
receive (void *router, pending_t *p)
{
    memset (p, 0, sizeof *p);
    zmq_msg_init (&p->identity);
    zmq_msg_init (&p->payload);
    if (zmq_msg_recv (&p->identity, router, ZMQ_DONTWAIT) < 0) {
        zmq_msg_close (&p->identity);
        zmq_msg_close (&p->payload);
        return errno == EAGAIN ? 0 : -1;
    }
    p->started = proc_now_ms ();
    int frames = 1;
    bool more = zmq_msg_more (&p->identity);
    while (more) {
        zmq_msg_t frame;
        zmq_msg_init (&frame);
        if (zmq_msg_recv (&frame, router, 0) < 0) {
            zmq_msg_close (&frame);
            break;
        }
        more = zmq_msg_more (&frame);
        frames++;
        if (frames == 2 && zmq_msg_size (&frame) == 0)
            p->delimited = true;
        /* the last frame is the payload; keep it, drop the rest */
        zmq_msg_close (&p->payload);
        zmq_msg_init (&p->payload);
        zmq_msg_move (&p->payload, &frame);
        zmq_msg_close (&frame);
    }
    p->well_formed = frames == 3 && p->delimited;
    const char *user = zmq_msg_gets (&p->payload, "User-Id");
    if (!user)
        user = zmq_msg_gets (&p->identity, "User-Id");
    snprintf (p->user, sizeof p->user, "%s", user ? user : "");
    return 1;
}

/* Sends the answer without ever blocking: a client that has gone
 * (EHOSTUNREACH, thanks to ROUTER_MANDATORY) or stopped reading (EAGAIN at
 * its high-water mark) loses its reply, and the one thread keeps serving
 * everyone else. The answer is logged under its request id, so a retry
 * gets it back. Returns false when the reply was dropped. */
static bool
send_reply (void *router, pending_t *p)
{
    if (zmq_send (router, zmq_msg_data (&p->identity), zmq_msg_size (&p->identity),
                  ZMQ_SNDMORE | ZMQ_DONTWAIT) < 0)
        return false;
    /* after the first frame the rest of the message is accepted whole */
    if (p->delimited)
        zmq_send (router, "", 0, ZMQ_SNDMORE | ZMQ_DONTWAIT);
    return zmq_send (router, p->answer.reply, p->answer.reply_len, ZMQ_DONTWAIT) >= 0;
}

static void
log_request (const pending_t *p, bool sent)
{
    const desk_answer_t *a = &p->answer;
    fprintf (stderr, "escd: %s %s %s%s%s%s%s %.1fms\n",
             p->user[0] ? p->user : "-", a->op ? a->op : "?", esc_status_name (a->status),
             a->reason[0] ? " " : "", a->reason, a->retried ? " (retry)" : "",
             sent ? "" : " (reply dropped: client gone or not reading)",
             proc_now_ms () - p->started);
}

static void
release (pending_t *p)
{
    zmq_msg_close (&p->identity);
    zmq_msg_close (&p->payload);
    free (p->answer.reply);
}

/* ==== The loop =========================================================== */

typedef struct {
    store_t *store;
    desk_t *desk;
    zap_t *zap;
    void *router;
    feed_t *feed;
} server_t;

/* Opens the batch's transaction. A connection that died while idle is
 * found here: reconnect and try once more, so that a database restart
 * costs no request. */
static bool
begin (store_t *store, esc_error_t *err)
{
    if (store_connect (store, err) == 0 && store_command (store, "BEGIN", err) == 0)
        return true;
    return !store_connected (store) && store_connect (store, err) == 0
           && store_command (store, "BEGIN", err) == 0;
}

/* Commits the batch's transaction. False when nothing of it is durable. */
static bool
commit (store_t *store, esc_error_t *err)
{
    /* COMMIT in a failed transaction "succeeds" as a ROLLBACK: check first */
    if (store_in_failed_transaction (store)) {
        store_command (store, "ROLLBACK", err);
        esc_fail (err, ESC_INTERNAL, "INTERNAL", "the transaction failed; nothing was applied");
        return false;
    }
    return store_command (store, "COMMIT", err) == 0;
}

/* Turns every answer of a batch that did not commit into ERR: no reply may
 * claim a write that is not durable. */
static void
fail_batch (pending_t *batch, int n, const esc_error_t *err)
{
    for (int i = 0; i < n; i++)
        if (batch[i].well_formed && batch[i].user[0])
            desk_error_reply (zmq_msg_data (&batch[i].payload),
                              zmq_msg_size (&batch[i].payload), err, &batch[i].answer);
}

/* Answers a batch in one transaction, then replies. Returns true when
 * something was committed (the feed has news). */
static bool
serve_batch (server_t *s, pending_t *batch, int n)
{
    esc_error_t err;
    esc_error_clear (&err);
    bool open = begin (s->store, &err);
    for (int i = 0; i < n; i++) {
        pending_t *p = &batch[i];
        const uint8_t *data = zmq_msg_data (&p->payload);
        size_t len = zmq_msg_size (&p->payload);
        esc_error_t refused;
        if (!p->well_formed) {
            esc_fail (&refused, ESC_INVALID_ARGUMENT, "BAD_FRAMES",
                      "a request is one frame after an empty delimiter frame");
            desk_error_reply (data, len, &refused, &p->answer);
        }
        else if (!p->user[0]) {
            esc_fail (&refused, ESC_UNAUTHENTICATED, "UNAUTHENTICATED",
                      "the connection carries no user");
            desk_error_reply (data, len, &refused, &p->answer);
        }
        else if (!open)
            desk_error_reply (data, len, &err, &p->answer);
        else
            desk_answer (s->desk, p->user, data, len, &p->answer);
    }
    bool committed = open && commit (s->store, &err);
    if (open && !committed)
        fail_batch (batch, n, &err);
    bool news = false;
    for (int i = 0; i < n; i++) {
        news = news || (committed && batch[i].answer.changed);
        log_request (&batch[i], send_reply (s->router, &batch[i]));
        release (&batch[i]);
    }
    return news;
}

static int
set_option (void *socket, int option, const void *value, size_t len, const char *name)
{
    if (zmq_setsockopt (socket, option, value, len) == 0)
        return 0;
    fprintf (stderr, "escd: cannot set %s: %s\n", name, zmq_strerror (errno));
    return -1;
}

static void *
open_router (void *ctx, const endpoint_config_t *config)
{
    void *router = zmq_socket (ctx, ZMQ_ROUTER);
    int one = 1, linger = 2000;
    int64_t max = ESC_MAX_MESSAGE;
    if (!router
        || set_option (router, ZMQ_CURVE_SERVER, &one, sizeof one, "ZMQ_CURVE_SERVER")
        || set_option (router, ZMQ_CURVE_SECRETKEY, config->server_key.secret_key, KEY_Z85_LEN,
                       "ZMQ_CURVE_SECRETKEY")
        || set_option (router, ZMQ_ZAP_DOMAIN, ZAP_DOMAIN, strlen (ZAP_DOMAIN), "ZMQ_ZAP_DOMAIN")
        || set_option (router, ZMQ_ROUTER_MANDATORY, &one, sizeof one, "ZMQ_ROUTER_MANDATORY")
        || set_option (router, ZMQ_MAXMSGSIZE, &max, sizeof max, "ZMQ_MAXMSGSIZE")
        || set_option (router, ZMQ_LINGER, &linger, sizeof linger, "ZMQ_LINGER"))
        goto fail;
    if (zmq_bind (router, config->bind) != 0) {
        fprintf (stderr, "escd: cannot bind %s: %s\n", config->bind, zmq_strerror (errno));
        goto fail;
    }
    return router;
fail:
    if (router)
        zmq_close (router);
    return NULL;
}

/* Binds everything escd serves on. Returns 0, or -1 with the reason on
 * stderr. */
static int
open_sockets (server_t *s, void *ctx, const endpoint_config_t *config)
{
    esc_error_t err;
    int64_t head;
    /* the ZAP handler must be bound before any CURVE socket */
    s->zap = zap_new (ctx, s->store);
    if (!s->zap) {
        fprintf (stderr, "escd: cannot bind the ZAP handler: %s\n", zmq_strerror (errno));
        return -1;
    }
    s->router = open_router (ctx, config);
    if (!s->router)
        return -1;
    /* subscribers start from the present; the past is for catch-up */
    if (store_listen (s->store, &err) || store_last_seq (s->store, &head, &err)) {
        fprintf (stderr, "escd: %s\n", err.message);
        return -1;
    }
    s->feed = feed_new (ctx, config->feed, &config->server_key,
                        config->feed_hwm > 0 ? config->feed_hwm : FEED_DEFAULT_HWM, head);
    if (!s->feed)
        return -1;
    fprintf (stderr, "escd: serving requests on %s, the feed on %s (from event %lld)\n",
             config->bind, config->feed, (long long) head);
    return 0;
}

/* Publishes a page of what committed since the last time, and has ZAP
 * read the keys again when users changed. Returns true when more is
 * waiting. A database outage only delays the feed. */
static bool
publish (server_t *s)
{
    esc_error_t err;
    bool more = store_connect (s->store, &err) == 0 && feed_publish (s->feed, s->store) > 0;
    if (feed_users_changed (s->feed))
        zap_reload (s->zap);
    return more;
}

int
endpoint_run (const endpoint_config_t *config)
{
    server_t s = { .store = store_new (config->db_url) };
    esc_error_t err;
    int rc = 1;
    void *ctx = zmq_ctx_new ();
    /* encryption and sending to many watchers spread over two I/O threads */
    zmq_ctx_set (ctx, ZMQ_IO_THREADS, 2);
    pending_t *batch = NULL;

    if (store_connect (s.store, &err)) {
        fprintf (stderr, "escd: %s\n", err.message);
        goto done;
    }
    int pending = migrate_pending (store_conn (s.store), &err);
    if (pending != 0) {
        fprintf (stderr, "escd: %s\n", pending < 0 ? err.message
                 : "the database has pending migrations: run 'escd migrate' first");
        goto done;
    }
    s.desk = desk_new (s.store);
    proc_trap_stop ();
    if (open_sockets (&s, ctx, config))
        goto done;

    int batch_max = config->batch_max < 1 ? 1
                  : config->batch_max > BATCH_LIMIT ? BATCH_LIMIT : config->batch_max;
    batch = calloc ((size_t) batch_max, sizeof *batch);
    if (!batch)
        abort ();
    long timeout = ESC_FEED_HEARTBEAT_MS;
    bool behind = false;
    while (!proc_stopping ()) {
        /* the database's socket: NOTIFY from any escd's commit wakes us */
        zmq_pollitem_t items[] = {
            { zap_socket (s.zap), 0, ZMQ_POLLIN, 0 },
            { s.router, 0, ZMQ_POLLIN, 0 },
            { NULL, store_socket (s.store), ZMQ_POLLIN, 0 },
        };
        int n_items = items[2].fd >= 0 ? 3 : 2;
        if (zmq_poll (items, n_items, timeout) < 0) {
            if (errno == EINTR)
                continue;
            fprintf (stderr, "escd: poll: %s\n", zmq_strerror (errno));
            break;
        }
        if (items[0].revents & ZMQ_POLLIN)
            zap_handle (s.zap);
        bool news = false;
        if (items[1].revents & ZMQ_POLLIN) {
            int n = 0;
            while (n < batch_max && receive (s.router, &batch[n]) == 1)
                n++;
            if (n > 0)
                news = serve_batch (&s, batch, n);
        }
        /* Notifications may have arrived during the batch, or during a
         * publish's own queries: libpq holds them, and the socket no longer
         * wakes us. Drain them after every step; a backlog goes out a page
         * per pass, with requests served in between. */
        while (store_notified (s.store) || news || behind) {
            news = false;
            behind = publish (&s);
            if (behind)
                break;          /* one page per pass; requests first */
        }
        timeout = feed_tick (s.feed);
        if (!behind && timeout >= ESC_FEED_HEARTBEAT_MS) {
            /* a heartbeat just went out: a cheap look for news that came
             * without a notification (one lost across a reconnection) */
            behind = publish (&s);
        }
        if (behind)
            timeout = 0;        /* the next page after a look at the sockets */
    }
    fprintf (stderr, "escd: stopping\n");
    rc = 0;
done:
    free (batch);
    feed_destroy (&s.feed);
    if (s.router)
        zmq_close (s.router);
    zap_destroy (&s.zap);
    zmq_ctx_term (ctx);
    desk_destroy (&s.desk);
    store_destroy (&s.store);
    return rc;
}
