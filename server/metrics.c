/* metrics.c: escd's counters and their Prometheus text. See metrics.h. */
#include "metrics.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "version.h"

/* ==== The exposition format ============================================== */

static void
reserve (metrics_text_t *t, size_t more)
{
    if (t->len + more + 1 <= t->cap)
        return;
    size_t cap = t->cap ? t->cap : 4096;
    while (t->len + more + 1 > cap)
        cap *= 2;
    t->text = realloc (t->text, cap);
    if (!t->text)
        abort ();
    t->cap = cap;
}

static void
put (metrics_text_t *t, const char *s, size_t n)
{
    reserve (t, n);
    memcpy (t->text + t->len, s, n);
    t->len += n;
    t->text[t->len] = '\0';
}

static void
puts_ (metrics_text_t *t, const char *s)
{
    put (t, s, strlen (s));
}

static void __attribute__ ((format (printf, 2, 3)))
printf_ (metrics_text_t *t, const char *fmt, ...)
{
    char buf[128];
    va_list ap;
    va_start (ap, fmt);
    int n = vsnprintf (buf, sizeof buf, fmt, ap);
    va_end (ap);
    put (t, buf, n < 0 ? 0 : (size_t) n < sizeof buf ? (size_t) n : sizeof buf - 1);
}

void
metrics_text_release (metrics_text_t *t)
{
    free (t->text);
    *t = (metrics_text_t) { 0 };
}

/* S with \ and line feeds escaped, and with " too when QUOTE (a label
 * value; HELP text leaves " alone). */
static void
escaped (metrics_text_t *t, const char *s, bool quote)
{
    for (; *s; s++) {
        if (*s == '\\')
            puts_ (t, "\\\\");
        else if (*s == '\n')
            puts_ (t, "\\n");
        else if (*s == '"' && quote)
            puts_ (t, "\\\"");
        else
            put (t, s, 1);
    }
}

/* V as the format reads it back: Go's ParseFloat, so +Inf, -Inf, NaN. */
static void
number (metrics_text_t *t, double v)
{
    if (isnan (v))
        puts_ (t, "NaN");
    else if (isinf (v))
        puts_ (t, v > 0 ? "+Inf" : "-Inf");
    else if (v == floor (v) && fabs (v) < 9007199254740992.0)     /* 2^53 */
        printf_ (t, "%.0f", v);
    else {
        char buf[32];
        snprintf (buf, sizeof buf, "%.15g", v);
        if (strtod (buf, NULL) != v)
            snprintf (buf, sizeof buf, "%.17g", v);
        puts_ (t, buf);
    }
}

void
metrics_write_family (metrics_text_t *t, const char *name, const char *type, const char *help)
{
    printf_ (t, "# HELP %s ", name);
    escaped (t, help, false);
    printf_ (t, "\n# TYPE %s %s\n", name, type);
}

/* NAME{LABELS,LE} with LE (a bucket's bound) when not NULL. */
static void
series (metrics_text_t *t, const char *name, const char *suffix, const metrics_label_t *labels,
        size_t n_labels, const double *le)
{
    puts_ (t, name);
    puts_ (t, suffix);
    if (!n_labels && !le)
        return;
    put (t, "{", 1);
    for (size_t i = 0; i < n_labels; i++) {
        printf_ (t, "%s%s=\"", i ? "," : "", labels[i].name);
        escaped (t, labels[i].value ? labels[i].value : "", true);
        put (t, "\"", 1);
    }
    if (le) {
        puts_ (t, n_labels ? ",le=\"" : "le=\"");
        number (t, *le);
        put (t, "\"", 1);
    }
    put (t, "}", 1);
}

void
metrics_write_sample (metrics_text_t *t, const char *name, const metrics_label_t *labels,
                      size_t n_labels, double value)
{
    series (t, name, "", labels, n_labels, NULL);
    put (t, " ", 1);
    number (t, value);
    put (t, "\n", 1);
}

void
metrics_write_histogram (metrics_text_t *t, const char *name, const metrics_label_t *labels,
                         size_t n_labels, const metrics_histogram_t *h)
{
    uint64_t below = 0;
    for (size_t i = 0; i <= h->n_bounds; i++) {
        const double inf = INFINITY, *le = i < h->n_bounds ? &h->bounds[i] : &inf;
        below += h->counts[i];
        series (t, name, "_bucket", labels, n_labels, le);
        printf_ (t, " %llu\n", (unsigned long long) below);
    }
    series (t, name, "_sum", labels, n_labels, NULL);
    put (t, " ", 1);
    number (t, h->sum);
    put (t, "\n", 1);
    series (t, name, "_count", labels, n_labels, NULL);
    printf_ (t, " %llu\n", (unsigned long long) h->count);
}

void
metrics_histogram_init (metrics_histogram_t *h, const double *bounds, size_t n_bounds)
{
    memset (h, 0, sizeof *h);
    h->bounds = bounds;
    h->n_bounds = n_bounds < METRICS_BUCKETS_MAX ? n_bounds : METRICS_BUCKETS_MAX;
}

void
metrics_histogram_observe (metrics_histogram_t *h, double value)
{
    size_t i = 0;
    while (i < h->n_bounds && value > h->bounds[i])
        i++;
    h->counts[i]++;
    h->count++;
    h->sum += value;
}

/* ==== escd's metrics ===================================================== */

/* From half a millisecond (a show on a warm cache) to past the 5 s a
 * client waits. */
static const double latency_bounds[] = {
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5,
};
/* Up to --batch's ceiling, 256. */
static const double batch_bounds[] = { 1, 2, 4, 8, 16, 32, 64, 128, 256 };

#define N_OPS (OP_COUNT + 1)        /* the last: a request that did not decode */
#define N_OUTCOMES 18               /* the statuses' values 0 to 16, then any other */

struct metrics {
    double start_time;
    uint64_t requests[N_OPS][N_OUTCOMES];
    metrics_histogram_t latency[N_OPS];
    uint64_t total, retried, dropped;
    metrics_histogram_t batch, commit;
    metrics_state_t state;
};

/* The slot of STATUS among the outcomes: its value, or the last for a
 * value the wire does not define. */
static size_t
outcome_slot (esc_status_t status)
{
    unsigned v = (unsigned) status;
    return v < N_OUTCOMES - 1 && strcmp (esc_status_name ((int) v), "UNKNOWN") != 0
        ? v : N_OUTCOMES - 1;
}

metrics_t *
metrics_new (double start_time)
{
    metrics_t *self = calloc (1, sizeof *self);
    if (!self)
        abort ();
    self->start_time = start_time;
    for (size_t i = 0; i < N_OPS; i++)
        metrics_histogram_init (&self->latency[i], latency_bounds,
                                sizeof latency_bounds / sizeof latency_bounds[0]);
    metrics_histogram_init (&self->batch, batch_bounds, sizeof batch_bounds / sizeof *batch_bounds);
    metrics_histogram_init (&self->commit, batch_bounds, sizeof batch_bounds / sizeof *batch_bounds);
    self->state = (metrics_state_t) {
        .feed_head = -1, .feed_subscribers = -1, .database_reconnects = -1,
        .request_log_bytes = -1, .connections = -1, .metrics_connections = -1,
        .memory_in_use = -1, .resident_bytes = -1, .virtual_bytes = -1,
    };
    return self;
}

void
metrics_destroy (metrics_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    free (*self_p);
    *self_p = NULL;
}

void
metrics_request (metrics_t *self, op_t op, esc_status_t status, double seconds, bool retried,
                 bool dropped)
{
    size_t o = (unsigned) op < OP_COUNT ? (size_t) op : OP_COUNT;
    self->requests[o][outcome_slot (status)]++;
    metrics_histogram_observe (&self->latency[o], seconds > 0 ? seconds : 0);
    self->total++;
    self->retried += retried;
    self->dropped += dropped;
}

void
metrics_batch (metrics_t *self, int requests)
{
    if (requests > 0)
        metrics_histogram_observe (&self->batch, requests);
}

void
metrics_commit (metrics_t *self, int writes)
{
    if (writes > 0)
        metrics_histogram_observe (&self->commit, writes);
}

void
metrics_set_state (metrics_t *self, const metrics_state_t *state)
{
    self->state = *state;
}

const metrics_state_t *
metrics_state (const metrics_t *self)
{
    return &self->state;
}

uint64_t
metrics_requests (const metrics_t *self)
{
    return self->total;
}

/* One family of one unlabelled sample; none when VALUE < 0 (not known). */
static void
single (metrics_text_t *t, const char *name, const char *type, const char *help, double value)
{
    metrics_write_family (t, name, type, help);
    if (value >= 0)
        metrics_write_sample (t, name, NULL, 0, value);
}

void
metrics_render (const metrics_t *self, metrics_text_t *t)
{
    const metrics_state_t *s = &self->state;
    metrics_label_t version = { "version", ESC_VERSION };
    metrics_write_family (t, "escd_build_info", "gauge", "escd's version, as the label version");
    metrics_write_sample (t, "escd_build_info", &version, 1, 1);
    single (t, "process_start_time_seconds", "gauge",
            "When escd started, in seconds since the epoch", self->start_time);
    single (t, "process_resident_memory_bytes", "gauge", "escd's resident set, in bytes",
            (double) s->resident_bytes);
    single (t, "process_virtual_memory_bytes", "gauge", "escd's virtual memory, in bytes",
            (double) s->virtual_bytes);
    single (t, "escd_memory_in_use_bytes", "gauge",
            "Memory escd has in use as --max-memory counts it, in bytes",
            (double) s->memory_in_use);

    metrics_write_family (t, "escd_requests_total", "counter",
                          "Requests answered, by operation and outcome (a status name)");
    for (size_t o = 0; o < N_OPS; o++)
        for (size_t k = 0; k < N_OUTCOMES; k++) {
            if (!self->requests[o][k])
                continue;
            metrics_label_t labels[] = {
                { "op", op_name ((op_t) o) },
                { "outcome", k < N_OUTCOMES - 1 ? esc_status_name ((int) k) : "UNKNOWN" },
            };
            metrics_write_sample (t, "escd_requests_total", labels, 2,
                                  (double) self->requests[o][k]);
        }
    metrics_write_family (t, "escd_request_duration_seconds", "histogram",
                          "Seconds from a request's arrival to its reply, by operation");
    for (size_t o = 0; o < N_OPS; o++)
        if (self->latency[o].count) {
            metrics_label_t op = { "op", op_name ((op_t) o) };
            metrics_write_histogram (t, "escd_request_duration_seconds", &op, 1,
                                     &self->latency[o]);
        }
    single (t, "escd_requests_retried_total", "counter",
            "Requests answered from the request log (a retry of a write already applied)",
            (double) self->retried);
    single (t, "escd_replies_dropped_total", "counter",
            "Replies escd could not send (the client had gone, or stopped reading)",
            (double) self->dropped);
    metrics_write_family (t, "escd_batch_requests", "histogram",
                          "Requests taken and served together in one batch");
    metrics_write_histogram (t, "escd_batch_requests", NULL, 0, &self->batch);
    metrics_write_family (t, "escd_commit_writes", "histogram",
                          "Writes applied by one commit (group commit)");
    metrics_write_histogram (t, "escd_commit_writes", NULL, 0, &self->commit);

    single (t, "escd_feed_head_seq", "gauge", "The seq of the last event the feed published",
            (double) s->feed_head);
    single (t, "escd_feed_subscribers", "gauge", "Subscribers connected to the feed",
            (double) s->feed_subscribers);
    single (t, "escd_database_up", "gauge",
            "1 while escd's connection to the database is up, else 0", s->database_up ? 1 : 0);
    single (t, "escd_read_lease", "gauge",
            "1 while escd holds the read lease (answers reads it remembers with no head check "
            "each; other writers wait for it), else 0", s->read_lease ? 1 : 0);
    single (t, "escd_database_reconnects_total", "counter",
            "Times escd connected to the database again after losing it",
            (double) s->database_reconnects);
    single (t, "escd_request_log_bytes", "gauge",
            "The request log's size in the database, in bytes (measured twice a minute)",
            (double) s->request_log_bytes);
    single (t, "escd_connections", "gauge",
            "TCP connections to the request and feed endpoints", (double) s->connections);
    single (t, "escd_metrics_connections", "gauge",
            "HTTP connections to the metrics endpoint", (double) s->metrics_connections);
}
