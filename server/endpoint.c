/* endpoint.c: the request ROUTER, the feed, the ZAP handler and the loop
 * that serves them. See endpoint.h. */
#include "endpoint.h"

#include <assert.h>
#include <errno.h>
#include <malloc.h>
#include <poll.h>
#include <sodium.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zmq.h>

#include "desk.h"
#include "feed.h"
#include "guard.h"
#include "http.h"
#include "logline.h"
#include "metrics.h"
#include "migrate.h"
#include "names.h"
#include "notify.h"
#include "quota.h"
#include "reader.h"
#include "proc.h"
#include "validate.h"
#include "zap.h"

/* ==== Requests in flight ================================================= */

#define BATCH_LIMIT 256
/* One user's share of a batch, in work units (see weight): their other
 * requests wait for the next batch, so that nobody's pipeline holds up
 * everyone else's requests. */
#define SHARE_UNITS 4
/* Requests of one user read but left for a later batch, at most, and
 * heavy reads waiting for the reader: past that, a user's requests are
 * refused TOO_MANY_REQUESTS at once. */
#define CARRY_PER_USER 8
#define CARRY_LIMIT 256
#define HEAVY_PER_USER 8
#define HEAVY_LIMIT 256
/* How often escd prunes its request log, and how much at a time. */
#define PRUNE_EVERY_MS 60000.0
#define PRUNE_ROWS 5000
/* How often the guard looks at escd's memory. */
#define GUARD_EVERY_MS 100.0
/* The read lease (lease_take): how often its holder asks whether anyone
 * waits for it; how long a head read under it vouches for answers; how
 * long unused it is kept; and how long after another escd's commit, or
 * after giving it up to a writer, it is not taken. */
#define LEASE_POLL_MS 20.0
#define LEASE_FRESH_MS 100.0
#define LEASE_IDLE_MS 1000.0
#define LEASE_QUIET_MS 10000.0
/* How often the metrics look at the request log's size. */
#define MEASURE_EVERY_MS 30000.0
/* How long escd has nothing to do before it gives freed memory back, and
 * how often at most it does. */
#define IDLE_TRIM_MS 1000.0
#define IDLE_TRIM_EVERY_MS 10000.0
/* How long a batch may wait for the users the last batch of changes
 * answered to send their next: at most this share of that batch's time,
 * and at most GATHER_MAX_MS (see wait_for_returning). */
#define GATHER_SHARE 0.25
#define GATHER_MAX_MS 2.0
/* ... and only that long after they were answered: past it, they are not
 * coming back at once. */
#define GATHER_FRESH_MS 5.0

/* One request as it came off the ROUTER: [identity] [""] [payload]. */
typedef struct {
    zmq_msg_t identity;
    zmq_msg_t payload;
    bool delimited;             /* had the empty delimiter frame (REQ, DEALER) */
    bool well_formed;           /* exactly identity, delimiter, payload */
    char key[64];               /* the ZAP handler's User-Id: the client's key */
    double started;
    desk_request_t request;
    desk_answer_t answer;
} pending_t;

/* Reads one whole message into P. Returns 1 when one was read, 0 when none
 * was waiting, -1 on error. A malformed one is still read whole and kept
 * for an error reply. */
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
    const char *key = zmq_msg_gets (&p->payload, "User-Id");
    if (!key)
        key = zmq_msg_gets (&p->identity, "User-Id");
    snprintf (p->key, sizeof p->key, "%s", key ? key : "");
    desk_decode (zmq_msg_data (&p->payload), zmq_msg_size (&p->payload), &p->request);
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

/* escd's log: one line a request, each user at most a number of lines a
 * minute (a user's flood must not fill the disk through the log); what a
 * user's lines beyond it would have said is counted and summed up once a
 * minute. */
typedef struct {
    quota_t *lines;             /* each user's lines a minute */
    struct { char who[64]; long held; } *held;
    size_t n_held, cap_held;
    double summary_at;          /* ms */
} log_t;

/* Logs P, answered at NOW (ms), its reply SENT or dropped. */
static void
log_request (log_t *log, const pending_t *p, bool sent, double now)
{
    const desk_answer_t *a = &p->answer;
    char who[64];
    if (!logline_enabled (LOGLINE_INFO))
        return;                 /* nor counted against the user's lines */
    /* a request answered before its user was known names the key */
    if (a->user[0])
        snprintf (who, sizeof who, "%s", a->user);
    else
        snprintf (who, sizeof who, "key:%.8s", p->key[0] ? p->key : "-");
    double wait;
    if (!quota_allows (log->lines, who, 1, now, &wait)) {
        size_t i = 0;
        while (i < log->n_held && strcmp (log->held[i].who, who) != 0)
            i++;
        if (i == log->n_held) {
            if (log->n_held == log->cap_held) {
                log->cap_held = log->cap_held ? log->cap_held * 2 : 8;
                log->held = realloc (log->held, log->cap_held * sizeof *log->held);
                if (!log->held)
                    abort ();
            }
            snprintf (log->held[log->n_held].who, sizeof log->held[0].who, "%s", who);
            log->held[log->n_held++].held = 0;
        }
        log->held[i].held++;
        return;
    }
    quota_charge (log->lines, who, 1, now);
    const char *id = p->request.req ? p->request.req->request_id : NULL;
    logline_request (&(logline_request_t) {
        .user = who, .op = a->op ? a->op : "?", .outcome = esc_status_name (a->status),
        .reason = a->reason,
        /* only an id fit to print: a refused one may hold anything */
        .request_id = name_check_request_id (id) == 0 ? id : NULL,
        .retried = a->retried, .remembered = a->remembered, .dropped = !sent,
        .ms = now - p->started,
    });
}

/* Once a minute, what the log held back, user by user. */
static void
log_summary (log_t *log)
{
    double now = proc_now_ms ();
    if (now < log->summary_at)
        return;
    for (size_t i = 0; i < log->n_held; i++)
        logline (LOGLINE_WARNING, "%s: %ld more requests not logged in the last minute "
                 "(%lld lines a minute per user)", log->held[i].who, log->held[i].held,
                 (long long) quota_rate (log->lines));
    log->n_held = 0;
    log->summary_at = now + 60000;
}

static void
release (pending_t *p)
{
    desk_request_release (&p->request);
    zmq_msg_close (&p->identity);
    zmq_msg_close (&p->payload);
    free (p->answer.reply);
}

/* ==== The server ========================================================= */

typedef struct {
    endpoint_config_t config;   /* the live fields as the last reload left them */
    store_t *store;
    desk_t *desk;
    zap_t *zap;
    void *router;
    feed_t *feed;
    guard_t *guard;             /* memory: cuts the connection that sends most */
    log_t log;
    metrics_t *metrics;         /* what the loop counts; only the loop touches it */
    http_t *http;               /* GET /metrics; NULL without --metrics */
    int64_t memory_in_use;      /* the guard's last look (-1: none yet) */
    int64_t request_log_bytes;  /* the last look (-1: none yet) */
    double measure_at;          /* the next look at the request log (ms) */
    double guard_at;            /* its next look (ms) */
    /* requests: the batch in hand, those carried over to the next, and the
     * heavy reads waiting for the reader, which has at most one */
    pending_t **batch, **carry, **heavy;
    int n_batch, n_carry, n_heavy;
    int batch_max;
    reader_t *reader;
    /* a connection that only LISTENs: NOTIFY from another escd's commit
     * wakes the loop (never the one that commits: store_listen) */
    store_t *listener;
    int64_t listened;           /* the writer's reconnections it followed */
    bool listened_ever;         /* it connected once (at the start) */
    struct { char key[64]; uint64_t turn; } *served;   /* HEAVY_LIMIT of whose heavy
                                   read the reader had, and when (turns) */
    int n_served;
    uint64_t turns;
    double prune_at;            /* the next pruning of the request log (ms) */
    double active_at;           /* when the loop last had something to do (ms) */
    bool trimmed;               /* freed memory given back since */
    double trimmed_at;          /* when it last was (ms; 0: never) */
    notify_t *notify;           /* systemd: READY=1, WATCHDOG=1, STOPPING=1 */
    /* the users the last batch answered (BATCH_LIMIT), whether each has
     * sent again since, and how long the next batch may wait for those
     * who have not (ms) */
    struct { char key[64]; bool back; } *returning;
    int n_returning, n_away;
    double gather_ms;
    double returning_at;        /* when they were answered (ms) */
    /* reads answered from memory, each group waiting for the database's
     * word that its answers stand (a head check posted ahead), oldest
     * first from flight_first (a ring of STORE_POSTED_MAX) */
    struct flight {
        pending_t *ps[BATCH_LIMIT];
        int n;
        desk_stamp_t at;
        double asked;           /* when its head check was posted (ms) */
    } *flights;
    int flight_first, n_flights;
    /* the read lease (sql/025): while this escd holds it on the connection
     * that writes, nobody else's change commits, and the reads it
     * remembers are answered without a head check each (lease_vouches) */
    struct {
        bool held;
        int64_t connection;     /* the writer's reconnections when taken */
        double taken_at, used_at, polled_at;   /* ms */
        store_head_t seen;      /* the last head read while held */
        double seen_asked;      /* when it was asked for (ms) */
        double foreign_at;      /* another escd's commit last heard (ms) */
        double after;           /* not taken again before (ms) */
    } lease;
} server_t;

static void land (server_t *s, bool wait);

/* The next flight, its head check posted at ASKED (ms): N reads of it are
 * the caller's to fill in. */
static struct flight *
flight_push (server_t *s, int n, double asked)
{
    struct flight *f = &s->flights[(s->flight_first + s->n_flights++) % STORE_POSTED_MAX];
    f->n = n;
    f->asked = asked;
    return f;
}

static void lease_heard (server_t *s, const store_head_t *now, double asked);
static bool lease_vouches (server_t *s, const desk_stamp_t *at);
static bool lease_held (server_t *s);

/* Replies to P, logs it, counts it, and frees it. */
static void
finish (server_t *s, pending_t *p)
{
    bool sent = send_reply (s->router, p);
    double now = proc_now_ms ();
    log_request (&s->log, p, sent, now);
    metrics_request (s->metrics, p->request.op, p->answer.status, (now - p->started) / 1000,
                     p->answer.retried, !sent);
    release (p);
    free (p);
}

/* Refuses P at once, without the database. */
static void
refuse (server_t *s, pending_t *p, esc_status_t status, const char *reason, const char *message)
{
    esc_error_t err;
    esc_fail (&err, status, reason, "%s", message);
    desk_error_reply (&p->request, &err, &p->answer);
    finish (s, p);
}

static void refuse_too_many (server_t *s, pending_t *p);

/* ==== Batches ============================================================ */

/* What a request costs escd, in units of a user's share of a batch: a
 * page of a list or of the log by its length (50: 1, 1000: 6), a report
 * or an import 4, a history or an account's or roadmap item's detail 2,
 * anything else 1. A request larger than a share goes alone. */
static int
weight (const pending_t *p)
{
    const Esc__Request *r = p->request.req;
    switch (p->request.op) {
    case OP_REPORT:
        return r->report->has_escalations && r->report->escalations
            ? 1 + (int) ((r->report->has_limit ? r->report->limit : LIMIT_PAGE_DEFAULT) / 200)
            : 4;
    case OP_LIST:
        return 1 + (int) ((r->list->has_limit ? r->list->limit : LIMIT_PAGE_DEFAULT) / 200);
    case OP_EVENTS_SINCE:
        return 1 + (int) ((r->events_since->has_limit ? r->events_since->limit : DEFAULT_EVENTS)
                          / 200);
    case OP_ACCOUNT_IMPORT: return 4;
    case OP_HISTORY: case OP_ACCOUNT_SHOW: case OP_ROADMAP_SHOW: return 2;
    default: return 1;
    }
}

/* Whether P is a read whose cost grows with the data (a list, a report, a
 * catch-up, a history, an account's or roadmap item's detail): those go to
 * the reader, never on the loop. The other reads are light, answered on
 * the loop: a show, a quarter, status (a few rows by key), an import's dry
 * run (bounded by the rows it carries, as the import itself is). */
static bool
heavy (const pending_t *p)
{
    switch (p->request.op) {
    case OP_LIST: case OP_REPORT: case OP_EVENTS_SINCE: case OP_HISTORY:
    case OP_ACCOUNT_LIST: case OP_ROADMAP_LIST: case OP_USER_LIST:
    case OP_ACCOUNT_SHOW: case OP_ROADMAP_SHOW:
        return true;
    default:
        return false;
    }
}

/* The units each user (by key) has in the batch being assembled. */
typedef struct {
    const char *key;
    int units;
    int carried;                /* requests of theirs left for later */
} share_t;

static share_t *
share_of (share_t *shares, int *n, const char *key)
{
    for (int i = 0; i < *n; i++)
        if (strcmp (shares[i].key, key) == 0)
            return &shares[i];
    shares[*n] = (share_t) { .key = key };
    return &shares[(*n)++];
}

/* Whether P joins the batch: its user has room in their share, and none
 * of their requests waits before it (a user's requests keep their order). */
static bool
fits (share_t *sh, const pending_t *p)
{
    return sh->carried == 0 && (sh->units == 0 || sh->units + weight (p) <= SHARE_UNITS);
}

/* The entry of KEY among the users the last batch answered; -1 if
 * none. */
static int
returning_find (const server_t *s, const char *key)
{
    for (int i = 0; i < s->n_returning; i++)
        if (strcmp (s->returning[i].key, key) == 0)
            return i;
    return -1;
}

/* A request from KEY is in hand (new, or carried over): if the last
 * batch answered them, they are back. */
static void
came_back (server_t *s, const char *key)
{
    int i = s->n_away ? returning_find (s, key) : -1;
    if (i >= 0 && !s->returning[i].back) {
        s->returning[i].back = true;
        s->n_away--;
    }
}

/* Notes the users of the N requests of PS, about to be answered in the
 * batch at hand, as those the next batch waits for a little
 * (expect_back). Nobody is awaited until then. */
static void
note_answered (server_t *s, pending_t **ps, int n)
{
    s->n_returning = s->n_away = 0;
    for (int i = 0; i < n; i++)
        if (returning_find (s, ps[i]->key) < 0) {
            snprintf (s->returning[s->n_returning].key, sizeof s->returning[0].key, "%s",
                      ps[i]->key);
            s->returning[s->n_returning++].back = false;
        }
}

/* The users note_answered noted, now answered in a batch that took MS
 * (CHANGES: with a change in it), are those the next batch waits for a
 * little: a user who has an answer often sends the next request at once,
 * and served in this batch instead of the one after, their request
 * shares its round trips and its commit. Without this, users who send one
 * request at a time split into groups whose batches alternate, each
 * paying its round trips and wakes. Not after a batch of reads alone: a
 * group of reads answered from memory costs one head check, posted
 * without waiting for the last (land), and a read that waited for others
 * would wait for their replies too. Not after one user alone: their next
 * request gains nothing by waiting, and whoever else sends would wait for
 * them. */
static void
expect_back (server_t *s, bool changes, double ms)
{
    if (s->n_returning < 2 || !changes)
        s->n_returning = 0;
    s->n_away = s->n_returning;
    double most = ms * GATHER_SHARE;
    s->gather_ms = most < GATHER_MAX_MS ? most : GATHER_MAX_MS;
    s->returning_at = proc_now_ms ();
}

_Static_assert (GATHER_MAX_MS < 1000, "wait_for_returning waits less than a second");

/* Whether the batch being assembled waits on for requests: while users
 * the last batch answered, just before, have not sent again, until
 * *DEADLINE (ms; set on the first call, 0 before).
 * Waits until the ROUTER's state changes (a message, perhaps) or the
 * deadline. */
static bool
wait_for_returning (server_t *s, double *deadline)
{
    double now = proc_now_ms ();
    if (!s->n_away || now - s->returning_at > GATHER_FRESH_MS)
        return false;
    if (*deadline == 0)
        *deadline = now + s->gather_ms;
    if (now >= *deadline)
        return false;
    /* those awaited may be some whose answers wait for a head check */
    land (s, false);
    /* zmq_poll counts in milliseconds; the router's file descriptor
     * signals any change of its state, so a look follows each wake */
    int fd;
    size_t len = sizeof fd;
    int events = 0;
    size_t events_len = sizeof events;
    if (zmq_getsockopt (s->router, ZMQ_EVENTS, &events, &events_len) == 0
        && (events & ZMQ_POLLIN))
        return true;
    if (zmq_getsockopt (s->router, ZMQ_FD, &fd, &len) != 0)
        return false;
    double left = *deadline - now;
    struct timespec wait = { .tv_sec = 0, .tv_nsec = (long) (left * 1e6) };
    struct pollfd items[2] = { { .fd = fd, .events = POLLIN },
                               { .fd = store_socket (s->store), .events = POLLIN } };
    int n = s->n_flights && items[1].fd >= 0 && !store_posted_in (s->store) ? 2 : 1;
    if (n == 1 && s->n_flights)
        wait.tv_nsec = 0;       /* an answer is in: landed at the next look */
    return ppoll (items, (nfds_t) n, &wait, NULL) >= 0 || errno == EINTR;
}

/* Assembles the next batch in S->batch: first the requests carried over,
 * then (with TAKE_NEW) new ones off the ROUTER, each user at most their
 * share; the rest of a user's requests wait (up to CARRY_PER_USER),
 * beyond that they are refused. Requests that need no database
 * (malformed, invalid) are answered at once. A batch may wait a little
 * for users just answered (wait_for_returning). */
static void
assemble (server_t *s, bool take_new)
{
    share_t shares[BATCH_LIMIT + CARRY_LIMIT];
    int n_shares = 0, n_carry = 0;
    double deadline = 0;
    s->n_batch = 0;
    for (int i = 0; i < s->n_carry; i++) {
        pending_t *p = s->carry[i];
        came_back (s, p->key);
        share_t *sh = share_of (shares, &n_shares, p->key);
        if (s->n_batch < s->batch_max && fits (sh, p)) {
            sh->units += weight (p);
            s->batch[s->n_batch++] = p;
        }
        else {
            sh->carried++;
            s->carry[n_carry++] = p;
        }
    }
    s->n_carry = n_carry;
    while (take_new && s->n_batch < s->batch_max) {
        pending_t *p = malloc (sizeof *p);
        if (!p)
            abort ();
        int got = receive (s->router, p);
        if (got != 1) {
            free (p);
            if (got == 0 && wait_for_returning (s, &deadline))
                continue;
            break;
        }
        came_back (s, p->key);
        if (!p->well_formed)
            refuse (s, p, ESC_INVALID_ARGUMENT, "BAD_FRAMES",
                    "a request is one frame after an empty delimiter frame");
        else if (!p->key[0])
            refuse (s, p, ESC_UNAUTHENTICATED, "UNAUTHENTICATED",
                    "the connection carries no key");
        else if (!zap_key_active (s->zap, p->key))
            /* revoked or replaced since the handshake (the desk checks the
             * database again for the others, under the lock for a write) */
            refuse (s, p, ESC_UNAUTHENTICATED, "UNAUTHENTICATED",
                    "this connection's key is no longer an active user's key (it was "
                    "replaced, or its user revoked)");
        else if (!p->request.valid) {
            desk_error_reply (&p->request, &p->request.err, &p->answer);
            finish (s, p);
        }
        else {
            share_t *sh = share_of (shares, &n_shares, p->key);
            if (fits (sh, p)) {
                sh->units += weight (p);
                s->batch[s->n_batch++] = p;
            }
            else if (sh->carried < CARRY_PER_USER && s->n_carry < CARRY_LIMIT) {
                sh->carried++;
                s->carry[s->n_carry++] = p;
            }
            else
                refuse_too_many (s, p);
        }
    }
}

static void
refuse_too_many (server_t *s, pending_t *p)
{
    refuse (s, p, ESC_RESOURCE_EXHAUSTED, "TOO_MANY_REQUESTS",
            "escd holds as many requests of this user as it queues for one user; wait for "
            "their answers before sending more");
}

/* Opens a transaction with BEGIN_SQL and the desk's batch in it (for
 * WRITES, with the sequence lock and the request log of the N changes of
 * LOOKUPS, and perhaps AHEAD's answers: desk_batch_begin). A connection
 * that died while idle is found here: reconnect and try once more, so
 * that a database restart costs no request. */
static bool
begin (store_t *store, desk_t *desk, const char *begin_sql, bool writes,
       batch_lookup_t *lookups, size_t n, desk_run_t *ahead, esc_error_t *err)
{
    for (int attempt = 0; attempt < 2; attempt++) {
        if (store_connect (store, err) == 0
            && desk_batch_begin (desk, begin_sql, writes, lookups, n, ahead, err) == 0)
            return true;
        if (store_connected (store)) {
            esc_error_t undo;
            store_command (store, "ROLLBACK", &undo);
            return false;
        }
    }
    return false;
}

/* Commits the transaction, reading in the same round trip the feed's next
 * page after seq PUBLISHED when it is not -1 (a batch of changes: the
 * publish that follows finds it read). False when nothing of it is
 * durable. */
static bool
commit (store_t *store, desk_t *desk, int64_t published, esc_error_t *err)
{
    desk_batch_end (desk);
    /* COMMIT in a failed transaction "succeeds" as a ROLLBACK: check first */
    if (store_in_failed_transaction (store)) {
        store_command (store, "ROLLBACK", err);
        esc_fail (err, ESC_INTERNAL, "INTERNAL", "the transaction failed; nothing was applied");
        return false;
    }
    if (published >= 0)
        return store_commit_publishing (store, published, FEED_PAGE, err) == 0;
    return store_command (store, "COMMIT", err) == 0;
}

#define READS "BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY"
#define WRITES "BEGIN"

/* The keys, requests and answers of the N of PS, then the N_AGAIN of AGAIN. */
static void
gather (pending_t **ps, int n, pending_t **again, int n_again, const char **keys,
        const desk_request_t **reqs, desk_answer_t **outs)
{
    for (int i = 0; i < n + n_again; i++) {
        pending_t *p = i < n ? ps[i] : again[i - n];
        keys[i] = p->key;
        reqs[i] = &p->request;
        outs[i] = &p->answer;
    }
}

static bool serve (server_t *s, pending_t **ps, int n, const char *begin_sql, bool durable,
                   pending_t **again, int *n_again);
static void queue_heavy (server_t *s, pending_t *p);
static void dispatch_heavy (server_t *s);

/* Replies to the reads in flight whose head check is in (WAIT: to all of
 * them, waiting for the database): those whose answers stand, from
 * memory; the others are answered again in a read-only snapshot (heavy
 * ones by the reader), all in one. */
static void
land (server_t *s, bool wait)
{
    pending_t *again[BATCH_LIMIT * STORE_POSTED_MAX];
    int n_again = 0;
    while (s->n_flights) {
        store_head_t now;
        /* after one that did not stand, the later ones are answered again
         * too, with it, in their order (a head only moves on) */
        if (!store_peek_take (s->store, wait || n_again, &now)) {
            if (!wait && !n_again)
                break;
            now.ok = false;     /* not to be: the flights and the store disagree */
        }
        struct flight *f = &s->flights[s->flight_first];
        s->flight_first = (s->flight_first + 1) % STORE_POSTED_MAX;
        s->n_flights--;
        lease_heard (s, &now, f->asked);
        bool stand = !n_again && f->n && desk_kept_stand (s->desk, &f->at, &now);
        desk_kept_advance (s->desk, &now);
        for (int i = 0; i < f->n; i++) {
            if (stand) {
                finish (s, f->ps[i]);
                continue;
            }
            desk_answer_t *out = &f->ps[i]->answer;
            desk_kept_drop (&out, 1);
            again[n_again++] = f->ps[i];
        }
    }
    int n_light = 0;
    for (int i = 0; i < n_again; i++) {
        if (heavy (again[i]))
            queue_heavy (s, again[i]);
        else
            again[n_light++] = again[i];
    }
    for (int at = 0; at < n_light; at += BATCH_LIMIT)
        serve (s, again + at, n_light - at < BATCH_LIMIT ? n_light - at : BATCH_LIMIT, READS,
               false, NULL, NULL);
    if (n_again > n_light)
        dispatch_heavy (s);
}

/* Answers the N reads of PS and the N_AGAIN of AGAIN from memory, with no
 * transaction, when the desk kept every one at a head: they are replied
 * to once a head check posted now says the head still stands (land).
 * False, nothing answered, otherwise; at once when the feed has already
 * published past the desk's head (another escd wrote). */
static bool
answer_kept (server_t *s, pending_t **ps, int n, pending_t **again, int n_again)
{
    /* both are of one batch */
    assert (n + n_again <= BATCH_LIMIT);
    if (s->n_flights == STORE_POSTED_MAX)
        land (s, true);
    if (feed_last (s->feed) > desk_head (s->desk))
        return false;
    const char *keys[BATCH_LIMIT];
    const desk_request_t *reqs[BATCH_LIMIT];
    desk_answer_t *outs[BATCH_LIMIT];
    gather (ps, n, again, n_again, keys, reqs, outs);
    desk_stamp_t at;
    if (!desk_answer_kept (s->desk, keys, reqs, outs, n + n_again, &at))
        return false;
    if (lease_vouches (s, &at)) {
        for (int i = 0; i < n + n_again; i++)
            finish (s, i < n ? ps[i] : again[i - n]);
        return true;
    }
    esc_error_t err;
    double asked = proc_now_ms ();
    /* under the lease (answers found after a write of its own), a head
     * check asks who waits for it too */
    if (lease_held (s) ? store_lease_post (s->store, &err) : store_peek_post (s->store, &err)) {
        desk_kept_drop (outs, n + n_again);
        return false;
    }
    struct flight *f = flight_push (s, n + n_again, asked);
    f->at = at;
    for (int i = 0; i < n + n_again; i++)
        f->ps[i] = i < n ? ps[i] : again[i - n];
    return true;
}

/* ==== The read lease ===================================================== */

/* Whether this escd holds the lease: taken, on the session it still has. */
static bool
lease_held (server_t *s)
{
    if (!s->lease.held)
        return false;
    if (!store_connected (s->store) || store_reconnects (s->store) != s->lease.connection) {
        s->lease.held = false;
        logline (LOGLINE_INFO, "the read lease went with its connection");
    }
    else if (!store_lease_held (s->store)) {
        s->lease.held = false;      /* given up to a writer (store_batch_open) */
        s->lease.after = proc_now_ms () + LEASE_QUIET_MS;
    }
    return s->lease.held;
}

/* Gives the lease up (WHY, for the log), not to be taken again for QUIET
 * ms. */
static void
lease_give (server_t *s, const char *why, double quiet)
{
    if (!lease_held (s))
        return;
    esc_error_t err;
    s->lease.held = false;
    s->lease.after = proc_now_ms () + quiet;
    logline (quiet > 0 ? LOGLINE_INFO : LOGLINE_DEBUG, "gave the read lease up: %s", why);
    store_lease_give (s->store, &err);
}

/* Takes the lease when nobody holds it and no other escd has committed
 * lately: every head check posted before is landed first, so that the
 * ones after vouch. */
static void
lease_take (server_t *s)
{
    double now = proc_now_ms ();
    if (s->lease.held || now < s->lease.after || now - s->lease.foreign_at < LEASE_QUIET_MS
        || !store_connected (s->store))
        return;
    land (s, true);
    bool got;
    store_head_t head;
    esc_error_t err;
    if (store_lease_take (s->store, &got, &head, &err) || !got) {
        s->lease.after = now + LEASE_QUIET_MS;     /* another escd's, or a writer's */
        return;
    }
    s->lease.held = true;
    s->lease.connection = store_reconnects (s->store);
    s->lease.taken_at = s->lease.used_at = s->lease.polled_at = s->lease.seen_asked = now;
    s->lease.seen = head;
    logline (LOGLINE_DEBUG, "took the read lease: reads remembered are answered without a "
             "head check each, and another writer waits until it is given up");
}

/* Whether the lease vouches for answers found at AT: held, its last head
 * read asked within LEASE_FRESH_MS, and they stand by it (its time moved
 * on by the clock, rounded up). Takes the lease when it may. */
static bool
lease_vouches (server_t *s, const desk_stamp_t *at)
{
    if (!lease_held (s))
        lease_take (s);
    double now = proc_now_ms ();
    if (!lease_held (s) || now - s->lease.seen_asked > LEASE_FRESH_MS
        || !store_unchanged (s->store))
        return false;
    store_head_t seen = s->lease.seen;
    seen.started += (int64_t) ((now - s->lease.seen_asked) / 1000) + 1;
    if (!desk_kept_stand (s->desk, at, &seen))
        return false;
    s->lease.used_at = now;
    return true;
}

/* A head check asked at ASKED answered NOW: while the lease is held (and
 * was when it was asked), the head it read is the head; a writer waiting
 * gets the lease. */
static void
lease_heard (server_t *s, const store_head_t *now, double asked)
{
    if (!lease_held (s) || asked < s->lease.taken_at || !now->ok)
        return;
    s->lease.seen = *now;
    s->lease.seen_asked = asked;
    if (now->contested)
        lease_give (s, "a writer waits for it", LEASE_QUIET_MS);
}

/* While the lease is held: asks every LEASE_POLL_MS whether anyone waits
 * for it (the answer lands with the head checks); gives it up unused for
 * LEASE_IDLE_MS. */
static void
lease_tick (server_t *s)
{
    double now = proc_now_ms ();
    if (!lease_held (s))
        return;
    if (now - s->lease.used_at > LEASE_IDLE_MS) {
        lease_give (s, "unused", 0);
        return;
    }
    esc_error_t err;
    if (now - s->lease.polled_at < LEASE_POLL_MS || s->n_flights == STORE_POSTED_MAX)
        return;
    if (store_lease_post (s->store, &err)) {
        logline (LOGLINE_WARNING, "cannot ask who waits for the read lease: %s", err.message);
        return;
    }
    flight_push (s, 0, now);    /* no reads: the lease's question alone */
    s->lease.polled_at = now;
}

/* serve, for reads: answered from memory when they can be (answer_kept),
 * else in a snapshot. */
static void
serve_reads (server_t *s, pending_t **ps, int n, pending_t **again, int *n_again)
{
    if ((n || (again && *n_again)) && answer_kept (s, ps, n, again, again ? *n_again : 0)) {
        if (again)
            *n_again = 0;
        return;
    }
    serve (s, ps, n, READS, false, again, n_again);
}

/* Answers the N requests of PS in one transaction opened by BEGIN_SQL,
 * after the reads in flight (land). A read is replied to as soon as it
 * is answered; a write (DURABLE) only after the commit, and no reply
 * claims what did not commit. Of the *N_AGAIN heavy reads of AGAIN
 * (reads only; NULL: none), those the desk answers from memory at this
 * head are replied to; the others are left in AGAIN, their number in
 * *N_AGAIN. Returns true when
 * something committed (the feed has news). */
static bool
serve (server_t *s, pending_t **ps, int n, const char *begin_sql, bool durable,
       pending_t **again, int *n_again)
{
    if (n == 0 && !(again && *n_again))
        return false;
    land (s, true);
    esc_error_t err;
    esc_error_clear (&err);
    /* each change's request id, looked up in the log as the batch opens */
    batch_lookup_t lookups[BATCH_LIMIT];
    size_t n_lookups = 0;
    for (int i = 0; durable && i < n; i++)
        if (desk_request_writes (&ps[i]->request))
            lookups[n_lookups++] = (batch_lookup_t) {
                .key = ps[i]->key, .id = ps[i]->request.req->request_id };
    /* changes: all at once, so that filings that came together are
     * filed together (desk_answer_batch), perhaps as the batch opens */
    const char *keys[BATCH_LIMIT];
    const desk_request_t *reqs[BATCH_LIMIT];
    desk_answer_t *outs[BATCH_LIMIT];
    if (durable)
        gather (ps, n, NULL, 0, keys, reqs, outs);
    desk_run_t ahead = { .keys = keys, .reqs = reqs, .outs = outs, .n = (size_t) n };
    bool open = begin (s->store, s->desk, begin_sql, durable, lookups, n_lookups,
                       durable ? &ahead : NULL, &err);
    bool together = open && durable;
    if (together && !ahead.answered)
        desk_answer_batch (s->desk, keys, reqs, outs, (size_t) n);
    for (int i = 0; !together && i < n; i++) {
        if (open)
            desk_answer (s->desk, ps[i]->key, &ps[i]->request, &ps[i]->answer);
        else
            desk_error_reply (&ps[i]->request, &err, &ps[i]->answer);
        if (!durable) {
            finish (s, ps[i]);
            /* a read that failed took its snapshot down: the next in a new one */
            if (open && store_in_failed_transaction (s->store)) {
                store_command (s->store, "ROLLBACK", &err);
                open = begin (s->store, s->desk, begin_sql, durable, NULL, 0, NULL, &err);
            }
        }
    }
    /* the heavy reads this snapshot answers from memory; the reader gets
     * the others */
    int left = 0;
    for (int i = 0; again && i < *n_again; i++) {
        pending_t *p = again[i];
        if (open && !store_in_failed_transaction (s->store)
            && desk_answer_again (s->desk, p->key, &p->request, &p->answer))
            finish (s, p);
        else
            again[left++] = p;
    }
    if (again)
        *n_again = left;
    bool committed = open && commit (s->store, s->desk, durable ? feed_last (s->feed) : -1, &err);
    if (!durable)
        return false;
    if (committed)
        metrics_commit (s->metrics, n);
    if (open && !committed)
        for (int i = 0; i < n; i++)
            desk_error_reply (&ps[i]->request, &err, &ps[i]->answer);
    bool news = false;
    for (int i = 0; i < n; i++) {
        news = news || (committed && ps[i]->answer.changed);
        finish (s, ps[i]);
    }
    return news;
}

/* ---- Heavy reads: the reader's ----------------------------------------- */

/* What the reader does with a heavy read: answers it in a read-only
 * snapshot of its own. */
static void
read_heavy (void *job, desk_t *desk, store_t *store)
{
    pending_t *p = job;
    esc_error_t err;
    esc_error_clear (&err);
    if (begin (store, desk, READS, false, NULL, 0, NULL, &err)) {
        desk_answer (desk, p->key, &p->request, &p->answer);
        commit (store, desk, -1, &err);
    }
    else
        desk_error_reply (&p->request, &err, &p->answer);
}

/* Queues heavy read P for the reader, each user at most HEAVY_PER_USER. */
static void
queue_heavy (server_t *s, pending_t *p)
{
    int mine = 0;
    for (int i = 0; i < s->n_heavy; i++)
        mine += strcmp (s->heavy[i]->key, p->key) == 0;
    if (mine >= HEAVY_PER_USER || s->n_heavy >= HEAVY_LIMIT)
        refuse_too_many (s, p);
    else
        s->heavy[s->n_heavy++] = p;
}

/* When KEY's heavy read was last handed to the reader (0: never, as far as
 * the table remembers). */
static uint64_t
last_served (const server_t *s, const char *key)
{
    for (int i = 0; i < s->n_served; i++)
        if (strcmp (s->served[i].key, key) == 0)
            return s->served[i].turn;
    return 0;
}

static void
mark_served (server_t *s, const char *key)
{
    int i = 0;
    while (i < s->n_served && strcmp (s->served[i].key, key) != 0)
        i++;
    if (i == s->n_served) {
        if (s->n_served == HEAVY_LIMIT) {
            /* forget the one served longest ago: it would come first anyway */
            int oldest = 0;
            for (int k = 1; k < s->n_served; k++)
                if (s->served[k].turn < s->served[oldest].turn)
                    oldest = k;
            i = oldest;
        }
        else
            s->n_served++;
        snprintf (s->served[i].key, sizeof s->served[i].key, "%s", key);
    }
    s->served[i].turn = ++s->turns;
}

/* Hands the reader its next job when it is free: the oldest heavy read of
 * the user whose turn came longest ago (so that the users waiting take
 * turns, however many heavy reads each has queued). */
static void
dispatch_heavy (server_t *s)
{
    if (!s->n_heavy || reader_busy (s->reader))
        return;
    int pick = 0;
    uint64_t best = last_served (s, s->heavy[0]->key);
    for (int i = 1; i < s->n_heavy && best > 0; i++) {
        uint64_t t = last_served (s, s->heavy[i]->key);
        if (t < best) {
            best = t;
            pick = i;
        }
    }
    pending_t *p = s->heavy[pick];
    memmove (&s->heavy[pick], &s->heavy[pick + 1],
             (size_t) (s->n_heavy - pick - 1) * sizeof *s->heavy);
    s->n_heavy--;
    mark_served (s, p->key);
    reader_post (s->reader, p);
}

/* Replies to the heavy read the reader finished, if any, and hands it the
 * next. */
static void
collect_heavy (server_t *s)
{
    pending_t *p = reader_take (s->reader);
    if (p) {
        /* the loop answers it again while the head stands */
        desk_learn (s->desk, &p->request, &p->answer);
        finish (s, p);
    }
    dispatch_heavy (s);
}

/* ---- The batch ------------------------------------------------------------ */

/* Serves the batch in hand in three steps: the light reads, in one
 * read-only snapshot (or from memory, serve ()); the writes, in one
 * transaction that holds the event lock from its first write to its
 * commit, and nothing else; then the
 * light reads of users who wrote earlier in the batch (so that they read
 * what they wrote). Heavy reads (heavy ()) go to the reader, after the
 * writes; but one the loop gave or learnt at the same event head
 * (answered.h) is answered again from memory with the light reads,
 * unless its user wrote earlier in the batch. A slow read never holds the
 * lock every writer of every escd waits for, nor the loop. Returns true
 * when something committed. */
static bool
serve_batch (server_t *s)
{
    pending_t *reads[BATCH_LIMIT], *writes[BATCH_LIMIT], *later[BATCH_LIMIT], *slow[BATCH_LIMIT],
        *kept[BATCH_LIMIT], *soon[BATCH_LIMIT];
    int n_reads = 0, n_writes = 0, n_later = 0, n_slow = 0, n_kept = 0, n_soon = 0;
    double started = proc_now_ms ();
    for (int i = 0; i < s->n_batch; i++) {
        pending_t *p = s->batch[i];
        bool wrote = false;
        for (int k = 0; k < n_writes && !wrote; k++)
            wrote = strcmp (writes[k]->key, p->key) == 0;
        if (desk_request_writes (&p->request))
            writes[n_writes++] = p;
        else if (heavy (p) && !wrote && desk_read_kept (&p->request))
            kept[n_kept++] = p;         /* perhaps answered before, at this head */
        else if (heavy (p)) {
            slow[n_slow++] = p;
            continue;
        }
        else if (wrote)
            later[n_later++] = p;
        else
            reads[n_reads++] = p;
        soon[n_soon++] = p;     /* answered in this batch, most likely */
    }
    metrics_batch (s->metrics, s->n_batch);
    note_answered (s, soon, n_soon);
    /* heavy reads answered before at this head come from memory, with the
     * light reads; the others go to the reader */
    serve_reads (s, reads, n_reads, kept, &n_kept);
    bool news = serve (s, writes, n_writes, WRITES, true, NULL, NULL);
    serve_reads (s, later, n_later, NULL, NULL);
    expect_back (s, n_writes > 0, proc_now_ms () - started);
    for (int i = 0; i < n_kept; i++)
        queue_heavy (s, kept[i]);
    for (int i = 0; i < n_slow; i++)
        queue_heavy (s, slow[i]);
    dispatch_heavy (s);
    logline (LOGLINE_DEBUG, "batch of %d: reads %d, writes %d%s, reads after writes %d, heavy "
             "reads queued %d; left for the next %d; %.1f ms", s->n_batch, n_reads, n_writes,
             news ? " (events committed)" : "", n_later, n_slow, s->n_carry,
             proc_now_ms () - started);
    return news;
}

/* ==== Sockets ============================================================ */

static int
set_option (void *socket, int option, const void *value, size_t len, const char *name)
{
    if (zmq_setsockopt (socket, option, value, len) == 0)
        return 0;
    logline (LOGLINE_ERROR, "cannot set %s: %s", name, zmq_strerror (errno));
    return -1;
}

static void *
open_router (void *ctx, const endpoint_config_t *config)
{
    void *router = zmq_socket (ctx, ZMQ_ROUTER);
    /* a peer's queue either way is a few requests: a client that sends
     * without reading, or reads nothing, holds little of escd's memory */
    int one = 1, linger = 2000, hwm = 64;
    int64_t max = ESC_MAX_MESSAGE;
    /* every command connection on the first I/O thread: the replies the
     * loop sends together wake one thread once, not each thread. Reads
     * at 8 clients cost the machine 15% less CPU and 30% fewer context
     * switches so, at the same pace */
    uint64_t first_io_thread = 1;
    if (!router
        || set_option (router, ZMQ_CURVE_SERVER, &one, sizeof one, "ZMQ_CURVE_SERVER")
        || set_option (router, ZMQ_CURVE_SECRETKEY, config->server_key.secret_key, KEY_Z85_LEN,
                       "ZMQ_CURVE_SECRETKEY")
        || set_option (router, ZMQ_ZAP_DOMAIN, ZAP_DOMAIN, strlen (ZAP_DOMAIN), "ZMQ_ZAP_DOMAIN")
        || set_option (router, ZMQ_ROUTER_MANDATORY, &one, sizeof one, "ZMQ_ROUTER_MANDATORY")
        || set_option (router, ZMQ_MAXMSGSIZE, &max, sizeof max, "ZMQ_MAXMSGSIZE")
        || set_option (router, ZMQ_RCVHWM, &hwm, sizeof hwm, "ZMQ_RCVHWM")
        || set_option (router, ZMQ_SNDHWM, &hwm, sizeof hwm, "ZMQ_SNDHWM")
        || set_option (router, ZMQ_LINGER, &linger, sizeof linger, "ZMQ_LINGER")
        || set_option (router, ZMQ_AFFINITY, &first_io_thread, sizeof first_io_thread,
                       "ZMQ_AFFINITY"))
        goto fail;
    if (zmq_bind (router, config->bind) != 0) {
        logline (LOGLINE_ERROR, "cannot bind %s: %s", config->bind, zmq_strerror (errno));
        goto fail;
    }
    return router;
fail:
    if (router)
        zmq_close (router);
    return NULL;
}

static bool
key_active (void *zap, const char *key)
{
    return zap_key_active (zap, key);
}

/* CONFIG's feed limits, a 0 taken as the default. */
static feed_limits_t
feed_limits (const endpoint_config_t *config)
{
    return (feed_limits_t) {
        .hwm = config->feed_hwm > 0 ? config->feed_hwm : FEED_DEFAULT_HWM,
        .per_user = config->feed_per_user > 0 ? config->feed_per_user : FEED_DEFAULT_PER_USER,
        .max = config->feed_max > 0 ? config->feed_max : FEED_DEFAULT_MAX,
    };
}

/* CONFIG's requests per batch, from 1 to BATCH_LIMIT. */
static int
batch_limit (const endpoint_config_t *config)
{
    return config->batch_max < 1 ? 1
         : config->batch_max > BATCH_LIMIT ? BATCH_LIMIT : config->batch_max;
}

/* ==== Metrics ============================================================ */

/* Sets the metrics' states as they are now: each an O(1) look at what
 * the loop holds, and with MEMORY a read of /proc/self/statm. */
static void
observe (server_t *s, bool memory)
{
    metrics_state_t st = *metrics_state (s->metrics);
    st.feed_head = feed_last (s->feed);
    st.feed_subscribers = (int64_t) feed_subscribers (s->feed);
    st.database_up = store_connected (s->store);
    st.read_lease = lease_held (s);
    st.database_reconnects = store_reconnects (s->store);
    st.request_log_bytes = s->request_log_bytes;
    st.connections = (int64_t) guard_connections (s->guard);
    st.metrics_connections = s->http ? (int64_t) http_connections (s->http) : -1;
    st.memory_in_use = s->memory_in_use;
    if (memory)
        proc_memory (&st.resident_bytes, &st.virtual_bytes);
    metrics_set_state (s->metrics, &st);
}

/* The body of GET /metrics: the states now, then every metric. */
static void
metrics_body (void *arg, char **body, size_t *len)
{
    server_t *s = arg;
    observe (s, true);
    metrics_text_t t = { 0 };
    metrics_render (s->metrics, &t);
    *body = t.text;
    *len = t.len;
}

/* The request log's size, for the metrics: a look at its files' sizes
 * twice a minute, never on a scrape (a scrape costs the loop no query). */
static void
measure (server_t *s)
{
    if (!s->http || proc_now_ms () < s->measure_at)
        return;
    s->measure_at = proc_now_ms () + MEASURE_EVERY_MS;
    esc_error_t err;
    int64_t bytes;
    if (store_connect (s->store, &err) == 0 && store_request_log_bytes (s->store, &bytes, &err) == 0)
        s->request_log_bytes = bytes;
}

/* Gives the memory freed since the loop was last busy back to the
 * system, once it has had nothing to do for IDLE_TRIM_MS. glibc keeps
 * freed pages below the top of the heap for reuse for as long as escd
 * runs: what start-up, a burst of requests or a long catch-up of the feed
 * freed would stay resident through every quiet hour after. Once an idle
 * spell, and at most once every IDLE_TRIM_EVERY_MS (malloc_trim walks
 * every free chunk, holding the one arena's lock): neither a busy escd
 * nor a client that knocks just often enough pays for it more. */
static void
trim_when_idle (server_t *s, bool active)
{
    double now = proc_now_ms ();
    if (active) {
        s->active_at = now;
        s->trimmed = false;
    }
    else if (!s->trimmed && now - s->active_at >= IDLE_TRIM_MS
             && (s->trimmed_at == 0 || now - s->trimmed_at >= IDLE_TRIM_EVERY_MS)) {
        malloc_trim (0);
        s->trimmed = true;
        s->trimmed_at = now;
    }
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
        logline (LOGLINE_ERROR, "cannot bind the ZAP handler: %s", zmq_strerror (errno));
        return -1;
    }
    s->router = open_router (ctx, config);
    if (!s->router)
        return -1;
    /* subscribers start from the present; the past is for catch-up */
    if (store_listen (s->listener, &err) || store_last_seq (s->store, &head, &err)) {
        logline (LOGLINE_ERROR, "%s", err.message);
        return -1;
    }
    feed_limits_t limits = feed_limits (config);
    s->feed = feed_new (ctx, config->feed, &config->server_key, &limits, head, key_active,
                        s->zap);
    if (!s->feed)
        return -1;
    s->guard = guard_new (ctx, config->max_memory);
    if (guard_watch (s->guard, s->router) || guard_watch (s->guard, feed_socket (s->feed))) {
        logline (LOGLINE_ERROR, "cannot watch the sockets' connections: %s",
                 zmq_strerror (errno));
        return -1;
    }
    if (config->metrics) {
        s->http = http_new (ctx, config->metrics, "/metrics",
                            "text/plain; version=0.0.4; charset=utf-8", metrics_body, s);
        if (!s->http)
            return -1;
        logline (LOGLINE_INFO, "serving metrics on %s (GET /metrics)", config->metrics);
    }
    logline (LOGLINE_INFO, "serving requests on %s, the feed on %s (from event %lld)",
             config->bind, config->feed, (long long) head);
    return 0;
}

/* ==== Housekeeping ======================================================= */

/* Publishes a page of what committed since the last time; when users
 * changed, has ZAP read the keys again and drops the feed's subscribers
 * whose keys went. Returns true when more is waiting. A database outage
 * only delays the feed. */
static bool
publish (server_t *s)
{
    esc_error_t err;
    bool more = store_connect (s->store, &err) == 0 && feed_publish (s->feed, s->store) > 0;
    if (feed_users_changed (s->feed)) {
        zap_reload (s->zap);
        int dropped = feed_recheck (s->feed);
        if (dropped)
            logline (LOGLINE_INFO, "the feed dropped %d subscriber%s whose key was revoked or "
                     "replaced", dropped, dropped == 1 ? "" : "s");
    }
    return more;
}

/* Whether another escd committed since the last look: a notification came
 * to the listener, or the listener connected anew, and what was notified
 * meanwhile went unheard. The listener follows the writer to the primary of
 * the moment: a fenced primary keeps its connections, and tells nothing
 * to one that asks nothing. */
static bool
look_for_news (server_t *s)
{
    esc_error_t err;
    int64_t generation = store_reconnects (s->store);
    if (!store_connected (s->store))
        return store_notified (s->listener, 0);
    if (s->listened != generation) {
        s->listened = generation;
        store_disconnect (s->listener);
    }
    if (!store_connected (s->listener))
        return store_connect (s->listener, &err) == 0;
    return store_notified (s->listener, store_backend_pid (s->store));
}

/* look_for_news; news after the listener's first connection keeps the
 * read lease from being taken for a while (another escd writes), and one
 * that holds it gives it up: nobody else commits while it is held, unless
 * by a path that bypassed it. */
static bool
heard (server_t *s)
{
    if (!look_for_news (s))
        return false;
    bool starting = !s->listened_ever;
    s->listened_ever = s->listened_ever || store_connected (s->listener);
    if (!starting) {
        s->lease.foreign_at = proc_now_ms ();
        lease_give (s, "another's commit was heard", LEASE_QUIET_MS);
    }
    return true;
}

/* Tells systemd STATE; a failure is logged (its first line), and escd goes
 * on. */
static void
notify (server_t *s, const char *state)
{
    if (notify_send (s->notify, state) != 0)
        logline (LOGLINE_WARNING, "cannot tell systemd %.*s: %s", (int) strcspn (state, "\n"),
                 state, strerror (errno));
}

/* Deletes a bite of the request log past its retention, once a minute
 * (at once again while there is more). */
static void
prune (server_t *s)
{
    if (proc_now_ms () < s->prune_at || s->config.request_log_days <= 0)
        return;
    esc_error_t err;
    int64_t deleted = 0;
    if (store_connect (s->store, &err) == 0
        && store_request_prune (s->store, s->config.request_log_days, PRUNE_ROWS, &deleted,
                                &err) == 0) {
        if (deleted)
            logline (LOGLINE_INFO, "pruned %lld request log entr%s older than %d days",
                     (long long) deleted, deleted == 1 ? "y" : "ies",
                     s->config.request_log_days);
        s->prune_at = proc_now_ms () + (deleted == PRUNE_ROWS ? 0 : PRUNE_EVERY_MS);
    }
    else
        s->prune_at = proc_now_ms () + PRUNE_EVERY_MS / 6;
}

/* SIGHUP: the settings anew from the caller (which logs what changed);
 * the live ones take effect here, at once, and the rest stay as they
 * started. */
static void
reconfigure (server_t *s)
{
    endpoint_config_t next = s->config;
    if (!s->config.reload || s->config.reload (s->config.reload_arg, &next) != 0)
        return;
    s->config.batch_max = next.batch_max;
    s->batch_max = batch_limit (&next);
    s->config.write_rate = next.write_rate;
    desk_set_write_rate (s->desk, next.write_rate);
    s->config.log_rate = next.log_rate;
    quota_set_rate (s->log.lines, next.log_rate, proc_now_ms ());
    s->config.feed_per_user = next.feed_per_user;
    s->config.feed_max = next.feed_max;
    feed_limits_t limits = feed_limits (&next);
    feed_set_limits (s->feed, limits.per_user, limits.max);
    s->config.max_memory = next.max_memory;
    guard_set_limit (s->guard, next.max_memory);
    if (next.request_log_days != s->config.request_log_days)
        s->prune_at = 0;        /* the new window, at once */
    s->config.request_log_days = next.request_log_days;
}

/* ==== The loop =========================================================== */

static void
server_free (server_t *s)
{
    for (int i = 0; i < s->n_carry; i++) {
        release (s->carry[i]);
        free (s->carry[i]);
    }
    for (int i = 0; i < s->n_heavy; i++) {
        release (s->heavy[i]);
        free (s->heavy[i]);
    }
    free (s->batch);
    free (s->carry);
    free (s->heavy);
    free (s->served);
    free (s->returning);
    free (s->flights);
    log_summary (&s->log);
    quota_destroy (&s->log.lines);
    free (s->log.held);
    http_destroy (&s->http);
    metrics_destroy (&s->metrics);
}

static void
server_alloc (server_t *s)
{
    s->log.lines = quota_new (s->config.log_rate);
    s->log.summary_at = proc_now_ms () + 60000;
    s->batch = calloc (BATCH_LIMIT, sizeof *s->batch);
    s->carry = calloc (CARRY_LIMIT, sizeof *s->carry);
    s->heavy = calloc (HEAVY_LIMIT, sizeof *s->heavy);
    /* on the heap, not in endpoint_run's frame, where it was zeroed with
     * the rest of server_t: the stack's pages, once touched, stay
     * resident for good; the table's are touched only as far as it fills
     * (malloc: no entry past n_served is read) */
    s->served = malloc (HEAVY_LIMIT * sizeof *s->served);
    s->returning = malloc (BATCH_LIMIT * sizeof *s->returning);
    s->flights = malloc (STORE_POSTED_MAX * sizeof *s->flights);
    if (!s->batch || !s->carry || !s->heavy || !s->served || !s->returning || !s->flights)
        abort ();
}

int
endpoint_run (const endpoint_config_t *config)
{
    /* at once: a SIGHUP while escd connects must not end it (the default),
     * only be answered when it serves */
    proc_trap_reload ();
    struct timespec wall;
    clock_gettime (CLOCK_REALTIME, &wall);
    server_t s = { .config = *config, .store = store_new (config->db_url),
                   .listener = store_new (config->db_url),
                   .metrics = metrics_new ((double) wall.tv_sec + wall.tv_nsec / 1e9),
                   .memory_in_use = -1, .request_log_bytes = -1,
                   .lease = { .foreign_at = -LEASE_QUIET_MS } };
    esc_error_t err;
    int rc = 1;
    /* libzmq 4.3.4 numbers a ROUTER's anonymous peers from rand(), which it
     * never seeds: left alone the numbers are known in advance, and a peer
     * that claims the next one as its own routing id makes libzmq abort
     * when the next honest peer connects. Seeded here, the first number
     * is one of 2^32 that nobody outside can guess. */
    if (sodium_init () < 0)
        abort ();
    srand (randombytes_random ());
    logline_init ();
    void *ctx = zmq_ctx_new ();
    /* encryption and sending to many watchers spread over two I/O
     * threads; commands keep to the first (open_router) */
    zmq_ctx_set (ctx, ZMQ_IO_THREADS, 2);
    server_alloc (&s);
    s.batch_max = batch_limit (config);

    if (store_connect (s.store, &err)) {
        logline (LOGLINE_ERROR, "%s", err.message);
        goto done;
    }
    int pending = migrate_pending (store_conn (s.store), &err);
    if (pending != 0) {
        logline (LOGLINE_ERROR, "%s", pending < 0 ? err.message
                 : "the database has pending migrations: run 'escd migrate' first");
        goto done;
    }
    /* the loop's desk reads the metrics for status; the reader's must not */
    desk_config_t desk_config = { .write_rate = config->write_rate,
                                  .started_at = (int64_t) wall.tv_sec, .metrics = s.metrics };
    desk_config_t reader_config = desk_config;
    reader_config.metrics = NULL;
    s.desk = desk_new (s.store, &desk_config);
    s.reader = reader_new (ctx, config->db_url, &reader_config, read_heavy);
    if (!s.reader) {
        logline (LOGLINE_ERROR, "cannot start the reader thread");
        goto done;
    }
    proc_trap_stop ();
    if (open_sockets (&s, ctx, config))
        goto done;
    /* the database answered and the sockets are bound: clients may come */
    s.notify = notify_new ();
    char ready[1200];
    snprintf (ready, sizeof ready, "READY=1\nSTATUS=serving requests on %s, the feed on %s",
              config->bind, config->feed);
    notify (&s, ready);

    long timeout = ESC_FEED_HEARTBEAT_MS;
    bool behind = false;
    while (!proc_stopping ()) {
        if (proc_reload_requested ())
            reconfigure (&s);
        /* a head check's answer may have been read off the socket already,
         * and the socket no longer tell; landing it may reconnect, and the
         * listener follows: both before the poll, and its sockets */
        land (&s, false);
        bool noticed = heard (&s);
        lease_tick (&s);        /* before the poll: its answer wakes it */
        void *monitors[2] = { NULL, NULL };
        guard_sockets (s.guard, monitors, 2);
        zmq_pollitem_t items[9] = {
            { zap_socket (s.zap), 0, ZMQ_POLLIN, 0 },
            { s.router, 0, ZMQ_POLLIN, 0 },
            { feed_socket (s.feed), 0, ZMQ_POLLIN, 0 },
            { monitors[0], 0, ZMQ_POLLIN, 0 },
            { monitors[1], 0, ZMQ_POLLIN, 0 },
            { reader_socket (s.reader), 0, ZMQ_POLLIN, 0 },
        };
        int n_items = 6, http_at = -1;
        if (s.http) {
            http_at = n_items;
            items[n_items++] = (zmq_pollitem_t) { http_socket (s.http), 0, ZMQ_POLLIN, 0 };
        }
        /* the database: answers to head checks posted ahead, and NOTIFY
         * from any other escd's commit */
        if (store_socket (s.store) >= 0)
            items[n_items++] = (zmq_pollitem_t) { NULL, store_socket (s.store), ZMQ_POLLIN, 0 };
        if (store_socket (s.listener) >= 0)
            items[n_items++] = (zmq_pollitem_t) { NULL, store_socket (s.listener), ZMQ_POLLIN, 0 };
        if (s.lease.held && timeout > LEASE_POLL_MS)
            timeout = (long) LEASE_POLL_MS;    /* the lease asks who waits */
        if (s.n_carry || noticed)
            timeout = 0;        /* requests are waiting for the next batch, or
                                   news for the feed */
        else if (timeout > GUARD_EVERY_MS)
            timeout = (long) GUARD_EVERY_MS;   /* the guard looks, events or not */
        if (zmq_poll (items, n_items, timeout) < 0) {
            if (errno == EINTR)
                continue;
            logline (LOGLINE_ERROR, "poll: %s", zmq_strerror (errno));
            break;
        }
        bool active = s.n_carry || s.n_heavy || reader_busy (s.reader) || behind;
        for (int i = 0; i < n_items; i++)
            active = active || items[i].revents;
        trim_when_idle (&s, active);
        if (items[0].revents & ZMQ_POLLIN)
            zap_handle (s.zap);
        if (items[2].revents & ZMQ_POLLIN)
            feed_accept (s.feed);
        if ((items[3].revents | items[4].revents) & ZMQ_POLLIN)
            guard_events (s.guard);
        if (items[5].revents & ZMQ_POLLIN)
            collect_heavy (&s);
        land (&s, false);
        bool news = false;
        if ((items[1].revents & ZMQ_POLLIN) || s.n_carry) {
            observe (&s, false);        /* what status says of escd */
            assemble (&s, true);
            news = serve_batch (&s);
        }
        /* Notifications may have arrived during the batch, or during a
         * publish's own queries: libpq holds them, and the socket no longer
         * wakes us. Drain them after every step; a backlog goes out a page
         * per pass, with requests served in between. */
        while (noticed || heard (&s) || news || behind) {
            noticed = news = false;
            behind = publish (&s);
            if (behind)
                break;          /* one page per pass; requests first */
        }
        bool beat;
        timeout = feed_tick (s.feed, &beat);
        if (!behind && beat) {
            /* a heartbeat just went out: a cheap look for news that came
             * without a notification (one lost across a reconnection) */
            behind = publish (&s);
        }
        prune (&s);
        measure (&s);
        log_summary (&s.log);
        if (proc_now_ms () >= s.guard_at) {
            s.memory_in_use = guard_tick (s.guard);
            s.guard_at = proc_now_ms () + GUARD_EVERY_MS;
        }
        if (http_at >= 0 && (items[http_at].revents & ZMQ_POLLIN))
            http_handle (s.http);
        if (s.http)
            http_tick (s.http);
        if (behind)
            timeout = 0;        /* the next page after a look at the sockets */
        /* the loop turns at least every GUARD_EVERY_MS: a WATCHDOG=1
         * missing means it hangs */
        if (notify_watchdog (s.notify, proc_now_ms ()) < 0)
            logline (LOGLINE_WARNING, "cannot notify systemd's watchdog: %s", strerror (errno));
    }
    notify (&s, "STOPPING=1");
    /* what was read is answered before escd goes */
    land (&s, true);
    while (s.n_carry) {
        assemble (&s, false);
        serve_batch (&s);
        land (&s, true);
    }
    while (s.n_heavy || reader_busy (s.reader)) {
        zmq_pollitem_t item = { reader_socket (s.reader), 0, ZMQ_POLLIN, 0 };
        zmq_poll (&item, 1, 1000);
        collect_heavy (&s);
    }
    logline (LOGLINE_INFO, "stopping");
    rc = 0;
done:
    guard_destroy (&s.guard);
    feed_destroy (&s.feed);
    if (s.router)
        zmq_close (s.router);
    zap_destroy (&s.zap);
    reader_destroy (&s.reader);
    server_free (&s);
    zmq_ctx_term (ctx);
    desk_destroy (&s.desk);
    store_destroy (&s.store);
    store_destroy (&s.listener);
    notify_destroy (&s.notify);
    return rc;
}
