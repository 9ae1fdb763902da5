/* metrics.h: what escd counts about itself, and the Prometheus text that
 * says it.
 *
 * The loop counts as it goes: each answered request (its operation, its
 * outcome and how long it took), each batch and each commit, each reply it
 * could not send. The counters are plain fields: the loop is their only
 * thread (the reader's answers are finished on the loop too), so nothing
 * is locked. What is a state rather than a count (the feed's head and
 * subscribers, the database connection, the size of the request log,
 * memory) the loop sets as a snapshot (metrics_state_t) before anyone
 * reads it. metrics_render writes it all in the text exposition format
 * 0.0.4, which Prometheus scrapes from escd run --metrics (http.h).
 *
 * Cardinality is bounded: the operations and the outcomes are fixed sets,
 * and a labelled series appears once it is non-zero (at most one per
 * operation and outcome). */
#ifndef ESC_METRICS_H
#define ESC_METRICS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "status.h"
#include "workflow.h"

typedef struct metrics metrics_t;

/* ==== The exposition format ============================================== */

/* A growing text; NUL-terminated. Running out of memory aborts. */
typedef struct {
    char *text;
    size_t len, cap;
} metrics_text_t;

void metrics_text_release (metrics_text_t *t);

/* One label of a sample: its value is escaped as the format asks (\\, \"
 * and \n). */
typedef struct {
    const char *name, *value;
} metrics_label_t;

#define METRICS_BUCKETS_MAX 16

/* A histogram with fixed bucket bounds: COUNTS[i] observations fell in
 * bucket i alone (at most BOUNDS[i], above the bound before); the last,
 * COUNTS[N_BOUNDS], above every bound. The text says them cumulatively. */
typedef struct {
    const double *bounds;       /* upper bounds, ascending, static */
    size_t n_bounds;            /* at most METRICS_BUCKETS_MAX */
    uint64_t counts[METRICS_BUCKETS_MAX + 1];
    uint64_t count;
    double sum;
} metrics_histogram_t;

void metrics_histogram_init (metrics_histogram_t *h, const double *bounds, size_t n_bounds);
void metrics_histogram_observe (metrics_histogram_t *h, double value);

/* "# HELP NAME HELP" (escaped: \\ and \n) and "# TYPE NAME TYPE". */
void metrics_write_family (metrics_text_t *t, const char *name, const char *type,
                           const char *help);
/* "NAME{LABELS} VALUE": a whole number as one, else the shortest text that
 * reads back as VALUE; +Inf, -Inf and NaN as the format spells them. */
void metrics_write_sample (metrics_text_t *t, const char *name, const metrics_label_t *labels,
                           size_t n_labels, double value);
/* H's samples under NAME and LABELS: NAME_bucket{LABELS,le="B"} for each
 * bound and le="+Inf", counting cumulatively, then NAME_sum and
 * NAME_count. */
void metrics_write_histogram (metrics_text_t *t, const char *name, const metrics_label_t *labels,
                              size_t n_labels, const metrics_histogram_t *h);

/* ==== escd's metrics ===================================================== */

/* What is a state rather than a count; -1 where not known (yet). */
typedef struct {
    int64_t feed_head;          /* the last seq the feed published */
    int64_t feed_subscribers;
    bool database_up;           /* the loop's connection */
    bool read_lease;            /* held on it (endpoint.c) */
    int64_t database_reconnects;
    int64_t request_log_bytes;  /* the table with its indexes and TOAST */
    int64_t connections;        /* TCP connections to the request and feed endpoints */
    int64_t metrics_connections;
    int64_t memory_in_use;      /* as the guard measures it */
    int64_t resident_bytes;
    int64_t virtual_bytes;
} metrics_state_t;

/* A registry for an escd that started at START_TIME (seconds since the
 * epoch), every count zero. */
metrics_t *metrics_new (double start_time);
void metrics_destroy (metrics_t **self_p);

/* One answered request: its operation (OP_COUNT when it did not decode),
 * its outcome, SECONDS from its arrival to its reply, whether it was
 * answered from the request log (a retry), whether the reply could not be
 * sent. */
void metrics_request (metrics_t *self, op_t op, esc_status_t status, double seconds,
                      bool retried, bool dropped);
/* One batch of REQUESTS taken off the socket and served. */
void metrics_batch (metrics_t *self, int requests);
/* One commit of WRITES requests' changes. */
void metrics_commit (metrics_t *self, int writes);
/* The states, as they are now. */
void metrics_set_state (metrics_t *self, const metrics_state_t *state);
const metrics_state_t *metrics_state (const metrics_t *self);

/* Requests answered since the start, whatever their outcome. */
uint64_t metrics_requests (const metrics_t *self);

/* Every metric, in the text exposition format 0.0.4, into T (appended). */
void metrics_render (const metrics_t *self, metrics_text_t *t);

#endif
