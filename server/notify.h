/* notify.h: escd's word to the service manager that started it, in
 * systemd's notification protocol (sd_notify(3)), spoken directly: one
 * datagram a message to the AF_UNIX socket $NOTIFY_SOCKET names (a path,
 * or an abstract name written with a leading '@').
 *
 * escd says READY=1 once it has reached the database and bound its
 * sockets, STOPPING=1 when it begins to stop, and WATCHDOG=1 every half
 * of $WATCHDOG_USEC while its loop turns: a loop that hangs stops
 * saying it, and systemd restarts escd (WatchdogSec= in escd.service).
 * Without $NOTIFY_SOCKET (escd started by hand, by a test, by
 * deploy/quickstart) every call is a no-op. */
#ifndef ESC_NOTIFY_H
#define ESC_NOTIFY_H

#include <stdbool.h>

typedef struct notify_t notify_t;

/* Reads $NOTIFY_SOCKET, $WATCHDOG_USEC and $WATCHDOG_PID as they are now.
 * Never NULL (aborts when out of memory). */
notify_t *notify_new (void);

/* Frees *SELF_P and sets it to NULL; NULL or *SELF_P NULL is a no-op. */
void notify_destroy (notify_t **self_p);

/* Sends STATE ("READY=1", "STATUS=...", lines of KEY=VALUE separated by
 * '\n'). Returns 0 when it was sent or there is nobody to tell, -1 with
 * errno set when it could not be: EAFNOSUPPORT for a $NOTIFY_SOCKET that
 * is neither a path nor an '@' name, ENAMETOOLONG for one longer than an
 * AF_UNIX address holds, else what socket(2) or sendto(2) said. */
int notify_send (notify_t *self, const char *state);

/* Whether systemd watches escd: $WATCHDOG_USEC is a positive number and
 * $WATCHDOG_PID, when set, is this process. */
bool notify_watchdog_enabled (const notify_t *self);

/* Sends WATCHDOG=1 when half of $WATCHDOG_USEC has passed since the last
 * one (the first call always sends), NOW_MS being the monotonic clock in
 * milliseconds. Returns 1 when it sent, 0 when it was not due or the
 * watchdog is off, -1 as notify_send. */
int notify_watchdog (notify_t *self, double now_ms);

#endif
