/* feed_bench.c: how fast the decision feed is, next to PostgreSQL itself.
 *
 *   feed_bench --endpoint EP --feed EP --server-key KEY --key FILE --db URL
 *              [--watchers N] [--events M] [--catch-up]
 *
 * Latency: N CURVE subscribers on the feed, spread over up to 8 processes;
 * a writer files M escalations one after the other through escd; for
 * each, the time from the writer holding escd's OK (the commit is done) to
 * each subscriber holding the event. The reference, in the same run on the same cluster: from COMMIT
 * returning on one libpq connection to NOTIFY arriving on another.
 *
 * Catch-up (--catch-up): events per second read through escd's
 * events_since, 10,000 a page, from the start of the log to its head; the
 * reference reads the same pages with libpq straight from the event table.
 *
 * Prints one line per figure, "name value", for tests/bench/feed.sh. Not a
 * test: nothing here passes or fails on a number. */
#include <errno.h>
#include <getopt.h>
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>
#include <time.h>
#include <zmq.h>

#include "esc.pb-c.h"
#include "keys.h"
#include "transport.h"
#include "wire.h"

static double
now_us (void)
{
    struct timespec ts;
    clock_gettime (CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static int
compare (const void *a, const void *b)
{
    double x = *(const double *) a, y = *(const double *) b;
    return x < y ? -1 : x > y;
}

static double
percentile (double *v, size_t n, double p)
{
    qsort (v, n, sizeof *v, compare);
    size_t i = (size_t) (p * (double) (n - 1) + 0.5);
    return v[i < n ? i : n - 1];
}

static void
die (const char *what)
{
    fprintf (stderr, "feed_bench: %s\n", what);
    exit (1);
}

/* ==== Latency through escd =============================================== */

typedef struct {
    const char *endpoint, *feed, *server_key, *db;
    keypair_t key;
    int watchers, events;
} bench_t;

static void *
subscriber (void *ctx, const bench_t *b)
{
    /* escd's feed is a ROUTER: a DEALER whose probe subscribes it */
    void *s = zmq_socket (ctx, ZMQ_DEALER);
    int zero = 0, one = 1;
    if (!s || zmq_setsockopt (s, ZMQ_CURVE_SERVERKEY, b->server_key, KEY_Z85_LEN)
        || zmq_setsockopt (s, ZMQ_CURVE_PUBLICKEY, b->key.public_key, KEY_Z85_LEN)
        || zmq_setsockopt (s, ZMQ_CURVE_SECRETKEY, b->key.secret_key, KEY_Z85_LEN)
        || zmq_setsockopt (s, ZMQ_LINGER, &zero, sizeof zero)
        || zmq_setsockopt (s, ZMQ_PROBE_ROUTER, &one, sizeof one) || zmq_connect (s, b->feed))
        die (zmq_strerror (errno));
    return s;
}

/* Reads one feed message from S; returns the escalation id of an event,
 * 0 for a heartbeat or anything else. */
static int64_t
read_event (void *s)
{
    zmq_msg_t topic, payload;
    zmq_msg_init (&topic);
    zmq_msg_init (&payload);
    int64_t id = 0;
    if (zmq_msg_recv (&topic, s, 0) >= 0 && zmq_msg_more (&topic)
        && zmq_msg_recv (&payload, s, 0) >= 0
        && zmq_msg_size (&topic) == strlen (ESC_FEED_TOPIC_EVENT)) {
        Esc__Event *e = esc__event__unpack (NULL, zmq_msg_size (&payload), zmq_msg_data (&payload));
        if (e && e->has_escalation_id)
            id = e->escalation_id;
        esc__event__free_unpacked (e, NULL);
    }
    zmq_msg_close (&topic);
    zmq_msg_close (&payload);
    return id;
}

static Esc__Reply *
call (transport_t *t, Esc__Request *req)
{
    char id[33];
    transport_request_id (id);
    req->request_id = id;
    req->has_version = true;
    req->version = ESC_PROTOCOL_VERSION;
    esc_error_t err;
    Esc__Reply *reply = transport_call (t, req, &err);
    if (!reply)
        die (err.message);
    if (reply->status != ESC__STATUS__OK)
        die (reply->message ? reply->message : "refused");
    return reply;
}

/* One process's share of the watchers: connects COUNT subscribers, says
 * it is ready on OUT, then writes (escalation id, arrival time) for every
 * event every subscriber receives, until each has EVENTS of them. */
static void
watch_share (const bench_t *b, int count, int out)
{
    void *ctx = zmq_ctx_new ();
    zmq_ctx_set (ctx, ZMQ_MAX_SOCKETS, count + 64);
    void **subs = calloc ((size_t) count, sizeof *subs);
    zmq_pollitem_t *items = calloc ((size_t) count, sizeof *items);
    int *got = calloc ((size_t) count, sizeof *got);
    for (int i = 0; i < count; i++) {
        subs[i] = subscriber (ctx, b);
        items[i] = (zmq_pollitem_t) { subs[i], 0, ZMQ_POLLIN, 0 };
    }
    /* every subscriber has heard a heartbeat: all are connected */
    int ready = 0;
    double deadline = now_us () + 60e6;
    while (ready < count && now_us () < deadline) {
        if (zmq_poll (items, count, 1000) <= 0)
            continue;
        for (int i = 0; i < count; i++)
            if (items[i].revents & ZMQ_POLLIN) {
                read_event (subs[i]);
                ready += got[i] == 0;
                got[i] = -1;
            }
    }
    if (ready < count)
        die ("not every subscriber connected within 60 s");
    if (write (out, "R", 1) != 1)
        die ("pipe");
    size_t n = (size_t) count * (size_t) b->events, k = 0;
    struct { int64_t id; double at; } *rec = calloc (n, sizeof *rec);
    memset (got, 0, (size_t) count * sizeof *got);
    while (k < n) {
        if (zmq_poll (items, count, 10000) <= 0)
            die ("an event did not reach every subscriber within 10 s");
        double at = now_us ();
        for (int i = 0; i < count; i++)
            if (items[i].revents & ZMQ_POLLIN) {
                int64_t id = read_event (subs[i]);
                if (id && got[i] < b->events) {
                    rec[k].id = id;
                    rec[k++].at = at;
                    got[i]++;
                }
            }
    }
    size_t bytes = n * sizeof *rec;
    for (size_t off = 0; off < bytes;) {
        ssize_t w = write (out, (char *) rec + off, bytes - off);
        if (w <= 0)
            die ("pipe");
        off += (size_t) w;
    }
    for (int i = 0; i < count; i++)
        zmq_close (subs[i]);
    zmq_ctx_term (ctx);
    _exit (0);
}

/* The watchers live in several processes (as they would on several
 * machines), each polling a share; arrival times are CLOCK_MONOTONIC,
 * common to all of them. */
static void
latency (const bench_t *b)
{
    int procs = b->watchers < 8 ? b->watchers : 8;
    int fds[8];
    pid_t pids[8];
    for (int p = 0; p < procs; p++) {
        int pipefd[2];
        if (pipe (pipefd) != 0)
            die ("pipe");
        int count = b->watchers / procs + (p < b->watchers % procs);
        pids[p] = fork ();
        if (pids[p] == 0) {
            close (pipefd[0]);
            watch_share (b, count, pipefd[1]);
        }
        close (pipefd[1]);
        fds[p] = pipefd[0];
    }
    for (int p = 0; p < procs; p++) {
        char c;
        if (read (fds[p], &c, 1) != 1)
            die ("a watcher process failed");
    }
    transport_t *t = transport_new (b->endpoint, b->server_key, &b->key, 10000, 0);
    int64_t *ids = calloc ((size_t) b->events, sizeof *ids);
    double *committed = calloc ((size_t) b->events, sizeof *committed);
    double *sent = calloc ((size_t) b->events, sizeof *sent);
    for (int ev = 0; ev < b->events; ev++) {
        Esc__File f = ESC__FILE__INIT;
        f.account = "Bench";
        f.title = "feed latency";
        f.problem = "measuring the feed";
        Esc__Request req = ESC__REQUEST__INIT;
        req.op_case = ESC__REQUEST__OP_FILE;
        req.file = &f;
        sent[ev] = now_us ();
        Esc__Reply *reply = call (t, &req);
        committed[ev] = now_us ();
        ids[ev] = reply->escalation->id;
        esc__reply__free_unpacked (reply, NULL);
        struct timespec gap = { 0, 2000000 };     /* 2 ms between events */
        nanosleep (&gap, NULL);
    }
    transport_destroy (&t);
    size_t n = (size_t) b->events * (size_t) b->watchers, k = 0;
    double *lat = calloc (n, sizeof *lat), *whole = calloc (n, sizeof *whole);
    for (int p = 0; p < procs; p++) {
        struct { int64_t id; double at; } r;
        for (;;) {
            size_t off = 0;
            while (off < sizeof r) {
                ssize_t got = read (fds[p], (char *) &r + off, sizeof r - off);
                if (got <= 0)
                    break;
                off += (size_t) got;
            }
            if (off < sizeof r)
                break;
            for (int ev = 0; ev < b->events; ev++)
                if (ids[ev] == r.id && k < n) {
                    whole[k] = (r.at - sent[ev]) / 1000.0;
                    lat[k++] = (r.at - committed[ev]) / 1000.0;
                    break;
                }
        }
        close (fds[p]);
        waitpid (pids[p], NULL, 0);
    }
    if (k != n)
        die ("some arrivals were not reported");
    printf ("feed_p50_ms %.3f\nfeed_p99_ms %.3f\n", percentile (lat, k, 0.50),
            percentile (lat, k, 0.99));
    printf ("write_p50_ms %.3f\nwrite_p99_ms %.3f\n", percentile (whole, k, 0.50),
            percentile (whole, k, 0.99));
    free (ids);
    free (committed);
    free (sent);
    free (lat);
    free (whole);
}

/* ==== The reference: COMMIT to NOTIFY on PostgreSQL alone ================ */

static PGconn *
connect_db (const char *url)
{
    PGconn *c = PQconnectdb (url);
    if (PQstatus (c) != CONNECTION_OK)
        die (PQerrorMessage (c));
    return c;
}

static void
exec_ok (PGconn *c, const char *sql)
{
    PGresult *r = PQexec (c, sql);
    if (PQresultStatus (r) != PGRES_COMMAND_OK && PQresultStatus (r) != PGRES_TUPLES_OK)
        die (PQerrorMessage (c));
    PQclear (r);
}

static void
notify_reference (const bench_t *b)
{
    PGconn *writer = connect_db (b->db), *listener = connect_db (b->db);
    exec_ok (listener, "LISTEN feed_bench");
    PQclear (PQexec (writer, "SET client_min_messages = warning"));
    exec_ok (writer, "CREATE TABLE IF NOT EXISTS feed_bench_row (n int)");
    double *lat = calloc ((size_t) b->events, sizeof *lat);
    for (int i = 0; i < b->events; i++) {
        double committed = now_us ();  /* from the write's start, as write_ms */
        exec_ok (writer, "BEGIN; INSERT INTO feed_bench_row VALUES (1); NOTIFY feed_bench; COMMIT");
        for (;;) {
            PQconsumeInput (listener);
            PGnotify *n = PQnotifies (listener);
            if (n) {
                PQfreemem (n);
                break;
            }
            struct timespec ts = { 0, 20000 };      /* 20 us */
            nanosleep (&ts, NULL);
        }
        lat[i] = (now_us () - committed) / 1000.0;
    }
    printf ("notify_p50_ms %.3f\nnotify_p99_ms %.3f\n", percentile (lat, (size_t) b->events, 0.50),
            percentile (lat, (size_t) b->events, 0.99));
    free (lat);
    PQfinish (writer);
    PQfinish (listener);
}

/* ==== Catch-up ============================================================*/

static void
catch_up (const bench_t *b)
{
    transport_t *t = transport_new (b->endpoint, b->server_key, &b->key, 30000, 0);
    int64_t since = 0, total = 0, head = 1;
    double start = now_us ();
    while (since < head) {
        Esc__EventsSince es = ESC__EVENTS_SINCE__INIT;
        es.has_since = es.has_limit = true;
        es.since = since;
        es.limit = 10000;
        Esc__Request req = ESC__REQUEST__INIT;
        req.op_case = ESC__REQUEST__OP_EVENTS_SINCE;
        req.events_since = &es;
        Esc__Reply *reply = call (t, &req);
        total += (int64_t) reply->events->n_events;
        since = reply->events->scanned_to;
        head = reply->events->last_seq;
        esc__reply__free_unpacked (reply, NULL);
    }
    double escd_s = (now_us () - start) / 1e6;
    transport_destroy (&t);

    PGconn *c = connect_db (b->db);
    int64_t sql_total = 0;
    char from[24], to[24];
    start = now_us ();
    for (int64_t s = 0; s < head; s += 10000) {
        snprintf (from, sizeof from, "%lld", (long long) s);
        snprintf (to, sizeof to, "%lld", (long long) (s + 10000));
        const char *params[] = { from, to };
        PGresult *r = PQexecParams (c,
            "SELECT seq, type, actor, quarter, escalation_id, account, data::text, summary,"
            "       to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"')"
            "  FROM event WHERE seq > $1 AND seq <= $2 ORDER BY seq", 2, NULL, params, NULL, NULL, 0);
        if (PQresultStatus (r) != PGRES_TUPLES_OK)
            die (PQerrorMessage (c));
        sql_total += PQntuples (r);
        PQclear (r);
    }
    double sql_s = (now_us () - start) / 1e6;
    PQfinish (c);
    printf ("catchup_events %lld\ncatchup_escd_per_s %.0f\ncatchup_sql_per_s %.0f\n",
            (long long) total, total / escd_s, sql_total / sql_s);
}

int
main (int argc, char **argv)
{
    bench_t b = { .watchers = 1, .events = 200 };
    const char *keyfile = NULL;
    int do_catch_up = 0;
    static const struct option opts[] = {
        { "endpoint", required_argument, NULL, 'e' }, { "feed", required_argument, NULL, 'f' },
        { "server-key", required_argument, NULL, 's' }, { "key", required_argument, NULL, 'k' },
        { "db", required_argument, NULL, 'd' }, { "watchers", required_argument, NULL, 'w' },
        { "events", required_argument, NULL, 'n' }, { "catch-up", no_argument, NULL, 'c' },
        { NULL, 0, NULL, 0 },
    };
    for (int c; (c = getopt_long (argc, argv, "", opts, NULL)) != -1;) {
        switch (c) {
        case 'e': b.endpoint = optarg; break;
        case 'f': b.feed = optarg; break;
        case 's': b.server_key = optarg; break;
        case 'k': keyfile = optarg; break;
        case 'd': b.db = optarg; break;
        case 'w': b.watchers = atoi (optarg); break;
        case 'n': b.events = atoi (optarg); break;
        case 'c': do_catch_up = 1; break;
        default: return 2;
        }
    }
    char err[512];
    if (!b.endpoint || !b.feed || !b.server_key || !keyfile || !b.db
        || keypair_load (&b.key, keyfile, err, sizeof err) != 0 || b.watchers < 1 || b.events < 1)
        die ("usage: see the comment at the top of tests/bench/feed_bench.c");
    struct rlimit rl;
    if (getrlimit (RLIMIT_NOFILE, &rl) == 0) {
        rl.rlim_cur = rl.rlim_max;
        setrlimit (RLIMIT_NOFILE, &rl);
    }
    if (do_catch_up)
        catch_up (&b);
    else {
        latency (&b);
        notify_reference (&b);
    }
    return 0;
}
