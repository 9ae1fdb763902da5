/* test_config.c: esc's settings: where they live, what each accepts and
 * says when it is wrong, and writing one. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"

static void
test_checks (void **state)
{
    (void) state;
    char why[300];
    assert_int_equal (config_check ("endpoint", "tcp://127.0.0.1:7770", why, sizeof why), 0);
    assert_int_equal (config_check ("endpoint", "tcp://desk.example.com:7770", why, sizeof why), 0);
    assert_int_equal (config_check ("endpoint", "ipc:///run/escd.sock", why, sizeof why), 0);
    assert_int_equal (config_check ("endpoint", "tcp://localhost", why, sizeof why), -1);
    assert_string_equal (why, "endpoint must look like tcp://HOST:PORT (or ipc://PATH), or be "
                              "several separated by commas, not 'tcp://localhost'");
    /* several escd: esc asks the next when one does not answer */
    assert_int_equal (config_check ("endpoint", "tcp://a:1,tcp://b:2,ipc:///run/c", why,
                                    sizeof why), 0);
    assert_int_equal (config_check ("endpoint", "tcp://a:1,", why, sizeof why), -1);
    assert_int_equal (config_check ("endpoint", "tcp://a:1,,tcp://b:2", why, sizeof why), -1);
    assert_int_equal (config_check ("endpoint", "tcp://a:1,b:2", why, sizeof why), -1);
    char many[700] = "tcp://a:1";
    while (strlen (many) < 600)
        strcat (many, ",tcp://a:1");
    assert_int_equal (config_check ("endpoint", many, why, sizeof why), -1);
    assert_non_null (strstr (why, "endpoint holds at most 511 characters"));
    assert_int_equal (config_check ("endpoint", "tcp://h:99999", why, sizeof why), -1);
    assert_int_equal (config_check ("endpoint", "http://h:80", why, sizeof why), -1);
    assert_int_equal (config_check ("feed", "tcp://a:1,tcp://b:2", why, sizeof why), 0);
    assert_int_equal (config_check ("feed", "tcp://a:1,", why, sizeof why), -1);
    assert_non_null (strstr (why, "separated by commas"));
    assert_int_equal (config_check ("server-key", "short", why, sizeof why), -1);
    assert_non_null (strstr (why, "40 characters of Z85"));
    assert_int_equal (config_check ("user", "Alice", why, sizeof why), -1);
    assert_int_equal (config_check ("user", "alice", why, sizeof why), 0);
    assert_int_equal (config_check ("timeout", "0.5", why, sizeof why), 0);
    assert_int_equal (config_check ("timeout", "0", why, sizeof why), -1);
    assert_int_equal (config_check ("retries", "11", why, sizeof why), -1);
    assert_int_equal (config_check ("colour", "red", why, sizeof why), -1);
    assert_non_null (strstr (why, "'colour' is not a setting"));
}

static void
test_home_and_set (void **state)
{
    (void) state;
    char dir[] = "/tmp/esc-config-XXXXXX", path[1200], err[1400], value[600];
    assert_non_null (mkdtemp (dir));
    char home[1100];
    snprintf (home, sizeof home, "%s/nested/esc", dir);
    unsetenv ("ESC_HOME");
    unsetenv ("ESC_TIMEOUT");
    setenv ("XDG_CONFIG_HOME", dir, 1);
    config_t c;
    assert_int_equal (config_load (&c, err, sizeof err), 0);
    snprintf (path, sizeof path, "%s/esc", dir);
    assert_string_equal (c.home, path);                 /* XDG's */
    setenv ("ESC_HOME", home, 1);
    assert_int_equal (config_load (&c, err, sizeof err), 0);
    assert_string_equal (c.home, home);                 /* ESC_HOME before XDG */
    /* a setting written into a directory that does not exist yet */
    assert_int_equal (config_set (&c, "timeout", "2.5", err, sizeof err), 0);
    assert_int_equal (config_set (&c, "endpoint", "tcp://h:1", err, sizeof err), 0);
    assert_int_equal (config_set (&c, "timeout", "3", err, sizeof err), 0);  /* replaced */
    assert_int_equal (config_set (&c, "timeout", "-1", err, sizeof err), -1);
    assert_int_equal (config_load (&c, err, sizeof err), 0);
    assert_string_equal (config_value (&c, "timeout", value, sizeof value), "3");
    assert_string_equal (config_value (&c, "endpoint", value, sizeof value), "tcp://h:1");
    assert_string_equal (c.source[0], "file");
    setenv ("ESC_TIMEOUT", "4", 1);                     /* the environment wins */
    assert_int_equal (config_load (&c, err, sizeof err), 0);
    assert_string_equal (config_value (&c, "timeout", value, sizeof value), "4");
    assert_string_equal (c.source[4], "ESC_TIMEOUT");
    setenv ("ESC_TIMEOUT", "soon", 1);                  /* and says what is valid */
    assert_int_equal (config_load (&c, err, sizeof err), -1);
    assert_non_null (strstr (err, "ESC_TIMEOUT: timeout must be seconds"));
    unsetenv ("ESC_TIMEOUT");
    /* the file's other lines stay */
    FILE *f = fopen (config_file (&c, path, sizeof path), "r");
    assert_non_null (f);
    char text[400] = "";
    size_t n = fread (text, 1, sizeof text - 1, f);
    text[n] = '\0';
    fclose (f);
    assert_string_equal (text, "timeout = 3\nendpoint = tcp://h:1\n");
    char cmd[1300];
    snprintf (cmd, sizeof cmd, "rm -rf '%s'", dir);
    assert_int_equal (system (cmd), 0);
}

int
main (void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test (test_checks),
        cmocka_unit_test (test_home_and_set),
    };
    return cmocka_run_group_tests (tests, NULL, NULL);
}
