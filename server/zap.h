/* zap.h: the ZAP handler that admits registered users' keys.
 *
 * libzmq asks it (ZMQ RFC 27) about every CURVE handshake on escd's
 * sockets. A client whose public key belongs to a user in the database is
 * admitted with that key as its User-Id, which every message it sends then
 * carries; any other client is refused before it can send a byte. Without this handler a CURVE server admits anyone who knows its
 * public key. */
#ifndef ESC_ZAP_H
#define ESC_ZAP_H

#include <stdbool.h>

#include "store.h"

#define ZAP_ENDPOINT "inproc://zeromq.zap.01"
#define ZAP_DOMAIN "esc"

typedef struct zap zap_t;

/* A handler bound in CTX, looking keys up in STORE; create it before
 * binding any CURVE socket. NULL when the ZAP endpoint cannot be bound. */
zap_t *zap_new (void *ctx, store_t *store);
void zap_destroy (zap_t **self_p);
/* The socket to poll for ZAP requests. */
void *zap_socket (zap_t *self);

/* Handshakes answered in one call, at most: new connections are let in
 * all together, yet a flood of handshakes cannot hold the loop. */
#define ZAP_HANDLE_MAX 256

/* Reads the waiting ZAP requests (up to ZAP_HANDLE_MAX) and answers each.
 * A key in the table of registered keys (read at start and after each
 * user.* event) is admitted from memory; any other is looked up in the
 * database, a bounded number a second (past that, refused), so that
 * strangers cannot keep the database busy; while the database is
 * unavailable, only the table decides. An admitted connection's User-Id is
 * its key (Z85), not the user's name: the desk looks the key up on every
 * request, and refuses a key revoked or replaced meanwhile. Returns how
 * many were answered. */
int zap_handle (zap_t *self);
/* Whether KEY belonged to an active user when the keys were last read
 * (at start, after each user.* event, and at each handshake). */
bool zap_key_active (zap_t *self, const char *key);
/* Reads the registered keys again: after a revocation or a key change
 * (here or at another escd), so that a revoked or replaced key is no
 * longer admitted from memory. When the database cannot answer, the keys
 * stay as they were (the next user.* event, or a heartbeat's look at the
 * log, tries again). */
void zap_reload (zap_t *self);

#endif
