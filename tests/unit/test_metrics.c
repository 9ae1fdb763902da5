/* test_metrics.c: escd's metrics as Prometheus reads them (the text
 * exposition format 0.0.4: escaping, numbers, cumulative histograms with
 * +Inf, _sum and _count, a family's HELP and TYPE once before its
 * samples), and the HTTP requests the metrics endpoint answers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http.h"
#include "metrics.h"

/* Whether TEXT holds LINE as a whole line. */
static bool
has_line (const char *text, const char *line)
{
    size_t n = strlen (line);
    for (const char *p = text; (p = strstr (p, line)); p++)
        if ((p == text || p[-1] == '\n') && p[n] == '\n')
            return true;
    return false;
}

static void
test_escaping (void **state)
{
    (void) state;
    metrics_text_t t = { 0 };
    metrics_write_family (&t, "x_total", "counter", "a \\ b\nc \"quoted\"");
    metrics_label_t labels[] = { { "op", "a\\b\"c\nd" }, { "outcome", "OK" } };
    metrics_write_sample (&t, "x_total", labels, 2, 3);
    /* HELP escapes \ and line feed, not "; a label value all three */
    assert_string_equal (t.text,
                         "# HELP x_total a \\\\ b\\nc \"quoted\"\n"
                         "# TYPE x_total counter\n"
                         "x_total{op=\"a\\\\b\\\"c\\nd\",outcome=\"OK\"} 3\n");
    metrics_text_release (&t);
    assert_null (t.text);
}

static void
test_numbers (void **state)
{
    (void) state;
    metrics_text_t t = { 0 };
    metrics_write_sample (&t, "a", NULL, 0, 0);
    metrics_write_sample (&t, "b", NULL, 0, 0.1);
    metrics_write_sample (&t, "c", NULL, 0, INFINITY);
    metrics_write_sample (&t, "d", NULL, 0, -INFINITY);
    metrics_write_sample (&t, "e", NULL, 0, NAN);
    metrics_write_sample (&t, "f", NULL, 0, 1714567890.25);
    metrics_write_sample (&t, "g", NULL, 0, 9007199254740993.0 * 4);
    metrics_write_sample (&t, "h", NULL, 0, -42);
    assert_string_equal (t.text, "a 0\nb 0.1\nc +Inf\nd -Inf\ne NaN\nf 1714567890.25\n"
                                 "g 36028797018963968\nh -42\n");
    metrics_text_release (&t);
}

static void
test_histogram (void **state)
{
    (void) state;
    static const double bounds[] = { 1, 2.5, 5 };
    metrics_histogram_t h;
    metrics_histogram_init (&h, bounds, 3);
    double seen[] = { 0.5, 1, 2, 7, 7.5 };
    for (size_t i = 0; i < 5; i++)
        metrics_histogram_observe (&h, seen[i]);
    metrics_text_t t = { 0 };
    metrics_label_t op = { "op", "file" };
    metrics_write_histogram (&t, "d_seconds", &op, 1, &h);
    /* cumulative: a bucket counts everything at or below its bound, and
     * +Inf everything, as many as _count */
    assert_string_equal (t.text,
                         "d_seconds_bucket{op=\"file\",le=\"1\"} 2\n"
                         "d_seconds_bucket{op=\"file\",le=\"2.5\"} 3\n"
                         "d_seconds_bucket{op=\"file\",le=\"5\"} 3\n"
                         "d_seconds_bucket{op=\"file\",le=\"+Inf\"} 5\n"
                         "d_seconds_sum{op=\"file\"} 18\n"
                         "d_seconds_count{op=\"file\"} 5\n");
    metrics_text_release (&t);
    /* without labels, le alone */
    metrics_histogram_init (&h, bounds, 1);
    metrics_histogram_observe (&h, 3);
    metrics_write_histogram (&t, "n", NULL, 0, &h);
    assert_string_equal (t.text, "n_bucket{le=\"1\"} 0\nn_bucket{le=\"+Inf\"} 1\nn_sum 3\n"
                                 "n_count 1\n");
    metrics_text_release (&t);
}

/* Every sample line in TEXT belongs to the family its last TYPE line
 * named (the name, or the name with _bucket, _sum or _count for a
 * histogram), and no family is named twice. */
static void
assert_well_formed (const char *text)
{
    char family[128] = "", type[32] = "", seen[4096] = " ";
    for (const char *line = text; *line;) {
        const char *nl = strchr (line, '\n');
        assert_non_null (nl);
        int n = (int) (nl - line);
        char name[128];
        if (strncmp (line, "# TYPE ", 7) == 0) {
            assert_int_equal (sscanf (line + 7, "%127s %31s", family, type), 2);
            char key[140];
            snprintf (key, sizeof key, " %s ", family);
            assert_null (strstr (seen, key));
            strncat (seen, key + 1, sizeof seen - strlen (seen) - 1);
        }
        else if (line[0] != '#') {
            assert_int_equal (sscanf (line, "%127[^{ ]", name), 1);
            size_t f = strlen (family);
            assert_int_equal (strncmp (name, family, f), 0);
            const char *rest = name + f;
            if (strcmp (type, "histogram") == 0)
                assert_true (strcmp (rest, "_bucket") == 0 || strcmp (rest, "_sum") == 0
                             || strcmp (rest, "_count") == 0);
            else
                assert_string_equal (rest, "");
        }
        (void) n;
        line = nl + 1;
    }
}

static void
test_render (void **state)
{
    (void) state;
    metrics_t *m = metrics_new (1714567890.5);
    for (int i = 0; i < 3; i++)
        metrics_request (m, OP_FILE, ESC_OK, 0.002, false, false);
    metrics_request (m, OP_FILE, ESC_FAILED_PRECONDITION, 0.2, false, true);
    metrics_request (m, OP_COUNT, ESC_INVALID_ARGUMENT, 0, false, false);
    metrics_request (m, OP_SHOW, (esc_status_t) 42, 9, true, false);
    metrics_batch (m, 3);
    metrics_batch (m, 0);       /* no batch */
    metrics_commit (m, 2);
    assert_int_equal (metrics_requests (m), 6);
    metrics_state_t st = *metrics_state (m);
    assert_int_equal (st.request_log_bytes, -1);   /* not known yet */
    st.feed_head = 17;
    st.feed_subscribers = 2;
    st.database_up = true;
    st.database_reconnects = 1;
    st.resident_bytes = 4096 * 1000;
    metrics_set_state (m, &st);

    metrics_text_t t = { 0 };
    metrics_render (m, &t);
    const char *x = t.text;
    assert_well_formed (x);
    assert_true (has_line (x, "# TYPE escd_requests_total counter"));
    assert_true (has_line (x, "escd_requests_total{op=\"file\",outcome=\"OK\"} 3"));
    assert_true (has_line (x, "escd_requests_total{op=\"file\",outcome=\"FAILED_PRECONDITION\"} 1"));
    assert_true (has_line (x, "escd_requests_total{op=\"unknown\",outcome=\"INVALID_ARGUMENT\"} 1"));
    assert_true (has_line (x, "escd_requests_total{op=\"show\",outcome=\"UNKNOWN\"} 1"));
    /* a series appears once it is non-zero */
    assert_null (strstr (x, "op=\"spend\""));
    assert_true (has_line (x, "# TYPE escd_request_duration_seconds histogram"));
    assert_true (has_line (x, "escd_request_duration_seconds_bucket{op=\"file\",le=\"0.001\"} 0"));
    assert_true (has_line (x, "escd_request_duration_seconds_bucket{op=\"file\",le=\"0.0025\"} 3"));
    assert_true (has_line (x, "escd_request_duration_seconds_bucket{op=\"file\",le=\"+Inf\"} 4"));
    assert_true (has_line (x, "escd_request_duration_seconds_count{op=\"file\"} 4"));
    assert_true (has_line (x, "escd_request_duration_seconds_bucket{op=\"show\",le=\"5\"} 0"));
    assert_true (has_line (x, "escd_request_duration_seconds_bucket{op=\"show\",le=\"+Inf\"} 1"));
    assert_true (has_line (x, "escd_requests_retried_total 1"));
    assert_true (has_line (x, "escd_replies_dropped_total 1"));
    assert_true (has_line (x, "escd_batch_requests_bucket{le=\"2\"} 0"));
    assert_true (has_line (x, "escd_batch_requests_bucket{le=\"4\"} 1"));
    assert_true (has_line (x, "escd_batch_requests_count 1"));
    assert_true (has_line (x, "escd_commit_writes_sum 2"));
    assert_true (has_line (x, "escd_feed_head_seq 17"));
    assert_true (has_line (x, "escd_feed_subscribers 2"));
    assert_true (has_line (x, "escd_database_up 1"));
    assert_true (has_line (x, "escd_read_lease 0"));
    assert_true (has_line (x, "escd_database_reconnects_total 1"));
    assert_true (has_line (x, "process_resident_memory_bytes 4096000"));
    assert_true (has_line (x, "process_start_time_seconds 1714567890.5"));
    /* unknown: the family, no sample */
    assert_true (has_line (x, "# TYPE escd_request_log_bytes gauge"));
    assert_null (strstr (x, "\nescd_request_log_bytes "));
    assert_true (has_line (x, "# HELP escd_database_up 1 while escd's connection to the "
                              "database is up, else 0"));
    metrics_text_release (&t);
    metrics_destroy (&m);
    assert_null (m);
    metrics_destroy (&m);       /* twice: a no-op */
}

/* ---- HTTP ----------------------------------------------------------------- */

/* The answer to TEXT, as http_parse gives it; *USED the bytes taken. */
static http_request_t
parse (const char *text, size_t *used)
{
    http_request_t r = { .status = -1 };
    *used = http_parse (text, strlen (text), "/metrics", &r);
    return r;
}

#define ASSERT_ANSWER(text, want_status, want_keep)             \
    do {                                                        \
        size_t used_;                                           \
        http_request_t r_ = parse (text, &used_);               \
        assert_int_equal (used_, strlen (text));                \
        assert_int_equal (r_.status, want_status);              \
        assert_int_equal (r_.keep_alive, want_keep);            \
    } while (0)

static void
test_http_requests (void **state)
{
    (void) state;
    ASSERT_ANSWER ("GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n", 200, true);
    ASSERT_ANSWER ("GET /metrics?x=1 HTTP/1.1\r\nHost: x\r\nAccept: */*\r\n\r\n", 200, true);
    ASSERT_ANSWER ("GET http://x:9770/metrics HTTP/1.1\r\nHost: x\r\n\r\n", 200, true);
    ASSERT_ANSWER ("\r\nGET /metrics HTTP/1.1\nhost:x\n\n", 200, true);
    ASSERT_ANSWER ("GET /metrics HTTP/1.1\r\nHost: x\r\nConnection: Close\r\n\r\n", 200, false);
    ASSERT_ANSWER ("GET /metrics HTTP/1.1\r\nHost: x\r\nConnection: te, close\r\n\r\n", 200, false);
    /* HTTP/1.0 closes unless asked to keep alive, and needs no Host */
    ASSERT_ANSWER ("GET /metrics HTTP/1.0\r\n\r\n", 200, false);
    ASSERT_ANSWER ("GET /metrics HTTP/1.0\r\nConnection: keep-alive\r\n\r\n", 200, true);
    size_t used;
    http_request_t r = parse ("HEAD /metrics HTTP/1.1\r\nHost: x\r\n\r\n", &used);
    assert_int_equal (r.status, 200);
    assert_true (r.head);
    /* another path, another method */
    ASSERT_ANSWER ("GET / HTTP/1.1\r\nHost: x\r\n\r\n", 404, true);
    ASSERT_ANSWER ("GET /metrics/ HTTP/1.1\r\nHost: x\r\n\r\n", 404, true);
    ASSERT_ANSWER ("GET /metricsx HTTP/1.1\r\nHost: x\r\n\r\n", 404, true);
    ASSERT_ANSWER ("DELETE /metrics HTTP/1.1\r\nHost: x\r\n\r\n", 405, true);
    ASSERT_ANSWER ("get /metrics HTTP/1.1\r\nHost: x\r\n\r\n", 405, true);
    /* a body is never read: refused, and the connection not kept */
    ASSERT_ANSWER ("POST /metrics HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\n", 405, false);
    ASSERT_ANSWER ("GET /metrics HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\n", 400, false);
    ASSERT_ANSWER ("GET /metrics HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n", 400,
                   false);
    ASSERT_ANSWER ("GET /metrics HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n", 200, true);
    ASSERT_ANSWER ("GET /metrics HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n", 400, false);
    /* versions */
    ASSERT_ANSWER ("GET /metrics HTTP/2.0\r\n\r\n", 505, false);
    ASSERT_ANSWER ("GET /metrics HTTP/1.1x\r\n\r\n", 400, false);
    ASSERT_ANSWER ("GET /metrics\r\n\r\n", 400, false);
    /* malformed: no Host in 1.1, two of them, a fold, a space before the
     * colon, a control character, junk */
    ASSERT_ANSWER ("GET /metrics HTTP/1.1\r\n\r\n", 400, false);
    ASSERT_ANSWER ("GET /metrics HTTP/1.1\r\nHost: x\r\nHost: y\r\n\r\n", 400, false);
    ASSERT_ANSWER ("GET /metrics HTTP/1.1\r\nHost: x\r\nX-A: 1\r\n  2\r\n\r\n", 400, false);
    ASSERT_ANSWER ("GET /metrics HTTP/1.1\r\nHost : x\r\n\r\n", 400, false);
    ASSERT_ANSWER ("GET /metrics HTTP/1.1\r\nHost: x\x01y\r\n\r\n", 400, false);
    ASSERT_ANSWER ("GET  /metrics HTTP/1.1\r\nHost: x\r\n\r\n", 400, false);
    ASSERT_ANSWER ("\x16\x03\x01\x02\x01\x01\xfc\x03\x03\r\n\r\n", 400, false);
    ASSERT_ANSWER ("GET /met\x7frics HTTP/1.1\r\nHost: x\r\n\r\n", 400, false);
    /* bytes with a NUL in them: the request line ends there */
    r = (http_request_t) { 0 };
    used = http_parse ("GET\0/metrics HTTP/1.1\r\nHost: x\r\n\r\n", 34, "/metrics", &r);
    assert_int_equal (used, 34);
    assert_int_equal (r.status, 400);
}

static void
test_http_incomplete_and_pipelined (void **state)
{
    (void) state;
    size_t used;
    parse ("", &used);
    assert_int_equal (used, 0);
    parse ("GET /metrics HTTP/1.1\r\nHost: x\r\n", &used);
    assert_int_equal (used, 0);
    parse ("GET /metrics HTTP/1.1\r\nHost: x\r\n\r", &used);
    assert_int_equal (used, 0);
    parse ("\r\n\r\n\r\n", &used);
    assert_int_equal (used, 0);
    /* two in a row: the first is taken alone */
    const char *two = "GET / HTTP/1.1\r\nHost: x\r\n\r\nGET /metrics HTTP/1.1\r\nHost: x\r\n\r\n";
    http_request_t r = parse (two, &used);
    assert_int_equal (r.status, 404);
    assert_int_equal (used, strlen ("GET / HTTP/1.1\r\nHost: x\r\n\r\n"));
    r = parse (two + used, &used);
    assert_int_equal (r.status, 200);
}

int
main (void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test (test_escaping),
        cmocka_unit_test (test_numbers),
        cmocka_unit_test (test_histogram),
        cmocka_unit_test (test_render),
        cmocka_unit_test (test_http_requests),
        cmocka_unit_test (test_http_incomplete_and_pipelined),
    };
    return cmocka_run_group_tests (tests, NULL, NULL);
}
