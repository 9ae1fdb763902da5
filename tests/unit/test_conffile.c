/* test_conffile.c: settings files of "key = value" lines: what a good
 * file gives, and what each kind of bad line is told, by file and line. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <sys/stat.h>
#include <unistd.h>

#include "conffile.h"

static const char *const keys[] = { "bind", "write-rate", "db", "log-level" };
#define N_KEYS (sizeof keys / sizeof keys[0])

/* What the taker was given, in order; it refuses the value "bad". */
typedef struct {
    char seen[8][128];
    int n;
} taken_t;

static int
take (void *arg, size_t key, const char *value, char *why, size_t len)
{
    taken_t *t = arg;
    if (strcmp (value, "bad") == 0) {
        snprintf (why, len, "%s takes anything but 'bad'", keys[key]);
        return -1;
    }
    if (t->n < 8)
        snprintf (t->seen[t->n++], sizeof t->seen[0], "%s|%s", keys[key], value);
    return 0;
}

/* Parses TEXT as the file "f.conf"; the error, if any, into ERR. */
static int
parse (const char *text, taken_t *t, char *err, size_t len)
{
    char *copy = strdup (text);
    memset (t, 0, sizeof *t);
    err[0] = '\0';
    int rc = conffile_parse ("f.conf", copy, keys, N_KEYS, take, t, err, len);
    free (copy);
    return rc;
}

static void
test_good (void **state)
{
    (void) state;
    taken_t t;
    char err[512];
    /* comments, blank lines, blanks trimmed, CRLF, no final newline; a
     * value keeps its inner blanks, its '=' and its '#' */
    assert_int_equal (parse ("# escd\n\n   # indented comment\n\tbind =  tcp://0.0.0.0:7770  \r\n"
                             "write-rate=1024\n"
                             "db = host=db1 password=a#b=c user=escd_app\n"
                             "log-level\t=\tdebug", &t, err, sizeof err), 0);
    assert_int_equal (t.n, 4);
    assert_string_equal (t.seen[0], "bind|tcp://0.0.0.0:7770");
    assert_string_equal (t.seen[1], "write-rate|1024");
    assert_string_equal (t.seen[2], "db|host=db1 password=a#b=c user=escd_app");
    assert_string_equal (t.seen[3], "log-level|debug");
    /* nothing at all, and a byte-order mark before the first key */
    assert_int_equal (parse ("", &t, err, sizeof err), 0);
    assert_int_equal (t.n, 0);
    assert_int_equal (parse ("\n\n# only comments\n", &t, err, sizeof err), 0);
    assert_int_equal (t.n, 0);
    assert_int_equal (parse ("\xef\xbb\xbf" "bind = ipc:///run/escd\n", &t, err, sizeof err), 0);
    assert_string_equal (t.seen[0], "bind|ipc:///run/escd");
}

static void
test_bad (void **state)
{
    (void) state;
    taken_t t;
    char err[512];
    /* an unknown key, with the nearest one */
    assert_int_equal (parse ("bind = a\n\nwrite_rate = 5\nlog-level = info\n", &t, err,
                             sizeof err), -1);
    assert_string_equal (err, "f.conf:3: unknown key 'write_rate'; did you mean write-rate?");
    /* the lines before the bad one were taken, none after */
    assert_int_equal (t.n, 1);
    /* an unknown key near none: every key listed */
    assert_int_equal (parse ("colour = blue\n", &t, err, sizeof err), -1);
    assert_string_equal (err, "f.conf:1: unknown key 'colour' (the keys: bind, write-rate, db, "
                              "log-level)");
    /* the taker's refusal, by line */
    assert_int_equal (parse ("# x\nwrite-rate = bad\n", &t, err, sizeof err), -1);
    assert_string_equal (err, "f.conf:2: write-rate takes anything but 'bad'");
    /* no '=' */
    assert_int_equal (parse ("bind tcp://h:1\n", &t, err, sizeof err), -1);
    assert_string_equal (err, "f.conf:1: expected KEY = VALUE, not 'bind tcp://h:1'");
    /* no key, no value */
    assert_int_equal (parse ("= 5\n", &t, err, sizeof err), -1);
    assert_string_equal (err, "f.conf:1: expected KEY = VALUE: the line has no key before '='");
    assert_int_equal (parse ("bind =   \n", &t, err, sizeof err), -1);
    assert_string_equal (err, "f.conf:1: bind has no value (to take the default, leave the key "
                              "out)");
    /* a key set twice */
    assert_int_equal (parse ("db = a\nbind = b\ndb = c\n", &t, err, sizeof err), -1);
    assert_string_equal (err, "f.conf:3: db is set on line 1 already");
    /* a comment only as a whole line: '#' after a value is part of it */
    assert_int_equal (parse ("write-rate = 5 # five\n", &t, err, sizeof err), 0);
    assert_string_equal (t.seen[0], "write-rate|5 # five");
    /* what a line said is shown printable, and cut */
    assert_int_equal (parse ("\x1b[31mred\n", &t, err, sizeof err), -1);
    assert_string_equal (err, "f.conf:1: expected KEY = VALUE, not '?[31mred'");
    char long_line[200];
    memset (long_line, 'x', sizeof long_line - 1);
    long_line[sizeof long_line - 1] = '\0';
    assert_int_equal (parse (long_line, &t, err, sizeof err), -1);
    assert_int_equal (strlen (err), strlen ("f.conf:1: expected KEY = VALUE, not ''") + 60);
    assert_non_null (strstr (err, "xxx...'"));
    /* a key that is a known one's prefix is still unknown */
    assert_int_equal (parse ("log = debug\n", &t, err, sizeof err), -1);
    assert_string_equal (err, "f.conf:1: unknown key 'log'; did you mean log-level?");
}

/* Writes LEN bytes of TEXT to a new file in DIR; its path into PATH. */
static void
write_file (const char *dir, const char *name, const char *text, size_t len, char *path,
            size_t path_len)
{
    snprintf (path, path_len, "%s/%s", dir, name);
    FILE *f = fopen (path, "w");
    assert_non_null (f);
    assert_int_equal (fwrite (text, 1, len, f), len);
    fclose (f);
}

static void
test_read (void **state)
{
    (void) state;
    char dir[] = "/tmp/esc-conffile-XXXXXX", path[128], err[512];
    assert_non_null (mkdtemp (dir));
    taken_t t = { .n = 0 };
    char *text;

    const char good[] = "bind = tcp://127.0.0.1:9\nwrite-rate = 64\n";
    write_file (dir, "good.conf", good, sizeof good - 1, path, sizeof path);
    assert_int_equal (conffile_read (path, &text, keys, N_KEYS, take, &t, err, sizeof err), 0);
    assert_non_null (text);
    assert_int_equal (t.n, 2);
    assert_string_equal (t.seen[1], "write-rate|64");
    free (text);

    /* the file is named in what is wrong with a line */
    const char bad[] = "bind = a\nwrite-rate = bad\n";
    write_file (dir, "bad.conf", bad, sizeof bad - 1, path, sizeof path);
    assert_int_equal (conffile_read (path, &text, keys, N_KEYS, take, &t, err, sizeof err), -1);
    assert_null (text);
    char want[256];
    snprintf (want, sizeof want, "%s:2: write-rate takes anything but 'bad'", path);
    assert_string_equal (err, want);

    /* a NUL byte, by line */
    const char nul[] = "bind = a\nwrite-rate = 6\0 4\n";
    write_file (dir, "nul.conf", nul, sizeof nul - 1, path, sizeof path);
    assert_int_equal (conffile_read (path, &text, keys, N_KEYS, take, &t, err, sizeof err), -1);
    snprintf (want, sizeof want, "%s:2: a NUL byte: not a text file", path);
    assert_string_equal (err, want);

    /* too large: not read at all */
    char *big = malloc (CONFFILE_MAX + 1);
    memset (big, '#', CONFFILE_MAX + 1);
    write_file (dir, "big.conf", big, CONFFILE_MAX + 1, path, sizeof path);
    free (big);
    assert_int_equal (conffile_read (path, &text, keys, N_KEYS, take, &t, err, sizeof err), -1);
    assert_non_null (strstr (err, "is larger than 65536 bytes"));

    /* missing, and a directory */
    snprintf (path, sizeof path, "%s/none.conf", dir);
    assert_int_equal (conffile_read (path, &text, keys, N_KEYS, take, &t, err, sizeof err), -1);
    snprintf (want, sizeof want, "cannot read %s: No such file or directory", path);
    assert_string_equal (err, want);
    assert_int_equal (conffile_read (dir, &text, keys, N_KEYS, take, &t, err, sizeof err), -1);
    assert_non_null (strstr (err, "Is a directory"));

    const char *names[] = { "good.conf", "bad.conf", "nul.conf", "big.conf" };
    for (size_t i = 0; i < 4; i++) {
        snprintf (path, sizeof path, "%s/%s", dir, names[i]);
        unlink (path);
    }
    rmdir (dir);
}

int
main (void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test (test_good),
        cmocka_unit_test (test_bad),
        cmocka_unit_test (test_read),
    };
    return cmocka_run_group_tests (tests, NULL, NULL);
}
