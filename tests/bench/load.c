/* load.c: many clients of escd at once, for the write benchmark.
 *
 *   load --endpoint EP --server-key KEY --keys DIR --users N
 *        --op file|mix|show|list|quarter [--clients C] [--window W] [--seconds S]
 *        [--quarter Q] [--account A] [--title T] [--needed-by D] [--ids FIRST:LAST]
 *        [--acked FILE] [--copies K]
 *
 * C clients in this one process, each a DEALER of its own speaking the
 * real protocol over CURVE as user bench<i> (i from 1 to N, taken in turn;
 * keys in DIR/bench<i>.key), each keeping W requests in flight for S
 * seconds (after a second of warm-up): filings (for account A, titled T,
 * needed by D when given, even empty), a mix of sizings and spends (nine
 * in ten re-size an escalation of FIRST..LAST, one spends a token on one:
 * mostly refused, the token being spent), shows of an escalation of FIRST..LAST, the first page of quarter
 * Q's list (esc list's default), or quarter Q itself (esc quarter show).
 * Prints "name value" lines: requests, ok, refused, failed (no answer
 * within 10 s), per_s, p50_ms, p99_ms. With --acked FILE, appends the
 * request id of every acknowledged write to FILE (for the check that each
 * was applied once). --copies K sends every request K times in a row, the
 * same bytes under the same id (retries before the answer came, most often
 * into the same batch): the answers to the copies after the first are
 * counted apart, copies_ok and copies_refused, and each write must still
 * be applied once. Not a test by itself. */
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zmq.h>

#include "esc.pb-c.h"
#include "keys.h"
#include "proc.h"
#include "wire.h"

#define MAX_CLIENTS 256
#define MAX_WINDOW 64

typedef struct {
    const char *endpoint, *server_key, *keys, *op, *quarter, *account, *title, *needed_by;
    const char *acked;
    int users, clients, window;
    int copies;
    double seconds;
    int64_t first_id, last_id;
} config_t;

typedef struct {
    void *socket;
    keypair_t key;
    char sent_id[MAX_WINDOW][48];   /* request ids in flight */
    double sent_at[MAX_WINDOW];
    bool sent_write[MAX_WINDOW];
    int in_flight;
    long next;                      /* this client's request counter */
} client_t;

static long copies_ok, copies_refused;    /* answers to a request's later copies */

/* What the load looks at in a reply: its request id and its status. */
typedef struct {
    bool valid;                 /* a Reply (as protobuf) */
    char id[48];                /* "" if none, or too long to be the load's */
    uint64_t status;
} reply_t;

/* Reads a varint at *P (before END) into *V. */
static bool
varint (const uint8_t **p, const uint8_t *end, uint64_t *v)
{
    *v = 0;
    for (int shift = 0; *p < end && shift < 64; shift += 7) {
        uint8_t b = *(*p)++;
        *v |= (uint64_t) (b & 0x7f) << shift;
        if (!(b & 0x80))
            return true;
    }
    return false;
}

/* The request id (field 1) and status (field 2) of the Reply in DATA,
 * the other fields skipped over, not decoded: the load's own work stays
 * small beside escd's, as pgbench's does beside PostgreSQL's. */
static reply_t
scan_reply (const uint8_t *data, size_t len)
{
    reply_t r = { .status = ESC__STATUS__OK };
    const uint8_t *p = data, *end = data + len;
    uint64_t tag, v;
    while (p < end) {
        if (!varint (&p, end, &tag))
            return (reply_t) { 0 };
        switch (tag & 7) {
        case 0:
            if (!varint (&p, end, &v))
                return (reply_t) { 0 };
            if (tag >> 3 == 2)
                r.status = v;
            break;
        case 1: case 5:
            if ((size_t) (end - p) < ((tag & 7) == 1 ? 8u : 4u))
                return (reply_t) { 0 };
            p += (tag & 7) == 1 ? 8 : 4;
            break;
        case 2:
            if (!varint (&p, end, &v) || v > (uint64_t) (end - p))
                return (reply_t) { 0 };
            if (tag >> 3 == 1 && v < sizeof r.id)
                memcpy (r.id, p, v), r.id[v] = '\0';
            p += v;
            break;
        default:
            return (reply_t) { 0 };
        }
    }
    r.valid = true;
    return r;
}

/* The next reply waiting on SOCKET, without waiting: false when none is. */
static bool
receive (void *socket, reply_t *out)
{
    zmq_msg_t part;
    bool more = true, got = false;
    *out = (reply_t) { 0 };
    while (more) {
        zmq_msg_init (&part);
        if (zmq_msg_recv (&part, socket, got ? 0 : ZMQ_DONTWAIT) < 0) {
            zmq_msg_close (&part);
            return got;
        }
        got = true;
        more = zmq_msg_more (&part);
        if (!more)
            *out = scan_reply (zmq_msg_data (&part), zmq_msg_size (&part));
        zmq_msg_close (&part);
    }
    return got;
}

/* Counts reply R, which answered no request in flight: the second copy's. */
static void
second_answer (const reply_t *r)
{
    if (r->valid && r->status == ESC__STATUS__OK)
        copies_ok++;
    else if (r->valid)
        copies_refused++;
}

static void
die (const char *what)
{
    fprintf (stderr, "load: %s\n", what);
    exit (2);
}

static int
compare (const void *a, const void *b)
{
    double x = *(const double *) a, y = *(const double *) b;
    return x < y ? -1 : x > y;
}

/* Packs client C's next request into BUF (malloc'd); its id into ID. */
static uint8_t *
next_request (const config_t *cfg, client_t *c, int index, char *id, size_t idlen, size_t *len,
              bool *write)
{
    snprintf (id, idlen, "load-%d-%d-%ld", (int) getpid (), index, c->next++);
    Esc__Request req = ESC__REQUEST__INIT;
    req.request_id = id;
    req.has_version = true;
    req.version = ESC_PROTOCOL_VERSION;
    Esc__File f = ESC__FILE__INIT;
    Esc__Size sz = ESC__SIZE__INIT;
    Esc__Spend sp = ESC__SPEND__INIT;
    Esc__EscalationRef ref = ESC__ESCALATION_REF__INIT;
    Esc__ListFilter list = ESC__LIST_FILTER__INIT;
    Esc__QuarterRef quarter = ESC__QUARTER_REF__INIT;
    int64_t span = cfg->last_id - cfg->first_id + 1;
    int64_t target = cfg->first_id + (span > 0 ? (int64_t) (rand () % span) : 0);
    *write = true;
    if (strcmp (cfg->op, "file") == 0) {
        f.quarter = (char *) cfg->quarter;
        f.account = (char *) cfg->account;
        f.title = (char *) cfg->title;
        f.needed_by = (char *) cfg->needed_by;
        f.problem = "the customer cannot do what they need to";
        req.op_case = ESC__REQUEST__OP_FILE;
        req.file = &f;
    }
    else if (strcmp (cfg->op, "mix") == 0 && rand () % 10 != 0) {
        sz.has_id = sz.has_hours = sz.has_viable = true;
        sz.id = target;
        sz.hours = 1 + rand () % 60;
        sz.viable = true;
        req.op_case = ESC__REQUEST__OP_SIZE;
        req.size = &sz;
    }
    else if (strcmp (cfg->op, "mix") == 0) {
        sp.has_id = true;
        sp.id = target;
        req.op_case = ESC__REQUEST__OP_SPEND;
        req.spend = &sp;
    }
    else if (strcmp (cfg->op, "list") == 0) {
        list.quarter = (char *) cfg->quarter;
        req.op_case = ESC__REQUEST__OP_LIST;
        req.list = &list;
        *write = false;
    }
    else if (strcmp (cfg->op, "quarter") == 0) {
        quarter.quarter = (char *) cfg->quarter;
        req.op_case = ESC__REQUEST__OP_QUARTER_SHOW;
        req.quarter_show = &quarter;
        *write = false;
    }
    else {
        ref.has_id = true;
        ref.id = target;
        req.op_case = ESC__REQUEST__OP_SHOW;
        req.show = &ref;
        *write = false;
    }
    *len = esc__request__get_packed_size (&req);
    uint8_t *buf = malloc (*len + 1);
    if (!buf)
        abort ();
    esc__request__pack (&req, buf);
    return buf;
}

static void
send_next (const config_t *cfg, client_t *c, int index)
{
    int slot = c->in_flight++;
    size_t len;
    uint8_t *buf = next_request (cfg, c, index, c->sent_id[slot], sizeof c->sent_id[slot], &len,
                                 &c->sent_write[slot]);
    c->sent_at[slot] = proc_now_ms ();
    for (int copy = 0; copy < cfg->copies; copy++) {
        zmq_send (c->socket, "", 0, ZMQ_SNDMORE);
        zmq_send (c->socket, buf, len, 0);
    }
    free (buf);
}

int
main (int argc, char **argv)
{
    config_t cfg = { .op = "file", .clients = 1, .window = 1, .seconds = 5, .users = 1,
                     .account = "Acme", .title = "a filing of the load", .copies = 1 };
    static const struct option opts[] = {
        { "endpoint", required_argument, NULL, 'e' }, { "server-key", required_argument, NULL, 's' },
        { "keys", required_argument, NULL, 'k' }, { "users", required_argument, NULL, 'u' },
        { "op", required_argument, NULL, 'o' }, { "clients", required_argument, NULL, 'c' },
        { "window", required_argument, NULL, 'w' }, { "seconds", required_argument, NULL, 't' },
        { "quarter", required_argument, NULL, 'q' }, { "account", required_argument, NULL, 'a' },
        { "ids", required_argument, NULL, 'i' }, { "acked", required_argument, NULL, 'A' },
        { "copies", required_argument, NULL, '2' }, { "title", required_argument, NULL, 'T' },
        { "needed-by", required_argument, NULL, 'N' },
        { NULL, 0, NULL, 0 },
    };
    for (int o; (o = getopt_long (argc, argv, "", opts, NULL)) != -1;) {
        switch (o) {
        case 'e': cfg.endpoint = optarg; break;
        case 's': cfg.server_key = optarg; break;
        case 'k': cfg.keys = optarg; break;
        case 'u': cfg.users = atoi (optarg); break;
        case 'o': cfg.op = optarg; break;
        case 'c': cfg.clients = atoi (optarg); break;
        case 'w': cfg.window = atoi (optarg); break;
        case 't': cfg.seconds = atof (optarg); break;
        case 'q': cfg.quarter = optarg; break;
        case 'a': cfg.account = optarg; break;
        case 'T': cfg.title = optarg; break;
        case 'N': cfg.needed_by = optarg; break;
        case 'i':
            if (sscanf (optarg, "%lld:%lld", (long long *) &cfg.first_id,
                        (long long *) &cfg.last_id) != 2)
                die ("--ids takes FIRST:LAST");
            break;
        case 'A': cfg.acked = optarg; break;
        case '2': cfg.copies = atoi (optarg); break;
        default: return 2;
        }
    }
    if (!cfg.endpoint || !cfg.server_key || !cfg.keys || cfg.users < 1 || cfg.clients < 1
        || cfg.clients > MAX_CLIENTS || cfg.window < 1 || cfg.window > MAX_WINDOW
        || cfg.copies < 1 || cfg.copies > 4)
        die ("usage: see the comment at the top of tests/bench/load.c");
    FILE *acked = cfg.acked ? fopen (cfg.acked, "a") : NULL;
    void *ctx = zmq_ctx_new ();
    zmq_ctx_set (ctx, ZMQ_IO_THREADS, 2);
    client_t *clients = calloc ((size_t) cfg.clients, sizeof *clients);
    zmq_pollitem_t *items = calloc ((size_t) cfg.clients, sizeof *items);
    for (int i = 0; i < cfg.clients; i++) {
        char path[1100], err[1300];
        snprintf (path, sizeof path, "%s/bench%d.key", cfg.keys, 1 + i % cfg.users);
        if (keypair_load (&clients[i].key, path, err, sizeof err) != 0)
            die (err);
        void *s = zmq_socket (ctx, ZMQ_DEALER);
        int zero = 0;
        if (zmq_setsockopt (s, ZMQ_CURVE_SERVERKEY, cfg.server_key, KEY_Z85_LEN)
            || zmq_setsockopt (s, ZMQ_CURVE_PUBLICKEY, clients[i].key.public_key, KEY_Z85_LEN)
            || zmq_setsockopt (s, ZMQ_CURVE_SECRETKEY, clients[i].key.secret_key, KEY_Z85_LEN)
            || zmq_setsockopt (s, ZMQ_LINGER, &zero, sizeof zero) || zmq_connect (s, cfg.endpoint))
            die (zmq_strerror (errno));
        clients[i].socket = s;
        items[i] = (zmq_pollitem_t) { s, 0, ZMQ_POLLIN, 0 };
    }
    srand ((unsigned) getpid ());
    for (int i = 0; i < cfg.clients; i++)
        for (int w = 0; w < cfg.window; w++)
            send_next (&cfg, &clients[i], i);

    size_t cap = 1 << 16, n_lat = 0;
    double *lat = malloc (cap * sizeof *lat);
    long ok = 0, refused = 0, failed = 0;
    double start = proc_now_ms (), measure_from = start + 1000,
           end = measure_from + cfg.seconds * 1000;
    while (proc_now_ms () < end) {
        if (zmq_poll (items, cfg.clients, 100) < 0 && errno != EINTR)
            die ("poll");
        double now = proc_now_ms ();
        for (int i = 0; i < cfg.clients; i++) {
            client_t *c = &clients[i];
            reply_t r;
            while ((items[i].revents & ZMQ_POLLIN) && receive (c->socket, &r)) {
                int slot = -1;
                for (int k = 0; r.id[0] && k < c->in_flight; k++)
                    if (strcmp (c->sent_id[k], r.id) == 0)
                        slot = k;
                if (slot >= 0) {
                    if (now >= measure_from) {
                        if (n_lat == cap)
                            lat = realloc (lat, (cap *= 2) * sizeof *lat);
                        lat[n_lat++] = now - c->sent_at[slot];
                        if (r.status == ESC__STATUS__OK)
                            ok++;
                        else
                            refused++;
                    }
                    if (acked && r.status == ESC__STATUS__OK && c->sent_write[slot])
                        fprintf (acked, "%s\n", c->sent_id[slot]);
                    /* the slot goes to the last in flight */
                    c->in_flight--;
                    memcpy (c->sent_id[slot], c->sent_id[c->in_flight], sizeof c->sent_id[slot]);
                    c->sent_at[slot] = c->sent_at[c->in_flight];
                    c->sent_write[slot] = c->sent_write[c->in_flight];
                    send_next (&cfg, c, i);
                }
                else
                    second_answer (&r);
            }
            /* a request unanswered for 10 s: counted failed, its slot reused */
            for (int k = 0; k < c->in_flight; k++)
                if (now - c->sent_at[k] > 10000) {
                    failed++;
                    c->in_flight--;
                    memcpy (c->sent_id[k], c->sent_id[c->in_flight], sizeof c->sent_id[k]);
                    c->sent_at[k] = c->sent_at[c->in_flight];
                    c->sent_write[k] = c->sent_write[c->in_flight];
                    send_next (&cfg, c, i);
                }
        }
    }
    /* what is still in flight is waited for (up to 10 s), not measured,
     * so that every acknowledged write is written down */
    double drain_end = proc_now_ms () + 10000;
    for (bool any = true; any && proc_now_ms () < drain_end;) {
        any = false;
        for (int i = 0; i < cfg.clients; i++) {
            client_t *c = &clients[i];
            if (!c->in_flight)
                continue;
            any = true;
            reply_t r;
            if (zmq_poll (&items[i], 1, 10) <= 0 || !receive (c->socket, &r))
                continue;
            bool matched = false;
            for (int k = 0; r.id[0] && k < c->in_flight && !matched; k++)
                if (strcmp (c->sent_id[k], r.id) == 0) {
                    if (acked && r.status == ESC__STATUS__OK && c->sent_write[k])
                        fprintf (acked, "%s\n", c->sent_id[k]);
                    c->in_flight--;
                    memcpy (c->sent_id[k], c->sent_id[c->in_flight], sizeof c->sent_id[k]);
                    c->sent_write[k] = c->sent_write[c->in_flight];
                    matched = true;
                }
            if (!matched)
                second_answer (&r);
        }
    }
    qsort (lat, n_lat, sizeof *lat, compare);
    double secs = cfg.seconds;
    printf ("requests %zu\nok %ld\nrefused %ld\nfailed %ld\nper_s %.1f\n", n_lat, ok, refused,
            failed, (double) n_lat / secs);
    printf ("p50_ms %.2f\np99_ms %.2f\n", n_lat ? lat[n_lat / 2] : 0,
            n_lat ? lat[(size_t) ((double) (n_lat - 1) * 0.99)] : 0);
    printf ("copies_ok %ld\ncopies_refused %ld\n", copies_ok, copies_refused);
    if (acked)
        fclose (acked);
    for (int i = 0; i < cfg.clients; i++)
        zmq_close (clients[i].socket);
    free (clients);
    free (items);
    free (lat);
    zmq_ctx_term (ctx);
    return 0;
}
