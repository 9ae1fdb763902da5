/* guard.c: escd's memory within a bound. See guard.h. */
#include "guard.h"

#include <errno.h>
#include <linux/tcp.h>
#include <malloc.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <zmq.h>

#include "logline.h"
#include "proc.h"

#define GUARD_MONITORS 4
#define GUARD_CUT_EVERY_MS 100.0     /* a tick: what a cut frees shows by the next */

/* One accepted TCP connection: its descriptor (libzmq's), who it is, and
 * the bytes it had sent when it was found. */
typedef struct {
    int fd;
    struct sockaddr_storage peer, local;
    socklen_t peer_len, local_len;
} connection_t;

struct guard {
    int64_t limit;
    void *ctx;
    void *monitors[GUARD_MONITORS];
    void *watched[GUARD_MONITORS];      /* the sockets they monitor */
    size_t n_monitors;
    connection_t *conns;
    size_t n_conns, cap;
    double last_cut;            /* ms */
    bool trim;                  /* give freed memory back once under the bound */
    bool said_nothing_to_cut;
};

#if defined(__SANITIZE_ADDRESS__)
/* AddressSanitizer's allocator keeps its own books, which glibc's
 * mallinfo2 knows nothing of; its resident set also holds what was freed
 * and waits in quarantine. (GCC ships no header declaring this.) */
size_t __sanitizer_get_current_allocated_bytes (void);
#endif

int64_t
guard_memory_in_use (void)
{
#if defined(__SANITIZE_ADDRESS__)
    return (int64_t) __sanitizer_get_current_allocated_bytes ();
#else
    struct mallinfo2 mi = mallinfo2 ();
    int64_t in_use = (int64_t) mi.uordblks + (int64_t) mi.hblkhd;
    if (in_use > 0)
        return in_use;
    /* an allocator that keeps its own books: the resident set instead */
    int64_t resident, size;
    proc_memory (&resident, &size);
    return resident;
#endif
}

guard_t *
guard_new (void *ctx, int64_t limit)
{
    guard_t *self = calloc (1, sizeof *self);
    if (!self)
        abort ();
    self->ctx = ctx;
    self->limit = limit > 0 ? limit : 0;
    return self;
}

void
guard_set_limit (guard_t *self, int64_t limit)
{
    self->limit = limit > 0 ? limit : 0;
}

void
guard_destroy (guard_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    guard_t *self = *self_p;
    /* monitoring stops before its pipe closes: an I/O thread would
     * otherwise block sending the next event to no one (libzmq issue
     * 3575) until zmq_ctx_term stops it */
    for (size_t i = 0; i < self->n_monitors; i++) {
        zmq_socket_monitor (self->watched[i], NULL, 0);
        zmq_close (self->monitors[i]);
    }
    free (self->conns);
    free (self);
    *self_p = NULL;
}

int
guard_watch (guard_t *self, void *socket)
{
    if (self->n_monitors == GUARD_MONITORS)
        return -1;
    char endpoint[64];
    snprintf (endpoint, sizeof endpoint, "inproc://escd-guard-%zu", self->n_monitors);
    if (zmq_socket_monitor (socket, endpoint, ZMQ_EVENT_ACCEPTED | ZMQ_EVENT_DISCONNECTED
                                              | ZMQ_EVENT_CLOSED) != 0)
        return -1;
    /* libzmq sends monitor events with a blocking send from its I/O
     * threads: a full queue here would stall all of escd's network I/O
     * until the loop reads it. Unbounded, it holds what the loop has not
     * read yet: a small record per connection made or lost. */
    void *pair = zmq_socket (self->ctx, ZMQ_PAIR);
    int unbounded = 0;
    if (!pair || zmq_setsockopt (pair, ZMQ_RCVHWM, &unbounded, sizeof unbounded) != 0
        || zmq_connect (pair, endpoint) != 0) {
        if (pair)
            zmq_close (pair);
        return -1;
    }
    self->watched[self->n_monitors] = socket;
    self->monitors[self->n_monitors++] = pair;
    return 0;
}

size_t
guard_sockets (guard_t *self, void **sockets, size_t max)
{
    size_t n = self->n_monitors < max ? self->n_monitors : max;
    memcpy (sockets, self->monitors, n * sizeof *sockets);
    return n;
}

size_t
guard_connections (const guard_t *self)
{
    return self->n_conns;
}

/* ==== Connections ======================================================== */

static void
forget (guard_t *self, int fd)
{
    for (size_t i = 0; i < self->n_conns; i++)
        if (self->conns[i].fd == fd) {
            self->conns[i] = self->conns[--self->n_conns];
            return;
        }
}

static void
remember (guard_t *self, int fd)
{
    forget (self, fd);          /* a descriptor reused: the new one counts */
    connection_t c = { .fd = fd, .peer_len = sizeof c.peer, .local_len = sizeof c.local };
    if (getpeername (fd, (struct sockaddr *) &c.peer, &c.peer_len) != 0
        || getsockname (fd, (struct sockaddr *) &c.local, &c.local_len) != 0)
        return;                 /* gone already */
    if (self->n_conns == self->cap) {
        self->cap = self->cap ? self->cap * 2 : 64;
        self->conns = realloc (self->conns, self->cap * sizeof *self->conns);
        if (!self->conns)
            abort ();
    }
    self->conns[self->n_conns++] = c;
}

/* True when descriptor C->fd is still the connection C was (not closed by
 * libzmq and reused for another socket meanwhile). */
static bool
still_same (const connection_t *c)
{
    struct sockaddr_storage peer, local;
    socklen_t peer_len = sizeof peer, local_len = sizeof local;
    return getpeername (c->fd, (struct sockaddr *) &peer, &peer_len) == 0
        && getsockname (c->fd, (struct sockaddr *) &local, &local_len) == 0
        && peer_len == c->peer_len && local_len == c->local_len
        && memcmp (&peer, &c->peer, peer_len) == 0 && memcmp (&local, &c->local, local_len) == 0;
}

/* Bytes connection C has sent escd, by the kernel's count. */
static int64_t
received (const connection_t *c)
{
    struct tcp_info info;
    socklen_t len = sizeof info;
    memset (&info, 0, sizeof info);
    if (getsockopt (c->fd, IPPROTO_TCP, TCP_INFO, &info, &len) != 0)
        return -1;
    return (int64_t) info.tcpi_bytes_received;
}

void
guard_events (guard_t *self)
{
    for (size_t m = 0; m < self->n_monitors; m++) {
        for (;;) {
            zmq_msg_t frame;
            zmq_msg_init (&frame);
            if (zmq_msg_recv (&frame, self->monitors[m], ZMQ_DONTWAIT) < 0) {
                zmq_msg_close (&frame);
                break;
            }
            uint16_t event = 0;
            uint32_t value = 0;
            if (zmq_msg_size (&frame) >= 6) {
                memcpy (&event, zmq_msg_data (&frame), 2);
                memcpy (&value, (uint8_t *) zmq_msg_data (&frame) + 2, 4);
            }
            bool more = zmq_msg_more (&frame);
            zmq_msg_close (&frame);
            while (more) {              /* the endpoint's name */
                zmq_msg_init (&frame);
                more = zmq_msg_recv (&frame, self->monitors[m], 0) >= 0 && zmq_msg_more (&frame);
                zmq_msg_close (&frame);
            }
            if (event == ZMQ_EVENT_ACCEPTED)
                remember (self, (int) value);
            else if (event == ZMQ_EVENT_DISCONNECTED || event == ZMQ_EVENT_CLOSED)
                forget (self, (int) value);
        }
    }
}

/* ==== Cutting ============================================================ */

static const char *
address_text (const struct sockaddr_storage *a, char *buf, size_t len)
{
    if (a->ss_family == AF_INET) {
        const struct sockaddr_in *in = (const struct sockaddr_in *) a;
        const uint8_t *ip = (const uint8_t *) &in->sin_addr;
        snprintf (buf, len, "%u.%u.%u.%u:%u", ip[0], ip[1], ip[2], ip[3], ntohs (in->sin_port));
    }
    else if (a->ss_family == AF_INET6)
        snprintf (buf, len, "[IPv6]:%u", ntohs (((const struct sockaddr_in6 *) a)->sin6_port));
    else
        snprintf (buf, len, "a peer");
    return buf;
}

int64_t
guard_tick (guard_t *self)
{
    int64_t in_use = guard_memory_in_use ();
    double now = proc_now_ms ();
    if (self->trim && in_use <= self->limit) {
        /* what the cut connection held is free: the pages go back */
        malloc_trim (0);
        self->trim = false;
    }
    if (!self->limit || in_use <= self->limit || now - self->last_cut < GUARD_CUT_EVERY_MS)
        return in_use;
    connection_t *worst = NULL;
    int64_t most = -1;
    for (size_t i = 0; i < self->n_conns;) {
        connection_t *c = &self->conns[i];
        int64_t bytes = still_same (c) ? received (c) : -1;
        if (bytes < 0) {
            *c = self->conns[--self->n_conns];       /* gone: forget it */
            continue;
        }
        if (bytes > most) {
            most = bytes;
            worst = c;
        }
        i++;
    }
    if (!worst) {
        if (!self->said_nothing_to_cut)
            logline (LOGLINE_WARNING, "%lld MiB in use, over the bound of %lld MiB, and no "
                     "connection to cut", (long long) (in_use >> 20),
                     (long long) (self->limit >> 20));
        self->said_nothing_to_cut = true;
        return in_use;
    }
    self->said_nothing_to_cut = false;
    char who[64];
    logline (LOGLINE_WARNING, "%lld MiB in use, over the bound of %lld MiB: cutting the connection "
             "from %s, which sent %lld MiB", (long long) (in_use >> 20),
             (long long) (self->limit >> 20), address_text (&worst->peer, who, sizeof who),
             (long long) (most >> 20));
    /* libzmq sees the connection end, drops what it held for it, and
     * closes the descriptor itself */
    shutdown (worst->fd, SHUT_RDWR);
    *worst = self->conns[--self->n_conns];
    self->last_cut = now;
    self->trim = true;
    return in_use;
}
