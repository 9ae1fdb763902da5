/* flood.c: a registered user's crafted client, trying to stall, bloat or
 * fill escd. Driven by tests/e2e/limits.sh, which watches escd's memory,
 * its request log and the other users' requests meanwhile.
 *
 *   flood --endpoint EP --feed EP --server-key KEY --key FILE ATTACK [ARGS]
 *
 * ATTACKs (each prints one line "name value ..." per figure):
 *   subscriptions N SIZE  random SIZE-byte subscriptions to the feed from
 *                         an XSUB (500 at most), and N random SIZE-byte
 *                         messages from a DEALER, as fast as libzmq takes
 *                         them
 *   multipart MIB         one message of MIB MiB in 64 KiB frames (libzmq
 *                         sends it once whole; escd's holds every frame
 *                         until the last); prints whether escd cut it
 *   oversized             one 2 MiB frame: escd must drop the connection
 *   pipeline SECONDS DEPTH OP
 *                         keeps DEPTH requests OP (list, report, show)
 *                         in flight on one connection for SECONDS
 *   probe N ID            N honest requests, alternately show ID and a
 *                         filing, one at a time; prints p50/p99 in ms
 *   refused N SIZE        N requests refused before authorisation (a user
 *                         key change of another user, with a SIZE-byte
 *                         unknown field), pipelined 16 at a time (more
 *                         than escd queues for one user: some are refused
 *                         TOO_MANY_REQUESTS)
 *   writes N SIZE         N filings with a SIZE-byte problem, one at a
 *                         time; prints how many were RATE_LIMITED
 *   watchers N            N connections to the feed; prints how many hear
 *                         the feed (a heartbeat) and how many are refused
 *                         (esc.error FEED_LIMIT)
 *   claim SECONDS         256 connections to each socket claiming the routing
 *                         ids an unseeded libzmq gives the next peers (0x00
 *                         and its first rand() values), held SECONDS: the
 *                         next honest peer would make libzmq abort
 *   live FILE             one connection: a request, then waits until FILE
 *                         exists, then a request on the same connection;
 *                         prints both answers' reasons
 * Not a pass/fail test by itself: the caller decides from the figures. */
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <zmq.h>

#include "esc.pb-c.h"
#include "keys.h"
#include "proc.h"
#include "transport.h"
#include "wire.h"

static const char *endpoint, *feed, *server_key;
static keypair_t key;
static void *ctx;

static void
die (const char *what)
{
    fprintf (stderr, "flood: %s\n", what);
    exit (2);
}

static void
sleep_ms (long ms)
{
    struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
    nanosleep (&ts, NULL);
}

/* A CURVE socket of TYPE connected to EP, with a monitor of its
 * disconnections in *MONITOR when asked. A DEALER to the feed announces
 * itself (ZMQ_PROBE_ROUTER). */
static void *
curve_socket (int type, const char *ep, void **monitor)
{
    void *s = zmq_socket (ctx, type);
    int zero = 0, one = 1;
    if (type == ZMQ_DEALER && ep == feed)
        zmq_setsockopt (s, ZMQ_PROBE_ROUTER, &one, sizeof one);
    if (!s || zmq_setsockopt (s, ZMQ_CURVE_SERVERKEY, server_key, KEY_Z85_LEN)
        || zmq_setsockopt (s, ZMQ_CURVE_PUBLICKEY, key.public_key, KEY_Z85_LEN)
        || zmq_setsockopt (s, ZMQ_CURVE_SECRETKEY, key.secret_key, KEY_Z85_LEN)
        || zmq_setsockopt (s, ZMQ_LINGER, &zero, sizeof zero))
        die (zmq_strerror (errno));
    if (monitor) {
        char name[64];
        snprintf (name, sizeof name, "inproc://flood-%p", s);
        if (zmq_socket_monitor (s, name, ZMQ_EVENT_DISCONNECTED) != 0)
            die ("monitor");
        *monitor = zmq_socket (ctx, ZMQ_PAIR);
        zmq_connect (*monitor, name);
    }
    if (zmq_connect (s, ep) != 0)
        die (zmq_strerror (errno));
    return s;
}

/* True when MONITOR reported a disconnection. */
static bool
disconnected (void *monitor)
{
    bool any = false;
    zmq_msg_t m;
    zmq_msg_init (&m);
    while (zmq_msg_recv (&m, monitor, ZMQ_DONTWAIT) >= 0) {
        if (zmq_msg_size (&m) >= 6) {
            uint16_t event;
            memcpy (&event, zmq_msg_data (&m), 2);
            any = any || event == ZMQ_EVENT_DISCONNECTED;
        }
        zmq_msg_close (&m);
        zmq_msg_init (&m);
    }
    zmq_msg_close (&m);
    return any;
}

static void
random_bytes (uint8_t *buf, size_t n)
{
    for (size_t i = 0; i < n; i++)
        buf[i] = (uint8_t) rand ();
}

/* ---- requests --------------------------------------------------------------*/

static long next_id;

/* V as a protobuf varint at P; returns its length. */
static size_t
varint (uint8_t *p, uint64_t v)
{
    size_t n = 0;
    for (; v >= 0x80; v >>= 7)
        p[n++] = (uint8_t) (v | 0x80);
    p[n++] = (uint8_t) v;
    return n;
}

/* A packed request of OP ("list", "report", "show", "file", "key") into a
 * malloc'd buffer; EXTRA bytes of an unknown field or of problem text. */
static uint8_t *
request (const char *op, int64_t id, size_t extra, size_t *len)
{
    char rid[40];
    snprintf (rid, sizeof rid, "flood-%d-%ld", (int) getpid (), next_id++);
    Esc__Request req = ESC__REQUEST__INIT;
    req.request_id = rid;
    req.has_version = true;
    req.version = ESC_PROTOCOL_VERSION;
    Esc__ListFilter list = ESC__LIST_FILTER__INIT;
    Esc__ReportRequest report = ESC__REPORT_REQUEST__INIT;
    Esc__EscalationRef ref = ESC__ESCALATION_REF__INIT;
    Esc__File file = ESC__FILE__INIT;
    Esc__UserKey uk = ESC__USER_KEY__INIT;
    char *text = NULL;
    if (strcmp (op, "list") == 0) {
        list.has_limit = true;
        list.limit = 1000;
        req.op_case = ESC__REQUEST__OP_LIST;
        req.list = &list;
    }
    else if (strcmp (op, "report") == 0) {
        req.op_case = ESC__REQUEST__OP_REPORT;
        req.report = &report;
    }
    else if (strcmp (op, "show") == 0) {
        ref.has_id = true;
        ref.id = id;
        req.op_case = ESC__REQUEST__OP_SHOW;
        req.show = &ref;
    }
    else if (strcmp (op, "file") == 0) {
        text = malloc (extra + 16);
        memset (text, 'p', extra + 8);
        text[extra + 8] = '\0';
        file.account = "Acme";
        file.title = "a probe's filing";
        file.problem = text;
        req.op_case = ESC__REQUEST__OP_FILE;
        req.file = &file;
    }
    else {                      /* another user's key: PERMISSION_DENIED */
        uk.name = "ada";
        uk.public_key = key.public_key;
        req.op_case = ESC__REQUEST__OP_USER_KEY;
        req.user_key = &uk;
    }
    size_t n = esc__request__get_packed_size (&req);
    bool junk = strcmp (op, "key") == 0 && extra;
    uint8_t *buf = malloc (n + extra + 16);
    esc__request__pack (&req, buf);
    if (junk) {                 /* field 99, length-delimited, EXTRA bytes */
        size_t at = n + varint (buf + n, 99 << 3 | 2);
        at += varint (buf + at, extra);
        memset (buf + at, 'j', extra);
        n = at + extra;
    }
    free (text);
    *len = n;
    return buf;
}

/* Reads one reply off S into REASON ("OK" for none); false on timeout. */
static bool
read_reply (void *s, char *reason, size_t len, long timeout_ms)
{
    zmq_pollitem_t item = { s, 0, ZMQ_POLLIN, 0 };
    if (zmq_poll (&item, 1, timeout_ms) <= 0)
        return false;
    zmq_msg_t part;
    bool more = true;
    snprintf (reason, len, "GARBLED");
    while (more) {
        zmq_msg_init (&part);
        if (zmq_msg_recv (&part, s, 0) < 0) {
            zmq_msg_close (&part);
            break;
        }
        more = zmq_msg_more (&part);
        if (!more) {
            Esc__Reply *r = esc__reply__unpack (NULL, zmq_msg_size (&part), zmq_msg_data (&part));
            if (r)
                snprintf (reason, len, "%s", r->reason ? r->reason : "OK");
            esc__reply__free_unpacked (r, NULL);
        }
        zmq_msg_close (&part);
    }
    return true;
}

static void
send_request (void *s, const uint8_t *buf, size_t len)
{
    zmq_send (s, "", 0, ZMQ_SNDMORE);
    zmq_send (s, buf, len, 0);
}

/* ---- attacks ---------------------------------------------------------------*/

static void
subscriptions (int n, size_t size)
{
    /* an XSUB keeps what it subscribes to in a trie of its own, as a PUB
     * does: past a few hundred random ones, it is this process that
     * bloats; the DEALER sends as many as asked */
    void *xsub = curve_socket (ZMQ_XSUB, feed, NULL);
    void *dealer = curve_socket (ZMQ_DEALER, feed, NULL);
    uint8_t *buf = malloc (size);
    int sent = 0, junk = 0, hwm = 0;
    zmq_setsockopt (dealer, ZMQ_SNDHWM, &hwm, sizeof hwm);
    for (int i = 0; i < n; i++) {
        random_bytes (buf, size);
        buf[0] = 1;             /* subscribe */
        if (i < 500)
            sent += zmq_send (xsub, buf, size, ZMQ_DONTWAIT) >= 0;
        junk += zmq_send (dealer, buf, size, ZMQ_DONTWAIT) >= 0;
    }
    sleep_ms (2000);            /* let them arrive */
    printf ("subscriptions_sent %d\njunk_sent %d\n", sent, junk);
    free (buf);
    zmq_close (xsub);
    zmq_close (dealer);
}

static void
multipart (int mib)
{
    void *monitor;
    void *s = curve_socket (ZMQ_DEALER, endpoint, &monitor);
    size_t frame = 64 * 1024;
    uint8_t *buf = calloc (1, frame);
    long frames = (long) mib * 16;
    zmq_send (s, "", 0, ZMQ_SNDMORE);
    /* libzmq sends a message only once it is whole: the frames go out
     * together at the last one, and escd's libzmq holds them all until the
     * last arrives (a peer with a ZMTP of its own could send them without
     * ever ending the message). The frames share one buffer: this process
     * holds little. */
    for (long i = 0; i < frames; i++) {
        zmq_msg_t m;
        zmq_msg_init_data (&m, buf, frame, NULL, NULL);
        zmq_msg_send (&m, s, i < frames - 1 ? ZMQ_SNDMORE : 0);
    }
    bool cut = false;
    for (int i = 0; !cut && i < 300; i++) {
        sleep_ms (100);
        cut = disconnected (monitor);
    }
    printf ("multipart_sent_mib %d\nmultipart_cut %s\n", mib, cut ? "yes" : "no");
    zmq_socket_monitor (s, NULL, 0);
    zmq_close (monitor);
    zmq_close (s);
    free (buf);
}

static void
oversized (void)
{
    void *monitor;
    void *s = curve_socket (ZMQ_DEALER, endpoint, &monitor);
    size_t big = 2 * 1024 * 1024;
    uint8_t *buf = calloc (1, big);
    zmq_send (s, "", 0, ZMQ_SNDMORE);
    zmq_send (s, buf, big, 0);
    bool cut = false;
    for (int i = 0; !cut && i < 50; i++) {
        sleep_ms (100);
        cut = disconnected (monitor);
    }
    printf ("oversized_dropped %s\n", cut ? "yes" : "no");
    free (buf);
    zmq_socket_monitor (s, NULL, 0);
    zmq_close (monitor);
    zmq_close (s);
}

static void
pipeline (double seconds, int depth, const char *op)
{
    void *s = curve_socket (ZMQ_DEALER, endpoint, NULL);
    int hwm = 0;
    zmq_setsockopt (s, ZMQ_SNDHWM, &hwm, sizeof hwm);
    long answered = 0, refused = 0;
    char reason[64];
    double end = proc_now_ms () + seconds * 1000;
    for (int i = 0; i < depth; i++) {
        size_t len;
        uint8_t *buf = request (op, 1, 0, &len);
        send_request (s, buf, len);
        free (buf);
    }
    while (proc_now_ms () < end) {
        if (!read_reply (s, reason, sizeof reason, 200))
            continue;
        answered++;
        refused += strcmp (reason, "OK") != 0;
        size_t len;
        uint8_t *buf = request (op, 1, 0, &len);
        send_request (s, buf, len);
        free (buf);
    }
    printf ("pipeline_answered %ld\npipeline_refused %ld\n", answered, refused);
    zmq_close (s);
}

static int
compare (const void *a, const void *b)
{
    double x = *(const double *) a, y = *(const double *) b;
    return x < y ? -1 : x > y;
}

static void
probe (int n, int64_t id)
{
    transport_t *t = transport_new (endpoint, server_key, &key, 10000, 0);
    double *lat = calloc ((size_t) n, sizeof *lat);
    int failed = 0;
    for (int i = 0; i < n; i++) {
        size_t len;
        uint8_t *buf = request (i % 2 ? "file" : "show", id, 0, &len);
        Esc__Request *req = esc__request__unpack (NULL, len, buf);
        free (buf);
        esc_error_t err;
        double start = proc_now_ms ();
        Esc__Reply *r = transport_call (t, req, &err);
        lat[i] = proc_now_ms () - start;
        failed += !r || r->status != ESC__STATUS__OK;
        esc__reply__free_unpacked (r, NULL);
        esc__request__free_unpacked (req, NULL);
    }
    qsort (lat, (size_t) n, sizeof *lat, compare);
    printf ("probe_p50_ms %.2f\nprobe_p99_ms %.2f\nprobe_max_ms %.2f\nprobe_failed %d\n",
            lat[n / 2], lat[(n * 99) / 100 < n ? (n * 99) / 100 : n - 1], lat[n - 1], failed);
    free (lat);
    transport_destroy (&t);
}

static void
refused_flood (int n, size_t size)
{
    void *s = curve_socket (ZMQ_DEALER, endpoint, NULL);
    long got = 0, denied = 0, too_many = 0;
    char reason[64];
    int in_flight = 0;
    for (int i = 0; i < n || in_flight > 0;) {
        while (i < n && in_flight < 16) {
            size_t len;
            uint8_t *buf = request ("key", 0, size, &len);
            send_request (s, buf, len);
            free (buf);
            i++;
            in_flight++;
        }
        if (!read_reply (s, reason, sizeof reason, 10000))
            break;
        in_flight--;
        got++;
        denied += strcmp (reason, "PERMISSION_DENIED") == 0;
        too_many += strcmp (reason, "TOO_MANY_REQUESTS") == 0;
    }
    printf ("refused_answered %ld\nrefused_denied %ld\nrefused_too_many %ld\n", got, denied,
            too_many);
    zmq_close (s);
}

static void
writes (int n, size_t size)
{
    transport_t *t = transport_new (endpoint, server_key, &key, 10000, 0);
    int ok = 0, limited = 0, other = 0;
    char first_other[64] = "-";
    for (int i = 0; i < n; i++) {
        size_t len;
        uint8_t *buf = request ("file", 0, size, &len);
        Esc__Request *req = esc__request__unpack (NULL, len, buf);
        free (buf);
        esc_error_t err;
        Esc__Reply *r = transport_call (t, req, &err);
        if (r && r->status == ESC__STATUS__OK)
            ok++;
        else if (r && r->reason && strcmp (r->reason, "RATE_LIMITED") == 0)
            limited++;
        else if (other++ == 0)
            snprintf (first_other, sizeof first_other, "%s",
                      r && r->reason ? r->reason : err.reason ? err.reason : "?");
        esc__reply__free_unpacked (r, NULL);
        esc__request__free_unpacked (req, NULL);
    }
    printf ("writes_ok %d\nwrites_rate_limited %d\nwrites_other %d\nwrites_first_other %s\n",
            ok, limited, other, first_other);
    transport_destroy (&t);
}

static void
live (const char *file)
{
    void *s = curve_socket (ZMQ_DEALER, endpoint, NULL);
    char before[64] = "NONE", after[64] = "NONE";
    size_t len;
    uint8_t *buf = request ("show", 1, 0, &len);
    send_request (s, buf, len);
    free (buf);
    read_reply (s, before, sizeof before, 5000);
    printf ("live_before %s\n", before);
    fflush (stdout);
    struct stat st;
    for (int i = 0; i < 600 && stat (file, &st) != 0; i++)
        sleep_ms (100);
    buf = request ("show", 1, 0, &len);
    send_request (s, buf, len);
    free (buf);
    if (!read_reply (s, after, sizeof after, 5000))
        snprintf (after, sizeof after, "NO_ANSWER");
    printf ("live_after %s\n", after);
    zmq_close (s);
}

static void
claim (int seconds)
{
    /* libzmq 4.3.4's generate_random (): rand () twice, never seeded */
    void *held[2 * 256];
    int n = 0;
    const char *eps[2] = { endpoint, feed };
    for (int e = 0; e < 2; e++) {
        srand (1);
        for (int k = 0; k < 16; k++) {
            uint32_t low = (uint32_t) rand (), high = (uint32_t) rand () << 31, g = high | low;
            for (uint32_t i = 0; i < 16; i++) {
                uint32_t v = g + i;
                uint8_t id[5] = { 0, (uint8_t) (v >> 24), (uint8_t) (v >> 16), (uint8_t) (v >> 8),
                                  (uint8_t) v };
                void *s = zmq_socket (ctx, ZMQ_DEALER);
                zmq_setsockopt (s, ZMQ_ROUTING_ID, id, sizeof id);
                held[n++] = s;
                int zero = 0;
                zmq_setsockopt (s, ZMQ_CURVE_SERVERKEY, server_key, KEY_Z85_LEN);
                zmq_setsockopt (s, ZMQ_CURVE_PUBLICKEY, key.public_key, KEY_Z85_LEN);
                zmq_setsockopt (s, ZMQ_CURVE_SECRETKEY, key.secret_key, KEY_Z85_LEN);
                zmq_setsockopt (s, ZMQ_LINGER, &zero, sizeof zero);
                zmq_connect (s, eps[e]);
            }
        }
    }
    printf ("claimed %d\n", n);
    fflush (stdout);
    sleep_ms ((long) seconds * 1000);
    for (int i = 0; i < n; i++)
        zmq_close (held[i]);
}

static void
watchers (int n)
{
    void **subs = calloc ((size_t) n, sizeof *subs);
    int heard = 0, refused = 0;
    for (int i = 0; i < n; i++)
        subs[i] = curve_socket (ZMQ_DEALER, feed, NULL);
    for (int i = 0; i < n; i++) {
        /* a heartbeat comes within a second; a refusal at once */
        zmq_pollitem_t item = { subs[i], 0, ZMQ_POLLIN, 0 };
        if (zmq_poll (&item, 1, 3000) <= 0)
            continue;
        char topic[32] = "";
        int len = zmq_recv (subs[i], topic, sizeof topic - 1, 0);
        if (len > 0 && len < (int) sizeof topic)
            topic[len] = '\0';
        refused += strcmp (topic, ESC_FEED_TOPIC_ERROR) == 0;
        heard += strcmp (topic, ESC_FEED_TOPIC_ERROR) != 0;
    }
    printf ("watchers_heard %d\nwatchers_refused %d\n", heard, refused);
    for (int i = 0; i < n; i++)
        zmq_close (subs[i]);
    free (subs);
}

int
main (int argc, char **argv)
{
    const char *keyfile = NULL;
    static const struct option opts[] = {
        { "endpoint", required_argument, NULL, 'e' }, { "feed", required_argument, NULL, 'f' },
        { "server-key", required_argument, NULL, 's' }, { "key", required_argument, NULL, 'k' },
        { NULL, 0, NULL, 0 },
    };
    for (int c; (c = getopt_long (argc, argv, "", opts, NULL)) != -1;) {
        switch (c) {
        case 'e': endpoint = optarg; break;
        case 'f': feed = optarg; break;
        case 's': server_key = optarg; break;
        case 'k': keyfile = optarg; break;
        default: return 2;
        }
    }
    char err[512];
    if (!endpoint || !feed || !server_key || !keyfile || optind >= argc
        || keypair_load (&key, keyfile, err, sizeof err) != 0)
        die ("usage: flood --endpoint EP --feed EP --server-key KEY --key FILE ATTACK [ARGS]");
    srand ((unsigned) getpid ());
    ctx = zmq_ctx_new ();
    zmq_ctx_set (ctx, ZMQ_MAX_SOCKETS, 4096);
    const char *attack = argv[optind];
    char **arg = argv + optind + 1;
    int n_args = argc - optind - 1;
#define ARG(i) (i < n_args ? arg[i] : (die ("missing arguments"), ""))
    if (strcmp (attack, "subscriptions") == 0)
        subscriptions (atoi (ARG (0)), (size_t) atol (ARG (1)));
    else if (strcmp (attack, "multipart") == 0)
        multipart (atoi (ARG (0)));
    else if (strcmp (attack, "oversized") == 0)
        oversized ();
    else if (strcmp (attack, "pipeline") == 0)
        pipeline (atof (ARG (0)), atoi (ARG (1)), ARG (2));
    else if (strcmp (attack, "probe") == 0)
        probe (atoi (ARG (0)), atoll (ARG (1)));
    else if (strcmp (attack, "refused") == 0)
        refused_flood (atoi (ARG (0)), (size_t) atol (ARG (1)));
    else if (strcmp (attack, "writes") == 0)
        writes (atoi (ARG (0)), (size_t) atol (ARG (1)));
    else if (strcmp (attack, "claim") == 0)
        claim (atoi (ARG (0)));
    else if (strcmp (attack, "watchers") == 0)
        watchers (atoi (ARG (0)));
    else if (strcmp (attack, "live") == 0)
        live (ARG (0));
    else
        die ("unknown attack");
    zmq_ctx_term (ctx);
    return 0;
}
