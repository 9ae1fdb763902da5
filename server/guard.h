/* guard.h: escd's memory, kept within a bound whatever a peer sends.
 *
 * libzmq delivers a multipart message only once its last frame has come,
 * and counts its queues in whole messages: a peer that sends frame after
 * frame of a message it never ends makes libzmq hold all of it, out of
 * escd's sight (ZMQ_MAXMSGSIZE bounds a frame, not a message). The guard
 * is the backstop: it watches the connections escd's sockets accept (a
 * socket monitor reports each one's descriptor) and how many bytes each
 * has sent (the kernel's TCP_INFO), and when the memory escd has in use
 * passes the bound, it cuts the connection that sent the most, one every
 * tenth of a second, until escd is under the bound again (what arrives
 * meanwhile overshoots it). A cut peer sees its connection reset; ZeroMQ
 * clients reconnect by themselves. escd bounds every queue it controls
 * (requests a user may have waiting, replies a peer has not read, feed
 * messages a watcher has not read, each queue sharing one copy of an
 * event), so honest traffic stays well under the default bound; what the
 * guard cannot see is memory that no connection sent (a thousand slow
 * watchers' queues), which only those bounds hold. */
#ifndef ESC_GUARD_H
#define ESC_GUARD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct guard guard_t;

/* A guard of LIMIT bytes in use (0: never cuts, but still counts). */
guard_t *guard_new (void *ctx, int64_t limit);
void guard_destroy (guard_t **self_p);

/* Watches the connections SOCKET accepts; SOCKET stays open until
 * guard_destroy, which stops watching it. Returns 0, or -1 when libzmq
 * cannot monitor it. */
int guard_watch (guard_t *self, void *socket);
/* The monitor sockets to poll (N of them into *SOCKETS). */
size_t guard_sockets (guard_t *self, void **sockets, size_t max);
/* Reads what the monitors report (never blocks). */
void guard_events (guard_t *self);
/* Measures, and cuts a connection when escd is over its bound (at most
 * one a tick: what a cut frees shows by the next). Returns the bytes escd
 * has in use. */
int64_t guard_tick (guard_t *self);
/* Connections watched now. */
size_t guard_connections (const guard_t *self);
/* The bound from now on: LIMIT bytes in use (0: never cuts). */
void guard_set_limit (guard_t *self, int64_t limit);

/* The memory escd has in use: what malloc handed out and has not been
 * given back (under AddressSanitizer, by its allocator's books), or,
 * where that cannot be read, the resident set. */
int64_t guard_memory_in_use (void);

#endif
