/* notify_sink.c: the service manager's end of sd_notify, for tests:
 *
 *   notify_sink PATH     binds a datagram socket at PATH and prints each
 *                        datagram on a line: the monotonic clock in ms, a
 *                        space, and the message with its newlines as '|'
 *
 * It runs until killed. e2e/service.sh points escd's $NOTIFY_SOCKET at it
 * and reads what escd told systemd, and when. */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

int
main (int argc, char **argv)
{
    struct sockaddr_un sa = { .sun_family = AF_UNIX };
    if (argc != 2 || argv[1][0] != '/' || strlen (argv[1]) >= sizeof sa.sun_path) {
        fprintf (stderr, "usage: notify_sink /ABSOLUTE/PATH (at most %zu bytes)\n",
                 sizeof sa.sun_path - 1);
        return 2;
    }
    memcpy (sa.sun_path, argv[1], strlen (argv[1]) + 1);
    int fd = socket (AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0 || bind (fd, (struct sockaddr *) &sa, sizeof sa) != 0) {
        fprintf (stderr, "notify_sink: cannot bind %s: %s\n", argv[1], strerror (errno));
        return 1;
    }
    char buf[4096];
    for (;;) {
        ssize_t n = recv (fd, buf, sizeof buf - 1, 0);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            fprintf (stderr, "notify_sink: %s\n", strerror (errno));
            return 1;
        }
        buf[n] = '\0';
        for (char *c = buf; *c; c++)
            if (*c == '\n')
                *c = '|';
        struct timespec ts;
        clock_gettime (CLOCK_MONOTONIC, &ts);
        printf ("%lld %s\n", (long long) ts.tv_sec * 1000 + ts.tv_nsec / 1000000, buf);
        fflush (stdout);
    }
}
