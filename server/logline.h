/* logline.h: escd's log, one line an event.
 *
 * On a terminal or into a file each line is
 *     2026-12-02T07:50:00.123Z info escd: alice file OK request=r-17 1.2ms
 * (an ISO 8601 time in UTC, a level, then what happened). Under systemd,
 * when stderr is the journal's stream (JOURNAL_STREAM), each line goes to
 * the journal instead with its priority and, for a request, the fields
 * ESC_USER, ESC_OP, ESC_OUTCOME, ESC_REASON, ESC_REQUEST_ID and
 * ESC_DURATION_MS, so that journalctl can select by them. Any thread may
 * log: a line is written whole. */
#ifndef ESC_LOGLINE_H
#define ESC_LOGLINE_H

#include <stdbool.h>

typedef enum { LOGLINE_ERROR, LOGLINE_WARNING, LOGLINE_INFO } logline_level_t;

/* Looks once whether stderr is the journal. */
void logline_init (void);

/* One line at LEVEL. */
void logline (logline_level_t level, const char *fmt, ...) __attribute__ ((format (printf, 2, 3)));

/* One answered request. REQUEST_ID may be NULL (it did not decode). */
typedef struct {
    const char *user, *op, *outcome, *reason, *request_id;
    bool retried, dropped;
    double ms;
} logline_request_t;
void logline_request (const logline_request_t *r);

#endif
