/* store_events.c: the request log and the event log. See store.h. */

#include "store_impl.h"

#include "json.h"
#include "logline.h"

/* ==== Requests and events ================================================ */

/* The request log entry in ROW of R (binary results) into OUT. */
static void
logged_from (arena_t *a, const PGresult *r, int row, logged_request_t *out)
{
    memset (out, 0, sizeof *out);
    int cd = store_column (r, "request_digest"), cr = store_column (r, "reply");
    out->found = true;
    if (PQgetlength (r, row, cd) == (int) sizeof out->digest)
        memcpy (out->digest, PQgetvalue (r, row, cd), sizeof out->digest);
    out->reply_len = (size_t) PQgetlength (r, row, cr);
    uint8_t *reply = arena_alloc (a, out->reply_len + 1);
    memcpy (reply, PQgetvalue (r, row, cr), out->reply_len);
    out->reply = reply;
}

int
store_request_lookup (store_t *self, arena_t *a, const char *user, const char *id,
                      logged_request_t *out, esc_error_t *err)
{
    params_t p = { 0 };
    params_text (&p, user);                             /* $1 user */
    params_text (&p, id);                               /* $2 request id */
    /* binary results: the bytea columns arrive as raw bytes */
    PGresult *r = store_exec_format (self,
        "SELECT request_digest, reply FROM request_log WHERE user_name = $1 AND request_id = $2",
        &p, 1, err);
    if (!r)
        return -1;
    memset (out, 0, sizeof *out);
    if (PQntuples (r) == 1)
        logged_from (a, r, 0, out);
    PQclear (r);
    return 0;
}

int
store_request_record (store_t *self, const request_record_t *log, esc_error_t *err)
{
    params_t p = { 0 };
    params_text (&p, log->user);                        /* $1 user */
    params_text (&p, log->id);                          /* $2 request id */
    params_bytes (&p, log->digest, STORE_DIGEST_LEN);   /* $3 SHA-256 of the request */
    params_bytes (&p, log->reply, log->reply_len);      /* $4 reply bytes */
    if (store_exec_then (self,
            "INSERT INTO request_log (user_name, request_id, request_digest, reply)"
            " VALUES ($1, $2, $3, $4)", &p, log->then, log->last, NULL, err) == 0)
        return 0;
    if (store_violated (self, "23505"))
        return esc_fail (err, ESC_ALREADY_EXISTS, "REQUEST_ID_REUSED",
                         "request id %s was answered already", log->id);
    return -1;
}

int
store_request_prune (store_t *self, int64_t days, int64_t limit, int64_t *deleted,
                     esc_error_t *err)
{
    params_t p = { 0 };
    params_int (&p, days);                              /* $1 days kept */
    params_int (&p, limit);                             /* $2 rows at most */
    /* a bounded bite, by the index on at: no long lock, no long statement */
    PGresult *r = store_exec (self,
        "DELETE FROM request_log WHERE ctid = ANY (ARRAY ("
        "    SELECT ctid FROM request_log WHERE at < now() - make_interval(days => $1::int)"
        "     ORDER BY at LIMIT $2))", &p, err);
    if (!r)
        return -1;
    *deleted = strtoll (PQcmdTuples (r), NULL, 10);
    PQclear (r);
    return 0;
}

int
store_request_log_bytes (store_t *self, int64_t *bytes, esc_error_t *err)
{
    PGresult *r = store_exec (self, "SELECT pg_total_relation_size('request_log') AS bytes",
                              NULL, err);
    if (!r)
        return -1;
    *bytes = row_int (r, 0, "bytes");
    PQclear (r);
    return 0;
}

/* The read lease (sql/025): its holder takes it alone on the connection
 * that writes; whoever changes the event counter takes it shared, in the
 * transaction, before the counter's row, as the trigger would. */
#define LEASE_CLASS "6648675"
#define LEASE_OBJECT "1"
#define LEASE_KEY LEASE_CLASS ", " LEASE_OBJECT
#define LEASE_SHARED_SQL "SELECT pg_advisory_xact_lock_shared(" LEASE_KEY ")"

int
store_lock_sequence (store_t *self, esc_error_t *err)
{
    if (store_run (self, LEASE_SHARED_SQL, NULL, err))
        return -1;
    return store_run (self, "SELECT last_seq FROM event_counter FOR UPDATE", NULL, err);
}

/* The N LOOKUPS as one JSON array of {i, key, id}. */
static void
lookups_json (json_t *j, const batch_lookup_t *lookups, size_t n)
{
    json_init (j);
    json_array_begin (j);
    for (size_t i = 0; i < n; i++) {
        json_object_begin (j);
        json_kv_int (j, "i", (int64_t) i);
        json_kv_string (j, "key", lookups[i].key);
        json_kv_string (j, "id", lookups[i].id);
        json_object_end (j);
    }
    json_array_end (j);
}

/* The event head, the users' version and the transaction's start. */
#define HEAD_COLUMNS                                                        \
    "SELECT last_seq, users_version,"                                       \
    "       extract(epoch FROM transaction_timestamp())::bigint AS started"
#define HEAD_SQL HEAD_COLUMNS " FROM event_counter"
static const char head_sql[] = HEAD_SQL;

/* head_sql, and whether anyone waits for the read lease */
static const char lease_head_sql[] =
    HEAD_COLUMNS ", EXISTS (SELECT FROM pg_locks"
    "                        WHERE locktype = 'advisory' AND NOT granted"
    "                          AND database = (SELECT oid FROM pg_database"
    "                                           WHERE datname = current_database())"
    "                          AND classid = " LEASE_CLASS " AND objid = " LEASE_OBJECT
    "                          AND objsubid = 2)"
    "       AS contested"
    "  FROM event_counter";

/* Reads head_sql's one row from R into *HEAD, *USERS_VERSION and *STARTED. */
static int
head_read (const PGresult *r, int64_t *head, int64_t *users_version, int64_t *started,
           esc_error_t *err)
{
    if (PQntuples (r) != 1)
        return esc_fail (err, ESC_INTERNAL, "INTERNAL", "the event counter is missing");
    *head = row_int (r, 0, "last_seq");
    *users_version = row_int (r, 0, "users_version");
    *started = row_int (r, 0, "started");
    return 0;
}

int
store_peek_post (store_t *self, esc_error_t *err)
{
    return store_post (self, head_sql, err);
}

int
store_lease_post (store_t *self, esc_error_t *err)
{
    return store_post (self, lease_head_sql, err);
}

/* R's head into *OUT (a head check's, or the lease's); R is cleared. */
static void
head_take (PGresult *r, store_head_t *out)
{
    esc_error_t err;
    out->ok = r && head_read (r, &out->head, &out->users_version, &out->started, &err) == 0;
    int contested = r ? PQfnumber (r, "contested") : -1;
    out->contested = out->ok && contested >= 0 && PQgetvalue (r, 0, contested)[0] == 't';
    PQclear (r);
}

int
store_peek_take (store_t *self, bool wait, store_head_t *out)
{
    PGresult *r;
    memset (out, 0, sizeof *out);
    if (!store_posted_take (self, wait, &r))
        return 0;
    head_take (r, out);
    return 1;
}

int
store_lease_take (store_t *self, bool *got, store_head_t *out, esc_error_t *err)
{
    memset (out, 0, sizeof *out);
    *got = false;
    PGresult *r = store_exec (self, "SELECT pg_try_advisory_lock(" LEASE_KEY ") AS got", NULL, err);
    if (!r)
        return -1;
    *got = PQntuples (r) == 1 && PQgetvalue (r, 0, 0)[0] == 't';
    PQclear (r);
    store_lease_mark (self, *got);
    if (!*got)
        return 0;
    /* read after the lease is held: nobody changes it from then on */
    head_take (store_exec (self, head_sql, NULL, err), out);
    if (out->ok)
        return 0;
    esc_error_t undo;
    store_lease_give (self, &undo);
    *got = false;
    return -1;
}

int
store_lease_give (store_t *self, esc_error_t *err)
{
    if (!store_lease_held (self))
        return 0;
    store_lease_mark (self, false);
    if (store_run (self, "SELECT pg_advisory_unlock(" LEASE_KEY ")", NULL, err) == 0)
        return 0;
    /* not to be left held with nobody asking who waits */
    logline (LOGLINE_WARNING, "cannot give the read lease up (%s): reconnecting", err->message);
    store_disconnect (self);
    return -1;
}

/* store_batch_open; with NOWAIT, the sequence lock fails at once
 * (55P03) when someone else holds the counter's row. */
static int
batch_open (store_t *self, arena_t *a, const char *begin_sql, bool lock, bool nowait,
            batch_lookup_t *lookups, size_t n, store_open_filing_t *filing, int64_t *head,
            int64_t *users_version, int64_t *started, esc_error_t *err)
{
    if (!lock) {
        n = 0;
        filing = NULL;
    }
    /* the lock before the savepoint: rolling a request back to it must
     * not release the lock; the request log read under the lock is what
     * every writer before committed. With filings after them, the
     * batch's steps stand whatever befalls the filings' */
    bool keep = filing != NULL;
    store_step_t steps[7];
    int first = 0;
    steps[first++] = (store_step_t) { .sql = begin_sql, .keep = keep };
    if (lock)
        steps[first++] = (store_step_t) { .sql = LEASE_SHARED_SQL, .prepare = true, .keep = keep };
    int at = first;
    steps[first++] = (store_step_t) {
        .sql = !lock ? head_sql : nowait ? HEAD_SQL " FOR UPDATE NOWAIT" : HEAD_SQL " FOR UPDATE",
        .prepare = true, .keep = keep };
    if (lock)
        steps[first++] = (store_step_t) { .sql = "SAVEPOINT request", .keep = keep };
    json_t j;
    params_t p = { 0 };
    if (n) {
        lookups_json (&j, lookups, n);
        params_text (&p, json_text (&j));               /* $1 [{i, key, id}] */
        /* binary results: the bytea columns arrive as raw bytes. Each
         * looked up by the index (OFFSET 0 keeps the planner from a
         * join that scans the whole log) */
        steps[first++] = (store_step_t) {
            .sql = "SELECT l.i::text AS i, r.request_digest, r.reply"
                   "  FROM json_to_recordset($1::json) AS l (i int, key text, id text),"
                   "       LATERAL (SELECT r.request_digest, r.reply FROM request_log r"
                   "                  JOIN app_user u ON u.name = r.user_name"
                   "                 WHERE u.public_key = l.key AND r.request_id = l.id"
                   "                OFFSET 0) r",
            .p = &p, .result_format = 1, .prepare = true, .keep = keep };
    }
    store_filing_sql_t filing_sql;
    if (filing)
        store_filing_steps (&filing_sql, filing->f, filing->n, steps + first);
    PGresult *results[7];
    esc_error_t failure;
    esc_error_clear (&failure);
    int failed = store_pipeline (self, steps, first + (filing ? 2 : 0), results, &failure);
    if (n)
        json_release (&j);
    /* on a connection that broke after the batch's steps, the batch did
     * not open: the caller connects again */
    bool opened = store_connected (self);
    for (int i = 0; i < first; i++)
        opened = opened && results[i];
    if (filing) {
        /* the filings' failure is theirs, not the batch's */
        filing->err = failure;
        filing->rc = store_filing_results (&filing_sql, filing->a, filing->f, filing->n,
                                           filing->judge, results + first, failed != 0);
        failed = !opened;
    }
    if (failed) {
        *err = failure;
        if (err->status == ESC_OK)      /* every step ran; the server went away after */
            esc_fail (err, ESC_UNAVAILABLE, "DATABASE_UNAVAILABLE",
                      "the database is unavailable; escd is reconnecting");
        for (int i = 0; i < first; i++)
            PQclear (results[i]);
        return -1;
    }
    int rc = head_read (results[at], head, users_version, started, err);
    for (size_t i = 0; i < n; i++)
        memset (&lookups[i].logged, 0, sizeof lookups[i].logged);
    for (int row = 0; n && row < PQntuples (results[first - 1]); row++) {
        int64_t i = row_int (results[first - 1], row, "i");
        if (i >= 0 && (size_t) i < n)
            logged_from (a, results[first - 1], row, &lookups[i].logged);
    }
    for (int i = 0; i < first; i++)
        PQclear (results[i]);
    return rc;
}

int
store_batch_open (store_t *self, arena_t *a, const char *begin_sql, bool lock,
                  batch_lookup_t *lookups, size_t n, store_open_filing_t *filing,
                  int64_t *head, int64_t *users_version, int64_t *started, esc_error_t *err)
{
    /* the lease's holder never waits for the counter's row: whoever holds
     * it before the lease (a writer by hand, an escd of before sql/025)
     * waits for the lease, and the two would wait for each other */
    bool nowait = lock && store_lease_held (self);
    int rc = batch_open (self, a, begin_sql, lock, nowait, lookups, n, filing, head,
                         users_version, started, err);
    if (rc == 0 || !nowait || !store_violated (self, "55P03"))
        return rc;
    esc_error_t undo;
    store_command (self, "ROLLBACK", &undo);
    logline (LOGLINE_INFO, "gave the read lease up: a writer holds the event counter");
    if (store_lease_give (self, &undo)) {
        *err = undo;            /* the connection went with it */
        return -1;
    }
    return batch_open (self, a, begin_sql, lock, false, lookups, n, filing, head, users_version,
                       started, err);
}

/* E's parameters, $1 to $7, for the statements below. */
static void
event_params (params_t *p, const event_t *e)
{
    params_text (p, e->type);                           /* $1 type */
    params_text (p, e->actor);                          /* $2 actor */
    params_text (p, e->quarter);                        /* $3 quarter or NULL */
    params_opt_int (p, e->escalation_id > 0, e->escalation_id); /* $4 */
    params_text (p, e->account);                        /* $5 account or NULL */
    params_text (p, e->data ? e->data : "{}");          /* $6 details */
    params_text (p, e->summary);                        /* $7 sentence */
}

/* The next sequence number, the event under it, and one NOTIFY per
 * transaction (identical payloads are folded); then what LOGGED adds. */
#define APPEND_EVENT(logged) \
    "WITH next AS (UPDATE event_counter SET last_seq = last_seq + 1 RETURNING last_seq)," \
    "     added AS (INSERT INTO event (seq, type, actor, quarter, escalation_id, account," \
    "                                  data, summary)" \
    "               SELECT last_seq, $1, $2, $3, $4, $5, $6::jsonb, $7 FROM next" \
    "               RETURNING seq)" logged \
    " SELECT seq, pg_notify('" STORE_EVENT_CHANNEL "', '') FROM added"

/* Runs an APPEND_EVENT statement, then LOG's commands (LOG: NULL, none):
 * *SEQ is the event's number; a request id logged already is
 * ALREADY_EXISTS. */
static int
append (store_t *self, const char *sql, const params_t *p, const request_record_t *log,
        int64_t *seq, esc_error_t *err)
{
    PGresult *r;
    if (store_exec_then (self, sql, p, log ? log->then : NULL, log && log->last, &r, err)) {
        if (log && store_violated (self, "23505"))
            return esc_fail (err, ESC_ALREADY_EXISTS, "REQUEST_ID_REUSED",
                             "request id %s was answered already", log->id);
        return -1;
    }
    *seq = r ? row_int (r, 0, "seq") : 0;
    PQclear (r);
    return 0;
}

int
store_event_append (store_t *self, const event_t *e, int64_t *seq, esc_error_t *err)
{
    params_t p = { 0 };
    event_params (&p, e);
    return append (self, APPEND_EVENT (""), &p, NULL, seq, err);
}

int
store_event_append_logged (store_t *self, const event_t *e, const request_record_t *log,
                           int64_t *seq, esc_error_t *err)
{
    params_t p = { 0 };
    event_params (&p, e);
    params_text (&p, log->user);                        /* $8 user */
    params_text (&p, log->id);                          /* $9 request id */
    params_bytes (&p, log->digest, STORE_DIGEST_LEN);   /* $10 SHA-256 of the request */
    params_bytes (&p, log->reply, log->reply_len);      /* $11 reply bytes */
    return append (self, APPEND_EVENT (","
        "     logged AS (INSERT INTO request_log (user_name, request_id, request_digest, reply)"
        "                VALUES ($8, $9, $10, $11))"), &p, log, seq, err);
}

int
store_event_append_many (store_t *self, const event_t *const *events,
                         const request_record_t *logs, size_t n, const char *const *then,
                         esc_error_t *err)
{
    json_t j;
    json_init (&j);
    json_array_begin (&j);
    for (size_t i = 0; i < n; i++) {
        const event_t *e = events[i];
        const request_record_t *log = &logs[i];
        json_object_begin (&j);
        json_kv_int (&j, "i", (int64_t) i);
        if (e) {
            json_kv_string (&j, "type", e->type);
            json_kv_string (&j, "actor", e->actor);
            json_kv_string (&j, "quarter", e->quarter);
            json_kv_opt_int (&j, "escalation_id", e->escalation_id > 0, e->escalation_id);
            json_kv_string (&j, "account", e->account);
            json_key (&j, "data");
            json_raw (&j, e->data && *e->data ? e->data : "{}");
            json_kv_string (&j, "summary", e->summary);
        }
        json_kv_string (&j, "user_name", log->user);
        json_kv_string (&j, "request_id", log->id);
        json_kv_hex (&j, "digest", log->digest, STORE_DIGEST_LEN);
        json_kv_hex (&j, "reply", log->reply, log->reply_len);
        json_object_end (&j);
    }
    json_array_end (&j);
    params_t p = { 0 };
    params_text (&p, json_text (&j));                   /* $1 the events and answers */
    /* APPEND_EVENT's, for all at once: the events numbered on from the
     * counter in their order */
    int rc = store_exec_then (self,
        "WITH x AS (SELECT * FROM json_to_recordset($1::json) AS x (i int, type text,"
        "                  actor text, quarter text, escalation_id bigint, account text,"
        "                  data jsonb, summary text, user_name text, request_id text,"
        "                  digest text, reply text)),"
        "     n AS (SELECT count(type) AS n FROM x),"
        "     next AS (UPDATE event_counter SET last_seq = last_seq + n.n FROM n WHERE n.n > 0"
        "              RETURNING last_seq - n.n AS base),"
        "     added AS (INSERT INTO event (seq, type, actor, quarter, escalation_id, account,"
        "                                  data, summary)"
        "               SELECT next.base + row_number() OVER (ORDER BY x.i), x.type, x.actor,"
        "                      x.quarter, x.escalation_id, x.account, x.data, x.summary"
        "                 FROM x, next WHERE x.type IS NOT NULL"
        "               RETURNING seq),"
        "     logged AS (INSERT INTO request_log (user_name, request_id, request_digest, reply)"
        "                SELECT user_name, request_id, decode(digest, 'hex'), decode(reply, 'hex')"
        "                  FROM x)"
        " SELECT pg_notify('" STORE_EVENT_CHANNEL "', '') WHERE EXISTS (SELECT FROM added)",
        &p, then, n && logs[n - 1].last, NULL, err);
    json_release (&j);
    if (rc && store_violated (self, "23505"))
        return esc_fail (err, ESC_ALREADY_EXISTS, "REQUEST_ID_REUSED",
                         "a request id of the batch was answered already");
    return rc;
}

#define EVENT_COLUMNS                                                       \
    "seq, type, actor, quarter, escalation_id, account, data::text AS data," \
    " data->>'note' AS note,"                                               \
    " summary, to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"') AS at"

/* The rows of an event query as an EventList in the arena. */
static Esc__EventList *
events_from_rows (arena_t *a, const PGresult *r)
{
    Esc__EventList *list = arena_alloc (a, sizeof *list);
    esc__event_list__init (list);
    /* a LEFT JOIN's one row without an event is none */
    bool none = PQntuples (r) == 1 && row_null (r, 0, "seq");
    list->n_events = none ? 0 : (size_t) PQntuples (r);
    ALLOC_MESSAGES (a, Esc__Event, esc__event__init, list->n_events, list->events);
    for (size_t i = 0; i < list->n_events; i++) {
        Esc__Event *ev = list->events[i];
        int row = (int) i;
        ev->has_seq = true;
        ev->seq = row_int (r, row, "seq");
        ev->type = store_dup_text (a, r, row, "type");
        ev->at = store_dup_text (a, r, row, "at");
        ev->actor = store_dup_text (a, r, row, "actor");
        ev->quarter = store_dup_text (a, r, row, "quarter");
        ev->has_escalation_id = !row_null (r, row, "escalation_id");
        ev->escalation_id = row_int (r, row, "escalation_id");
        ev->account = store_dup_text (a, r, row, "account");
        ev->data = store_dup_text (a, r, row, "data");
        ev->summary = store_dup_text (a, r, row, "summary");
        ev->note = store_dup_text (a, r, row, "note");
    }
    return list;
}

/* The rows of a history query R (events in order, each row with the count
 * of all the history holds in "total") as an EventList. */
static Esc__EventList *
history_from_rows (arena_t *a, const PGresult *r)
{
    Esc__EventList *list = events_from_rows (a, r);
    list->has_total = true;
    list->total = PQntuples (r) ? row_int (r, 0, "total") : 0;
    return list;
}

int
store_history (store_t *self, arena_t *a, int64_t id, Esc__EventList **out, esc_error_t *err)
{
    params_t p = { 0 };
    params_int (&p, id);                                /* $1 escalation id */
    params_int (&p, STORE_LIST_MAX);                    /* $2 events at most */
    /* the last ones, if there are more than a reply holds */
    PGresult *r = store_exec (self,
        "SELECT * FROM (SELECT " EVENT_COLUMNS ", count(*) OVER () AS total FROM event"
        "                WHERE escalation_id = $1"
        "                   OR (type IN ('escalation.merged', 'escalation.unmerged')"
        "                       AND (data->>'into')::bigint = $1)"
        "                ORDER BY seq DESC LIMIT $2) last"
        " ORDER BY seq", &p, err);
    if (!r)
        return -1;
    *out = history_from_rows (a, r);
    PQclear (r);
    return 0;
}

/* What concerns a roadmap item: its own events (planned, corrected, done,
 * moved), found by 017's index on data's roadmap_item, and each approval
 * that postponed it, found through postponement (an item carried into a
 * later quarter may be postponed there again) and the event log's index
 * on the escalation. */
int
store_roadmap_history (store_t *self, arena_t *a, int64_t id, Esc__EventList **out,
                       esc_error_t *err)
{
    params_t p = { 0 };
    params_int (&p, id);                                /* $1 roadmap item id */
    params_int (&p, STORE_LIST_MAX);                    /* $2 events at most */
    PGresult *r = store_exec (self,
        "SELECT * FROM (SELECT " EVENT_COLUMNS ", count(*) OVER () AS total FROM ("
        "    SELECT * FROM event"
        "     WHERE type IN ('roadmap.added', 'roadmap.changed', 'roadmap.done', 'roadmap.moved')"
        "       AND (data->>'roadmap_item')::bigint = $1"
        "    UNION ALL"
        "    SELECT * FROM event"
        "     WHERE escalation_id IN (SELECT escalation_id FROM postponement"
        "                              WHERE roadmap_item_id = $1)"
        "       AND type IN ('escalation.approved', 'escalation.overridden')"
        "       AND data->'postponed' @> to_jsonb ($1::bigint)) concerning"
        "  ORDER BY seq DESC LIMIT $2) last"
        " ORDER BY seq", &p, err);
    if (!r)
        return -1;
    *out = history_from_rows (a, r);
    PQclear (r);
    return 0;
}

int
store_last_seq (store_t *self, int64_t *seq, esc_error_t *err)
{
    PGresult *r = store_exec (self, "SELECT last_seq FROM event_counter", NULL, err);
    if (!r)
        return -1;
    *seq = row_int (r, 0, "last_seq");
    PQclear (r);
    return 0;
}

/* The head, and the events after $1 up to it, at most $2 of them: one
 * statement, one snapshot (the counter and an event commit together, in
 * sequence order, so the events it shows end at the head it shows); a row
 * with no event when there is none. The bounds are sub-selects, whose
 * values the planner does not see: a plan made for the values is then no
 * cheaper than the one kept for all of them, which PostgreSQL keeps after
 * five runs. With the bounds in sight it planned every run again, 0.15 ms
 * (a tenth of a filing at one client) for a read of a few rows. */
static const char events_since_sql[] =
    "SELECT h.last_seq AS head, ev.* FROM event_counter h"
    "  LEFT JOIN (SELECT " EVENT_COLUMNS " FROM event WHERE seq > (SELECT $1::bigint)"
    "              ORDER BY seq LIMIT (SELECT $2::bigint)) ev ON true"
    " ORDER BY ev.seq";

int
store_commit_publishing (store_t *self, int64_t since, int64_t limit, esc_error_t *err)
{
    params_t p = { 0 };
    params_int (&p, since);                             /* $1 after this seq */
    params_int (&p, limit);                             /* $2 at most this many */
    return store_commit_then (self, events_since_sql, &p, since, limit, err);
}

int
store_events_since (store_t *self, arena_t *a, int64_t since, int64_t limit,
                    Esc__EventList **out, esc_error_t *err)
{
    /* read as this connection's last commit ended, if that is the ask */
    PGresult *r = store_stash_take (self, events_since_sql, since, limit);
    if (!r) {
        params_t p = { 0 };
        params_int (&p, since);                         /* $1 after this seq */
        params_int (&p, limit);                         /* $2 at most this many */
        r = store_exec (self, events_since_sql, &p, err);
    }
    if (!r)
        return -1;
    int64_t last = PQntuples (r) ? row_int (r, 0, "head") : 0;
    int64_t to = since + limit < last ? since + limit : last;
    if (to < since)
        to = since;
    *out = events_from_rows (a, r);
    (*out)->has_scanned_to = (*out)->has_last_seq = true;
    (*out)->scanned_to = to;
    (*out)->last_seq = last;
    PQclear (r);
    return 0;
}
