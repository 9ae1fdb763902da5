/* test_notify.c: systemd's notification protocol as escd speaks it: each
 * message one datagram on $NOTIFY_SOCKET (a path or an '@' abstract name),
 * the watchdog every half of $WATCHDOG_USEC and only for the process
 * $WATCHDOG_PID names, nothing at all without $NOTIFY_SOCKET, and an error
 * for an address it cannot use. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "notify.h"

/* A datagram socket bound at NAME (a path, or '@' for an abstract name),
 * as systemd binds its own. */
static int
bind_sink (const char *name)
{
    struct sockaddr_un sa = { .sun_family = AF_UNIX };
    size_t n = strlen (name);
    assert_true (n < sizeof sa.sun_path);
    memcpy (sa.sun_path, name, n);
    if (name[0] == '@')
        sa.sun_path[0] = '\0';
    int fd = socket (AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    assert_true (fd >= 0);
    socklen_t len = (socklen_t) (offsetof (struct sockaddr_un, sun_path) + n
                                 + (name[0] == '@' ? 0 : 1));
    assert_int_equal (bind (fd, (struct sockaddr *) &sa, len), 0);
    return fd;
}

/* The next datagram on FD, into BUF; "" when none is waiting. */
static const char *
next (int fd, char *buf, size_t size)
{
    ssize_t n = recv (fd, buf, size - 1, MSG_DONTWAIT);
    if (n < 0) {
        assert_true (errno == EAGAIN || errno == EWOULDBLOCK);
        n = 0;
    }
    buf[n] = '\0';
    return buf;
}

static void
clear_env (void)
{
    unsetenv ("NOTIFY_SOCKET");
    unsetenv ("WATCHDOG_USEC");
    unsetenv ("WATCHDOG_PID");
}

static void
test_path_socket (void **state)
{
    (void) state;
    char dir[] = "/tmp/esc-notify-XXXXXX", path[200], buf[512];
    assert_non_null (mkdtemp (dir));
    snprintf (path, sizeof path, "%s/notify", dir);
    int fd = bind_sink (path);
    clear_env ();
    setenv ("NOTIFY_SOCKET", path, 1);
    notify_t *n = notify_new ();
    assert_int_equal (notify_send (n, "READY=1\nSTATUS=serving"), 0);
    assert_string_equal (next (fd, buf, sizeof buf), "READY=1\nSTATUS=serving");
    assert_int_equal (notify_send (n, "STOPPING=1"), 0);
    assert_string_equal (next (fd, buf, sizeof buf), "STOPPING=1");
    assert_string_equal (next (fd, buf, sizeof buf), "");     /* one datagram each */
    /* no watchdog without WATCHDOG_USEC */
    assert_false (notify_watchdog_enabled (n));
    assert_int_equal (notify_watchdog (n, 1000), 0);
    assert_string_equal (next (fd, buf, sizeof buf), "");
    notify_destroy (&n);
    assert_null (n);
    notify_destroy (&n);        /* twice is harmless */
    /* the socket gone: an error, with errno */
    close (fd);
    unlink (path);
    n = notify_new ();
    errno = 0;
    assert_int_equal (notify_send (n, "READY=1"), -1);
    assert_int_equal (errno, ENOENT);
    notify_destroy (&n);
    rmdir (dir);
    clear_env ();
}

static void
test_abstract_socket (void **state)
{
    (void) state;
    char name[64], buf[512];
    snprintf (name, sizeof name, "@esc-test-notify-%ld", (long) getpid ());
    int fd = bind_sink (name);
    clear_env ();
    setenv ("NOTIFY_SOCKET", name, 1);
    notify_t *n = notify_new ();
    assert_int_equal (notify_send (n, "READY=1"), 0);
    assert_string_equal (next (fd, buf, sizeof buf), "READY=1");
    notify_destroy (&n);
    /* the name is its length: a longer name is another socket */
    char other[80];
    snprintf (other, sizeof other, "%s-other", name);
    setenv ("NOTIFY_SOCKET", other, 1);
    n = notify_new ();
    assert_int_equal (notify_send (n, "READY=1"), -1);
    assert_int_equal (errno, ECONNREFUSED);
    assert_string_equal (next (fd, buf, sizeof buf), "");
    notify_destroy (&n);
    close (fd);
    clear_env ();
}

static void
test_watchdog (void **state)
{
    (void) state;
    char name[64], buf[512], pid[32];
    snprintf (name, sizeof name, "@esc-test-watchdog-%ld", (long) getpid ());
    int fd = bind_sink (name);
    clear_env ();
    setenv ("NOTIFY_SOCKET", name, 1);
    setenv ("WATCHDOG_USEC", "200000", 1);             /* 200 ms: due every 100 ms */
    snprintf (pid, sizeof pid, "%ld", (long) getpid ());
    setenv ("WATCHDOG_PID", pid, 1);
    notify_t *n = notify_new ();
    assert_true (notify_watchdog_enabled (n));
    assert_int_equal (notify_watchdog (n, 5000), 1);   /* the first at once */
    assert_string_equal (next (fd, buf, sizeof buf), "WATCHDOG=1");
    assert_int_equal (notify_watchdog (n, 5050), 0);
    assert_int_equal (notify_watchdog (n, 5099.9), 0);
    assert_string_equal (next (fd, buf, sizeof buf), "");
    assert_int_equal (notify_watchdog (n, 5100), 1);
    assert_string_equal (next (fd, buf, sizeof buf), "WATCHDOG=1");
    assert_int_equal (notify_watchdog (n, 5450), 1);   /* late: counted from now */
    assert_int_equal (notify_watchdog (n, 5500), 0);
    assert_int_equal (notify_watchdog (n, 5550), 1);
    assert_string_equal (next (fd, buf, sizeof buf), "WATCHDOG=1");
    assert_string_equal (next (fd, buf, sizeof buf), "WATCHDOG=1");
    assert_string_equal (next (fd, buf, sizeof buf), "");
    notify_destroy (&n);

    /* another process's watchdog (inherited environment): none here */
    setenv ("WATCHDOG_PID", "1", 1);
    n = notify_new ();
    assert_false (notify_watchdog_enabled (n));
    assert_int_equal (notify_watchdog (n, 5000), 0);
    notify_destroy (&n);
    /* WATCHDOG_PID unset: the watchdog is ours */
    unsetenv ("WATCHDOG_PID");
    n = notify_new ();
    assert_true (notify_watchdog_enabled (n));
    notify_destroy (&n);
    /* not a positive whole number: no watchdog */
    const char *bad[] = { "0", "", "-5", "12abc", " 12", "abc", "99999999999999999999999" };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        setenv ("WATCHDOG_USEC", bad[i], 1);
        n = notify_new ();
        assert_false (notify_watchdog_enabled (n));
        notify_destroy (&n);
    }
    /* a watchdog but nobody to tell: off */
    setenv ("WATCHDOG_USEC", "200000", 1);
    unsetenv ("NOTIFY_SOCKET");
    n = notify_new ();
    assert_false (notify_watchdog_enabled (n));
    notify_destroy (&n);
    assert_string_equal (next (fd, buf, sizeof buf), "");
    close (fd);
    clear_env ();
}

static void
test_nobody_to_tell (void **state)
{
    (void) state;
    clear_env ();
    notify_t *n = notify_new ();
    assert_int_equal (notify_send (n, "READY=1"), 0);
    notify_destroy (&n);
    setenv ("NOTIFY_SOCKET", "", 1);                   /* empty: unset */
    n = notify_new ();
    assert_int_equal (notify_send (n, "READY=1"), 0);
    notify_destroy (&n);
    clear_env ();
}

static void
test_bad_addresses (void **state)
{
    (void) state;
    struct { const char *socket; int err; } cases[] = {
        { "relative/notify", EAFNOSUPPORT },
        { "vsock:2:1234", EAFNOSUPPORT },
        { "@", EINVAL },
        { "/", EINVAL },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        setenv ("NOTIFY_SOCKET", cases[i].socket, 1);
        notify_t *n = notify_new ();
        errno = 0;
        assert_int_equal (notify_send (n, "READY=1"), -1);
        assert_int_equal (errno, cases[i].err);
        notify_destroy (&n);
    }
    /* a path fills sun_path with its '\0' (107 bytes), an abstract name
     * without one (108); a byte more is too long */
    char path[200];
    struct sockaddr_un sa;
    memset (path, 'a', sizeof path);
    path[0] = '/';
    path[sizeof sa.sun_path] = '\0';
    setenv ("NOTIFY_SOCKET", path, 1);
    notify_t *n = notify_new ();
    assert_int_equal (notify_send (n, "READY=1"), -1);
    assert_int_equal (errno, ENAMETOOLONG);
    notify_destroy (&n);
    path[0] = '@';
    path[sizeof sa.sun_path + 1] = '\0';
    path[sizeof sa.sun_path] = 'a';
    setenv ("NOTIFY_SOCKET", path, 1);
    n = notify_new ();
    assert_int_equal (notify_send (n, "READY=1"), -1);
    assert_int_equal (errno, ENAMETOOLONG);
    notify_destroy (&n);
    /* at the limit it is an address (nobody listens: refused, not too long) */
    path[sizeof sa.sun_path] = '\0';
    setenv ("NOTIFY_SOCKET", path, 1);
    n = notify_new ();
    assert_int_equal (notify_send (n, "READY=1"), -1);
    assert_int_equal (errno, ECONNREFUSED);
    notify_destroy (&n);
    clear_env ();
}

int
main (void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test (test_path_socket),
        cmocka_unit_test (test_abstract_socket),
        cmocka_unit_test (test_watchdog),
        cmocka_unit_test (test_nobody_to_tell),
        cmocka_unit_test (test_bad_addresses),
    };
    return cmocka_run_group_tests (tests, NULL, NULL);
}
