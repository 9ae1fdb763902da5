/* store.c: escd's PostgreSQL store. See store.h. */
#include "store.h"
#include "proc.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define STORE_PREPARED_MAX 128

struct store {
    char *url;
    PGconn *conn;
    char sqlstate[6];
    double retry_at;            /* no connection attempt before this (ms) */
    double backoff;             /* ms between attempts while down: 100 to 5000 */
    bool listening;             /* LISTEN again after reconnecting */
    /* statements prepared on this connection, by the address of their
     * text: every statement is a string literal of this file */
    bool stale_prepared;        /* forget them when no transaction is open */
    const char *prepared[STORE_PREPARED_MAX];
    char names[STORE_PREPARED_MAX][16];
    size_t n_prepared;
};

/* ==== Connection ========================================================= */

store_t *
store_new (const char *url)
{
    store_t *self = calloc (1, sizeof *self);
    if (!self)
        abort ();
    self->url = strdup (url ? url : "");
    if (!self->url)
        abort ();
    return self;
}

void
store_destroy (store_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    store_t *self = *self_p;
    if (self->conn)
        PQfinish (self->conn);
    free (self->url);
    free (self);
    *self_p = NULL;
}

bool
store_connected (store_t *self)
{
    return self->conn && PQstatus (self->conn) == CONNECTION_OK;
}

PGconn *
store_conn (store_t *self)
{
    return store_connected (self) ? self->conn : NULL;
}

bool
store_in_failed_transaction (store_t *self)
{
    return self->conn && PQtransactionStatus (self->conn) == PQTRANS_INERROR;
}

int
store_connect (store_t *self, esc_error_t *err)
{
    if (store_connected (self))
        return 0;
    if (proc_now_ms () < self->retry_at)
        return esc_fail (err, ESC_UNAVAILABLE, "DATABASE_UNAVAILABLE",
                         "the database is unavailable; escd is reconnecting");
    bool reconnecting = self->conn != NULL;
    if (self->conn)
        PQfinish (self->conn);
    self->n_prepared = 0;       /* a new connection knows none of them */
    self->stale_prepared = false;
    /* the URL (or any libpq connection string) goes in as dbname and is
     * expanded; without one, the PG* variables name the database */
    /* keepalives: a peer that vanished while idle is found in seconds;
     * tcp_user_timeout: one that vanished while a query was on its way
     * too, instead of after the kernel's quarter hour of retransmissions */
    const char *keys[] = { "dbname", "application_name", "connect_timeout", "keepalives",
                           "keepalives_idle", "keepalives_interval", "keepalives_count",
                           "tcp_user_timeout", NULL };
    const char *values[] = { self->url, "escd", "2", "1", "5", "2", "3", "5000", NULL };
    self->conn = PQconnectdbParams (*self->url ? keys : keys + 1,
                                    *self->url ? values : values + 1, 1);
    if (PQstatus (self->conn) != CONNECTION_OK) {
        char msg[256];
        snprintf (msg, sizeof msg, "%s", PQerrorMessage (self->conn));
        msg[strcspn (msg, "\n")] = '\0';
        self->backoff = self->backoff ? (self->backoff * 2 < 5000 ? self->backoff * 2 : 5000) : 100;
        self->retry_at = proc_now_ms () + self->backoff;
        fprintf (stderr, "escd: the database is unavailable (next attempt in %.1f s): %s\n",
                 self->backoff / 1000, msg);
        return esc_fail (err, ESC_UNAVAILABLE, "DATABASE_UNAVAILABLE",
                         "the database is unavailable: %s", msg);
    }
    if (reconnecting)
        fprintf (stderr, "escd: connected to the database again\n");
    self->backoff = 0;
    self->retry_at = 0;
    /* One thread serves everyone: no statement may hold it past what a
     * client waits (5 s). A lock held by a stuck writer elsewhere (another
     * escd in mid-batch) is given up after 2 s, and the request answered
     * UNAVAILABLE; a transaction left open by a dead escd is ended by the
     * server. */
    if (store_command (self, "SET lock_timeout = '2s'; SET statement_timeout = '3s';"
                             " SET idle_in_transaction_session_timeout = '10s'", err))
        return -1;
    return self->listening ? store_listen (self, err) : 0;
}

/* ==== Statements ========================================================= */

static void
params_add (params_t *p, const char *value, int length, int format)
{
    if (p->n >= PARAMS_MAX)
        abort ();               /* a programming error, caught by any test */
    p->values[p->n] = value;
    p->lengths[p->n] = length;
    p->formats[p->n] = format;
    p->n++;
}

void params_text (params_t *p, const char *s) { params_add (p, s, 0, 0); }

void
params_int (params_t *p, int64_t v)
{
    if (p->n >= PARAMS_MAX)
        abort ();
    snprintf (p->numbers[p->n], sizeof p->numbers[p->n], "%" PRId64, v);
    params_add (p, p->numbers[p->n], 0, 0);
}

void
params_opt_int (params_t *p, bool has, int64_t v)
{
    if (has)
        params_int (p, v);
    else
        params_add (p, NULL, 0, 0);
}

void params_bool (params_t *p, bool v) { params_add (p, v ? "true" : "false", 0, 0); }

void
params_bytes (params_t *p, const void *data, size_t len)
{
    params_add (p, data, (int) len, 1);
}

static bool violated (store_t *self, const char *sqlstate);

/* Checks R, the result of a statement: returns it when it succeeded, else
 * clears it and returns NULL with ERR (and the SQLSTATE kept). */
static PGresult *
checked (store_t *self, PGresult *r, esc_error_t *err)
{
    ExecStatusType st = PQresultStatus (r);
    if (st == PGRES_TUPLES_OK || st == PGRES_COMMAND_OK)
        return r;
    const char *state = PQresultErrorField (r, PG_DIAG_SQLSTATE);
    snprintf (self->sqlstate, sizeof self->sqlstate, "%s", state ? state : "");
    if (PQstatus (self->conn) != CONNECTION_OK)
        esc_fail (err, ESC_UNAVAILABLE, "DATABASE_UNAVAILABLE", "the database is unavailable");
    else if (violated (self, "55P03") || violated (self, "57014"))
        esc_fail (err, ESC_UNAVAILABLE, "DATABASE_BUSY",
                  "the database did not answer in time (a lock held elsewhere?); try again");
    else if (violated (self, "0A000") || violated (self, "26000")) {
        /* the schema changed under a prepared statement (a migration ran):
         * prepare everything afresh once the transaction is over */
        self->stale_prepared = true;
        esc_fail (err, ESC_UNAVAILABLE, "SCHEMA_CHANGED",
                  "the database schema changed under escd; try again");
    }
    else {
        /* the detail goes to escd's log, not to the client; a constraint's
         * refusal (class 23) is the caller's to name */
        if (strncmp (self->sqlstate, "23", 2) != 0)
            fprintf (stderr, "escd: SQL error %s: %s", self->sqlstate, PQresultErrorMessage (r));
        esc_fail (err, ESC_INTERNAL, "INTERNAL", "database error (SQLSTATE %s)", self->sqlstate);
    }
    PQclear (r);
    return NULL;
}

/* The name of SQL's prepared statement on this connection, preparing it
 * the first time. Statements are the store's string literals, so the
 * pointer names the text. NULL with ERR when it cannot be prepared. */
static const char *
prepared (store_t *self, const char *sql, int n_params, esc_error_t *err)
{
    for (size_t i = 0; i < self->n_prepared; i++)
        if (self->prepared[i] == sql)
            return self->names[i];
    if (self->n_prepared == STORE_PREPARED_MAX)
        return "";              /* full: run it unprepared */
    size_t i = self->n_prepared;
    snprintf (self->names[i], sizeof self->names[i], "esc_%zu", i);
    PGresult *r = checked (self, PQprepare (self->conn, self->names[i], sql, n_params, NULL), err);
    if (!r)
        return NULL;
    PQclear (r);
    self->prepared[i] = sql;
    self->n_prepared++;
    return self->names[i];
}

/* After a schema change, forgets every prepared statement as soon as no
 * transaction is open (DEALLOCATE cannot run in an aborted one). */
static void
forget_stale (store_t *self)
{
    if (self->stale_prepared && PQtransactionStatus (self->conn) == PQTRANS_IDLE) {
        PQclear (PQexec (self->conn, "DEALLOCATE ALL"));
        self->n_prepared = 0;
        self->stale_prepared = false;
    }
}

static PGresult *
exec_format (store_t *self, const char *sql, const params_t *p, int result_format,
             esc_error_t *err)
{
    self->sqlstate[0] = '\0';
    if (!store_connected (self)) {
        esc_fail (err, ESC_UNAVAILABLE, "DATABASE_UNAVAILABLE", "the database is unavailable");
        return NULL;
    }
    forget_stale (self);
    static const params_t none;
    if (!p)
        p = &none;
    /* prepared once per connection: the views cost more to plan than to run */
    const char *name = prepared (self, sql, p->n, err);
    if (!name)
        return NULL;
    if (!*name)
        return checked (self, PQexecParams (self->conn, sql, p->n, NULL, p->values, p->lengths,
                                            p->formats, result_format), err);
    return checked (self, PQexecPrepared (self->conn, name, p->n, p->values, p->lengths,
                                          p->formats, result_format), err);
}

PGresult *
store_exec (store_t *self, const char *sql, const params_t *p, esc_error_t *err)
{
    return exec_format (self, sql, p, 0, err);
}

const char *
store_sqlstate (store_t *self)
{
    return self->sqlstate;
}

int
store_command (store_t *self, const char *sql, esc_error_t *err)
{
    self->sqlstate[0] = '\0';
    if (!store_connected (self))
        return esc_fail (err, ESC_UNAVAILABLE, "DATABASE_UNAVAILABLE",
                         "the database is unavailable");
    forget_stale (self);
    PGresult *r = checked (self, PQexec (self->conn, sql), err);
    PQclear (r);
    return r ? 0 : -1;
}

/* Runs SQL, which must find exactly one row: else NULL with NOT_FOUND,
 * REASON and the formatted message in ERR. */
static PGresult *
exec_one (store_t *self, const char *sql, const params_t *p, esc_error_t *err,
          const char *reason, const char *fmt, ...) __attribute__ ((format (printf, 6, 7)));

static PGresult *
exec_one (store_t *self, const char *sql, const params_t *p, esc_error_t *err,
          const char *reason, const char *fmt, ...)
{
    PGresult *r = store_exec (self, sql, p, err);
    if (!r || PQntuples (r) == 1)
        return r;
    PQclear (r);
    char message[sizeof err->message];
    va_list ap;
    va_start (ap, fmt);
    vsnprintf (message, sizeof message, fmt, ap);
    va_end (ap);
    esc_fail (err, ESC_NOT_FOUND, reason, "%s", message);
    return NULL;
}

/* Runs a statement whose result is not needed. */
static int
run (store_t *self, const char *sql, const params_t *p, esc_error_t *err)
{
    PGresult *r = store_exec (self, sql, p, err);
    PQclear (r);
    return r ? 0 : -1;
}

/* True when the last failure was a violation of a constraint (23xxx),
 * which callers turn into the rule the constraint stands for. */
static bool
violated (store_t *self, const char *sqlstate)
{
    return strcmp (self->sqlstate, sqlstate) == 0;
}

/* ==== Rows =============================================================== */

static int
column (const PGresult *r, const char *col)
{
    int c = PQfnumber (r, col);
    if (c < 0) {
        fprintf (stderr, "escd: no column %s in result\n", col);
        abort ();               /* a query and its reader disagree: a bug */
    }
    return c;
}

bool
row_null (const PGresult *r, int row, const char *col)
{
    return PQgetisnull (r, row, column (r, col));
}

const char *
row_text (const PGresult *r, int row, const char *col)
{
    int c = column (r, col);
    return PQgetisnull (r, row, c) ? NULL : PQgetvalue (r, row, c);
}

int64_t
row_int (const PGresult *r, int row, const char *col)
{
    const char *v = row_text (r, row, col);
    return v ? strtoll (v, NULL, 10) : 0;
}

bool
row_bool (const PGresult *r, int row, const char *col)
{
    const char *v = row_text (r, row, col);
    return v && v[0] == 't';
}

/* An arena copy of a text column (NULL stays NULL). */
static char *
dup_text (arena_t *a, const PGresult *r, int row, const char *col)
{
    return arena_strdup (a, row_text (r, row, col));
}

/* Splits a joined list column into an arena array of strings. */
static size_t
split_texts (arena_t *a, const char *joined, char sep, char ***out)
{
    *out = NULL;
    if (!joined || !*joined)
        return 0;
    size_t n = 1;
    for (const char *p = joined; *p; p++)
        n += *p == sep;
    char **items = arena_alloc (a, n * sizeof *items);
    char *copy = arena_strdup (a, joined);
    size_t i = 0;
    for (char *p = copy;; p++) {
        char *end = strchr (p, sep);
        items[i++] = p;
        if (!end)
            break;
        *end = '\0';
        p = end;
    }
    *out = items;
    return n;
}

/* Splits a comma-joined list of integers into an arena array. */
static size_t
split_ints (arena_t *a, const char *joined, int64_t **out)
{
    char **parts;
    size_t n = split_texts (a, joined, ',', &parts);
    *out = n ? arena_alloc (a, n * sizeof **out) : NULL;
    for (size_t i = 0; i < n; i++)
        (*out)[i] = strtoll (parts[i], NULL, 10);
    return n;
}

/* An arena array of N message pointers, each initialised by INIT. */
#define ALLOC_MESSAGES(a, type, init, n, out)                          \
    do {                                                                \
        (out) = (n) ? arena_alloc ((a), (n) * sizeof *(out)) : NULL;    \
        for (size_t i_ = 0; i_ < (size_t) (n); i_++) {                  \
            (out)[i_] = arena_alloc ((a), sizeof (type));               \
            init ((out)[i_]);                                           \
        }                                                               \
    } while (0)

/* ==== Users ============================================================== */

int
store_user_roles (store_t *self, const char *name, role_set_t *roles, esc_error_t *err)
{
    params_t p = { 0 };
    params_text (&p, name);                             /* $1 user name */
    PGresult *r = store_exec (self,
        "SELECT r.role::text AS role FROM user_role r JOIN app_user u ON u.name = r.user_name"
        " WHERE r.user_name = $1 AND u.revoked_at IS NULL", &p, err);
    if (!r)
        return -1;
    *roles = 0;
    for (int i = 0; i < PQntuples (r); i++) {
        role_t role;
        if (role_parse (row_text (r, i, "role"), &role) == 0)
            *roles |= role;
    }
    PQclear (r);
    return 0;
}

int
store_user_by_key (store_t *self, const char *key, char *name, size_t len, esc_error_t *err)
{
    params_t p = { 0 };
    params_text (&p, key);                              /* $1 Z85 public key */
    PGresult *r = store_exec (self,
        "SELECT name FROM app_user WHERE public_key = $1 AND revoked_at IS NULL", &p, err);
    if (!r)
        return -1;
    snprintf (name, len, "%s", PQntuples (r) == 1 ? row_text (r, 0, "name") : "");
    PQclear (r);
    return 0;
}

int
store_user_keys (store_t *self, void (*each) (void *arg, const char *key, const char *name),
                 void *arg, esc_error_t *err)
{
    PGresult *r = store_exec (self,
        "SELECT name, public_key FROM app_user WHERE revoked_at IS NULL", NULL, err);
    if (!r)
        return -1;
    for (int i = 0; i < PQntuples (r); i++)
        each (arg, row_text (r, i, "public_key"), row_text (r, i, "name"));
    PQclear (r);
    return 0;
}

int
store_user_insert (store_t *self, const char *name, role_set_t roles, const char *key,
                   esc_error_t *err)
{
    params_t p = { 0 };
    params_text (&p, name);                             /* $1 name */
    params_text (&p, key);                              /* $2 public key */
    if (run (self, "INSERT INTO app_user (name, public_key) VALUES ($1, $2)", &p, err)) {
        if (violated (self, "23505"))
            return esc_fail (err, ESC_ALREADY_EXISTS, "USER_EXISTS",
                             "a user named %s or holding that key already exists", name);
        return -1;
    }
    for (int i = 0; i < ROLE_COUNT; i++) {
        if (!(roles & (1u << i)))
            continue;
        params_t q = { 0 };
        params_text (&q, name);                         /* $1 user name */
        params_text (&q, role_name (1u << i));          /* $2 role */
        if (run (self, "INSERT INTO user_role (user_name, role) VALUES ($1, $2)", &q, err))
            return -1;
    }
    return 0;
}

int
store_user_facts (store_t *self, const char *name, const char *actor, user_facts_t *out,
                  esc_error_t *err)
{
    params_t p = { 0 };
    params_text (&p, name);                             /* $1 the user */
    PGresult *r = exec_one (self,
        "SELECT u.revoked_at IS NOT NULL AS revoked,"
        "       EXISTS (SELECT 1 FROM user_role WHERE user_name = u.name AND role = 'admin') AS admin,"
        "       (SELECT count(*) FROM app_user a JOIN user_role ar ON ar.user_name = a.name"
        "         WHERE ar.role = 'admin' AND a.revoked_at IS NULL) AS active_admins"
        "  FROM app_user u WHERE u.name = $1 FOR UPDATE OF u", &p, err,
        "USER_NOT_FOUND", "user %s does not exist", name);
    if (!r)
        return -1;
    out->revoked = row_bool (r, 0, "revoked");
    out->admin = row_bool (r, 0, "admin");
    out->active_admins = row_int (r, 0, "active_admins");
    out->is_actor = strcmp (name, actor) == 0;
    PQclear (r);
    return 0;
}

int
store_user_revoke (store_t *self, const char *name, const char *actor, esc_error_t *err)
{
    params_t p = { 0 };
    params_text (&p, name);                             /* $1 the user */
    params_text (&p, actor);                            /* $2 revoked by */
    if (run (self, "UPDATE app_user SET revoked_at = now(), revoked_by = $2 WHERE name = $1",
             &p, err)) {
        if (violated (self, "23514"))       /* keep_an_admin, in the database */
            return esc_fail (err, ESC_FAILED_PRECONDITION, "LAST_ADMIN",
                             "the last active admin cannot be revoked");
        return -1;
    }
    return 0;
}

int
store_user_set_key (store_t *self, const char *name, const char *key, esc_error_t *err)
{
    params_t p = { 0 };
    params_text (&p, name);                             /* $1 the user */
    params_text (&p, key);                              /* $2 new public key */
    if (run (self, "UPDATE app_user SET public_key = $2 WHERE name = $1", &p, err)) {
        if (violated (self, "23505"))
            return esc_fail (err, ESC_ALREADY_EXISTS, "KEY_IN_USE",
                             "that public key belongs to a user already");
        return -1;
    }
    return 0;
}

int
store_user_list (store_t *self, arena_t *a, Esc__UserList **out, esc_error_t *err)
{
    PGresult *r = store_exec (self,
        "SELECT u.name, u.public_key,"
        "       to_char(u.revoked_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"') AS revoked_at,"
        "       string_agg(ur.role::text, ',' ORDER BY ur.role) AS roles"
        "  FROM app_user u LEFT JOIN user_role ur ON ur.user_name = u.name"
        " GROUP BY u.name ORDER BY u.name", NULL, err);
    if (!r)
        return -1;
    Esc__UserList *list = arena_alloc (a, sizeof *list);
    esc__user_list__init (list);
    list->n_users = (size_t) PQntuples (r);
    ALLOC_MESSAGES (a, Esc__User, esc__user__init, list->n_users, list->users);
    for (size_t i = 0; i < list->n_users; i++) {
        Esc__User *u = list->users[i];
        u->name = dup_text (a, r, (int) i, "name");
        u->public_key = dup_text (a, r, (int) i, "public_key");
        u->revoked_at = dup_text (a, r, (int) i, "revoked_at");
        u->n_roles = split_texts (a, row_text (r, (int) i, "roles"), ',', &u->roles);
    }
    PQclear (r);
    *out = list;
    return 0;
}

/* ==== Requests and events ================================================ */

int
store_request_lookup (store_t *self, arena_t *a, const char *id, logged_request_t *out,
                      esc_error_t *err)
{
    params_t p = { 0 };
    params_text (&p, id);                               /* $1 request id */
    memset (out, 0, sizeof *out);
    /* binary results: the bytea columns arrive as raw bytes */
    PGresult *r = exec_format (self,
        "SELECT user_name, request, reply FROM request_log WHERE request_id = $1",
        &p, 1, err);
    if (!r)
        return -1;
    if (PQntuples (r) == 1) {
        int cu = column (r, "user_name"), cq = column (r, "request"), cr = column (r, "reply");
        char *user = arena_alloc (a, (size_t) PQgetlength (r, 0, cu) + 1);
        memcpy (user, PQgetvalue (r, 0, cu), (size_t) PQgetlength (r, 0, cu));
        out->found = true;
        out->user = user;
        out->request_len = (size_t) PQgetlength (r, 0, cq);
        out->reply_len = (size_t) PQgetlength (r, 0, cr);
        uint8_t *request = arena_alloc (a, out->request_len + 1);
        uint8_t *reply = arena_alloc (a, out->reply_len + 1);
        memcpy (request, PQgetvalue (r, 0, cq), out->request_len);
        memcpy (reply, PQgetvalue (r, 0, cr), out->reply_len);
        out->request = request;
        out->reply = reply;
    }
    PQclear (r);
    return 0;
}

int
store_request_record (store_t *self, const char *id, const char *user,
                      const uint8_t *request, size_t request_len,
                      const uint8_t *reply, size_t reply_len, esc_error_t *err)
{
    params_t p = { 0 };
    params_text (&p, id);                               /* $1 request id */
    params_text (&p, user);                             /* $2 user */
    params_bytes (&p, request, request_len);            /* $3 request bytes */
    params_bytes (&p, reply, reply_len);                /* $4 reply bytes */
    if (run (self, "INSERT INTO request_log (request_id, user_name, request, reply)"
                   " VALUES ($1, $2, $3, $4)", &p, err)) {
        if (violated (self, "23505"))
            return esc_fail (err, ESC_ALREADY_EXISTS, "REQUEST_ID_REUSED",
                             "request id %s was answered already", id);
        return -1;
    }
    return 0;
}

int
store_lock_sequence (store_t *self, esc_error_t *err)
{
    return run (self, "SELECT last_seq FROM event_counter FOR UPDATE", NULL, err);
}

int
store_event_append (store_t *self, const event_t *e, int64_t *seq, esc_error_t *err)
{
    params_t p = { 0 };
    params_text (&p, e->type);                          /* $1 type */
    params_text (&p, e->actor);                         /* $2 actor */
    params_text (&p, e->quarter);                       /* $3 quarter or NULL */
    params_opt_int (&p, e->escalation_id > 0, e->escalation_id); /* $4 */
    params_text (&p, e->account);                       /* $5 account or NULL */
    params_text (&p, e->data ? e->data : "{}");         /* $6 details */
    params_text (&p, e->summary);                       /* $7 sentence */
    /* one NOTIFY per transaction: identical payloads are folded */
    PGresult *r = store_exec (self,
        "WITH next AS (UPDATE event_counter SET last_seq = last_seq + 1 RETURNING last_seq),"
        "     added AS (INSERT INTO event (seq, type, actor, quarter, escalation_id, account,"
        "                                  data, summary)"
        "               SELECT last_seq, $1, $2, $3, $4, $5, $6::jsonb, $7 FROM next"
        "               RETURNING seq)"
        " SELECT seq, pg_notify('" STORE_EVENT_CHANNEL "', '') FROM added", &p, err);
    if (!r)
        return -1;
    *seq = row_int (r, 0, "seq");
    PQclear (r);
    return 0;
}

#define EVENT_COLUMNS                                                       \
    "seq, type, actor, quarter, escalation_id, account, data::text AS data," \
    " summary, to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"') AS at"

/* The rows of an event query as an EventList in the arena. */
static Esc__EventList *
events_from_rows (arena_t *a, const PGresult *r)
{
    Esc__EventList *list = arena_alloc (a, sizeof *list);
    esc__event_list__init (list);
    list->n_events = (size_t) PQntuples (r);
    ALLOC_MESSAGES (a, Esc__Event, esc__event__init, list->n_events, list->events);
    for (size_t i = 0; i < list->n_events; i++) {
        Esc__Event *ev = list->events[i];
        int row = (int) i;
        ev->has_seq = true;
        ev->seq = row_int (r, row, "seq");
        ev->type = dup_text (a, r, row, "type");
        ev->at = dup_text (a, r, row, "at");
        ev->actor = dup_text (a, r, row, "actor");
        ev->quarter = dup_text (a, r, row, "quarter");
        ev->has_escalation_id = !row_null (r, row, "escalation_id");
        ev->escalation_id = row_int (r, row, "escalation_id");
        ev->account = dup_text (a, r, row, "account");
        ev->data = dup_text (a, r, row, "data");
        ev->summary = dup_text (a, r, row, "summary");
    }
    return list;
}

int
store_history (store_t *self, arena_t *a, int64_t id, Esc__EventList **out, esc_error_t *err)
{
    params_t p = { 0 };
    params_int (&p, id);                                /* $1 escalation id */
    PGresult *r = store_exec (self,
        "SELECT " EVENT_COLUMNS " FROM event"
        " WHERE escalation_id = $1"
        "    OR (type IN ('escalation.merged', 'escalation.unmerged')"
        "        AND (data->>'into')::bigint = $1)"
        " ORDER BY seq", &p, err);
    if (!r)
        return -1;
    *out = events_from_rows (a, r);
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

int
store_events_since (store_t *self, arena_t *a, int64_t since, int64_t limit,
                    Esc__EventList **out, esc_error_t *err)
{
    int64_t last;
    if (store_last_seq (self, &last, err))
        return -1;
    /* read what the counter said was committed, no further: a later
     * commit must not slip into this page without its predecessors */
    int64_t to = since + limit < last ? since + limit : last;
    if (to < since)
        to = since;
    params_t p = { 0 };
    params_int (&p, since);                             /* $1 after this seq */
    params_int (&p, to);                                /* $2 up to this one */
    PGresult *r = store_exec (self,
        "SELECT " EVENT_COLUMNS " FROM event WHERE seq > $1 AND seq <= $2 ORDER BY seq",
        &p, err);
    if (!r)
        return -1;
    *out = events_from_rows (a, r);
    (*out)->has_scanned_to = (*out)->has_last_seq = true;
    (*out)->scanned_to = to;
    (*out)->last_seq = last;
    PQclear (r);
    return 0;
}

/* ==== Waking up ========================================================== */

int
store_listen (store_t *self, esc_error_t *err)
{
    self->listening = true;
    return store_command (self, "LISTEN " STORE_EVENT_CHANNEL, err);
}

int
store_socket (store_t *self)
{
    return store_connected (self) ? PQsocket (self->conn) : -1;
}

bool
store_notified (store_t *self)
{
    if (!store_connected (self))
        return false;
    PQconsumeInput (self->conn);
    bool any = false;
    for (PGnotify *n; (n = PQnotifies (self->conn)); PQfreemem (n))
        any = true;
    return any;
}

/* ==== Quarters =========================================================== */

int
store_quarter_resolve (store_t *self, arena_t *a, const char *name, const char **chosen,
                       esc_error_t *err)
{
    params_t p = { 0 };
    params_text (&p, name);                             /* $1 quarter or NULL */
    PGresult *r = store_exec (self,
        "SELECT name, current_date BETWEEN starts_on AND ends_on AS holds_today"
        "  FROM quarter WHERE ($1::text IS NULL AND state = 'open') OR name = $1"
        " ORDER BY name", &p, err);
    if (!r)
        return -1;
    int n = PQntuples (r), pick;
    if (name) {
        pick = n == 1 ? 0 : esc_fail (err, ESC_NOT_FOUND, "QUARTER_NOT_FOUND",
                                      "quarter %s does not exist", name);
    }
    else {
        open_quarter_t *open = arena_alloc (a, (size_t) (n + 1) * sizeof *open);
        for (int i = 0; i < n; i++) {
            open[i].name = row_text (r, i, "name");
            open[i].holds_today = row_bool (r, i, "holds_today");
        }
        pick = workflow_default_quarter (open, (size_t) n, err);
    }
    if (pick >= 0)
        *chosen = dup_text (a, r, pick, "name");
    PQclear (r);
    return pick >= 0 ? 0 : -1;
}

int
store_quarter_of_month (store_t *self, arena_t *a, const char *month, const char **name,
                        esc_error_t *err)
{
    params_t p = { 0 };
    params_text (&p, arena_printf (a, "%s-01", month));    /* $1 the month's first day */
    PGresult *r = store_exec (self,
        "SELECT name FROM quarter WHERE $1::date BETWEEN starts_on AND ends_on ORDER BY name",
        &p, err);
    if (!r)
        return -1;
    int n = PQntuples (r);
    if (n == 1)
        *name = dup_text (a, r, 0, "name");
    else if (n == 0) {
        int m = atoi (month + 5);
        *name = arena_printf (a, "%.4sQ%d", month, (m - 1) / 3 + 1);
    }
    else
        esc_fail (err, ESC_FAILED_PRECONDITION, "QUARTER_REQUIRED",
                  "quarters %s and %s both hold %s; name one with --quarter",
                  PQgetvalue (r, 0, 0), PQgetvalue (r, 1, 0), month);
    PQclear (r);
    return n > 1 ? -1 : 0;
}

int
store_quarter_facts (store_t *self, const char *name, bool lock, quarter_facts_t *out,
                     esc_error_t *err)
{
    params_t p = { 0 };
    params_text (&p, name);                             /* $1 quarter */
    if (lock && run (self, "SELECT 1 FROM quarter WHERE name = $1 FOR UPDATE", &p, err))
        return -1;
    PGresult *r = exec_one (self, "SELECT * FROM quarter_view WHERE name = $1", &p, err,
        "QUARTER_NOT_FOUND", "quarter %s does not exist", name);
    if (!r)
        return -1;
    out->closed = strcmp (row_text (r, 0, "state"), "closed") == 0;
    out->capacity_hours = row_int (r, 0, "capacity_hours");
    out->budget_pct = row_int (r, 0, "budget_pct");
    out->tokens = row_int (r, 0, "tokens");
    out->tokens_spent = row_int (r, 0, "tokens_spent");
    out->max_token_hours = row_int (r, 0, "max_token_hours");
    out->committed_hours = row_int (r, 0, "committed_hours");
    PQclear (r);
    return 0;
}

int
store_quarter_insert (store_t *self, const Esc__QuarterOpen *q, const char *actor,
                      esc_error_t *err)
{
    params_t p = { 0 };
    params_text (&p, q->quarter);                       /* $1 name, 2026Q4 */
    params_text (&p, q->starts_on);                     /* $2 start or NULL */
    params_text (&p, q->ends_on);                       /* $3 end or NULL */
    params_int (&p, q->capacity_hours);                 /* $4 */
    params_opt_int (&p, q->has_budget_pct, q->budget_pct);          /* $5 */
    params_opt_int (&p, q->has_tokens, q->tokens);                  /* $6 */
    params_opt_int (&p, q->has_max_token_hours, q->max_token_hours); /* $7 */
    params_opt_int (&p, q->has_hourly_cost, q->hourly_cost);        /* $8 */
    params_text (&p, actor);                            /* $9 opened by */
    /* without dates: the calendar quarter the name says */
    if (run (self,
        "WITH cal AS (SELECT make_date(substr($1, 1, 4)::int,"
        "                               (substr($1, 6, 1)::int - 1) * 3 + 1, 1) AS first)"
        " INSERT INTO quarter (name, starts_on, ends_on, capacity_hours, budget_pct, tokens,"
        "                      max_token_hours, hourly_cost, opened_by)"
        " SELECT $1, coalesce($2::date, first),"
        "        coalesce($3::date, (first + interval '3 months' - interval '1 day')::date),"
        "        $4, coalesce($5, 10), coalesce($6, 1), coalesce($7, 80), coalesce($8, 150), $9"
        "   FROM cal", &p, err)) {
        if (violated (self, "23505"))
            return esc_fail (err, ESC_ALREADY_EXISTS, "QUARTER_EXISTS",
                             "quarter %s already exists", q->quarter);
        return -1;
    }
    return 0;
}

int
store_quarter_close (store_t *self, const char *name, esc_error_t *err)
{
    params_t p = { 0 };
    params_text (&p, name);                             /* $1 quarter */
    return run (self, "UPDATE quarter SET state = 'closed' WHERE name = $1", &p, err);
}

static void
quarter_from_row (arena_t *a, const PGresult *r, int row, Esc__Quarter *q)
{
    esc__quarter__init (q);
    q->name = dup_text (a, r, row, "name");
    q->starts_on = dup_text (a, r, row, "starts_on");
    q->ends_on = dup_text (a, r, row, "ends_on");
    q->state = dup_text (a, r, row, "state");
#define FIGURE(f) (q->has_##f = true, q->f = row_int (r, row, #f))
    FIGURE (capacity_hours);
    FIGURE (budget_pct);
    FIGURE (tokens);
    FIGURE (max_token_hours);
    FIGURE (hourly_cost);
    FIGURE (tokens_spent);
    FIGURE (committed_hours);
    FIGURE (planned_hours);
#undef FIGURE
}

int
store_quarter_get (store_t *self, arena_t *a, const char *name, Esc__Quarter **out,
                   esc_error_t *err)
{
    params_t p = { 0 };
    params_text (&p, name);                             /* $1 quarter */
    PGresult *r = exec_one (self, "SELECT * FROM quarter_view WHERE name = $1", &p, err,
        "QUARTER_NOT_FOUND", "quarter %s does not exist", name);
    if (!r)
        return -1;
    *out = arena_alloc (a, sizeof **out);
    quarter_from_row (a, r, 0, *out);
    PQclear (r);
    return 0;
}

int
store_quarter_list (store_t *self, arena_t *a, Esc__QuarterList **out, esc_error_t *err)
{
    PGresult *r = store_exec (self, "SELECT * FROM quarter_view ORDER BY name", NULL, err);
    if (!r)
        return -1;
    Esc__QuarterList *list = arena_alloc (a, sizeof *list);
    esc__quarter_list__init (list);
    list->n_quarters = (size_t) PQntuples (r);
    ALLOC_MESSAGES (a, Esc__Quarter, esc__quarter__init, list->n_quarters, list->quarters);
    for (size_t i = 0; i < list->n_quarters; i++)
        quarter_from_row (a, r, (int) i, list->quarters[i]);
    PQclear (r);
    *out = list;
    return 0;
}

/* ==== Accounts =========================================================== */

int
store_account_insert (store_t *self, const Esc__AccountAdd *m, const char *actor,
                      esc_error_t *err)
{
    params_t p = { 0 };
    params_text (&p, m->name);                          /* $1 name */
    params_int (&p, m->arr);                            /* $2 ARR */
    params_text (&p, m->renewal_on);                    /* $3 renewal date or NULL */
    params_text (&p, actor);                            /* $4 created by */
    if (run (self, "INSERT INTO account (name, arr, renewal_on, created_by)"
                   " VALUES ($1, $2, $3, $4)", &p, err)) {
        if (violated (self, "23505"))
            return esc_fail (err, ESC_ALREADY_EXISTS, "ACCOUNT_EXISTS",
                             "account '%s' already exists", m->name);
        return -1;
    }
    return 0;
}

int
store_account_upsert (store_t *self, const char *name, int64_t arr, const char *renewal_on,
                      const char *actor, bool *added, esc_error_t *err)
{
    params_t p = { 0 };
    params_text (&p, name);                             /* $1 name */
    params_int (&p, arr);                               /* $2 ARR */
    params_text (&p, renewal_on);                       /* $3 renewal date or NULL */
    params_text (&p, actor);                            /* $4 created by */
    PGresult *r = store_exec (self,
        "INSERT INTO account (name, arr, renewal_on, created_by) VALUES ($1, $2, $3, $4)"
        " ON CONFLICT (name) DO UPDATE SET arr = EXCLUDED.arr, renewal_on = EXCLUDED.renewal_on"
        " RETURNING xmax = 0 AS added", &p, err);
    if (!r)
        return -1;
    *added = row_bool (r, 0, "added");
    PQclear (r);
    return 0;
}

static void
account_from_row (arena_t *a, const PGresult *r, int row, Esc__Account *acc)
{
    esc__account__init (acc);
    acc->name = dup_text (a, r, row, "name");
    acc->has_arr = true;
    acc->arr = row_int (r, row, "arr");
    acc->renewal_on = dup_text (a, r, row, "renewal_on");
}

#define ACCOUNT_COLUMNS "name, arr, renewal_on::text AS renewal_on"

int
store_account_get (store_t *self, arena_t *a, const char *name, Esc__Account **out,
                   esc_error_t *err)
{
    params_t p = { 0 };
    params_text (&p, name);                             /* $1 name */
    PGresult *r = exec_one (self,
        "SELECT " ACCOUNT_COLUMNS " FROM account WHERE name = $1", &p, err,
        "ACCOUNT_NOT_FOUND", "account '%s' is not known", name);
    if (!r)
        return -1;
    *out = arena_alloc (a, sizeof **out);
    account_from_row (a, r, 0, *out);
    PQclear (r);
    return 0;
}

int
store_account_list (store_t *self, arena_t *a, Esc__AccountList **out, esc_error_t *err)
{
    PGresult *r = store_exec (self,
        "SELECT " ACCOUNT_COLUMNS " FROM account ORDER BY name", NULL, err);
    if (!r)
        return -1;
    Esc__AccountList *list = arena_alloc (a, sizeof *list);
    esc__account_list__init (list);
    list->n_accounts = (size_t) PQntuples (r);
    ALLOC_MESSAGES (a, Esc__Account, esc__account__init, list->n_accounts, list->accounts);
    for (size_t i = 0; i < list->n_accounts; i++)
        account_from_row (a, r, (int) i, list->accounts[i]);
    PQclear (r);
    *out = list;
    return 0;
}

/* Links each account of NAMES to OWNER with SQL, an INSERT taking the owner
 * id as $1 and an account name as $2 and inserting nothing when the name is
 * unknown; the first unknown name is ACCOUNT_NOT_FOUND. */
static int
link_accounts (store_t *self, const char *sql, int64_t owner, char **names, size_t n,
               esc_error_t *err)
{
    for (size_t i = 0; i < n; i++) {
        params_t p = { 0 };
        params_int (&p, owner);                         /* $1 owner id */
        params_text (&p, names[i]);                     /* $2 account name */
        PGresult *r = store_exec (self, sql, &p, err);
        if (!r)
            return -1;
        bool linked = strcmp (PQcmdTuples (r), "0") != 0;
        PQclear (r);
        if (!linked) {                  /* unknown, or already linked */
            params_t q = { 0 };
            params_text (&q, names[i]);                 /* $1 account name */
            PGresult *k = store_exec (self, "SELECT 1 FROM account WHERE name = $1", &q, err);
            if (!k)
                return -1;
            bool exists = PQntuples (k) > 0;
            PQclear (k);
            if (!exists)
                return esc_fail (err, ESC_NOT_FOUND, "ACCOUNT_NOT_FOUND",
                                 "account '%s' is not known", names[i]);
        }
    }
    return 0;
}

/* ==== Roadmap ============================================================ */

int
store_roadmap_insert (store_t *self, const char *quarter, const Esc__RoadmapAdd *m,
                      const char *actor, int64_t *id, esc_error_t *err)
{
    params_t p = { 0 };
    params_text (&p, quarter);                          /* $1 quarter */
    params_text (&p, m->title);                         /* $2 title */
    params_text (&p, m->category);                      /* $3 category */
    params_int (&p, m->hours);                          /* $4 hours */
    params_text (&p, actor);                            /* $5 created by */
    PGresult *r = store_exec (self,
        "INSERT INTO roadmap_item (quarter, title, category, hours, created_by)"
        " VALUES ($1, $2, $3, $4, $5) RETURNING id", &p, err);
    if (!r)
        return -1;
    *id = row_int (r, 0, "id");
    PQclear (r);
    return link_accounts (self,
        "INSERT INTO roadmap_waiting (roadmap_item_id, account_id)"
        " SELECT $1, id FROM account WHERE name = $2 ON CONFLICT DO NOTHING",
        *id, m->waiting, m->n_waiting, err);
}

#define ROADMAP_QUERY                                                   \
    "SELECT r.id, r.quarter, r.title, r.category::text AS category, r.hours,"   \
    "       r.state::text AS state,"                                    \
    "       (SELECT string_agg(a.name, E'\\x1f' ORDER BY a.name)"        \
    "          FROM roadmap_waiting w JOIN account a ON a.id = w.account_id" \
    "         WHERE w.roadmap_item_id = r.id) AS waiting"                \
    "  FROM roadmap_item r "

static void
roadmap_from_row (arena_t *a, const PGresult *r, int row, Esc__RoadmapItem *it)
{
    esc__roadmap_item__init (it);
    it->has_id = true;
    it->id = row_int (r, row, "id");
    it->quarter = dup_text (a, r, row, "quarter");
    it->title = dup_text (a, r, row, "title");
    it->category = dup_text (a, r, row, "category");
    it->has_hours = true;
    it->hours = row_int (r, row, "hours");
    it->state = dup_text (a, r, row, "state");
    it->n_waiting = split_texts (a, row_text (r, row, "waiting"), '\x1f', &it->waiting);
}

int
store_roadmap_get (store_t *self, arena_t *a, int64_t id, Esc__RoadmapItem **out,
                   esc_error_t *err)
{
    params_t p = { 0 };
    params_int (&p, id);                                /* $1 item id */
    PGresult *r = exec_one (self, ROADMAP_QUERY "WHERE r.id = $1", &p, err,
                           "ROADMAP_ITEM_NOT_FOUND",
                         "roadmap item %lld does not exist", (long long) id);
    if (!r)
        return -1;
    *out = arena_alloc (a, sizeof **out);
    roadmap_from_row (a, r, 0, *out);
    PQclear (r);
    return 0;
}

int
store_roadmap_list (store_t *self, arena_t *a, const char *quarter, Esc__RoadmapList **out,
                    esc_error_t *err)
{
    params_t p = { 0 };
    params_text (&p, quarter);                          /* $1 quarter */
    PGresult *r = store_exec (self, ROADMAP_QUERY "WHERE r.quarter = $1 ORDER BY r.id", &p, err);
    if (!r)
        return -1;
    Esc__RoadmapList *list = arena_alloc (a, sizeof *list);
    esc__roadmap_list__init (list);
    list->n_items = (size_t) PQntuples (r);
    ALLOC_MESSAGES (a, Esc__RoadmapItem, esc__roadmap_item__init, list->n_items, list->items);
    for (size_t i = 0; i < list->n_items; i++)
        roadmap_from_row (a, r, (int) i, list->items[i]);
    PQclear (r);
    *out = list;
    return 0;
}

int
store_roadmap_facts (store_t *self, const char *quarter, const int64_t *ids, size_t n,
                     roadmap_facts_t *out, esc_error_t *err)
{
    for (size_t i = 0; i < n; i++) {
        params_t p = { 0 };
        params_int (&p, ids[i]);                        /* $1 item id */
        params_text (&p, quarter);                      /* $2 the sizing's quarter */
        PGresult *r = exec_one (self,
            "SELECT quarter = $2 AS same_quarter, state::text AS state"
            "  FROM roadmap_item WHERE id = $1", &p, err,
                               "ROADMAP_ITEM_NOT_FOUND",
                             "roadmap item %lld does not exist", (long long) ids[i]);
        if (!r)
            return -1;
        const char *state = row_text (r, 0, "state");
        out[i].id = ids[i];
        out[i].same_quarter = row_bool (r, 0, "same_quarter");
        out[i].state = strcmp (state, "planned") == 0 ? ROADMAP_PLANNED
                     : strcmp (state, "postponed") == 0 ? ROADMAP_POSTPONED : ROADMAP_DONE;
        PQclear (r);
    }
    return 0;
}

/* ==== Escalations: decisions ============================================= */

int
store_escalation_lock (store_t *self, arena_t *a, int64_t id, escalation_ref_t *out,
                       esc_error_t *err)
{
    params_t p = { 0 };
    params_int (&p, id);                                /* $1 escalation id */
    PGresult *r = exec_one (self,
        "SELECT e.quarter, e.filer, a.name AS account, e.state::text AS state,"
        "       e.sizing_id, s.hours, s.viable"
        "  FROM escalation e JOIN account a ON a.id = e.account_id"
        "  LEFT JOIN sizing s ON s.id = e.sizing_id"
        " WHERE e.id = $1 FOR UPDATE OF e", &p, err,
                           "ESCALATION_NOT_FOUND",
                         "escalation %lld does not exist", (long long) id);
    if (!r)
        return -1;
    memset (out, 0, sizeof *out);
    out->facts.id = id;
    state_parse (row_text (r, 0, "state"), &out->facts.state);
    out->facts.sized = !row_null (r, 0, "sizing_id");
    out->facts.hours = row_int (r, 0, "hours");
    out->facts.viable = row_bool (r, 0, "viable");
    out->sizing_id = row_int (r, 0, "sizing_id");
    out->quarter = dup_text (a, r, 0, "quarter");
    out->filer = dup_text (a, r, 0, "filer");
    out->account = dup_text (a, r, 0, "account");
    PQclear (r);
    return 0;
}

int
store_escalation_insert (store_t *self, const char *quarter, const Esc__File *m,
                         const char *filer, int64_t *id, esc_error_t *err)
{
    params_t p = { 0 };
    params_text (&p, quarter);                          /* $1 quarter */
    params_text (&p, m->account);                       /* $2 account name */
    params_text (&p, filer);                            /* $3 filer */
    params_text (&p, m->title);                         /* $4 title */
    params_text (&p, m->problem);                       /* $5 problem */
    params_text (&p, m->solution);                      /* $6 solution or NULL */
    params_opt_int (&p, m->has_deal_value, m->deal_value); /* $7 deal value */
    params_text (&p, m->needed_by);                     /* $8 needed by or NULL */
    PGresult *r = store_exec (self,
        "INSERT INTO escalation (quarter, account_id, filer, title, problem, solution,"
        "                        deal_value, needed_by)"
        " SELECT $1, id, $3, $4, $5, $6, $7, $8::date FROM account WHERE name = $2"
        " RETURNING id", &p, err);
    if (!r)
        return -1;
    int n = PQntuples (r);
    *id = n ? row_int (r, 0, "id") : 0;
    PQclear (r);
    if (!n)
        return esc_fail (err, ESC_NOT_FOUND, "ACCOUNT_NOT_FOUND",
                         "account '%s' is not known", m->account);
    /* the filing account itself is not one of the "others" */
    return link_accounts (self,
        "INSERT INTO escalation_account (escalation_id, account_id)"
        " SELECT $1, a.id FROM account a WHERE a.name = $2"
        "    AND a.id <> (SELECT account_id FROM escalation WHERE id = $1)"
        " ON CONFLICT DO NOTHING",
        *id, m->also_needed_by, m->n_also_needed_by, err);
}

int
store_escalation_set_state (store_t *self, int64_t id, escalation_state_t state,
                            const char *reason, bool clear_sizing, esc_error_t *err)
{
    params_t p = { 0 };
    params_int (&p, id);                                /* $1 escalation id */
    params_text (&p, state_name (state));               /* $2 new state */
    params_text (&p, reason);                           /* $3 reason or NULL */
    params_bool (&p, clear_sizing);                     /* $4 forget the sizing */
    return run (self,
        "UPDATE escalation SET state = $2::escalation_state, state_reason = $3,"
        "       sizing_id = CASE WHEN $4 THEN NULL ELSE sizing_id END, updated_at = now()"
        " WHERE id = $1", &p, err);
}

int
store_escalation_refile (store_t *self, const Esc__Refile *m, esc_error_t *err)
{
    params_t p = { 0 };
    params_int (&p, m->id);                             /* $1 escalation id */
    params_text (&p, m->title);                         /* $2..$6 new values or NULL */
    params_text (&p, m->problem);
    params_text (&p, m->solution);
    params_opt_int (&p, m->has_deal_value, m->deal_value);
    params_text (&p, m->needed_by);
    return run (self,
        "UPDATE escalation SET title = coalesce($2, title), problem = coalesce($3, problem),"
        "       solution = coalesce($4, solution), deal_value = coalesce($5, deal_value),"
        "       needed_by = coalesce($6::date, needed_by)"
        " WHERE id = $1", &p, err);
}

int
store_sizing_displaces (store_t *self, arena_t *a, int64_t sizing_id, int64_t **ids,
                        size_t *n, esc_error_t *err)
{
    params_t p = { 0 };
    params_int (&p, sizing_id);                         /* $1 sizing id */
    PGresult *r = store_exec (self,
        "SELECT roadmap_item_id FROM displacement WHERE sizing_id = $1"
        " ORDER BY roadmap_item_id", &p, err);
    if (!r)
        return -1;
    *n = (size_t) PQntuples (r);
    *ids = arena_alloc (a, (*n + 1) * sizeof **ids);
    for (size_t i = 0; i < *n; i++)
        (*ids)[i] = row_int (r, (int) i, "roadmap_item_id");
    PQclear (r);
    return 0;
}

int
store_sizing_insert (store_t *self, const Esc__Size *m, const char *actor, esc_error_t *err)
{
    params_t p = { 0 };
    params_int (&p, m->id);                             /* $1 escalation id */
    params_text (&p, actor);                            /* $2 sized by */
    params_int (&p, m->hours);                          /* $3 hours */
    params_bool (&p, m->viable);                        /* $4 viable */
    params_text (&p, m->note);                          /* $5 note or NULL */
    PGresult *r = store_exec (self,
        "INSERT INTO sizing (escalation_id, sized_by, hours, viable, note)"
        " VALUES ($1, $2, $3, $4, $5) RETURNING id", &p, err);
    if (!r)
        return -1;
    int64_t sizing = row_int (r, 0, "id");
    PQclear (r);
    for (size_t i = 0; i < m->n_displaces; i++) {
        params_t d = { 0 };
        params_int (&d, sizing);                        /* $1 sizing id */
        params_int (&d, m->displaces[i]);               /* $2 roadmap item id */
        if (run (self, "INSERT INTO displacement (sizing_id, roadmap_item_id) VALUES ($1, $2)"
                       " ON CONFLICT DO NOTHING", &d, err))
            return -1;
    }
    params_t u = { 0 };
    params_int (&u, m->id);                             /* $1 escalation id */
    params_int (&u, sizing);                            /* $2 sizing id */
    return run (self, "UPDATE escalation SET sizing_id = $2 WHERE id = $1", &u, err);
}

/* Names how escalation ID is approved: the token spend or override row
 * that follows must match it (see sql/006_approvals.sql). */
static int
mark_approved_via (store_t *self, int64_t id, const char *via, esc_error_t *err)
{
    params_t p = { 0 };
    params_int (&p, id);                                /* $1 escalation id */
    params_text (&p, via);                              /* $2 token or override */
    return run (self, "UPDATE escalation SET approved_via = $2 WHERE id = $1", &p, err);
}

int
store_token_spend_insert (store_t *self, const char *quarter, int64_t token_no, int64_t tokens,
                          int64_t id, const char *actor, const char *note, esc_error_t *err)
{
    params_t p = { 0 };
    params_text (&p, quarter);                          /* $1 quarter */
    params_int (&p, token_no);                          /* $2 token number */
    params_int (&p, tokens);                            /* $3 the quarter's tokens */
    params_int (&p, id);                                /* $4 escalation id */
    params_text (&p, actor);                            /* $5 spent by */
    params_text (&p, note);                             /* $6 note or NULL */
    if (mark_approved_via (self, id, "token", err))
        return -1;
    if (run (self, "INSERT INTO token_spend (quarter, token_no, tokens, escalation_id,"
                   "                         spent_by, note)"
                   " VALUES ($1, $2, $3, $4, $5, $6)", &p, err)) {
        /* the database's own cap on tokens: a unique token number, a
         * number within the quarter's count, one token per escalation */
        if (violated (self, "23505") || violated (self, "23514") || violated (self, "23503"))
            return esc_fail (err, ESC_FAILED_PRECONDITION, "TOKEN_ALREADY_SPENT",
                             "the quarter's tokens are already spent");
        return -1;
    }
    return 0;
}

int
store_override_insert (store_t *self, int64_t id, const char *actor, const char *reason,
                       esc_error_t *err)
{
    params_t p = { 0 };
    params_int (&p, id);                                /* $1 escalation id */
    params_text (&p, actor);                            /* $2 overridden by */
    params_text (&p, reason);                           /* $3 reason */
    return mark_approved_via (self, id, "override", err)
        || run (self, "INSERT INTO override (escalation_id, overridden_by, reason)"
                      " VALUES ($1, $2, $3)", &p, err) ? -1 : 0;
}

int
store_postpone_displaced (store_t *self, int64_t id, int64_t sizing_id, esc_error_t *err)
{
    params_t p = { 0 };
    params_int (&p, id);                                /* $1 escalation id */
    params_int (&p, sizing_id);                         /* $2 its sizing */
    return run (self,
        "WITH out_of_plan AS ("
        "    UPDATE roadmap_item r SET state = 'postponed'"
        "      FROM displacement d"
        "     WHERE d.sizing_id = $2 AND d.roadmap_item_id = r.id AND r.state = 'planned'"
        " RETURNING r.id)"
        " INSERT INTO postponement (roadmap_item_id, escalation_id)"
        " SELECT id, $1 FROM out_of_plan", &p, err);
}

int
store_merge_insert (store_t *self, int64_t id, int64_t into, const char *actor, esc_error_t *err)
{
    params_t p = { 0 };
    params_int (&p, id);                                /* $1 the duplicate */
    params_int (&p, into);                              /* $2 the one it joins */
    params_text (&p, actor);                            /* $3 merged by */
    return run (self, "INSERT INTO merge (escalation_id, into_id, merged_by)"
                      " VALUES ($1, $2, $3)", &p, err);
}

int
store_merge_end (store_t *self, int64_t id, const char *actor, esc_error_t *err)
{
    params_t p = { 0 };
    params_int (&p, id);                                /* $1 the duplicate */
    params_text (&p, actor);                            /* $2 unmerged by */
    return run (self, "UPDATE merge SET unmerged_by = $2, unmerged_at = now()"
                      " WHERE escalation_id = $1 AND unmerged_at IS NULL", &p, err);
}

int
store_delivery_insert (store_t *self, int64_t id, int64_t actual_hours, const char *actor,
                       esc_error_t *err)
{
    params_t p = { 0 };
    params_int (&p, id);                                /* $1 escalation id */
    params_int (&p, actual_hours);                      /* $2 hours it took */
    params_text (&p, actor);                            /* $3 delivered by */
    return run (self, "INSERT INTO delivery (escalation_id, actual_hours, delivered_by)"
                      " VALUES ($1, $2, $3)", &p, err);
}

int
store_outcome_insert (store_t *self, const Esc__Outcome *m, const char *actor, esc_error_t *err)
{
    params_t p = { 0 };
    params_int (&p, m->id);                             /* $1 escalation id */
    params_text (&p, m->deal);                          /* $2 won or lost */
    params_opt_int (&p, m->has_adopters, m->adopters);  /* $3 adopters or NULL */
    params_text (&p, actor);                            /* $4 recorded by */
    return run (self, "INSERT INTO outcome (escalation_id, deal, adopters, recorded_by)"
                      " VALUES ($1, $2, $3, $4)", &p, err);
}

/* ==== Escalations: reading =============================================== */

static void
escalation_from_row (arena_t *a, const PGresult *r, int row, Esc__Escalation *e)
{
    esc__escalation__init (e);
#define TEXT(f) (e->f = dup_text (a, r, row, #f))
#define NUMBER(f) (e->has_##f = !row_null (r, row, #f), e->f = row_int (r, row, #f))
    NUMBER (id);
    TEXT (quarter);
    TEXT (account);
    TEXT (filer);
    TEXT (title);
    TEXT (problem);
    TEXT (solution);
    NUMBER (deal_value);
    TEXT (needed_by);
    TEXT (state);
    TEXT (filed_at);
    NUMBER (hours);
    e->has_viable = !row_null (r, row, "viable");
    e->viable = row_bool (r, row, "viable");
    TEXT (sized_by);
    TEXT (sizing_note);
    TEXT (approved_via);
    NUMBER (token_no);
    TEXT (approved_by);
    TEXT (override_reason);
    TEXT (state_reason);
    NUMBER (merged_into);
    NUMBER (actual_hours);
    TEXT (deal);
    NUMBER (adopters);
    NUMBER (customers);
    NUMBER (renewal_arr);
#undef TEXT
#undef NUMBER
    e->n_also_needed_by = split_texts (a, row_text (r, row, "also_needed_by"), '\x1f',
                                       &e->also_needed_by);
    e->n_displaces = split_ints (a, row_text (r, row, "displaces"), &e->displaces);
    e->n_merged = split_ints (a, row_text (r, row, "merged"), &e->merged);
    e->n_postponed = split_ints (a, row_text (r, row, "postponed"), &e->postponed);
}

int
store_escalation_get (store_t *self, arena_t *a, int64_t id, Esc__Escalation **out,
                      esc_error_t *err)
{
    params_t p = { 0 };
    params_int (&p, id);                                /* $1 escalation id */
    PGresult *r = exec_one (self, "SELECT * FROM escalation_view WHERE id = $1", &p, err,
                           "ESCALATION_NOT_FOUND",
                         "escalation %lld does not exist", (long long) id);
    if (!r)
        return -1;
    *out = arena_alloc (a, sizeof **out);
    escalation_from_row (a, r, 0, *out);
    PQclear (r);
    return 0;
}

int
store_escalation_list (store_t *self, arena_t *a, const char *quarter, const char *month,
                       const char *state, const char *account, const char *filer,
                       Esc__EscalationList **out, esc_error_t *err)
{
    params_t p = { 0 };
    params_text (&p, quarter);                          /* $1 quarter */
    params_text (&p, state);                            /* $2 state or NULL */
    params_text (&p, account);                          /* $3 account or NULL */
    params_text (&p, filer);                            /* $4 filer or NULL */
    params_text (&p, month);                            /* $5 month or NULL */
    PGresult *r = store_exec (self,
        "SELECT * FROM escalation_view WHERE quarter = $1"
        "   AND ($2::text IS NULL OR state = $2)"
        "   AND ($3::text IS NULL OR account = $3)"
        "   AND ($4::text IS NULL OR filer = $4)"
        "   AND ($5::text IS NULL OR left(filed_at, 7) = $5)"
        " ORDER BY id", &p, err);
    if (!r)
        return -1;
    Esc__EscalationList *list = arena_alloc (a, sizeof *list);
    esc__escalation_list__init (list);
    list->n_escalations = (size_t) PQntuples (r);
    ALLOC_MESSAGES (a, Esc__Escalation, esc__escalation__init, list->n_escalations,
                    list->escalations);
    for (size_t i = 0; i < list->n_escalations; i++)
        escalation_from_row (a, r, (int) i, list->escalations[i]);
    PQclear (r);
    *out = list;
    return 0;
}

/* ==== The scoreboard ==================================================== */

/* The escalations a report counts: the quarter's ($1) filed from $2 up to
 * $3 (a month, or all time). */
#define REPORT_SCOPE " e.quarter = $1 AND e.filed_at >= $2::timestamptz AND e.filed_at < $3::timestamptz "

#define UTC_STAMP(col) "to_char(" col " AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"

static int
report_counts (store_t *self, const params_t *p, Esc__Report *rep, esc_error_t *err)
{
    PGresult *r = store_exec (self,
        "SELECT count(*) FILTER (WHERE e.state <> 'merged') AS escalations,"
        "       coalesce(sum(s.hours) FILTER (WHERE e.state NOT IN ('merged', 'withdrawn')), 0)"
        "         AS demand_hours,"
        "       count(*) FILTER (WHERE s.id IS NULL AND e.state IN ('filed', 'returned')) AS unsized,"
        "       count(*) FILTER (WHERE e.state IN ('approved', 'delivered', 'closed', 'declined'))"
        "         AS decided,"
        "       count(*) FILTER (WHERE e.state = 'declined') AS refused,"
        "       coalesce(sum(s.hours) FILTER (WHERE e.state IN ('approved', 'delivered', 'closed')"
        "                                       AND e.approved_via = 'token'), 0) AS approved_hours,"
        "       coalesce(sum(s.hours) FILTER (WHERE e.state IN ('approved', 'delivered', 'closed')"
        "                                       AND e.approved_via = 'override'), 0) AS overridden_hours,"
        "       coalesce(sum(s.hours) FILTER (WHERE e.state = 'sized' AND s.viable), 0) AS pending_hours,"
        "       count(*) FILTER (WHERE e.state = 'sized' AND s.viable) AS queue_count"
        "  FROM escalation e LEFT JOIN sizing s ON s.id = e.sizing_id"
        " WHERE" REPORT_SCOPE, p, err);
    if (!r)
        return -1;
#define COUNT(f) (rep->has_##f = true, rep->f = row_int (r, 0, #f))
    COUNT (escalations);
    COUNT (demand_hours);
    COUNT (unsized);
    COUNT (decided);
    COUNT (refused);
    COUNT (approved_hours);
    COUNT (overridden_hours);
    COUNT (pending_hours);
    COUNT (queue_count);
#undef COUNT
    PQclear (r);
    return 0;
}

static int
report_mix (store_t *self, arena_t *a, const char *quarter, Esc__Report *rep, esc_error_t *err)
{
    params_t p = { 0 };
    params_text (&p, quarter);                          /* $1 quarter */
    PGresult *r = store_exec (self,
        "SELECT c.category::text AS category,"
        "       coalesce(sum(r.hours) FILTER (WHERE r.state <> 'postponed'), 0) AS hours,"
        "       coalesce(sum(r.hours) FILTER (WHERE r.state = 'postponed'), 0) AS postponed"
        "  FROM unnest(enum_range(NULL::roadmap_category)) c (category)"
        "  LEFT JOIN roadmap_item r ON r.category = c.category AND r.quarter = $1"
        " GROUP BY c.category ORDER BY c.category", &p, err);
    if (!r)
        return -1;
    rep->n_mix = (size_t) PQntuples (r);
    ALLOC_MESSAGES (a, Esc__CategoryMix, esc__category_mix__init, rep->n_mix, rep->mix);
    rep->has_planned_hours = rep->has_postponed_hours = true;
    for (size_t i = 0; i < rep->n_mix; i++) {
        Esc__CategoryMix *m = rep->mix[i];
        m->category = dup_text (a, r, (int) i, "category");
        m->has_hours = true;
        m->hours = row_int (r, (int) i, "hours");
        rep->planned_hours += m->hours;
        rep->postponed_hours += row_int (r, (int) i, "postponed");
    }
    PQclear (r);
    return 0;
}

static int
report_queue (store_t *self, arena_t *a, const params_t *p, Esc__Report *rep, esc_error_t *err)
{
    /* the first fifty found on the tables, then only those through the view */
    PGresult *r = store_exec (self,
        "SELECT id, title, account, hours, customers, renewal_arr, filed_at"
        "  FROM escalation_view WHERE id = ANY (ARRAY ("
        "       SELECT e.id FROM escalation e JOIN sizing s ON s.id = e.sizing_id"
        "        WHERE" REPORT_SCOPE "AND e.state = 'sized' AND s.viable"
        "        ORDER BY e.id LIMIT 50))"
        " ORDER BY id", p, err);
    if (!r)
        return -1;
    rep->n_queue = (size_t) PQntuples (r);
    ALLOC_MESSAGES (a, Esc__QueueEntry, esc__queue_entry__init, rep->n_queue, rep->queue);
    for (size_t i = 0; i < rep->n_queue; i++) {
        Esc__QueueEntry *q = rep->queue[i];
        int row = (int) i;
        q->has_id = q->has_hours = q->has_customers = q->has_renewal_arr = true;
        q->id = row_int (r, row, "id");
        q->title = dup_text (a, r, row, "title");
        q->account = dup_text (a, r, row, "account");
        q->hours = row_int (r, row, "hours");
        q->customers = row_int (r, row, "customers");
        q->renewal_arr = row_int (r, row, "renewal_arr");
        q->filed_at = dup_text (a, r, row, "filed_at");
    }
    PQclear (r);
    return 0;
}

/* Postponed items, one row per item and waiting account, folded here. */
static int
report_postponed (store_t *self, arena_t *a, const params_t *p, Esc__Report *rep,
                  esc_error_t *err)
{
    PGresult *r = store_exec (self,
        "SELECT r.id, r.title, r.category::text AS category, r.hours,"
        "       e.id AS escalation_id, e.title AS escalation_title,"
        "       acc.name AS account, acc.arr, acc.renewal_on::text AS renewal_on"
        "  FROM roadmap_item r"
        "  JOIN postponement p ON p.roadmap_item_id = r.id"
        "  JOIN escalation e ON e.id = p.escalation_id"
        "  LEFT JOIN roadmap_waiting w ON w.roadmap_item_id = r.id"
        "  LEFT JOIN account acc ON acc.id = w.account_id"
        " WHERE" REPORT_SCOPE
        " ORDER BY r.id, acc.name", p, err);
    if (!r)
        return -1;
    int rows = PQntuples (r);
    size_t items = 0;
    for (int i = 0; i < rows; i++)
        items += i == 0 || row_int (r, i, "id") != row_int (r, i - 1, "id");
    rep->n_postponed = items;
    ALLOC_MESSAGES (a, Esc__Postponement, esc__postponement__init, items, rep->postponed);
    for (int i = 0, k = -1; i < rows; i++) {
        if (i == 0 || row_int (r, i, "id") != row_int (r, i - 1, "id")) {
            Esc__Postponement *pp = rep->postponed[++k];
            pp->has_roadmap_item = pp->has_hours = pp->has_escalation_id = true;
            pp->roadmap_item = row_int (r, i, "id");
            pp->title = dup_text (a, r, i, "title");
            pp->category = dup_text (a, r, i, "category");
            pp->hours = row_int (r, i, "hours");
            pp->escalation_id = row_int (r, i, "escalation_id");
            pp->escalation_title = dup_text (a, r, i, "escalation_title");
            int n = 0;
            for (int j = i; j < rows && row_int (r, j, "id") == pp->roadmap_item; j++)
                n += !row_null (r, j, "account");
            pp->n_waiting = (size_t) n;
            ALLOC_MESSAGES (a, Esc__WaitingAccount, esc__waiting_account__init, pp->n_waiting,
                            pp->waiting);
        }
        Esc__Postponement *pp = rep->postponed[k];
        if (row_null (r, i, "account"))
            continue;
        size_t w = 0;
        while (pp->waiting[w]->name)
            w++;
        Esc__WaitingAccount *wa = pp->waiting[w];
        wa->name = dup_text (a, r, i, "account");
        wa->has_arr = true;
        wa->arr = row_int (r, i, "arr");
        wa->renewal_on = dup_text (a, r, i, "renewal_on");
    }
    PQclear (r);
    PGresult *t = store_exec (self,
        "SELECT coalesce(sum(acc.arr), 0) AS arr_waiting FROM account acc"
        " WHERE acc.id IN (SELECT w.account_id FROM roadmap_waiting w"
        "                    JOIN postponement p ON p.roadmap_item_id = w.roadmap_item_id"
        "                    JOIN escalation e ON e.id = p.escalation_id"
        "                   WHERE" REPORT_SCOPE ")", p, err);
    if (!t)
        return -1;
    rep->has_arr_waiting = true;
    rep->arr_waiting = row_int (t, 0, "arr_waiting");
    PQclear (t);
    return 0;
}

static int
report_overrides (store_t *self, arena_t *a, const params_t *p, Esc__Report *rep,
                  esc_error_t *err)
{
    PGresult *r = store_exec (self,
        "SELECT e.id, e.title, acc.name AS account, s.hours, o.overridden_by, o.reason,"
        "       " UTC_STAMP ("o.overridden_at") " AS at"
        "  FROM override o JOIN escalation e ON e.id = o.escalation_id"
        "  JOIN account acc ON acc.id = e.account_id"
        "  JOIN sizing s ON s.id = e.sizing_id"
        " WHERE" REPORT_SCOPE
        " ORDER BY o.overridden_at, e.id", p, err);
    if (!r)
        return -1;
    rep->n_overrides = (size_t) PQntuples (r);
    ALLOC_MESSAGES (a, Esc__OverrideEntry, esc__override_entry__init, rep->n_overrides,
                    rep->overrides);
    for (size_t i = 0; i < rep->n_overrides; i++) {
        Esc__OverrideEntry *o = rep->overrides[i];
        int row = (int) i;
        o->has_escalation_id = o->has_hours = true;
        o->escalation_id = row_int (r, row, "id");
        o->title = dup_text (a, r, row, "title");
        o->account = dup_text (a, r, row, "account");
        o->hours = row_int (r, row, "hours");
        o->by = dup_text (a, r, row, "overridden_by");
        o->reason = dup_text (a, r, row, "reason");
        o->at = dup_text (a, r, row, "at");
    }
    PQclear (r);
    return 0;
}

/* Approved one-offs, with what they cost in hours (actual once delivered)
 * and what they brought; cost and return are the desk's to work out. */
static int
report_oneoffs (store_t *self, arena_t *a, const params_t *p, Esc__Report *rep,
                esc_error_t *err)
{
    PGresult *r = store_exec (self,
        "SELECT e.id, e.title, acc.name AS account, e.approved_via AS via,"
        "       coalesce(d.actual_hours, s.hours) AS hours, e.deal_value,"
        "       oc.deal::text AS deal, oc.adopters"
        "  FROM escalation e JOIN account acc ON acc.id = e.account_id"
        "  JOIN sizing s ON s.id = e.sizing_id"
        "  LEFT JOIN delivery d ON d.escalation_id = e.id"
        "  LEFT JOIN outcome oc ON oc.escalation_id = e.id"
        " WHERE" REPORT_SCOPE "AND e.state IN ('approved', 'delivered', 'closed')"
        " ORDER BY e.id", p, err);
    if (!r)
        return -1;
    rep->n_oneoffs = (size_t) PQntuples (r);
    ALLOC_MESSAGES (a, Esc__Oneoff, esc__oneoff__init, rep->n_oneoffs, rep->oneoffs);
    for (size_t i = 0; i < rep->n_oneoffs; i++) {
        Esc__Oneoff *o = rep->oneoffs[i];
        int row = (int) i;
        o->has_escalation_id = o->has_hours = true;
        o->escalation_id = row_int (r, row, "id");
        o->title = dup_text (a, r, row, "title");
        o->account = dup_text (a, r, row, "account");
        o->via = dup_text (a, r, row, "via");
        o->hours = row_int (r, row, "hours");
        o->has_deal_value = !row_null (r, row, "deal_value");
        o->deal_value = row_int (r, row, "deal_value");
        o->deal = dup_text (a, r, row, "deal");
        o->has_adopters = !row_null (r, row, "adopters");
        o->adopters = row_int (r, row, "adopters");
    }
    PQclear (r);
    return 0;
}

/* The one-off hours and capacity of the last six quarters, oldest first. */
static int
report_trend (store_t *self, arena_t *a, const char *quarter, Esc__Report *rep,
              esc_error_t *err)
{
    params_t p = { 0 };
    params_text (&p, quarter);                          /* $1 the last quarter */
    PGresult *r = store_exec (self,
        "SELECT name, capacity_hours, committed_hours FROM quarter_view"
        " WHERE name <= $1 ORDER BY name DESC LIMIT 6", &p, err);
    if (!r)
        return -1;
    size_t n = (size_t) PQntuples (r);
    rep->n_trend = n;
    ALLOC_MESSAGES (a, Esc__TrendPoint, esc__trend_point__init, n, rep->trend);
    for (size_t i = 0; i < n; i++) {
        Esc__TrendPoint *t = rep->trend[n - 1 - i];
        t->quarter = dup_text (a, r, (int) i, "name");
        t->has_oneoff_hours = t->has_capacity_hours = true;
        t->oneoff_hours = row_int (r, (int) i, "committed_hours");
        t->capacity_hours = row_int (r, (int) i, "capacity_hours");
    }
    PQclear (r);
    return 0;
}

int
store_report (store_t *self, arena_t *a, const char *quarter, const char *month,
              Esc__Report *rep, esc_error_t *err)
{
    char from[32] = "-infinity", to[32] = "infinity";
    if (month) {
        int y = atoi (month), m = atoi (month + 5);
        snprintf (from, sizeof from, "%04d-%02d-01T00:00:00Z", y, m);
        snprintf (to, sizeof to, "%04d-%02d-01T00:00:00Z", m == 12 ? y + 1 : y, m == 12 ? 1 : m + 1);
    }
    params_t p = { 0 };
    params_text (&p, quarter);                          /* $1 quarter */
    params_text (&p, from);                             /* $2 filed from */
    params_text (&p, to);                               /* $3 filed before */
    PGresult *now = store_exec (self, "SELECT " UTC_STAMP ("now()") " AS now", NULL, err);
    if (!now)
        return -1;
    rep->generated_at = dup_text (a, now, 0, "now");
    PQclear (now);
    if (report_counts (self, &p, rep, err)
        || report_mix (self, a, quarter, rep, err)
        || report_queue (self, a, &p, rep, err)
        || report_postponed (self, a, &p, rep, err)
        || report_overrides (self, a, &p, rep, err)
        || report_oneoffs (self, a, &p, rep, err)
        || report_trend (self, a, quarter, rep, err))
        return -1;
    return 0;
}
