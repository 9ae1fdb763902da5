/* desk.c: one request in, one reply out. See desk.h.
 *
 * The life of a batch, and of a request in it:
 *   desk_batch_begin, one round trip: BEGIN, (changes: the sequence lock,
 *   then the first SAVEPOINT, then the request log's entries under the
 *   batch's request ids) and the event head and the version of users
 *   ->  per request: (a change: SAVEPOINT)  ->  who holds this key, with
 *   which roles (remembered while the version of users stands)  ->  may
 *   they do it  ->  (a change: answered before?  within the user's write
 *   rate?)  ->  handler (workflow + store)  ->  pack  ->  (a change: its
 *   event and its log entry, in one statement, and the next SAVEPOINT in
 *   its round trip)
 *   ->  COMMIT (the caller's; it releases the savepoints)
 * A refusal by a rule rolls back to the savepoint, then is logged like any
 * answer; a refusal before authorisation (no such key, the wrong role, the
 * rate) is not logged: a retry is asked again. Filings that come together
 * take the same steps, each, but share their statements: one savepoint,
 * one round trip for the quarters' locks and all the inserts, one for all
 * the events and log entries (desk_answer_batch). */
#include "desk.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "desk_handlers.h"
#include "ops.h"
#include "proc.h"
#include "quota.h"
#include "answered.h"
#include "validate.h"

/* What a state-changing request writes besides its request and reply (its
 * event, its log row): charged against the user's write rate. */
#define WRITE_OVERHEAD 256

_Static_assert ((int) ESC_OK == (int) ESC__STATUS__OK
                && (int) ESC_INVALID_ARGUMENT == (int) ESC__STATUS__INVALID_ARGUMENT
                && (int) ESC_NOT_FOUND == (int) ESC__STATUS__NOT_FOUND
                && (int) ESC_ALREADY_EXISTS == (int) ESC__STATUS__ALREADY_EXISTS
                && (int) ESC_PERMISSION_DENIED == (int) ESC__STATUS__PERMISSION_DENIED
                && (int) ESC_RESOURCE_EXHAUSTED == (int) ESC__STATUS__RESOURCE_EXHAUSTED
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
    [OP_EDIT]          = { desk_edit, "escalation.edited" },
    [OP_ACCOUNT_SET]   = { desk_account_set, "account.changed" },
    [OP_ROADMAP_SET]   = { desk_roadmap_set, "roadmap.changed" },
    [OP_STOP]          = { desk_stop, "escalation.stopped" },
    [OP_QUARTER_REOPEN] = { desk_quarter_reopen, "quarter.reopened" },
    [OP_STATUS]        = { desk_status, NULL },
    [OP_SUPPORT]       = { desk_support, "escalation.supported" },
    [OP_QUARTER_COMMIT] = { desk_quarter_commit, "quarter.committed" },
    [OP_ROADMAP_DONE]  = { desk_roadmap_done, "roadmap.done" },
    [OP_ROADMAP_MOVE]  = { desk_roadmap_move, "roadmap.moved" },
    [OP_USER_SET]      = { desk_user_set, "user.changed" },
    [OP_PARTNER_ADD]   = { desk_partner_add, "partner.added" },
    [OP_PARTNER_LIST]  = { desk_partner_list, NULL },
    [OP_REFER]         = { desk_refer, "escalation.referred" },
    [OP_ACCOUNT_SHOW]  = { desk_account_show, NULL },
    [OP_ROADMAP_SHOW]  = { desk_roadmap_show, NULL },
};

/* Who holds a key, as the database said while users stood at one version. */
typedef struct {
    char key[64];
    char name[64];
    role_set_t roles;
} identity_t;

/* Identities remembered at most: past that the desk starts afresh. */
#define IDENTITIES_MAX 4096

struct desk {
    store_t *store;
    quota_t *quota;             /* each user's write rate */
    int64_t started_at;         /* escd's start, for status */
    identity_t *known;          /* identities at users_version */
    size_t n_known;
    int64_t users_version;      /* -1: nothing known */
    int64_t connection;         /* store_reconnects when the caches were filled */
    bool in_batch;              /* desk_batch_begin ran for this transaction */
    bool locked;                /* ... and took the sequence lock */
    bool fresh_savepoint;       /* savepoint "request" open, nothing in it yet */
    bool last;                  /* answering the batch's last change: its
                                   log goes in the COMMIT's round trip */
    bool wrote;                 /* the last batch was one of changes: the
                                   head it saw has moved, or may have */
    batch_lookup_t *lookups;    /* the write batch's request log, as it opened */
    size_t n_lookups, next_lookup;
    arena_t *batch_arena;       /* what the lookups found */
    answered_t *answered;       /* reads answered at the read batch's head */
    int64_t head;               /* the last batch's event head (-1: none) */
    int64_t started;            /* ... and when it began, by the database */
    const metrics_t *metrics;   /* escd's counts, for status; NULL: none */
};

desk_t *
desk_new (store_t *store, const desk_config_t *config)
{
    desk_t *self = calloc (1, sizeof *self);
    if (!self || sodium_init () < 0)
        abort ();
    self->store = store;
    self->quota = quota_new (config->write_rate);
    self->started_at = config->started_at;
    self->users_version = -1;
    self->head = -1;
    self->answered = answered_new ();
    self->known = calloc (IDENTITIES_MAX, sizeof *self->known);
    if (!self->known)
        abort ();
    self->metrics = config->metrics;
    return self;
}

void
desk_set_write_rate (desk_t *self, int64_t rate)
{
    quota_set_rate (self->quota, rate, proc_now_ms ());
}

void
desk_destroy (desk_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    quota_destroy (&(*self_p)->quota);
    arena_destroy (&(*self_p)->batch_arena);
    free ((*self_p)->known);
    answered_destroy (&(*self_p)->answered);
    free (*self_p);
    *self_p = NULL;
}

/* ==== Requests =========================================================== */

void
desk_decode (const uint8_t *data, size_t len, desk_request_t *r)
{
    memset (r, 0, sizeof *r);
    r->data = data;
    r->len = len;
    r->op = OP_COUNT;
    r->req = validate_unpack (data, len, &r->err);
    r->valid = r->req && validate_decoded (r->req, &r->op, &r->err) == 0;
}

void
desk_request_release (desk_request_t *r)
{
    esc__request__free_unpacked (r->req, NULL);
    r->req = NULL;
}

bool
desk_request_writes (const desk_request_t *r)
{
    /* a dry run of an import checks and writes nothing: a read */
    return r->valid && workflow_changes_state (r->op) && !ops_dry_run (r->req);
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

/* R's request id, when it has one fit to echo (an error reply names it). */
static char *
request_id_of (const desk_request_t *r)
{
    const char *id = r->req ? r->req->request_id : NULL;
    return id && strlen (id) <= 64 && esc_utf8_valid (id, strlen (id)) ? (char *) id : NULL;
}

void
desk_error_reply (const desk_request_t *r, const esc_error_t *err, desk_answer_t *out)
{
    Esc__Reply reply = ESC__REPLY__INIT;
    reply.request_id = request_id_of (r);
    set_error (&reply, err);
    free (out->reply);
    out->reply = NULL;
    out->changed = false;
    out->op = op_name (r->op);
    pack (&reply, out);
}

/* ==== Answering ========================================================== */

/* The refusals worth logging as the answer: those of the rules, given to an
 * authorised request. A database failure is not an answer (the retry may
 * succeed), nor is a refusal of who is asking: what was never authorised
 * is never written down. */
static bool
definitive (const esc_error_t *err)
{
    return err->status != ESC_UNAVAILABLE && err->status != ESC_INTERNAL
        && err->status != ESC_UNAUTHENTICATED && err->status != ESC_PERMISSION_DENIED
        && err->status != ESC_RESOURCE_EXHAUSTED;
}

/* One request on its way through the desk. */
typedef struct {
    desk_call_t c;
    const char *key;                    /* the connection's */
    const desk_request_t *r;
    uint8_t digest[STORE_DIGEST_LEN];   /* SHA-256 of the request's bytes */
    desk_answer_t *out;
} answering_t;

/* The request log's entry for KEY's request ID as the batch opened, once:
 * a second request with the same id in the batch (a retry sent before the
 * answer came) is looked up again, after the first logged its answer.
 * NULL when the batch did not look it up. */
static const batch_lookup_t *
looked_up (desk_t *self, const char *key, const char *id)
{
    for (size_t k = 0; k < self->n_lookups; k++) {
        /* in the batch's order, from the one after the last found */
        batch_lookup_t *l = &self->lookups[(self->next_lookup + k) % self->n_lookups];
        if (l->key && strcmp (l->key, key) == 0 && strcmp (l->id, id) == 0) {
            l->key = NULL;
            self->next_lookup = (size_t) (l - self->lookups) + 1;
            return l;
        }
    }
    return NULL;
}

/* Answers from the request log when the user sent this request id before.
 * Returns 1 when OUT holds the logged (or a REQUEST_ID_REUSED) answer, 0
 * when the request is new, -1 on a database failure. */
static int
answer_from_log (desk_t *self, answering_t *w, esc_error_t *err)
{
    logged_request_t logged;
    const char *id = w->r->req->request_id;
    const batch_lookup_t *l = looked_up (self, w->key, id);
    if (l)
        logged = l->logged;
    else if (store_request_lookup (self->store, w->c.arena, w->c.actor, id, &logged, err))
        return -1;
    if (!logged.found)
        return 0;
    if (sodium_memcmp (logged.digest, w->digest, sizeof w->digest) != 0) {
        esc_fail (err, ESC_ALREADY_EXISTS, "REQUEST_ID_REUSED",
                  "request id %s was used before for another request", id);
        Esc__Reply reply = ESC__REPLY__INIT;
        reply.request_id = (char *) id;
        set_error (&reply, err);
        pack (&reply, w->out);
        return 1;
    }
    desk_answer_t *out = w->out;
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

/* What the request of W writes, as within_rate estimates it. */
static int64_t
estimate (const answering_t *w)
{
    return (int64_t) w->r->len + WRITE_OVERHEAD;
}

/* Refuses a write that would take the user past their write rate. */
static int
within_rate (desk_t *self, answering_t *w, esc_error_t *err)
{
    double wait;
    if (quota_allows (self->quota, w->c.actor, estimate (w), proc_now_ms (), &wait))
        return 0;
    return esc_fail (err, ESC_RESOURCE_EXHAUSTED, "RATE_LIMITED",
                     "%s has written as much as one user may in a minute (%lld KiB); "
                     "try again in %.0f s", w->c.actor,
                     (long long) (quota_rate (self->quota) / 1024), wait / 1000 + 1);
}

/* Forgets every identity (users changed). */
static void
forget_identities (desk_t *self)
{
    self->n_known = 0;
}

/* Charges W's user what its answer wrote, less PAID (charged before). */
static void
charge (desk_t *self, const answering_t *w, int64_t paid)
{
    quota_charge (self->quota, w->c.actor, estimate (w) + (int64_t) w->out->reply_len - paid,
                  proc_now_ms ());
}

/* The log entry of W's answer. */
static request_record_t
record_of (const answering_t *w, const char *const *then)
{
    return (request_record_t) { .user = w->c.actor, .id = w->r->req->request_id,
                                .digest = w->digest, .reply = w->out->reply,
                                .reply_len = w->out->reply_len, .then = then };
}

/* The event of W's change, of ENTRY's type: its details closed. */
static const event_t *
event_of (answering_t *w, const desk_entry_t *entry)
{
    desk_call_t *c = &w->c;
    json_object_end (&c->data);
    c->event.type = entry->event_type;
    c->event.actor = c->actor;
    c->event.data = json_text (&c->data);
    if (!c->event.summary)
        c->event.summary = arena_printf (c->arena, "%s: %s", c->actor, entry->event_type);
    return &c->event;
}

/* After a change is logged, the next change's savepoint is opened in the
 * same round trip (not after the batch's last: the COMMIT follows). */
static const char *const reopen[] = { "RELEASE SAVEPOINT request", "SAVEPOINT request", NULL };

/* Logs the answer to a state-changing request under the user's request id
 * (with EVENT, the event of the change it made, in the same statement),
 * and charges what it wrote to the user. When that fails, what the
 * request wrote is rolled back; if another escd logged the same request
 * first, OUT becomes that first answer, else an error. */
static void
log_answer (desk_t *self, answering_t *w, const desk_entry_t *event)
{
    desk_answer_t *out = w->out;
    desk_call_t *c = &w->c;
    esc_error_t err;
    esc_error_clear (&err);
    charge (self, w, 0);
    /* the batch's last change opens no savepoint after it */
    request_record_t log = record_of (w, self->last ? NULL : reopen);
    log.last = self->last;
    int rc;
    if (event) {
        int64_t seq;
        rc = store_event_append_logged (self->store, event_of (w, event), &log, &seq, &err);
        /* a change to users: what the desk remembers of them went stale,
         * and stays unknown until a batch reads the version again (this
         * one may yet fail to commit) */
        if (rc == 0 && strncmp (event->event_type, "user.", 5) == 0) {
            forget_identities (self);
            self->users_version = -1;
        }
    }
    else
        rc = store_request_record (self->store, &log, &err);
    if (rc == 0) {
        self->fresh_savepoint = !self->last;
        return;
    }
    esc_error_t undo;
    store_command (self->store, "ROLLBACK TO SAVEPOINT request", &undo);
    free (out->reply);
    out->reply = NULL;
    out->changed = false;
    if (err.status == ESC_ALREADY_EXISTS && answer_from_log (self, w, &undo) > 0)
        return;
    set_error (c->reply, &err);
    pack (c->reply, out);
}

/* Whether OP's answer follows from the database, the request and the date
 * alone (and the user, for a list of their own: mine): a read answered
 * again from memory while the event head stands (answered.h), to anyone
 * allowed to ask it. Not status (escd's own figures), nor what runs long
 * or pages through the log (a report, a catch-up). A read handler that
 * comes to use c->actor must say so in answered_key. */
static bool
answered_again (op_t op)
{
    switch (op) {
    case OP_SHOW: case OP_LIST: case OP_HISTORY: case OP_QUARTER_SHOW: case OP_QUARTER_LIST:
    case OP_ACCOUNT_SHOW: case OP_ACCOUNT_LIST: case OP_ROADMAP_SHOW: case OP_ROADMAP_LIST:
        return true;
    default:
        return false;
    }
}

/* What read R's answer is kept under (answered.h) into the arena: the
 * user when it is theirs (list --mine), the quarter of an hour its
 * snapshot began in, STARTED (s since the epoch, by the database's clock,
 * which gave the date the answer may depend on; the date in any time zone
 * is the same within one quarter of an hour) and the request without its
 * id. */
static const uint8_t *
answered_key (arena_t *a, const Esc__Request *r, const char *actor, int64_t started,
              size_t *len)
{
    Esc__Request q = *r;
    q.request_id = NULL;
    bool theirs = q.op_case == ESC__REQUEST__OP_LIST && q.list && q.list->has_mine
                  && q.list->mine;
    const char *whose = theirs ? actor : "";
    size_t user = strlen (whose) + 1;
    int64_t quarter_hour = started / 900;
    *len = user + sizeof quarter_hour + esc__request__get_packed_size (&q);
    uint8_t *key = arena_alloc (a, *len);
    memcpy (key, whose, user);
    memcpy (key + user, &quarter_hour, sizeof quarter_hour);
    esc__request__pack (&q, key + user + sizeof quarter_hour);
    return key;
}

/* A read answered from memory into OUT, if it was at this head: the reply
 * is the kept answer after the request id ID (protobuf fields may come in
 * any order; the id is field 1, length-delimited). */
static bool
answer_again (desk_t *self, const char *id, const uint8_t *key, size_t key_len,
              desk_answer_t *out)
{
    size_t len;
    const uint8_t *kept = answered_get (self->answered, key, key_len, &len);
    if (!kept)
        return false;
    size_t id_len = id ? strlen (id) : 0;
    uint8_t prefix[16];
    size_t n = 0;
    if (id) {
        prefix[n++] = 0x0a;                             /* field 1, length-delimited */
        for (size_t v = id_len; ; v >>= 7) {            /* the length, a varint */
            prefix[n++] = (uint8_t) (v & 0x7f) | (v >= 0x80 ? 0x80 : 0);
            if (v < 0x80)
                break;
        }
    }
    out->reply = malloc (n + id_len + len + 1);
    if (!out->reply)
        abort ();
    memcpy (out->reply, prefix, n);
    memcpy (out->reply + n, id, id_len);
    memcpy (out->reply + n + id_len, kept, len);
    out->reply_len = n + id_len + len;
    out->status = ESC_OK;
    out->head = self->head;
    out->started = self->started;
    out->remembered = true;
    return true;
}

/* Keeps a read's answer, REPLY without its request id, under KEY (packed
 * in arena A). */
static void
keep_answer (desk_t *self, arena_t *a, Esc__Reply *reply, const uint8_t *key, size_t key_len)
{
    char *id = reply->request_id;
    reply->request_id = NULL;
    size_t len = esc__reply__get_packed_size (reply);
    if (len + key_len <= ANSWERED_ENTRY_MAX) {
        uint8_t *bytes = arena_alloc (a, len + 1);
        esc__reply__pack (reply, bytes);
        answered_put (self->answered, key, key_len, bytes, len);
    }
    reply->request_id = id;
}

/* Lets change W in: its digest, then answered before? (OUT holds that
 * answer: 1), within its user's write rate? (0; else -1 with ERR, as
 * with a database failure). */
static int
admit_change (desk_t *self, answering_t *w, esc_error_t *err)
{
    crypto_hash_sha256 (w->digest, w->r->data, w->r->len);
    int logged = answer_from_log (self, w, err);
    if (logged)
        return logged;
    return within_rate (self, w, err);
}

/* W's refusal ERR as its reply (with the result that explains it, if the
 * handler set one: the arena's, which a rollback keeps). */
static void
refuse (answering_t *w, const esc_error_t *err)
{
    desk_call_t *c = &w->c;
    Esc__Reply__ResultCase details = c->explains_refusal ? c->reply->result_case
                                                         : ESC__REPLY__RESULT__NOT_SET;
    set_error (c->reply, err);
    c->reply->result_case = details;
    pack (c->reply, w->out);
}

/* Answers an identified, authorised request: a change inside savepoint
 * "request", with the sequence lock held; a read in the batch's snapshot,
 * or from memory when it was answered at the same head. */
static void
answer_in_savepoint (desk_t *self, answering_t *w)
{
    desk_call_t *c = &w->c;
    desk_answer_t *out = w->out;
    esc_error_t err;
    esc_error_clear (&err);
    const desk_entry_t *entry = &entries[c->op];
    bool changes = desk_request_writes (w->r);

    const uint8_t *key = NULL;
    size_t key_len = 0;
    if (changes) {
        int admitted = admit_change (self, w, &err);
        if (admitted > 0)
            return;
        if (admitted < 0)
            goto failed;
    }
    else if (!self->locked && desk_read_kept (w->r)) {
        key = answered_key (w->c.arena, w->r->req, w->c.actor, self->started, &key_len);
        if (answer_again (self, w->r->req->request_id, key, key_len, out))
            return;
    }
    if (entry->handler (c, &err))
        goto failed;
    c->reply->has_status = true;
    c->reply->status = ESC__STATUS__OK;
    if (key)
        keep_answer (self, c->arena, c->reply, key, key_len);
    pack (c->reply, out);
    out->changed = changes;
    if (changes)
        log_answer (self, w, entry);
    return;

failed:
    free (out->reply);
    out->reply = NULL;
    out->changed = false;
    esc_error_t undo;
    if (changes)
        store_command (self->store, "ROLLBACK TO SAVEPOINT request", &undo);
    refuse (w, &err);
    if (changes && definitive (&err))
        log_answer (self, w, NULL);
}

/* KEY's identity as remembered at the users version the desk last read;
 * NULL if none is. */
static const identity_t *
remembered (const desk_t *self, const char *key)
{
    for (size_t i = 0; i < self->n_known; i++)
        if (strcmp (self->known[i].key, key) == 0)
            return &self->known[i];
    return NULL;
}

/* Who holds KEY: remembered while the version of users stands (each batch,
 * and each request answered from memory outside one, checked it), else
 * asked and remembered. NAME is "" for nobody. */
static int
identity_of (desk_t *self, const char *key, char *name, size_t len, role_set_t *roles,
             esc_error_t *err)
{
    const identity_t *known = remembered (self, key);
    if (known) {
        snprintf (name, len, "%s", known->name);
        *roles = known->roles;
        return 0;
    }
    if (store_identify (self->store, key, name, len, roles, err))
        return -1;
    if (!name[0] || strlen (key) >= sizeof self->known[0].key)
        return 0;
    if (self->n_known == IDENTITIES_MAX)
        forget_identities (self);
    identity_t *id = &self->known[self->n_known++];
    snprintf (id->key, sizeof id->key, "%s", key);
    snprintf (id->name, sizeof id->name, "%s", name);
    id->roles = *roles;
    return 0;
}

/* C's request as NAME's, who holds ROLES (into OUT's user): may they do
 * what it asks? Returns 0, or -1 with ERR (PERMISSION_DENIED). */
static int
admit_as (desk_call_t *c, desk_answer_t *out, const char *name, role_set_t roles,
          esc_error_t *err)
{
    snprintf (out->user, sizeof out->user, "%s", name);
    c->actor = out->user;
    c->roles = roles;
    return workflow_permit (c->op, roles, err);
}

/* Who holds KEY, and may they do what the request asks. Returns 0, or -1
 * with ERR (UNAUTHENTICATED, PERMISSION_DENIED, or the database's). */
static int
identify (desk_t *self, const char *key, desk_call_t *c, desk_answer_t *out, esc_error_t *err)
{
    char name[64];
    if (identity_of (self, key, name, sizeof name, &c->roles, err))
        return -1;
    if (!name[0])
        return esc_fail (err, ESC_UNAUTHENTICATED, "UNAUTHENTICATED",
                         "this connection's key is no longer an active user's key "
                         "(it was replaced, or its user revoked)");
    return admit_as (c, out, name, c->roles, err);
}

/* Whether two requests, each by its connection's key and request id, are
 * one request sent twice. */
static bool
same_request (const char *key, const char *id, const char *other_key, const char *other_id)
{
    return strcmp (key, other_key) == 0 && strcmp (id, other_id) == 0;
}

int64_t
desk_head (const desk_t *self)
{
    return self->head;
}

void
desk_batch_end (desk_t *self)
{
    self->in_batch = false;
    self->locked = false;
    self->fresh_savepoint = false;
    self->lookups = NULL;
    self->n_lookups = self->next_lookup = 0;
    arena_destroy (&self->batch_arena);
}

/* Opens the savepoint of a change, unless one is open with nothing in it:
 * the batch opens the first, and a change that was logged opens the next
 * in its logging's round trip (COMMIT releases the batch's last). */
static int
savepoint (desk_t *self, esc_error_t *err)
{
    if (self->fresh_savepoint) {
        self->fresh_savepoint = false;
        return 0;
    }
    return store_command (self->store, "RELEASE SAVEPOINT request; SAVEPOINT request", err);
}

/* Begins W, the answer to R (sent with KEY) into OUT: its call, with a
 * reply and an event's details to fill. */
static void
answering_open (desk_t *self, answering_t *w, const char *key, const desk_request_t *r,
                desk_answer_t *out)
{
    *w = (answering_t) {
        .c = { .store = self->store, .arena = arena_new (), .actor = "", .op = r->op,
               .req = r->req, .started_at = self->started_at,
               .metrics = self->metrics },
        .key = key,
        .r = r,
        .out = out,
    };
    desk_call_t *c = &w->c;
    c->reply = arena_alloc (c->arena, sizeof *c->reply);
    esc__reply__init (c->reply);
    c->reply->request_id = r->req->request_id;
    json_init (&c->data);
    json_object_begin (&c->data);
}

/* Ends W: with no reply yet, ERR is the answer. */
static void
answering_close (answering_t *w, const esc_error_t *err)
{
    if (!w->out->reply) {
        set_error (w->c.reply, err);
        pack (w->c.reply, w->out);
    }
    json_release (&w->c.data);
    arena_destroy (&w->c.arena);
}

/* OUT, made ready for the answer to R. */
static void
answer_begin (const desk_t *self, const desk_request_t *r, desk_answer_t *out)
{
    memset (out, 0, sizeof *out);
    out->op = op_name (r->op);
    out->head = self->in_batch && !self->locked ? self->head : -1;
    out->started = self->started;
}

void
desk_answer (desk_t *self, const char *key, const desk_request_t *r, desk_answer_t *out)
{
    answer_begin (self, r, out);
    if (!r->valid) {
        desk_error_reply (r, &r->err, out);
        return;
    }
    esc_error_t err;
    esc_error_clear (&err);
    answering_t w;
    answering_open (self, &w, key, r, out);

    /* a change in a savepoint of its own, in a batch that holds the
     * sequence lock: the key, the roles and the request log read below
     * are those of the moment the change commits. A read needs no
     * savepoint: it writes nothing, and a failed one leaves a failed
     * transaction for the caller to roll back. */
    bool changes = desk_request_writes (r);
    if (!(changes ? self->locked : self->in_batch))
        esc_fail (&err, ESC_INTERNAL, "INTERNAL", "a request outside a batch");
    else if ((!changes || savepoint (self, &err) == 0)
             && identify (self, key, &w.c, out, &err) == 0)
        answer_in_savepoint (self, &w);
    /* what the request wrote (or logged) stays; a failed statement's
     * aborted subtransaction is rolled back */
    if (changes && self->locked && store_in_failed_transaction (self->store)) {
        esc_error_t undo;
        store_command (self->store, "ROLLBACK TO SAVEPOINT request", &undo);
    }
    answering_close (&w, &err);
}

/* ==== Filings answered together ========================================== */

/* Whether R may be filed with others: a filing that names no other
 * accounts (those take statements of their own). */
static bool
files_together (const desk_request_t *r)
{
    return r->valid && r->op == OP_FILE && r->req->file->n_also_needed_by == 0;
}

/* One filing of a run, on its way. */
typedef struct {
    answering_t w;
    enum {
        RUN_ANSWERED,           /* its answer is given, not logged */
        RUN_REFUSED,            /* refused by a rule: logged, no event */
        RUN_FILED,              /* to be filed, then filed */
    } stage;
    esc_error_t err;            /* a refusal's */
    int64_t paid;               /* charged to its user's rate so far */
    store_filing_t *filing;     /* RUN_FILED's */
} run_filing_t;

/* Whether the run's transaction can go on: no statement failed, the
 * connection stands. */
static bool
run_broken (desk_t *self)
{
    return store_in_failed_transaction (self->store) || !store_connected (self->store);
}

/* What a filing takes of its user's rate before it is answered: its
 * request and, as much again, its reply (which repeats what was filed),
 * so that the next filing of the run finds the rate spent as one by one
 * would; settled when the run ends. */
#define RUN_ADVANCE(w) (2 * estimate (w))

/* Filing F, within its user's rate: its advance charged, then its quarter
 * and date checked (DEFAULT_QUARTER as desk_file_check's). 0 with F to be
 * filed as FILING (REQUEST_ID: not if logged already; NULL: filed
 * regardless), or -1 with its refusal in F's error. */
static int
run_file (desk_t *self, run_filing_t *f, const char **default_quarter, const char *request_id,
          store_filing_t *filing)
{
    desk_call_t *c = &f->w.c;
    f->paid = RUN_ADVANCE (&f->w);
    quota_charge (self->quota, c->actor, f->paid, proc_now_ms ());
    const char *quarter;
    if (desk_file_check (c, default_quarter, &quarter, &f->err))
        return -1;
    *filing = (store_filing_t) { .quarter = quarter, .m = f->w.r->req->file, .filer = c->actor,
                                 .request_id = request_id, .arg = c };
    f->filing = filing;
    f->stage = RUN_FILED;
    return 0;
}

/* The checks before the insert, for filing F: who asks, answered before,
 * the rate, the quarter, the date, as desk_answer's. False when the
 * database failed. */
static bool
run_admit (desk_t *self, run_filing_t *f, const char **default_quarter, store_filing_t *filing)
{
    desk_call_t *c = &f->w.c;
    f->stage = RUN_ANSWERED;
    if (identify (self, f->w.key, c, f->w.out, &f->err))
        return !run_broken (self);
    int admitted = admit_change (self, &f->w, &f->err);
    if (admitted)
        return !run_broken (self);
    if (run_file (self, f, default_quarter, NULL, filing) && definitive (&f->err))
        f->stage = RUN_REFUSED;
    return !run_broken (self);
}

/* Filing F's reply, now that the insert ran. False when the rules refused
 * what the insert filed. */
static bool
run_reply (run_filing_t *f)
{
    desk_call_t *c = &f->w.c;
    if (f->stage == RUN_FILED && f->filing->refusal.status != ESC_OK) {
        if (f->filing->filed)
            return false;
        f->err = f->filing->refusal;
        f->stage = definitive (&f->err) ? RUN_REFUSED : RUN_ANSWERED;
    }
    if (f->stage == RUN_REFUSED)
        refuse (&f->w, &f->err);
    else if (f->stage == RUN_FILED) {
        desk_file_done (c, f->filing->filed);
        c->reply->has_status = true;
        c->reply->status = ESC__STATUS__OK;
        pack (c->reply, f->w.out);
        f->w.out->changed = true;
    }
    return true;
}

/* A run of filings on its way: each one's answer, and the filings that
 * go in (in A). */
typedef struct {
    arena_t *a;
    run_filing_t *f;
    store_filing_t *filings;
    desk_answer_t **outs;
    size_t n, n_filings;
} run_t;

/* Begins RUN, the N filings of KEYS, REQS into OUTS. */
static void
run_begin (desk_t *self, run_t *run, const char **keys, const desk_request_t **reqs,
           desk_answer_t **outs, size_t n)
{
    arena_t *a = arena_new ();
    *run = (run_t) { .a = a, .f = arena_alloc (a, n * sizeof *run->f),
                     .filings = arena_alloc (a, n * sizeof *run->filings), .outs = outs, .n = n };
    for (size_t i = 0; i < n; i++) {
        memset (&run->f[i], 0, sizeof run->f[i]);
        answer_begin (self, reqs[i], outs[i]);
        answering_open (self, &run->f[i].w, keys[i], reqs[i], outs[i]);
    }
}

static void run_close (desk_t *self, run_t *run, bool ok);

/* Ends RUN, its filings inserted when OK: each one's reply, then their
 * events and log entries in one statement (held for the COMMIT when the
 * run is the batch's LAST). When not OK, or that fails, all is rolled
 * back to the savepoint and nothing answered. Returns whether they were
 * answered. */
static bool
run_end (desk_t *self, run_t *run, bool ok, bool last)
{
    esc_error_t err;
    esc_error_clear (&err);
    run_filing_t *f = run->f;
    const event_t **events = arena_alloc (run->a, run->n * sizeof *events);
    request_record_t *logs = arena_alloc (run->a, run->n * sizeof *logs);
    size_t n_logged = 0;
    for (size_t i = 0; ok && i < run->n; i++) {
        ok = run_reply (&f[i]);
        if (ok && f[i].stage != RUN_ANSWERED) {
            events[n_logged] = f[i].stage == RUN_FILED ? event_of (&f[i].w, &entries[OP_FILE])
                                                       : NULL;
            logs[n_logged++] = record_of (&f[i].w, NULL);
        }
    }
    if (n_logged)
        logs[n_logged - 1].last = last;
    bool reopens = n_logged && !last;           /* the batch's last opens none */
    ok = ok && (!n_logged || store_event_append_many (self->store, events, logs, n_logged,
                                                      reopens ? reopen : NULL, &err) == 0);
    if (!ok) {
        esc_error_t undo;
        store_command (self->store, "ROLLBACK TO SAVEPOINT request", &undo);
    }
    run_close (self, run, ok);
    /* logged: the next savepoint was opened in its round trip (not after
     * the batch's last: a change after all opens its own); else this one
     * is left with nothing in it (ROLLBACK TO keeps it) but locks */
    self->fresh_savepoint = !(ok && n_logged && last);
    return ok;
}

/* Closes RUN: what each logged filing wrote is charged to its user (OK),
 * the rest given back; when not OK, no answer is left. */
static void
run_close (desk_t *self, run_t *run, bool ok)
{
    run_filing_t *f = run->f;
    for (size_t i = 0; i < run->n; i++) {
        /* what was logged is charged in full; the rest is given back */
        if (ok && f[i].stage != RUN_ANSWERED)
            charge (self, &f[i].w, f[i].paid);
        else if (f[i].paid)
            quota_charge (self->quota, f[i].w.c.actor, -f[i].paid, proc_now_ms ());
        answering_close (&f[i].w, &f[i].err);
        if (!ok) {
            free (run->outs[i]->reply);
            memset (run->outs[i], 0, sizeof *run->outs[i]);
        }
    }
    arena_destroy (&run->a);
}

/* Answers the N filings of KEYS, REQS and OUTS (files_together, no two
 * the same request) as desk_answer would one by one, in one savepoint
 * and two round trips for all: the quarters' locks and the inserts, then
 * the events and the log entries (and, as one by one, one for the default
 * quarter when one is not named, and one for each key or request id the
 * batch did not look up as it opened). False, nothing answered and all rolled back, when
 * a statement failed: the caller answers them one by one, which finds
 * the one that fails. LAST: the run ends the batch. */
static bool
file_run (desk_t *self, const char **keys, const desk_request_t **reqs, desk_answer_t **outs,
          size_t n, bool last)
{
    esc_error_t err;
    esc_error_clear (&err);
    if (savepoint (self, &err))
        return false;
    run_t run;
    run_begin (self, &run, keys, reqs, outs, n);
    const char *default_quarter = NULL;         /* in the arena of the first to ask */
    bool ok = true;
    for (size_t i = 0; i < n; i++) {
        ok = ok && run_admit (self, &run.f[i], &default_quarter, &run.filings[run.n_filings]);
        run.n_filings += run.f[i].stage == RUN_FILED;
    }
    ok = ok && (!run.n_filings || store_escalation_file_many (self->store, run.a, run.filings,
                                                               run.n_filings, desk_judge_quarter,
                                                               &err) == 0);
    return run_end (self, &run, ok, last);
}

/* The checks before the insert, for filing F of a batch not yet open, as
 * run_admit's but from memory alone: who asks as remembered, the rate, a
 * quarter named, the date; the request log is read as the batch opens.
 * False when one needs the database, or refuses: the batch then opens
 * alone, and its filings are answered after. */
static bool
run_admit_ahead (desk_t *self, run_filing_t *f, store_filing_t *filing)
{
    const identity_t *known = remembered (self, f->w.key);
    const Esc__File *m = f->w.r->req->file;
    if (!known || !m->quarter || !*m->quarter)
        return false;
    crypto_hash_sha256 (f->w.digest, f->w.r->data, f->w.r->len);
    return admit_as (&f->w.c, f->w.out, known->name, known->roles, &f->err) == 0
           && within_rate (self, &f->w, &f->err) == 0
           && run_file (self, f, NULL, f->w.r->req->request_id, filing) == 0;
}

static size_t run_length (const char **keys, const desk_request_t **reqs, size_t n);

/* Begins RUN with the filings of AHEAD admitted from memory, for the round
 * trip that opens their batch: when every one of them is a filing that
 * may be filed together, by a user the desk remembers at the users
 * version it knows, and none is refused (else false, nothing begun). */
static bool
files_ahead (desk_t *self, const desk_run_t *ahead, run_t *run)
{
    if (self->users_version < 0 || store_reconnects (self->store) != self->connection
        || !ahead->n || run_length (ahead->keys, ahead->reqs, ahead->n) != ahead->n)
        return false;
    run_begin (self, run, ahead->keys, ahead->reqs, ahead->outs, ahead->n);
    for (size_t i = 0; i < ahead->n; i++)
        if (!run_admit_ahead (self, &run->f[i], &run->filings[i])) {
            run_close (self, run, false);
            return false;
        }
    run->n_filings = ahead->n;
    return true;
}

/* The length of the run of filings at the start of the N of REQS that may
 * be answered together: up to one that is not a filing, or one sent twice
 * (the second copy must find the first's answer logged). */
static size_t
run_length (const char **keys, const desk_request_t **reqs, size_t n)
{
    size_t k = 0;
    for (; k < n && files_together (reqs[k]); k++)
        for (size_t j = 0; j < k; j++)
            if (same_request (keys[j], reqs[j]->req->request_id, keys[k],
                              reqs[k]->req->request_id))
                return k;
    return k;
}

int
desk_batch_begin (desk_t *self, const char *begin_sql, bool writes, batch_lookup_t *lookups,
                  size_t n, desk_run_t *ahead, esc_error_t *err)
{
    int64_t head, version;
    desk_batch_end (self);
    self->batch_arena = arena_new ();
    /* filings admitted from memory go in the round trip that opens the
     * batch, in its savepoint; they stand if what they were admitted on
     * did: the users version, and no request answered before */
    run_t run;
    bool filing = writes && ahead && files_ahead (self, ahead, &run);
    int64_t assumed = self->users_version, connection = self->connection;
    store_open_filing_t of = { 0 };
    if (filing)
        of = (store_open_filing_t) { .f = run.filings, .n = run.n_filings,
                                     .judge = desk_judge_quarter, .a = run.a };
    if (ahead)
        ahead->answered = false;
    if (store_batch_open (self->store, self->batch_arena, begin_sql, writes, lookups, n,
                          filing ? &of : NULL, &head, &version, &self->started, err)) {
        if (filing)
            run_close (self, &run, false);
        return -1;
    }
    if (writes) {
        /* a request sent twice into the batch: only its first copy may
         * trust what the log held as the batch opened; the others ask
         * again, after the first logged its answer */
        for (size_t i = 1; i < n; i++)
            for (size_t k = 0; k < i && lookups[i].key; k++)
                if (lookups[k].key
                    && same_request (lookups[k].key, lookups[k].id, lookups[i].key, lookups[i].id))
                    lookups[i].key = NULL;
        self->lookups = lookups;
        self->n_lookups = n;
    }
    /* a new connection may be to another database (a failover, a
     * restore), whose counters may stand where the old one's did */
    if (store_reconnects (self->store) != self->connection) {
        self->connection = store_reconnects (self->store);
        self->users_version = -1;
        answered_at (self->answered, -1);
    }
    answered_at (self->answered, head);
    self->head = head;
    if (version != self->users_version)
        forget_identities (self);
    self->users_version = version;
    self->in_batch = true;
    self->locked = writes;
    self->wrote = writes;
    self->fresh_savepoint = writes;     /* the first change's is open */
    if (filing) {
        bool stands = of.rc == 0 && version == assumed && self->connection == connection;
        for (size_t i = 0; stands && i < n; i++)
            stands = !lookups[i].logged.found;
        /* else rolled back to the savepoint, for the caller to answer */
        ahead->answered = run_end (self, &run, stands, true);
    }
    return 0;
}

void
desk_answer_batch (desk_t *self, const char **keys, const desk_request_t **reqs,
                   desk_answer_t **outs, size_t n)
{
    size_t i = 0;
    while (i < n) {
        size_t run = self->locked ? run_length (keys + i, reqs + i, n - i) : 0;
        /* the batch's last change is logged in the COMMIT's round trip */
        if (run >= 2 && file_run (self, keys + i, reqs + i, outs + i, run, i + run == n)) {
            i += run;
            continue;
        }
        run = run ? run : 1;
        for (size_t end = i + run; i < end; i++) {
            self->last = i + 1 == n;
            desk_answer (self, keys[i], reqs[i], outs[i]);
            self->last = false;
        }
    }
}

bool
desk_read_kept (const desk_request_t *r)
{
    return r->valid && !desk_request_writes (r) && answered_again (r->op);
}

/* Read R's kept answer into OUT, as desk_answer_again says; with
 * REMEMBERED_ONLY, when its key's user is remembered too (no statement). */
static bool
kept_answer (desk_t *self, const char *key, const desk_request_t *r, bool remembered_only,
             desk_answer_t *out)
{
    if (!desk_read_kept (r) || (remembered_only && !remembered (self, key)))
        return false;
    desk_answer_t got;
    memset (&got, 0, sizeof got);
    got.op = op_name (r->op);
    desk_call_t c = { .store = self->store, .arena = arena_new (), .actor = "", .op = r->op,
                      .req = r->req };
    esc_error_t err;
    esc_error_clear (&err);
    /* a refusal is the reader's to give, as it would any time */
    bool again = identify (self, key, &c, &got, &err) == 0;
    if (again) {
        size_t key_len;
        const uint8_t *kept = answered_key (c.arena, r->req, c.actor, self->started, &key_len);
        again = answer_again (self, r->req->request_id, kept, key_len, &got);
    }
    if (again)
        *out = got;
    arena_destroy (&c.arena);
    return again;
}

bool
desk_answer_again (desk_t *self, const char *key, const desk_request_t *r, desk_answer_t *out)
{
    return self->in_batch && !self->locked && kept_answer (self, key, r, false, out);
}

bool
desk_answer_kept (desk_t *self, const char **keys, const desk_request_t **reqs,
                  desk_answer_t **outs, int n, desk_stamp_t *at)
{
    int posted = store_posted (self->store);
    /* outside any transaction: none open, or only questions posted ahead */
    bool between = posted ? store_connected (self->store) : store_idle (self->store);
    if (self->in_batch || self->wrote || self->head < 0 || n < 1 || !between
        || store_reconnects (self->store) != self->connection)
        return false;
    int done = 0;
    while (done < n && kept_answer (self, keys[done], reqs[done], true, outs[done]))
        done++;
    if (done < n) {
        desk_kept_drop (outs, done);
        return false;
    }
    *at = (desk_stamp_t) { .head = self->head, .users_version = self->users_version,
                           .started = self->started, .connection = self->connection };
    return true;
}

bool
desk_kept_stand (desk_t *self, const desk_stamp_t *at, const store_head_t *now)
{
    /* kept at the head the desk saw, under the users it knew then, in this
     * quarter of an hour: still so if the database says so after */
    return now->ok && store_connected (self->store)    /* still a primary */
           && store_reconnects (self->store) == at->connection && now->head == at->head
           && now->users_version == at->users_version && now->started / 900 == at->started / 900;
}

void
desk_kept_advance (desk_t *self, const store_head_t *now)
{
    /* the answers of the quarter of an hour before are keyed by it: none
     * is found under the new one, which reads learn afresh */
    if (now->ok && !self->in_batch && !self->wrote && store_connected (self->store)
        && store_reconnects (self->store) == self->connection && now->head == self->head
        && now->users_version == self->users_version && now->started > self->started)
        self->started = now->started;
}

void
desk_kept_drop (desk_answer_t **outs, int n)
{
    for (int i = 0; i < n; i++) {
        free (outs[i]->reply);
        memset (outs[i], 0, sizeof *outs[i]);
    }
}

void
desk_learn (desk_t *self, const desk_request_t *r, const desk_answer_t *out)
{
    if (out->status != ESC_OK || out->retried || out->head < 0 || out->head != self->head
        || !out->reply || !desk_read_kept (r))
        return;
    Esc__Reply *reply = esc__reply__unpack (NULL, out->reply_len, out->reply);
    if (!reply)
        return;
    arena_t *a = arena_new ();
    size_t key_len;
    const uint8_t *key = answered_key (a, r->req, out->user, out->started, &key_len);
    keep_answer (self, a, reply, key, key_len);
    esc__reply__free_unpacked (reply, NULL);
    arena_destroy (&a);
}
