/* logline.h: escd's log, one line an event.
 *
 * On a terminal or into a file each line is
 *     2026-12-02T07:50:00.123Z info escd: alice file OK request=r-17 1.2ms
 * (an ISO 8601 time in UTC to the millisecond, a level, then what
 * happened). Under systemd, when stderr is the journal's stream (the
 * device and inode in JOURNAL_STREAM are stderr's), each line goes to the
 * journal instead, as one datagram of its native protocol: MESSAGE,
 * PRIORITY (syslog's), SYSLOG_IDENTIFIER=escd and, for a request,
 * ESC_USER, ESC_OP, ESC_OUTCOME, ESC_REASON (when refused), ESC_REQUEST_ID
 * (when it had one fit to print) and ESC_DURATION_MS, so that journalctl
 * can select by them (journalctl ESC_USER=alice). A journal that cannot
 * take an entry gets it on stderr instead. Lines below the level set
 * (info at first) are not written. Any thread may log: a line is written
 * whole. */
#ifndef ESC_LOGLINE_H
#define ESC_LOGLINE_H

#include <stdbool.h>

/* From the gravest; a level lets through those before it and itself. */
typedef enum { LOGLINE_ERROR, LOGLINE_WARNING, LOGLINE_INFO, LOGLINE_DEBUG } logline_level_t;

/* The journal's socket under systemd (systemd.journal-fields(7)). */
#define LOGLINE_JOURNAL_SOCKET "/run/systemd/journal/socket"

/* Looks once whether stderr is the journal; if so, logs to
 * LOGLINE_JOURNAL_SOCKET from then on. */
void logline_init (void);
/* Logs to the journal listening at PATH (an AF_UNIX datagram socket) from
 * now on; NULL: to stderr. Returns 0, or -1 (no socket) and stderr it is.
 * Call it before any other thread logs. */
int logline_journal (const char *path);

/* Writes the lines at LEVEL and graver from now on. */
void logline_set_level (logline_level_t level);
/* Whether a line at LEVEL would be written. */
bool logline_enabled (logline_level_t level);
/* A level's name ("warning"), and the level NAME names: 0, or -1 when it
 * names none. */
const char *logline_level_name (logline_level_t level);
int logline_level_parse (const char *name, logline_level_t *level);
/* The names, as a phrase: "error, warning, info or debug". */
#define LOGLINE_LEVEL_NAMES "error, warning, info or debug"

/* One line at LEVEL. */
void logline (logline_level_t level, const char *fmt, ...) __attribute__ ((format (printf, 2, 3)));

/* One answered request, at info. REQUEST_ID may be NULL (it did not
 * decode, or is not fit to print); REASON NULL or "" when it is OK. */
typedef struct {
    const char *user, *op, *outcome, *reason, *request_id;
    bool retried, remembered, dropped;
    double ms;
} logline_request_t;
void logline_request (const logline_request_t *r);

#endif
