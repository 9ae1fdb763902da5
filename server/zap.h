/* zap.h: the ZAP handler that admits registered users' keys.
 *
 * libzmq asks it (ZMQ RFC 27) about every CURVE handshake on escd's
 * sockets. A client whose public key belongs to a user in the database is
 * admitted with that user's name as its User-Id, which every message it
 * sends then carries; any other client is refused before it can send a
 * byte. Without this handler a CURVE server admits anyone who knows its
 * public key. */
#ifndef ESC_ZAP_H
#define ESC_ZAP_H

#include "store.h"

#define ZAP_ENDPOINT "inproc://zeromq.zap.01"
#define ZAP_DOMAIN "esc"

/* Binds the handler's socket in CTX; call before binding any CURVE socket.
 * Returns the socket, or NULL. */
void *zap_bind (void *ctx);

/* Reads one ZAP request from SOCKET and answers it, looking the key up in
 * STORE (outside any transaction). Returns 0, or -1 when nothing could be
 * read. */
int zap_handle (void *socket, store_t *store);

#endif
