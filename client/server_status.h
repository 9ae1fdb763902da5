/* server_status.h: esc status, who I am and which escd I speak to.
 *
 * What esc knows here (the identity, its key's fingerprint and file, the
 * endpoint) beside what escd says of itself (status: the user its key
 * belongs to and their roles, its version and age, its database's schema
 * against the one it expects, the head of the event log, and what it
 * counts of itself: requests answered, resident memory, database
 * reconnections, feed subscribers), as a few
 * aligned lines or, with --json, one object (with --quiet nothing: the
 * exit code says whether escd answers). An escd that does not answer
 * is exit 5, with what to check (session_unanswered). */
#ifndef ESC_SERVER_STATUS_H
#define ESC_SERVER_STATUS_H

#include "args.h"
#include "keys.h"
#include "session.h"

int server_status_run (const session_t *s, const args_t *a, const char *user,
                       const keypair_t *kp);

/* A key's fingerprint: the first 16 hex digits (8 bytes) of the SHA-256 of
 * the 32-byte public key that Z85 (40 characters) encodes, into OUT (17
 * bytes). Returns 0, or -1 when Z85 is not a key. */
int server_status_fingerprint (const char *z85, char *out);

/* "42 s", "12 min", "2 h 3 min", "3 d 4 h": SECONDS for people, into OUT. */
void server_status_uptime (int64_t seconds, char *out, size_t len);

#endif
