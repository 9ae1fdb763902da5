/* notify.c: systemd's notification protocol, a datagram at a time. See
 * notify.h. */
#include "notify.h"

#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

struct notify_t {
    char *socket;               /* $NOTIFY_SOCKET; NULL: nobody to tell */
    double watchdog_ms;         /* $WATCHDOG_USEC in ms; 0: no watchdog */
    double watchdog_at;         /* when the next WATCHDOG=1 is due (ms) */
    bool watchdog_sent;         /* one has gone */
};

/* TEXT as a whole positive number, else 0. */
static unsigned long long
positive (const char *text)
{
    if (!text || *text < '0' || *text > '9')
        return 0;
    char *end;
    errno = 0;
    unsigned long long v = strtoull (text, &end, 10);
    return errno || *end ? 0 : v;
}

notify_t *
notify_new (void)
{
    notify_t *self = calloc (1, sizeof *self);
    if (!self)
        abort ();
    const char *socket = getenv ("NOTIFY_SOCKET");
    if (socket && *socket && !(self->socket = strdup (socket)))
        abort ();
    /* the watchdog is for the process systemd started, not a child of it
     * that inherited the environment */
    const char *pid = getenv ("WATCHDOG_PID");
    if (!pid || positive (pid) == (unsigned long long) getpid ())
        self->watchdog_ms = (double) positive (getenv ("WATCHDOG_USEC")) / 1000.0;
    return self;
}

void
notify_destroy (notify_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    free ((*self_p)->socket);
    free (*self_p);
    *self_p = NULL;
}

/* $NOTIFY_SOCKET as an address: "/path", or "@name" for the abstract
 * name "\0name" (whose length is part of the address, with no '\0' at its
 * end) into SA and LEN. Returns 0, or -1 with errno set. */
static int
address (const char *socket, struct sockaddr_un *sa, socklen_t *len)
{
    size_t n = strlen (socket);
    if (socket[0] != '/' && socket[0] != '@') {
        errno = EAFNOSUPPORT;
        return -1;
    }
    /* a path needs its terminating '\0'; an abstract name does not */
    if (n + (socket[0] == '/') > sizeof sa->sun_path || n < 2) {
        errno = n < 2 ? EINVAL : ENAMETOOLONG;
        return -1;
    }
    memset (sa, 0, sizeof *sa);
    sa->sun_family = AF_UNIX;
    memcpy (sa->sun_path, socket, n);
    if (socket[0] == '@')
        sa->sun_path[0] = '\0';
    *len = (socklen_t) (offsetof (struct sockaddr_un, sun_path) + n + (socket[0] == '/'));
    return 0;
}

int
notify_send (notify_t *self, const char *state)
{
    if (!self->socket)
        return 0;
    struct sockaddr_un sa;
    socklen_t len;
    if (address (self->socket, &sa, &len) != 0)
        return -1;
    int fd = socket (AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -1;
    /* the whole message in one datagram, or nothing: systemd reads no
     * partial state */
    size_t n = strlen (state);
    ssize_t sent = sendto (fd, state, n, MSG_NOSIGNAL, (struct sockaddr *) &sa, len);
    int saved = sent < 0 ? errno : EMSGSIZE;
    close (fd);
    if (sent >= 0 && (size_t) sent == n)
        return 0;
    errno = saved;
    return -1;
}

bool
notify_watchdog_enabled (const notify_t *self)
{
    return self->socket && self->watchdog_ms > 0;
}

int
notify_watchdog (notify_t *self, double now_ms)
{
    if (!notify_watchdog_enabled (self) || (self->watchdog_sent && now_ms < self->watchdog_at))
        return 0;
    /* due again at half the interval: a late turn of the loop still comes
     * in time */
    self->watchdog_at = now_ms + self->watchdog_ms / 2;
    self->watchdog_sent = true;
    return notify_send (self, "WATCHDOG=1") == 0 ? 1 : -1;
}
