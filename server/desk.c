/* desk.c: one request in, one reply out. See desk.h.
 *
 * The life of a request:
 *   decode and validate  ->  who is asking (roles)  ->  may that role do it
 *   -> SAVEPOINT  ->  lock the sequence  ->  answered before? (request log)
 *   -> handler (workflow + store)  ->  event  ->  pack  ->  log  ->  RELEASE
 * A refusal rolls back to the savepoint, then is logged like any answer. */
#include "desk.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "desk_handlers.h"
#include "validate.h"

_Static_assert ((int) ESC_OK == (int) ESC__STATUS__OK
                && (int) ESC_INVALID_ARGUMENT == (int) ESC__STATUS__INVALID_ARGUMENT
                && (int) ESC_NOT_FOUND == (int) ESC__STATUS__NOT_FOUND
                && (int) ESC_ALREADY_EXISTS == (int) ESC__STATUS__ALREADY_EXISTS
                && (int) ESC_PERMISSION_DENIED == (int) ESC__STATUS__PERMISSION_DENIED
                && (int) ESC_FAILED_PRECONDITION == (int) ESC__STATUS__FAILED_PRECONDITION
                && (int) ESC_INTERNAL == (int) ESC__STATUS__INTERNAL
                && (int) ESC_UNAVAILABLE == (int) ESC__STATUS__UNAVAILABLE
                && (int) ESC_UNAUTHENTICATED == (int) ESC__STATUS__UNAUTHENTICATED,
                "common/status.h and proto/esc.proto disagree");

/* ==== The handler table ================================================== */

typedef struct {
    desk_handler_t handler;
    const char *event_type;     /* the event a change writes; NULL for reads */
} desk_entry_t;

static const desk_entry_t entries[OP_COUNT] = {
    [OP_QUARTER_OPEN]  = { desk_quarter_open, "quarter.opened" },
    [OP_QUARTER_CLOSE] = { desk_quarter_close, "quarter.closed" },
    [OP_QUARTER_SHOW]  = { desk_quarter_show, NULL },
    [OP_QUARTER_LIST]  = { desk_quarter_list, NULL },
    [OP_ACCOUNT_ADD]   = { desk_account_add, "account.added" },
    [OP_ACCOUNT_LIST]  = { desk_account_list, NULL },
    [OP_ROADMAP_ADD]   = { desk_roadmap_add, "roadmap.added" },
    [OP_ROADMAP_LIST]  = { desk_roadmap_list, NULL },
    [OP_FILE]          = { desk_file, "escalation.filed" },
    [OP_SIZE]          = { desk_size, "escalation.sized" },
    [OP_RETURN]        = { desk_return, "escalation.returned" },
    [OP_REFILE]        = { desk_refile, "escalation.refiled" },
    [OP_DECLINE]       = { desk_decline, "escalation.declined" },
    [OP_WITHDRAW]      = { desk_withdraw, "escalation.withdrawn" },
    [OP_SPEND]         = { desk_spend, "escalation.approved" },
    [OP_OVERRIDE]      = { desk_override, "escalation.overridden" },
    [OP_DELIVER]       = { desk_deliver, "escalation.delivered" },
    [OP_OUTCOME]       = { desk_outcome, "escalation.closed" },
    [OP_MERGE]         = { desk_merge, "escalation.merged" },
    [OP_UNMERGE]       = { desk_unmerge, "escalation.unmerged" },
    [OP_LIST]          = { desk_list, NULL },
    [OP_SHOW]          = { desk_show, NULL },
    [OP_HISTORY]       = { desk_history, NULL },
    [OP_USER_ADD]      = { desk_user_add, "user.added" },
    [OP_USER_LIST]     = { desk_user_list, NULL },
    [OP_EVENTS_SINCE]  = { desk_events_since, NULL },
    [OP_USER_REVOKE]   = { desk_user_revoke, "user.revoked" },
    [OP_USER_KEY]      = { desk_user_key, "user.key_changed" },
    [OP_REPORT]        = { desk_report, NULL },
    [OP_ACCOUNT_IMPORT] = { desk_account_import, "accounts.imported" },
};

struct desk {
    store_t *store;
};

desk_t *
desk_new (store_t *store)
{
    desk_t *self = calloc (1, sizeof *self);
    if (!self)
        abort ();
    self->store = store;
    return self;
}

void
desk_destroy (desk_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    free (*self_p);
    *self_p = NULL;
}

/* ==== Replies ============================================================ */

static void
pack (const Esc__Reply *reply, desk_answer_t *out)
{
    out->reply_len = esc__reply__get_packed_size (reply);
    out->reply = malloc (out->reply_len ? out->reply_len : 1);
    if (!out->reply)
        abort ();
    esc__reply__pack (reply, out->reply);
    out->status = (esc_status_t) reply->status;
    snprintf (out->reason, sizeof out->reason, "%s", reply->reason ? reply->reason : "");
}

static void
set_error (Esc__Reply *reply, const esc_error_t *err)
{
    reply->has_status = true;
    reply->status = (Esc__Status) err->status;
    reply->reason = (char *) err->reason;
    reply->message = (char *) err->message;
    reply->result_case = ESC__REPLY__RESULT__NOT_SET;
}

/* The request id of DATA, if it decodes at all (an error reply names it),
 * and its operation's name for the log. */
static char *
request_id_of (const uint8_t *data, size_t len, char *buf, size_t buflen, const char **op)
{
    if (len > ESC_MAX_MESSAGE)
        return NULL;
    Esc__Request *req = esc__request__unpack (NULL, len, data);
    if (!req)
        return NULL;
    bool ok = req->request_id && strlen (req->request_id) < buflen
              && esc_utf8_valid (req->request_id, strlen (req->request_id));
    if (ok)
        strcpy (buf, req->request_id);
    *op = op_name (validate_op (req));
    esc__request__free_unpacked (req, NULL);
    return ok ? buf : NULL;
}

void
desk_error_reply (const uint8_t *data, size_t len, const esc_error_t *err, desk_answer_t *out)
{
    char id[80];
    Esc__Reply reply = ESC__REPLY__INIT;
    reply.request_id = request_id_of (data, len, id, sizeof id, &out->op);
    set_error (&reply, err);
    free (out->reply);
    out->reply = NULL;
    out->changed = false;
    pack (&reply, out);
}

/* ==== Answering ========================================================== */

/* The refusals worth logging as the answer: the request's own fault or the
 * rules'. A database failure is not an answer; the retry may succeed. */
static bool
definitive (const esc_error_t *err)
{
    return err->status != ESC_UNAVAILABLE && err->status != ESC_INTERNAL;
}

/* Answers from the request log when REQ was answered before. Returns 1 when
 * OUT holds the logged (or a REQUEST_ID_REUSED) answer, 0 when REQ is new,
 * -1 on a database failure. */
static int
answer_from_log (desk_t *self, arena_t *a, const char *user, const Esc__Request *req,
                 const uint8_t *data, size_t len, desk_answer_t *out, esc_error_t *err)
{
    logged_request_t logged;
    if (store_request_lookup (self->store, a, req->request_id, &logged, err))
        return -1;
    if (!logged.found)
        return 0;
    if (strcmp (logged.user, user) != 0 || logged.request_len != len
        || memcmp (logged.request, data, len) != 0) {
        esc_fail (err, ESC_ALREADY_EXISTS, "REQUEST_ID_REUSED",
                  "request id %s was used before for another request", req->request_id);
        Esc__Reply reply = ESC__REPLY__INIT;
        reply.request_id = req->request_id;
        set_error (&reply, err);
        pack (&reply, out);
        return 1;
    }
    out->reply = malloc (logged.reply_len ? logged.reply_len : 1);
    if (!out->reply)
        abort ();
    memcpy (out->reply, logged.reply, logged.reply_len);
    out->reply_len = logged.reply_len;
    out->retried = true;
    Esc__Reply *first = esc__reply__unpack (NULL, logged.reply_len, logged.reply);
    out->status = first ? (esc_status_t) first->status : ESC_INTERNAL;
    snprintf (out->reason, sizeof out->reason, "%s", first && first->reason ? first->reason : "");
    esc__reply__free_unpacked (first, NULL);
    return 1;
}

/* Runs the handler of a state-changing request and writes its event. */
static int
change (desk_call_t *c, const desk_entry_t *entry, esc_error_t *err)
{
    if (entry->handler (c, err))
        return -1;
    json_object_end (&c->data);
    c->event.type = entry->event_type;
    c->event.actor = c->actor;
    c->event.data = json_text (&c->data);
    if (!c->event.summary)
        c->event.summary = arena_printf (c->arena, "%s: %s", c->actor, entry->event_type);
    int64_t seq;
    return store_event_append (c->store, &c->event, &seq, err);
}

/* Logs OUT, the answer to a state-changing request, under its request id.
 * When that fails, what the request wrote is rolled back; if another escd
 * logged the same id first, OUT becomes that first answer, else an error. */
static void
log_answer (desk_t *self, desk_call_t *c, const uint8_t *data, size_t len, desk_answer_t *out)
{
    esc_error_t err;
    esc_error_clear (&err);
    if (store_request_record (self->store, c->req->request_id, c->actor, data, len,
                              out->reply, out->reply_len, &err) == 0)
        return;
    esc_error_t undo;
    store_command (self->store, "ROLLBACK TO SAVEPOINT request", &undo);
    free (out->reply);
    out->reply = NULL;
    out->changed = false;
    if (err.status == ESC_ALREADY_EXISTS
        && answer_from_log (self, c->arena, c->actor, c->req, data, len, out, &undo) > 0)
        return;
    set_error (c->reply, &err);
    pack (c->reply, out);
}

/* Answers a validated request inside savepoint "request". */
static void
answer_in_savepoint (desk_t *self, desk_call_t *c, const uint8_t *data, size_t len,
                     desk_answer_t *out)
{
    esc_error_t err;
    esc_error_clear (&err);
    const desk_entry_t *entry = &entries[c->op];
    bool changes = workflow_changes_state (c->op);

    if (changes) {
        /* the sequence lock comes first: it serialises every writer of every
         * escd, so the log below holds every answer given before ours */
        if (store_lock_sequence (c->store, &err))
            goto failed;
        int logged = answer_from_log (self, c->arena, c->actor, c->req, data, len, out, &err);
        if (logged > 0)
            return;
        if (logged < 0)
            goto failed;
    }
    if (changes ? change (c, entry, &err) : entry->handler (c, &err))
        goto failed;
    c->reply->has_status = true;
    c->reply->status = ESC__STATUS__OK;
    pack (c->reply, out);
    out->changed = changes;
    if (changes)
        log_answer (self, c, data, len, out);
    return;

failed:
    free (out->reply);
    out->reply = NULL;
    out->changed = false;
    esc_error_t undo;
    store_command (self->store, "ROLLBACK TO SAVEPOINT request", &undo);
    set_error (c->reply, &err);
    pack (c->reply, out);
    if (changes && definitive (&err))
        log_answer (self, c, data, len, out);
}

void
desk_answer (desk_t *self, const char *user, const uint8_t *data, size_t len,
             desk_answer_t *out)
{
    memset (out, 0, sizeof *out);
    out->op = "?";
    esc_error_t err;
    esc_error_clear (&err);
    op_t op;
    Esc__Request *req = validate_request (data, len, &op, &err);
    out->op = op_name (op);
    if (!req) {
        desk_error_reply (data, len, &err, out);
        return;
    }

    desk_call_t c = {
        .store = self->store, .arena = arena_new (), .actor = user, .op = op, .req = req,
    };
    Esc__Reply reply = ESC__REPLY__INIT;
    reply.request_id = req->request_id;
    c.reply = &reply;
    json_init (&c.data);
    json_object_begin (&c.data);

    if (store_command (self->store, "SAVEPOINT request", &err) == 0) {
        if (store_user_roles (self->store, user, &c.roles, &err) == 0 && c.roles == 0)
            esc_fail (&err, ESC_UNAUTHENTICATED, "UNKNOWN_USER",
                      "user %s is not registered", user);
        if (err.status == ESC_OK && workflow_permit (op, c.roles, &err) == 0)
            answer_in_savepoint (self, &c, data, len, out);
        if (!out->reply) {
            set_error (&reply, &err);
            pack (&reply, out);
        }
        /* what the request wrote (or logged) stays; a failed statement's
         * aborted subtransaction is rolled back first */
        if (store_in_failed_transaction (self->store))
            store_command (self->store, "ROLLBACK TO SAVEPOINT request", &err);
        store_command (self->store, "RELEASE SAVEPOINT request", &err);
    }
    else {
        set_error (&reply, &err);
        pack (&reply, out);
    }
    json_release (&c.data);
    arena_destroy (&c.arena);
    esc__request__free_unpacked (req, NULL);
}
