/* hostile.c: hostile input against a live escd.
 *
 *   hostile --endpoint EP --feed EP --server-key KEY --key FILE
 *
 * As an authenticated client: wrong frame counts, empty frames,
 * undecodable protobuf, a message over the size cap, invalid UTF-8,
 * strings over their limits, negative and overflowing numbers, unknown
 * values and operations, a wrong protocol version. Unauthenticated: raw TCP
 * garbage at both ports, and a client without CURVE. Each must get a clear
 * error reply naming what was wrong, or be dropped; afterwards escd must
 * still answer a good request. Prints one line per case; exits 1 when any
 * case got something else. The caller (tests/e2e/hostile.sh) checks that
 * no row changed. */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <zmq.h>

#include "esc.pb-c.h"
#include "keys.h"
#include "wire.h"

static const char *endpoint, *feed, *server_key;
static keypair_t key;
static void *ctx;
static int failures;

/* ---- a fresh authenticated DEALER per case --------------------------------*/

static void *
dealer (void)
{
    void *s = zmq_socket (ctx, ZMQ_DEALER);
    int zero = 0, timeout = 1500;
    zmq_setsockopt (s, ZMQ_CURVE_SERVERKEY, server_key, KEY_Z85_LEN);
    zmq_setsockopt (s, ZMQ_CURVE_PUBLICKEY, key.public_key, KEY_Z85_LEN);
    zmq_setsockopt (s, ZMQ_CURVE_SECRETKEY, key.secret_key, KEY_Z85_LEN);
    zmq_setsockopt (s, ZMQ_LINGER, &zero, sizeof zero);
    zmq_setsockopt (s, ZMQ_RCVTIMEO, &timeout, sizeof timeout);
    zmq_connect (s, endpoint);
    return s;
}

typedef struct {
    const void *data;
    size_t len;
} frame_t;

/* Sends FRAMES and reads the answer: the reply's reason (into REASON), or
 * "" when nothing came back within the receive timeout (dropped). */
static void
exchange (const frame_t *frames, int n, char *reason, size_t len)
{
    void *s = dealer ();
    for (int i = 0; i < n; i++)
        zmq_send (s, frames[i].data, frames[i].len, i < n - 1 ? ZMQ_SNDMORE : 0);
    reason[0] = '\0';
    zmq_msg_t part;
    bool more = true;
    while (more) {
        zmq_msg_init (&part);
        if (zmq_msg_recv (&part, s, 0) < 0) {
            zmq_msg_close (&part);
            break;
        }
        more = zmq_msg_more (&part);
        if (zmq_msg_size (&part) > 0) {
            Esc__Reply *r = esc__reply__unpack (NULL, zmq_msg_size (&part), zmq_msg_data (&part));
            snprintf (reason, len, "%s", r && r->reason ? r->reason : r ? "OK" : "GARBLED");
            esc__reply__free_unpacked (r, NULL);
        }
        zmq_msg_close (&part);
    }
    zmq_close (s);
}

/* One case: EXPECT is the reason of the error reply, or "" for dropped. */
static void
expect (const char *name, const frame_t *frames, int n, const char *expect_reason)
{
    char got[64];
    exchange (frames, n, got, sizeof got);
    bool ok = strcmp (got, expect_reason) == 0;
    printf ("%-44s %-22s %s\n", name, got[0] ? got : "(dropped)", ok ? "ok" : "UNEXPECTED");
    failures += !ok;
}

/* A request as bytes, with the envelope filled in unless RAW. */
static uint8_t *
pack (Esc__Request *req, size_t *len)
{
    *len = esc__request__get_packed_size (req);
    uint8_t *buf = malloc (*len + 1);
    esc__request__pack (req, buf);
    return buf;
}

static void
envelope (Esc__Request *req)
{
    esc__request__init (req);
    req->request_id = "hostile-0000001";
    req->has_version = true;
    req->version = ESC_PROTOCOL_VERSION;
}

static void
expect_request (const char *name, Esc__Request *req, const char *reason)
{
    size_t len;
    uint8_t *buf = pack (req, &len);
    frame_t f[] = { { "", 0 }, { buf, len } };
    expect (name, f, 2, reason);
    free (buf);
}

/* ---- the cases ------------------------------------------------------------*/

static void
frames_and_bytes (void)
{
    Esc__Request req;
    envelope (&req);
    Esc__Empty empty = ESC__EMPTY__INIT;
    req.op_case = ESC__REQUEST__OP_QUARTER_LIST;
    req.quarter_list = &empty;
    size_t len;
    uint8_t *good = pack (&req, &len);

    frame_t no_delimiter[] = { { good, len } };
    expect ("one frame, no delimiter", no_delimiter, 1, "BAD_FRAMES");
    frame_t three[] = { { "", 0 }, { good, len }, { good, len } };
    expect ("three frames", three, 3, "BAD_FRAMES");
    frame_t many[9];
    for (int i = 0; i < 9; i++)
        many[i] = (frame_t) { i ? (const void *) good : "", i ? len : 0 };
    expect ("nine frames", many, 9, "BAD_FRAMES");
    frame_t only_delimiter[] = { { "", 0 } };
    expect ("only the delimiter", only_delimiter, 1, "BAD_FRAMES");
    frame_t empty_payload[] = { { "", 0 }, { "", 0 } };
    expect ("empty payload", empty_payload, 2, "UNSUPPORTED_VERSION");
    static const uint8_t junk[] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0x0f, 0x12, 0x34 };
    frame_t undecodable[] = { { "", 0 }, { junk, sizeof junk } };
    expect ("undecodable protobuf", undecodable, 2, "BAD_REQUEST");
    static const uint8_t truncated[] = { 0x0a, 0x40, 'a', 'b' };     /* length 64, 2 bytes */
    frame_t cut[] = { { "", 0 }, { truncated, sizeof truncated } };
    expect ("truncated protobuf", cut, 2, "BAD_REQUEST");
    size_t big = 1100 * 1024;
    uint8_t *huge = calloc (1, big);
    frame_t oversized[] = { { "", 0 }, { huge, big } };
    expect ("a message over the 1 MiB cap", oversized, 2, "");
    free (huge);
    free (good);
}

static void
envelopes (void)
{
    Esc__Request req;
    Esc__Empty empty = ESC__EMPTY__INIT;
    envelope (&req);
    req.op_case = ESC__REQUEST__OP_QUARTER_LIST;
    req.quarter_list = &empty;
    req.version = 99;
    expect_request ("protocol version 99", &req, "UNSUPPORTED_VERSION");
    req.has_version = false;
    expect_request ("no protocol version", &req, "UNSUPPORTED_VERSION");
    envelope (&req);
    req.op_case = ESC__REQUEST__OP_QUARTER_LIST;
    req.quarter_list = &empty;
    req.request_id = "x";
    expect_request ("a one-character request id", &req, "INVALID_REQUEST_ID");
    req.request_id = "bad\xff\xfeid-00000";
    expect_request ("a request id in broken UTF-8", &req, "INVALID_REQUEST_ID");
    envelope (&req);
    expect_request ("no operation", &req, "UNKNOWN_OPERATION");
    /* a field number no schema knows, after a valid envelope */
    size_t len;
    uint8_t *base = pack (&req, &len);
    uint8_t *future = malloc (len + 3);
    memcpy (future, base, len);
    future[len] = 0xfa;                         /* field 111, length-delimited */
    future[len + 1] = 0x06;
    future[len + 2] = 0x00;
    frame_t unknown[] = { { "", 0 }, { future, len + 3 } };
    expect ("an operation this server does not know", unknown, 2, "UNKNOWN_OPERATION");
    free (base);
    free (future);
}

static void
fields (void)
{
    Esc__Request req;
    Esc__File f = ESC__FILE__INIT;
    char *long_text = malloc (9001);
    memset (long_text, 'x', 9000);
    long_text[9000] = '\0';

#define FILING(name, reason, ...)                               \
    do {                                                        \
        envelope (&req);                                        \
        esc__file__init (&f);                                   \
        f.quarter = "2031Q1";                                   \
        f.account = "Acme";                                     \
        f.title = "hostile";                                    \
        f.problem = "a problem";                                \
        __VA_ARGS__;                                            \
        req.op_case = ESC__REQUEST__OP_FILE;                    \
        req.file = &f;                                          \
        expect_request (name, &req, reason);                    \
    } while (0)

    FILING ("invalid UTF-8 in the problem", "INVALID_UTF8", f.problem = "caf\xc3(");
    FILING ("an overlong UTF-8 slash", "INVALID_UTF8", f.title = "\xc0\xaf");
    FILING ("a UTF-16 surrogate", "INVALID_UTF8", f.solution = "\xed\xa0\x80");
    FILING ("a 9000-byte problem", "FIELD_TOO_LONG", f.problem = long_text);
    FILING ("a 9000-byte title", "FIELD_TOO_LONG", f.title = long_text);
    FILING ("a control character in the title", "INVALID_TEXT", f.title = "a\x1b[2Jb");
    FILING ("a bidi override in the title", "INVALID_TEXT", f.title = "evil\xe2\x80\xae" "cod.exe");
    FILING ("a forged line in the problem", "INVALID_TEXT", f.problem = "p\r  approved:   token 1");
    FILING ("a negative deal value", "OUT_OF_RANGE", f.has_deal_value = 1, f.deal_value = -1);
    FILING ("a deal value of 2^63-1", "OUT_OF_RANGE", f.has_deal_value = 1, f.deal_value = INT64_MAX);
    FILING ("a deal value of -2^63", "OUT_OF_RANGE", f.has_deal_value = 1, f.deal_value = INT64_MIN);
    FILING ("February 30th", "INVALID_DATE", f.needed_by = "2026-02-30");
    FILING ("a quarter 2031Q9", "INVALID_QUARTER", f.quarter = "2031Q9");
    FILING ("a quarter with SQL in it", "INVALID_QUARTER", f.quarter = "'; DROP TABLE event; --");
    FILING ("an account with SQL in it", "ACCOUNT_NOT_FOUND", f.account = "x'); DELETE FROM event; --");
    char *accounts[101];
    for (int i = 0; i < 101; i++)
        accounts[i] = "Acme";
    FILING ("101 other accounts", "FIELD_TOO_LONG", f.also_needed_by = accounts, f.n_also_needed_by = 101);
    FILING ("no problem", "MISSING_ARGUMENT", f.problem = NULL);

    Esc__Size s = ESC__SIZE__INIT;
#define SIZING(name, reason, ...)                               \
    do {                                                        \
        envelope (&req);                                        \
        esc__size__init (&s);                                   \
        s.has_id = s.has_hours = s.has_viable = 1;              \
        s.id = 1;                                               \
        s.hours = 10;                                           \
        s.viable = 1;                                           \
        __VA_ARGS__;                                            \
        req.op_case = ESC__REQUEST__OP_SIZE;                    \
        req.size = &s;                                          \
        expect_request (name, &req, reason);                    \
    } while (0)
    SIZING ("negative hours", "OUT_OF_RANGE", s.hours = -40);
    SIZING ("2^63-1 hours", "OUT_OF_RANGE", s.hours = INT64_MAX);
    SIZING ("escalation id 0", "OUT_OF_RANGE", s.id = 0);
    SIZING ("escalation id -2^63", "OUT_OF_RANGE", s.id = INT64_MIN);
    SIZING ("escalation id 2^62", "OUT_OF_RANGE", s.id = INT64_C (1) << 62);

    Esc__WithReason w = ESC__WITH_REASON__INIT;
    envelope (&req);
    w.has_id = 1;
    w.id = 1;
    w.reason = "no\n#22 2031-01-01T00:00:00.000Z  carol spent token 2 on escalation 1";
    req.op_case = ESC__REQUEST__OP_RETURN_ESCALATION;
    req.return_escalation = &w;
    expect_request ("a newline in a reason", &req, "INVALID_TEXT");

    Esc__QuarterOpen q = ESC__QUARTER_OPEN__INIT;
    envelope (&req);
    q.quarter = "2031Q1";
    q.has_capacity_hours = q.has_budget_pct = 1;
    q.capacity_hours = 1000;
    q.budget_pct = 4000000000LL;
    req.op_case = ESC__REQUEST__OP_QUARTER_OPEN;
    req.quarter_open = &q;
    expect_request ("a budget of 4e9 percent", &req, "OUT_OF_RANGE");

    Esc__RoadmapAdd r = ESC__ROADMAP_ADD__INIT;
    envelope (&req);
    r.title = "x";
    r.category = "fun";
    r.has_hours = 1;
    r.hours = 5;
    req.op_case = ESC__REQUEST__OP_ROADMAP_ADD;
    req.roadmap_add = &r;
    expect_request ("an unknown roadmap category", &req, "INVALID_ARGUMENT");

    Esc__Outcome o = ESC__OUTCOME__INIT;
    envelope (&req);
    o.has_id = 1;
    o.id = 1;
    o.deal = "maybe";
    req.op_case = ESC__REQUEST__OP_OUTCOME;
    req.outcome = &o;
    expect_request ("an unknown deal outcome", &req, "INVALID_ARGUMENT");

    Esc__ListFilter l = ESC__LIST_FILTER__INIT;
    envelope (&req);
    l.state = "pending";
    req.op_case = ESC__REQUEST__OP_LIST;
    req.list = &l;
    expect_request ("an unknown escalation state", &req, "INVALID_ARGUMENT");
    l.state = NULL;
    l.cursor = "hours/0) OR (1=1/7";
    expect_request ("a cursor escd never made", &req, "INVALID_ARGUMENT");
    l.cursor = "filed/2026-05-04T10:11:12.345678Z/7";
    l.sort = "deal";
    expect_request ("a cursor of another order", &req, "INVALID_ARGUMENT");
    l.cursor = NULL;
    l.has_after = 1;
    l.after = 3;
    expect_request ("after in the deal order", &req, "INVALID_ARGUMENT");

    Esc__UserAdd u = ESC__USER_ADD__INIT;
    char *roles[] = { "ceo" };
    envelope (&req);
    u.name = "mallory";
    u.roles = roles;
    u.n_roles = 1;
    u.public_key = key.public_key;
    req.op_case = ESC__REQUEST__OP_USER_ADD;
    req.user_add = &u;
    expect_request ("an unknown role", &req, "INVALID_ARGUMENT");

    Esc__EventsSince es = ESC__EVENTS_SINCE__INIT;
    envelope (&req);
    es.has_since = es.has_limit = 1;
    es.since = -5;
    es.limit = 10;
    req.op_case = ESC__REQUEST__OP_EVENTS_SINCE;
    req.events_since = &es;
    expect_request ("events since -5", &req, "OUT_OF_RANGE");
    es.since = 0;
    es.limit = INT64_MAX;
    expect_request ("a page of 2^63-1 events", &req, "OUT_OF_RANGE");
    free (long_text);
}

/* ---- unauthenticated -----------------------------------------------------*/

/* Connects to EP (tcp://host:port) with a plain TCP socket, sends BYTES,
 * and reads until escd closes the connection or a second passes. */
static void
raw_tcp (const char *name, const char *ep, const void *bytes, size_t len)
{
    const char *colon = strrchr (ep, ':');
    struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons ((uint16_t) atoi (colon + 1)) };
    inet_pton (AF_INET, "127.0.0.1", &sa.sin_addr);
    int fd = socket (AF_INET, SOCK_STREAM, 0);
    struct timeval tv = { 1, 0 };
    setsockopt (fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    if (connect (fd, (struct sockaddr *) &sa, sizeof sa) != 0) {
        printf ("%-44s cannot connect: %s UNEXPECTED\n", name, strerror (errno));
        failures++;
        close (fd);
        return;
    }
    ssize_t sent = write (fd, bytes, len);
    (void) sent;
    char buf[4096];
    ssize_t got;
    size_t total = 0;
    while ((got = read (fd, buf, sizeof buf)) > 0)
        total += (size_t) got;
    /* a ZMTP greeting (64 bytes at most) may come back; nothing more */
    bool ok = total <= 64;
    printf ("%-44s %-22s %s\n", name, got == 0 ? "(closed)" : "(silent)", ok ? "ok" : "UNEXPECTED");
    failures += !ok;
    close (fd);
}

static void
unauthenticated (void)
{
    uint8_t garbage[1024];
    for (size_t i = 0; i < sizeof garbage; i++)
        garbage[i] = (uint8_t) (i * 131 + 7);
    raw_tcp ("TCP garbage at the request port", endpoint, garbage, sizeof garbage);
    raw_tcp ("TCP garbage at the feed port", feed, garbage, sizeof garbage);
    static const uint8_t greeting_null[64] = {
        0xff, 0, 0, 0, 0, 0, 0, 0, 1, 0x7f, 3, 0, 'N', 'U', 'L', 'L',
    };
    raw_tcp ("a ZMTP greeting with NULL security", endpoint, greeting_null, sizeof greeting_null);
    raw_tcp ("a ZMTP greeting at the feed port", feed, greeting_null, sizeof greeting_null);
    static const char http[] = "GET / HTTP/1.1\r\nHost: escd\r\n\r\n";
    raw_tcp ("an HTTP request", endpoint, http, sizeof http - 1);

    /* a ZeroMQ client without CURVE: the handshake fails, nothing is read */
    void *s = zmq_socket (ctx, ZMQ_DEALER);
    int zero = 0, timeout = 1000;
    zmq_setsockopt (s, ZMQ_LINGER, &zero, sizeof zero);
    zmq_setsockopt (s, ZMQ_RCVTIMEO, &timeout, sizeof timeout);
    zmq_connect (s, endpoint);
    zmq_send (s, "", 0, ZMQ_SNDMORE);
    zmq_send (s, "hello", 5, 0);
    char buf[16];
    bool dropped = zmq_recv (s, buf, sizeof buf, 0) < 0;
    printf ("%-44s %-22s %s\n", "a ZeroMQ client without CURVE", dropped ? "(dropped)" : "answered",
            dropped ? "ok" : "UNEXPECTED");
    failures += !dropped;
    zmq_close (s);

    /* an authenticated subscriber sending a huge subscription */
    void *sub = zmq_socket (ctx, ZMQ_XSUB);
    zmq_setsockopt (sub, ZMQ_CURVE_SERVERKEY, server_key, KEY_Z85_LEN);
    zmq_setsockopt (sub, ZMQ_CURVE_PUBLICKEY, key.public_key, KEY_Z85_LEN);
    zmq_setsockopt (sub, ZMQ_CURVE_SECRETKEY, key.secret_key, KEY_Z85_LEN);
    zmq_setsockopt (sub, ZMQ_LINGER, &zero, sizeof zero);
    zmq_connect (sub, feed);
    size_t big = 100000;
    uint8_t *subscription = calloc (1, big);
    subscription[0] = 1;                        /* subscribe */
    zmq_send (sub, subscription, big, 0);
    free (subscription);
    usleep (300000);
    printf ("%-44s %-22s ok\n", "a 100 kB subscription at the feed", "(sent)");
    zmq_close (sub);
}

/* ---- and escd still serves -----------------------------------------------*/

static void
still_serving (void)
{
    Esc__Request req;
    Esc__Empty empty = ESC__EMPTY__INIT;
    envelope (&req);
    req.request_id = "hostile-final-0001";
    req.op_case = ESC__REQUEST__OP_QUARTER_LIST;
    req.quarter_list = &empty;
    expect_request ("a good request after all that", &req, "OK");
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
    if (!endpoint || !feed || !server_key || !keyfile
        || keypair_load (&key, keyfile, err, sizeof err) != 0) {
        fprintf (stderr, "usage: hostile --endpoint EP --feed EP --server-key KEY --key FILE\n");
        return 2;
    }
    ctx = zmq_ctx_new ();
    frames_and_bytes ();
    envelopes ();
    fields ();
    unauthenticated ();
    still_serving ();
    zmq_ctx_term (ctx);
    printf ("%d unexpected\n", failures);
    return failures ? 1 : 0;
}
