/* logline.c: escd's log. See logline.h. */
#include "logline.h"

#include <stdarg.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

static const char *const names[] = { "error", "warning", "info", "debug" };
static const int priorities[] = { 3, 4, 6, 7 };     /* syslog's err, warning, info, debug */

static atomic_int threshold = LOGLINE_INFO;

/* The journal: a datagram socket, and where it listens (-1: stderr). */
static int journal_fd = -1;
static struct sockaddr_un journal_addr;

void
logline_init (void)
{
    /* JOURNAL_STREAM is "DEVICE:INODE" of the stream systemd connected */
    const char *stream = getenv ("JOURNAL_STREAM");
    struct stat st;
    unsigned long long dev, ino;
    if (stream && sscanf (stream, "%llu:%llu", &dev, &ino) == 2
        && fstat (STDERR_FILENO, &st) == 0 && (unsigned long long) st.st_dev == dev
        && (unsigned long long) st.st_ino == ino)
        logline_journal (LOGLINE_JOURNAL_SOCKET);
}

int
logline_journal (const char *path)
{
    if (journal_fd >= 0)
        close (journal_fd);
    journal_fd = -1;
    if (!path)
        return 0;
    if (strlen (path) >= sizeof journal_addr.sun_path)
        return -1;
    memset (&journal_addr, 0, sizeof journal_addr);
    journal_addr.sun_family = AF_UNIX;
    memcpy (journal_addr.sun_path, path, strlen (path) + 1);
    journal_fd = socket (AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    return journal_fd >= 0 ? 0 : -1;
}

void
logline_set_level (logline_level_t level)
{
    atomic_store (&threshold, (int) level);
}

bool
logline_enabled (logline_level_t level)
{
    return (int) level <= atomic_load (&threshold);
}

const char *
logline_level_name (logline_level_t level)
{
    return names[level];
}

int
logline_level_parse (const char *name, logline_level_t *level)
{
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (strcmp (name, names[i]) == 0) {
            *level = (logline_level_t) i;
            return 0;
        }
    return -1;
}

/* ==== The journal's native protocol ======================================= */

/* An entry: fields, each "KEY=value\n", or, for a value that holds a
 * newline, "KEY\n", its length as 64 bits little-endian, the value and
 * "\n" (systemd's "Native Journal Protocol"). */
typedef struct {
    char data[4096];
    size_t len;
    bool full;                  /* a field did not fit: the entry is not sent */
} entry_t;

static void
put (entry_t *e, const void *bytes, size_t n)
{
    if (e->full || n > sizeof e->data - e->len) {
        e->full = true;
        return;
    }
    memcpy (e->data + e->len, bytes, n);
    e->len += n;
}

static void
field (entry_t *e, const char *key, const char *value)
{
    size_t n = strlen (value);
    put (e, key, strlen (key));
    if (!memchr (value, '\n', n)) {
        put (e, "=", 1);
        put (e, value, n);
    }
    else {
        uint8_t size[8];
        for (int i = 0; i < 8; i++)
            size[i] = (uint8_t) ((uint64_t) n >> (8 * i));
        put (e, "\n", 1);
        put (e, size, sizeof size);
        put (e, value, n);
    }
    put (e, "\n", 1);
}

/* The fields every entry has. */
static void
entry_begin (entry_t *e, logline_level_t level, const char *message)
{
    char priority[4];
    e->len = 0;
    e->full = false;
    snprintf (priority, sizeof priority, "%d", priorities[level]);
    field (e, "MESSAGE", message);
    field (e, "PRIORITY", priority);
    field (e, "SYSLOG_IDENTIFIER", "escd");
}

/* Sends E to the journal. False when there is none, or it did not take E. */
static bool
entry_send (const entry_t *e)
{
    return journal_fd >= 0 && !e->full
        && sendto (journal_fd, e->data, e->len, MSG_NOSIGNAL,
                   (const struct sockaddr *) &journal_addr, sizeof journal_addr)
           == (ssize_t) e->len;
}

/* ==== Lines on stderr ====================================================== */

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

/* ==== Logging ============================================================== */

void
logline (logline_level_t level, const char *fmt, ...)
{
    if (!logline_enabled (level))
        return;
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
    entry_t e;
    entry_begin (&e, level, message);
    /* a journal that cannot be reached: the line goes to stderr still */
    if (!entry_send (&e))
        put_line (level, message);
}

void
logline_request (const logline_request_t *r)
{
    if (!logline_enabled (LOGLINE_INFO))
        return;
    char message[512], ms[32];
    bool refused = r->reason && r->reason[0];
    snprintf (message, sizeof message, "%s %s %s%s%s request=%s%s%s%s %.1fms", r->user, r->op,
              r->outcome, refused ? " " : "", refused ? r->reason : "",
              r->request_id ? r->request_id : "-", r->retried ? " (retry)" : "",
              r->remembered ? " (from memory)" : "",
              r->dropped ? " (reply dropped: client gone or not reading)" : "", r->ms);
    snprintf (ms, sizeof ms, "%.1f", r->ms);
    entry_t e;
    entry_begin (&e, LOGLINE_INFO, message);
    field (&e, "ESC_USER", r->user);
    field (&e, "ESC_OP", r->op);
    field (&e, "ESC_OUTCOME", r->outcome);
    if (refused)
        field (&e, "ESC_REASON", r->reason);
    if (r->request_id)
        field (&e, "ESC_REQUEST_ID", r->request_id);
    field (&e, "ESC_DURATION_MS", ms);
    if (!entry_send (&e))
        put_line (LOGLINE_INFO, message);
}
