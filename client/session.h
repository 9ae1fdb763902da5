/* session.h: one run of esc: its settings, its exit codes, and the way a
 * command sends a request to escd. */
#ifndef ESC_SESSION_H
#define ESC_SESSION_H

#include <stdbool.h>

#include "config.h"
#include "esc.pb-c.h"
#include "keys.h"
#include "status.h"

/* Exit codes of the command-line contract. */
enum {
    EXIT_DONE = 0,
    EXIT_REFUSED = 1,
    EXIT_USAGE = 2,
    EXIT_NOT_FOUND = 3,
    EXIT_DENIED = 4,
    EXIT_UNREACHABLE = 5,
    EXIT_LIMITED = 6,           /* a limit of escd's (write rate, queue): later */
};

/* Settings that apply to every command. */
typedef struct {
    config_t config;
    const char *as;             /* --as USER */
    bool json;                  /* --json */
    bool quiet;                 /* --quiet: ids and names only */
    const char *request_id;     /* --request-id: makes a rerun idempotent */
} session_t;

/* Sends REQ (its envelope is filled in here) to escd as KP. Returns the OK
 * reply (free it with esc__reply__free_unpacked), or NULL having shown the
 * error ("esc: REASON: message"), with the exit code in *RC. */
Esc__Reply *session_call (const session_t *s, const keypair_t *kp, Esc__Request *req, int *rc);
/* As session_call, but a refusal for reason KEEP (its reply carries what
 * the caller shows itself: an import's bad rows) is returned, not shown,
 * with its exit code in *RC. */
Esc__Reply *session_call_unless (const session_t *s, const keypair_t *kp, Esc__Request *req,
                                 const char *keep, int *rc);

/* Sends REQ to escd as KP and shows nothing: the caller has set
 * REQ->request_id, the rest of the envelope is filled in here. Returns the
 * reply whatever it says (free it with esc__reply__free_unpacked), with
 * ERR saying its refusal (ERR's reason points into the reply: read it
 * before freeing); or NULL with ERR when no reply came (a timeout, a
 * refused key) or nothing could be sent. */
Esc__Reply *session_send (const session_t *s, const keypair_t *kp, Esc__Request *req,
                          esc_error_t *err);

/* Adds to E, the error of REQ that escd did not answer (a timeout, or
 * nothing could be sent), what to check: whether escd runs at the
 * endpoint, with the server key esc has; and, for a write only (ops.h),
 * that it may have been applied and how its request id learns the answer.
 * A read has nothing to learn: it is asked again. */
void session_unanswered (const session_t *s, const Esc__Request *req, esc_error_t *e);

/* The exit code of a reply status. */
int session_exit_code (int status);

#endif
