/* test_client.c: esc's parsing of its command line and its settings. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "args.h"
#include "config.h"
#include "watch.h"

static const opt_spec_t specs[] = {
    { "hours", ARG_INT, "N", "" },
    { "viable", ARG_YESNO, "yes|no", "" },
    { "displaces", ARG_LIST, "RID,...", "" },
    { "note", ARG_TEXT, "T", "" },
    { "mine", ARG_FLAG, NULL, "" },
    { NULL, 0, NULL, NULL },
};

static int
parse (args_t *a, arena_t *m, char *err, int n, ...)
{
    char *argv[16];
    va_list ap;
    va_start (ap, n);
    for (int i = 0; i < n; i++)
        argv[i] = va_arg (ap, char *);
    va_end (ap);
    return args_parse (a, m, specs, 1, 1, n, argv, err, 256);
}

static void
test_args_good (void **state)
{
    (void) state;
    arena_t *m = arena_new ();
    args_t a;
    char err[256];
    assert_int_equal (parse (&a, m, err, 9, "7", "--hours", "40", "--viable=yes",
                             "--displaces", "3,4", "--displaces", "5", "--mine"), 0);
    assert_string_equal (a.operands[0], "7");
    int64_t hours;
    bool viable;
    assert_true (args_int (&a, "hours", &hours));
    assert_int_equal (hours, 40);
    assert_true (args_yesno (&a, "viable", &viable));
    assert_true (viable);
    size_t n;
    char **items = args_list (&a, m, "displaces", &n);
    assert_int_equal (n, 3);
    assert_string_equal (items[0], "3");
    assert_string_equal (items[2], "5");
    assert_true (args_flag (&a, "mine"));
    assert_null (args_text (&a, "note"));
    assert_int_equal (parse (&a, m, err, 3, "--note", "--", "7"), 0);   /* a value may look odd */
    assert_string_equal (args_text (&a, "note"), "--");
    arena_destroy (&m);
}

static void
test_args_bad (void **state)
{
    (void) state;
    arena_t *m = arena_new ();
    args_t a;
    char err[256];
    assert_int_equal (parse (&a, m, err, 3, "7", "--hours", "forty"), -1);
    assert_non_null (strstr (err, "--hours"));
    assert_int_equal (parse (&a, m, err, 3, "7", "--viable", "maybe"), -1);
    assert_non_null (strstr (err, "yes or no"));
    assert_int_equal (parse (&a, m, err, 2, "7", "--colour"), -1);
    assert_non_null (strstr (err, "unknown option '--colour'"));
    assert_int_equal (parse (&a, m, err, 2, "7", "--hours"), -1);
    assert_non_null (strstr (err, "needs a value"));
    assert_int_equal (parse (&a, m, err, 2, "7", "8"), -1);
    assert_non_null (strstr (err, "unexpected argument '8'"));
    assert_int_equal (parse (&a, m, err, 1, "--mine"), -1);
    assert_non_null (strstr (err, "missing argument"));
    assert_int_equal (parse (&a, m, err, 5, "7", "--hours", "1", "--hours", "2"), -1);
    assert_non_null (strstr (err, "twice"));
    assert_int_equal (parse (&a, m, err, 2, "7", "--mine=yes"), -1);
    assert_int_equal (parse (&a, m, err, 3, "7", "--hours", "99999999999999999999"), -1);
    arena_destroy (&m);
}

static void
test_config (void **state)
{
    (void) state;
    char dir[] = "/tmp/esc-home-XXXXXX", path[64], err[256];
    assert_non_null (mkdtemp (dir));
    snprintf (path, sizeof path, "%s/config", dir);
    FILE *f = fopen (path, "w");
    fputs ("# esc settings\nendpoint = tcp://10.0.0.1:7770\n"
           "server-key = ab#cd\n\nuser = alice\ntimeout = 2.5\n", f);
    fclose (f);
    setenv ("ESC_HOME", dir, 1);
    unsetenv ("ESC_ENDPOINT");
    unsetenv ("ESC_USER");
    unsetenv ("ESC_SERVER_KEY");
    unsetenv ("ESC_TIMEOUT");
    config_t c;
    assert_int_equal (config_load (&c, err, sizeof err), 0);
    assert_string_equal (c.endpoint, "tcp://10.0.0.1:7770");
    assert_string_equal (c.server_key, "ab#cd");   /* '#' inside a value is not a comment */
    assert_string_equal (c.user, "alice");
    assert_int_equal (c.timeout_ms, 2500);
    assert_string_equal (c.feed, DEFAULT_FEED);

    setenv ("ESC_ENDPOINT", "tcp://127.0.0.1:9", 1);
    setenv ("ESC_USER", "bob", 1);
    assert_int_equal (config_load (&c, err, sizeof err), 0);
    assert_string_equal (c.endpoint, "tcp://127.0.0.1:9");
    assert_string_equal (c.user, "bob");
    char key[1200];
    config_key_path (&c, "bob", key, sizeof key);
    assert_non_null (strstr (key, "/keys/bob.key"));

    setenv ("ESC_TIMEOUT", "soon", 1);
    assert_int_equal (config_load (&c, err, sizeof err), -1);
    assert_non_null (strstr (err, "ESC_TIMEOUT"));
    unsetenv ("ESC_TIMEOUT");

    f = fopen (path, "w");
    fputs ("colour = blue\n", f);
    fclose (f);
    assert_int_equal (config_load (&c, err, sizeof err), -1);
    assert_non_null (strstr (err, "config:1"));
    unlink (path);
    assert_int_equal (config_load (&c, err, sizeof err), 0);   /* no file: defaults */
    assert_string_equal (c.endpoint, "tcp://127.0.0.1:9");
    rmdir (dir);
    unsetenv ("ESC_ENDPOINT");
    unsetenv ("ESC_USER");
}

static void
test_timeout (void **state)
{
    (void) state;
    int ms;
    assert_int_equal (config_parse_timeout ("5", &ms), 0);
    assert_int_equal (ms, 5000);
    assert_int_equal (config_parse_timeout ("0.2", &ms), 0);
    assert_int_equal (ms, 200);
    assert_int_equal (config_parse_timeout ("0", &ms), -1);
    assert_int_equal (config_parse_timeout ("-1", &ms), -1);
    assert_int_equal (config_parse_timeout ("1e9", &ms), -1);
    assert_int_equal (config_parse_timeout ("nan", &ms), -1);
    assert_int_equal (config_parse_timeout ("", &ms), -1);
}

/* The watcher's sequencing: next, duplicate or gap. */
static void
test_watch_step (void **state)
{
    (void) state;
    assert_int_equal (watch_step (0, 1), WATCH_NEXT);
    assert_int_equal (watch_step (41, 42), WATCH_NEXT);
    assert_int_equal (watch_step (42, 42), WATCH_DUPLICATE);
    assert_int_equal (watch_step (42, 7), WATCH_DUPLICATE);
    assert_int_equal (watch_step (42, 44), WATCH_GAP);
    assert_int_equal (watch_step (0, 1000), WATCH_GAP);
}

static void
test_watch_filter (void **state)
{
    (void) state;
    Esc__Event e = ESC__EVENT__INIT;
    e.type = "escalation.approved";
    e.quarter = "2026Q4";
    e.account = "Acme";
    watch_filter_t any = { 0 };
    assert_true (watch_filter_match (&any, &e));
    watch_filter_t f = { .quarter = "2026Q4", .type = "escalation.approved", .account = "Acme" };
    assert_true (watch_filter_match (&f, &e));
    f.type = "escalation.*";
    assert_true (watch_filter_match (&f, &e));
    f.type = "escalation.";
    assert_true (watch_filter_match (&f, &e));
    f.type = "escalation";
    assert_false (watch_filter_match (&f, &e));
    f.type = "quarter.*";
    assert_false (watch_filter_match (&f, &e));
    f.type = NULL;
    f.quarter = "2027Q1";
    assert_false (watch_filter_match (&f, &e));
    f.quarter = NULL;
    f.account = "Globex";
    assert_false (watch_filter_match (&f, &e));
    /* an event without an account never matches an account filter */
    e.account = NULL;
    f.account = "Acme";
    assert_false (watch_filter_match (&f, &e));
    watch_filter_t star = { .type = "*" };
    assert_true (watch_filter_match (&star, &e));
}

int
main (void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test (test_args_good),
        cmocka_unit_test (test_args_bad),
        cmocka_unit_test (test_config),
        cmocka_unit_test (test_timeout),
        cmocka_unit_test (test_watch_step),
        cmocka_unit_test (test_watch_filter),
    };
    return cmocka_run_group_tests (tests, NULL, NULL);
}
