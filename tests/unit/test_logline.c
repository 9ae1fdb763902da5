/* test_logline.c: escd's log: the journal's datagrams, byte for byte, to
 * a socket standing in for the journal's; the levels; and the lines on
 * stderr when there is no journal to take them. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <fcntl.h>
#include <regex.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "logline.h"

typedef struct {
    char dir[64];
    char path[80];              /* fits a sockaddr_un's sun_path */
    int fd;                     /* the stand-in journal */
} journal_t;

static int
journal_open (void **state)
{
    journal_t *j = calloc (1, sizeof *j);
    snprintf (j->dir, sizeof j->dir, "/tmp/esc-journal-XXXXXX");
    if (!mkdtemp (j->dir))
        return -1;
    snprintf (j->path, sizeof j->path, "%s/socket", j->dir);
    struct sockaddr_un addr = { .sun_family = AF_UNIX };
    memcpy (addr.sun_path, j->path, strlen (j->path) + 1);     /* 40 bytes or so */
    j->fd = socket (AF_UNIX, SOCK_DGRAM, 0);
    if (j->fd < 0 || bind (j->fd, (struct sockaddr *) &addr, sizeof addr) != 0)
        return -1;
    *state = j;
    return logline_journal (j->path);
}

static int
journal_close (void **state)
{
    journal_t *j = *state;
    logline_journal (NULL);
    logline_set_level (LOGLINE_INFO);
    close (j->fd);
    unlink (j->path);
    rmdir (j->dir);
    free (j);
    return 0;
}

/* The next datagram into BUF; its length, or -1 when none is waiting. */
static ssize_t
next_entry (journal_t *j, char *buf, size_t len)
{
    return recv (j->fd, buf, len, MSG_DONTWAIT);
}

static void
test_entries (void **state)
{
    journal_t *j = *state;
    char buf[8192];
    /* a line: its message on one line, its priority, escd's name */
    logline (LOGLINE_WARNING, "the database is %s\n  again\n", "unavailable");
    const char line[] = "MESSAGE=the database is unavailable   again\nPRIORITY=4\n"
                        "SYSLOG_IDENTIFIER=escd\n";
    assert_int_equal (next_entry (j, buf, sizeof buf), sizeof line - 1);
    assert_memory_equal (buf, line, sizeof line - 1);

    /* a request: its fields, the reason and request id only when there */
    logline_request (&(logline_request_t) {
        .user = "alice", .op = "file", .outcome = "OK", .request_id = "r-0000017", .ms = 1.5 });
    const char ok[] = "MESSAGE=alice file OK request=r-0000017 1.5ms\nPRIORITY=6\n"
                      "SYSLOG_IDENTIFIER=escd\nESC_USER=alice\nESC_OP=file\nESC_OUTCOME=OK\n"
                      "ESC_REQUEST_ID=r-0000017\nESC_DURATION_MS=1.5\n";
    assert_int_equal (next_entry (j, buf, sizeof buf), sizeof ok - 1);
    assert_memory_equal (buf, ok, sizeof ok - 1);
    logline_request (&(logline_request_t) {
        .user = "key:abcdefgh", .op = "?", .outcome = "INVALID_ARGUMENT", .reason = "BAD_FRAMES",
        .retried = true, .dropped = true, .ms = 0.04 });
    const char refused[] = "MESSAGE=key:abcdefgh ? INVALID_ARGUMENT BAD_FRAMES request=- (retry) "
                           "(reply dropped: client gone or not reading) 0.0ms\nPRIORITY=6\n"
                           "SYSLOG_IDENTIFIER=escd\nESC_USER=key:abcdefgh\nESC_OP=?\n"
                           "ESC_OUTCOME=INVALID_ARGUMENT\nESC_REASON=BAD_FRAMES\n"
                           "ESC_DURATION_MS=0.0\n";
    assert_int_equal (next_entry (j, buf, sizeof buf), sizeof refused - 1);
    assert_memory_equal (buf, refused, sizeof refused - 1);

    /* a value with a newline: KEY, its length in 64 bits little-endian,
     * the value, a newline */
    logline_request (&(logline_request_t) {
        .user = "bob", .op = "show", .outcome = "NOT_FOUND", .reason = "NO\nSUCH", .ms = 2 });
    ssize_t n = next_entry (j, buf, sizeof buf);
    assert_true (n > 0);
    const char message[] = "bob show NOT_FOUND NO\nSUCH request=- 2.0ms";
    const char head[] = "MESSAGE\n";
    assert_memory_equal (buf, head, sizeof head - 1);
    const uint8_t *size = (const uint8_t *) buf + sizeof head - 1;
    assert_int_equal (size[0], sizeof message - 1);
    for (int i = 1; i < 8; i++)
        assert_int_equal (size[i], 0);
    assert_memory_equal (size + 8, message, sizeof message - 1);
    assert_int_equal (size[8 + sizeof message - 1], '\n');
    const char reason[] = "\nESC_REASON\n\x07\0\0\0\0\0\0\0NO\nSUCH\nESC_DURATION_MS=2.0\n";
    assert_true ((size_t) n > sizeof reason - 1);
    assert_memory_equal (buf + n - (sizeof reason - 1), reason, sizeof reason - 1);
    assert_int_equal (next_entry (j, buf, sizeof buf), -1);     /* one datagram a line */
}

static void
test_levels (void **state)
{
    journal_t *j = *state;
    char buf[8192];
    logline_level_t level;
    assert_int_equal (logline_level_parse ("warning", &level), 0);
    assert_int_equal (level, LOGLINE_WARNING);
    assert_string_equal (logline_level_name (LOGLINE_DEBUG), "debug");
    assert_int_equal (logline_level_parse ("Warning", &level), -1);
    assert_int_equal (logline_level_parse ("verbose", &level), -1);

    /* info by default: no debug */
    assert_true (logline_enabled (LOGLINE_INFO));
    assert_false (logline_enabled (LOGLINE_DEBUG));
    logline (LOGLINE_DEBUG, "a batch");
    assert_int_equal (next_entry (j, buf, sizeof buf), -1);
    /* warning: neither info lines nor requests */
    logline_set_level (LOGLINE_WARNING);
    logline (LOGLINE_INFO, "serving");
    logline_request (&(logline_request_t) { .user = "a", .op = "b", .outcome = "OK" });
    assert_int_equal (next_entry (j, buf, sizeof buf), -1);
    logline (LOGLINE_ERROR, "poll");
    const char error[] = "MESSAGE=poll\nPRIORITY=3\nSYSLOG_IDENTIFIER=escd\n";
    assert_int_equal (next_entry (j, buf, sizeof buf), sizeof error - 1);
    assert_memory_equal (buf, error, sizeof error - 1);
    /* debug: everything, at syslog's debug */
    logline_set_level (LOGLINE_DEBUG);
    logline (LOGLINE_DEBUG, "a batch");
    const char debug[] = "MESSAGE=a batch\nPRIORITY=7\nSYSLOG_IDENTIFIER=escd\n";
    assert_int_equal (next_entry (j, buf, sizeof buf), sizeof debug - 1);
    assert_memory_equal (buf, debug, sizeof debug - 1);
}

/* What logging does to stderr while stderr is the file FILE. */
static void
stderr_to (const char *file, int *saved)
{
    fflush (stderr);
    *saved = dup (STDERR_FILENO);
    int fd = open (file, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    assert_true (fd >= 0);
    dup2 (fd, STDERR_FILENO);
    close (fd);
}

static void
stderr_back (int saved)
{
    fflush (stderr);
    dup2 (saved, STDERR_FILENO);
    close (saved);
}

static void
test_stderr (void **state)
{
    journal_t *j = *state;
    char file[160], text[4096];
    snprintf (file, sizeof file, "%s/stderr", j->dir);
    int saved;
    stderr_to (file, &saved);
    /* the journal gone: its lines go to stderr */
    close (j->fd);
    unlink (j->path);
    j->fd = socket (AF_UNIX, SOCK_DGRAM, 0);
    logline (LOGLINE_WARNING, "the journal went");
    /* no journal at all */
    logline_journal (NULL);
    logline_request (&(logline_request_t) {
        .user = "alice", .op = "file", .outcome = "OK", .request_id = "r-0000017", .ms = 1.5 });
    logline (LOGLINE_DEBUG, "not at info");
    stderr_back (saved);
    FILE *f = fopen (file, "r");
    size_t n = fread (text, 1, sizeof text - 1, f);
    fclose (f);
    unlink (file);
    text[n] = '\0';
    /* each line: an ISO 8601 time in UTC to the millisecond, the level, escd */
    regex_t re;
    assert_int_equal (regcomp (&re, "^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}"
                                    "\\.[0-9]{3}Z warning escd: the journal went\n"
                                    "[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}"
                                    "\\.[0-9]{3}Z info escd: alice file OK request=r-0000017 "
                                    "1\\.5ms\n$", REG_EXTENDED), 0);
    if (regexec (&re, text, 0, NULL, 0) != 0)
        fail_msg ("stderr held:\n%s", text);
    regfree (&re);
}

int
main (void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown (test_entries, journal_open, journal_close),
        cmocka_unit_test_setup_teardown (test_levels, journal_open, journal_close),
        cmocka_unit_test_setup_teardown (test_stderr, journal_open, journal_close),
    };
    return cmocka_run_group_tests (tests, NULL, NULL);
}
