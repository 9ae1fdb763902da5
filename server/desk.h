/* desk.h: the escalation desk: one request in, one reply out.
 *
 * The desk decodes and validates a request, finds who is asking and what
 * roles they hold, asks the workflow whether the action may go ahead,
 * writes what was decided through the store together with one event, and
 * packs the reply. A state-changing request is answered once: its reply
 * is logged under its request id, and a retry gets the logged reply back
 * without changing anything. The caller owns the transaction; the desk
 * wraps each request in a savepoint so that a refused or failed request
 * leaves nothing behind. */
#ifndef ESC_DESK_H
#define ESC_DESK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "status.h"
#include "store.h"
#include "workflow.h"

typedef struct desk desk_t;

typedef struct {
    uint8_t *reply;             /* packed esc.Reply, malloc'd: caller frees */
    size_t reply_len;
    const char *op;             /* operation name for the log, or "?" */
    esc_status_t status;
    char reason[48];            /* "" when OK */
    bool changed;               /* an event was written */
    bool retried;               /* answered from the request log */
} desk_answer_t;

desk_t *desk_new (store_t *store);
void desk_destroy (desk_t **self_p);

/* Answers DATA, sent by USER (the name the ZAP handler admitted), inside
 * the caller's open transaction. Always produces a reply in OUT. */
void desk_answer (desk_t *self, const char *user, const uint8_t *data, size_t len,
                  desk_answer_t *out);

/* Replaces OUT's reply by an error reply for the same request (used when a
 * batch fails to commit, or a request never reached the desk). */
void desk_error_reply (const uint8_t *data, size_t len, const esc_error_t *err,
                       desk_answer_t *out);

#endif
