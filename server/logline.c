/* logline.c: escd's log. See logline.h. */
#include "logline.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#define SD_JOURNAL_SUPPRESS_LOCATION
#include <systemd/sd-journal.h>

static bool journal;            /* stderr is the journal's stream */

void
logline_init (void)
{
    /* JOURNAL_STREAM is "DEVICE:INODE" of the stream systemd connected */
    const char *stream = getenv ("JOURNAL_STREAM");
    struct stat st;
    unsigned long long dev, ino;
    journal = stream && sscanf (stream, "%llu:%llu", &dev, &ino) == 2
              && fstat (STDERR_FILENO, &st) == 0 && (unsigned long long) st.st_dev == dev
              && (unsigned long long) st.st_ino == ino;
}

static const char *const names[] = { "error", "warning", "info" };
static const int priorities[] = { 3, 4, 6 };        /* syslog's err, warning, info */

/* The time as 2026-12-02T07:50:00.123Z into BUF (32 bytes). */
static const char *
now_text (char *buf)
{
    struct timespec ts;
    struct tm tm;
    clock_gettime (CLOCK_REALTIME, &ts);
    gmtime_r (&ts.tv_sec, &tm);
    size_t n = strftime (buf, 32, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf (buf + n, 32 - n, ".%03ldZ", ts.tv_nsec / 1000000);
    return buf;
}

/* Writes MESSAGE as one line to stderr, whole. */
static void
put_line (logline_level_t level, const char *message)
{
    char when[32], line[1200];
    int n = snprintf (line, sizeof line, "%s %s escd: %s\n", now_text (when), names[level],
                      message);
    if (n >= (int) sizeof line) {
        n = (int) sizeof line - 1;
        line[n - 1] = '\n';
    }
    fwrite (line, 1, (size_t) n, stderr);
    fflush (stderr);
}

void
logline (logline_level_t level, const char *fmt, ...)
{
    char message[1024];
    va_list ap;
    va_start (ap, fmt);
    vsnprintf (message, sizeof message, fmt, ap);
    va_end (ap);
    /* one line: the database's messages come in several */
    size_t n = strlen (message);
    while (n > 0 && (message[n - 1] == '\n' || message[n - 1] == ' '))
        message[--n] = '\0';
    for (char *c = message; *c; c++)
        if (*c == '\n' || *c == '\r' || *c == '\t')
            *c = ' ';
    /* a journal that cannot be reached: the line goes to stderr still */
    if (!journal || sd_journal_send ("MESSAGE=%s", message, "PRIORITY=%d", priorities[level],
                                     "SYSLOG_IDENTIFIER=escd", NULL) < 0)
        put_line (level, message);
}

void
logline_request (const logline_request_t *r)
{
    char message[512];
    snprintf (message, sizeof message, "%s %s %s%s%s request=%s%s%s %.1fms", r->user, r->op,
              r->outcome, r->reason && r->reason[0] ? " " : "", r->reason ? r->reason : "",
              r->request_id ? r->request_id : "-", r->retried ? " (retry)" : "",
              r->dropped ? " (reply dropped: client gone or not reading)" : "", r->ms);
    if (!journal
        || sd_journal_send ("MESSAGE=%s", message, "PRIORITY=%d", priorities[LOGLINE_INFO],
                            "SYSLOG_IDENTIFIER=escd", "ESC_USER=%s", r->user, "ESC_OP=%s", r->op,
                            "ESC_OUTCOME=%s", r->outcome,
                            "ESC_REASON=%s", r->reason ? r->reason : "",
                            "ESC_REQUEST_ID=%s", r->request_id ? r->request_id : "",
                            "ESC_DURATION_MS=%.1f", r->ms, NULL) < 0)
        put_line (LOGLINE_INFO, message);
}
