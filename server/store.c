/* store.c: escd's PostgreSQL store: the connection, statements and rows.
 * Each noun's SQL lives in its own file (store_users.c, store_events.c,
 * store_plan.c, store_escalation.c, store_report.c); see store.h. */
#include "store_impl.h"
#include "logline.h"
#include "proc.h"

#include <assert.h>
#include <inttypes.h>
#include <poll.h>
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
    bool ever_connected;
    int64_t reconnects;         /* connections after the first */
    bool read_only;             /* the server turned out read-only: reconnect */
    bool lease;                 /* the session holds the read lease (sql/025) */
    /* statements prepared on this connection, by the address of their
     * text: every statement is a string literal of the store's files */
    bool stale_prepared;        /* forget them when no transaction is open */
    const char *prepared[STORE_PREPARED_MAX];
    char names[STORE_PREPARED_MAX][16];
    size_t n_prepared;
    /* a read made right after a commit, for the next outside a
     * transaction that asks the same (store_stash_take) */
    PGresult *stash;
    const char *stash_sql;
    int64_t stash_key[2];
    /* the transaction's last statement, and the commands after it, held
     * for the round trip of its COMMIT (store_exec_then) */
    const char *held_sql;       /* NULL: none */
    params_t held_p;            /* its values copied into held_values */
    char *held_values;
    const char *const *held_then;
    bool doomed;                /* a held statement failed: only ROLLBACK runs */
    /* statements posted ahead (store_post): those sent, their answers not
     * yet read off the connection; of the first, what is read so far
     * (stage 0: nothing, 1: its result, 2: and its end); and the answers
     * read (NULL: failed), oldest first, until taken */
    int n_posted;
    int posted_stage;
    PGresult *posted_result;
    PGresult *posted_in[STORE_POSTED_MAX];
    int n_posted_in;
};

static void drop_held (store_t *self);
static void read_posted (store_t *self);
static void fail_posted (store_t *self);
static void drop_connection (store_t *self);
static int pipeline_send (store_t *self, const store_step_t *steps, int n, bool *sent_all,
                          int *held_sent, esc_error_t *err);
static int pipeline_receive (store_t *self, const store_step_t *steps, int n, bool sent, int held,
                             PGresult **results, esc_error_t *err);

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
    PQclear (self->stash);
    drop_held (self);
    fail_posted (self);
    for (int i = 0; i < self->n_posted_in; i++)
        PQclear (self->posted_in[i]);
    if (self->conn)
        PQfinish (self->conn);
    free (self->url);
    free (self);
    *self_p = NULL;
}

/* Whether the server says it takes no writes: a hot standby, or a primary
 * fenced with default_transaction_read_only (PostgreSQL 14 and later
 * report both, and again whenever either changes). */
static bool
server_read_only (PGconn *conn)
{
    const char *standby = PQparameterStatus (conn, "in_hot_standby");
    const char *fenced = PQparameterStatus (conn, "default_transaction_read_only");
    return (standby && strcmp (standby, "on") == 0) || (fenced && strcmp (fenced, "on") == 0);
}

/* Backs off after a failed attempt: 0.1 s, doubling to 5 s. */
static void
back_off (store_t *self)
{
    self->backoff = self->backoff ? (self->backoff * 2 < 5000 ? self->backoff * 2 : 5000) : 100;
    self->retry_at = proc_now_ms () + self->backoff;
}

/* Gives up the connection to a server that takes no writes: a standby, or
 * a primary fenced for a switchover. escd writes, and its reads must see
 * its writes (a watcher's catch-up from a stale copy would find the log
 * behind it), so such a connection serves nothing more; the next
 * store_connect walks the URL's hosts to the one that takes writes now. */
static void
give_up_read_only (store_t *self)
{
    if (self->read_only)
        return;
    logline (LOGLINE_WARNING, "the database at %s:%s takes no writes (a standby, or fenced); "
             "reconnecting to the one that does", PQhost (self->conn), PQport (self->conn));
    self->read_only = true;
    back_off (self);
}

bool
store_connected (store_t *self)
{
    if (!self->conn || PQstatus (self->conn) != CONNECTION_OK)
        return false;
    /* the server tells every change of its read-only state with its next
     * answer: the statement after that one finds it here */
    if (server_read_only (self->conn))
        give_up_read_only (self);
    return !self->read_only;
}

/* Fails ERR for a statement or a connection attempt that cannot be made. */
static int
unavailable (store_t *self, esc_error_t *err)
{
    if (self->read_only)
        return esc_fail (err, ESC_UNAVAILABLE, "DATABASE_READ_ONLY",
                         "the database escd reached takes no writes (a standby, or a primary "
                         "fenced for a switchover); escd is reconnecting to the primary: try "
                         "again");
    return esc_fail (err, ESC_UNAVAILABLE, "DATABASE_UNAVAILABLE",
                     "the database is unavailable; escd is reconnecting");
}

int64_t
store_reconnects (const store_t *self)
{
    return self->reconnects;
}

PGconn *
store_conn (store_t *self)
{
    return store_connected (self) ? self->conn : NULL;
}

bool
store_in_failed_transaction (store_t *self)
{
    return store_connected (self) && PQtransactionStatus (self->conn) == PQTRANS_INERROR;
}

bool
store_idle (store_t *self)
{
    return store_connected (self) && PQtransactionStatus (self->conn) == PQTRANS_IDLE;
}

int
store_connect (store_t *self, esc_error_t *err)
{
    if (store_connected (self))
        return 0;
    if (proc_now_ms () < self->retry_at)
        return unavailable (self, err);
    PQclear (self->stash);
    self->stash = NULL;
    drop_held (self);
    drop_connection (self);     /* what the old session held went with it */
    self->read_only = false;
    self->doomed = false;       /* the transaction went with the connection */
    self->n_prepared = 0;       /* a new connection knows none of them */
    self->stale_prepared = false;
    /* the URL (or any libpq connection string) goes in as dbname and is
     * expanded; without one, the PG* variables name the database */
    /* keepalives: a peer that vanished while idle is found in seconds;
     * tcp_user_timeout: one that vanished while a query was on its way
     * too, instead of after the kernel's quarter hour of retransmissions */
    /* target_session_attrs: escd writes, so of the hosts a URL lists
     * (postgresql://h1,h2/esc) libpq takes the first that accepts writes,
     * the primary of the moment, at every (re)connection; a URL naming
     * its own, or PGTARGETSESSIONATTRS, wins (a URL's parameters come
     * after ours) */
    const char *keys[10], *values[10];
    int n = 0;
    const char *env_attrs = getenv ("PGTARGETSESSIONATTRS");
    if (!env_attrs || !*env_attrs) {
        keys[n] = "target_session_attrs";
        values[n++] = "read-write";
    }
    if (*self->url) {
        keys[n] = "dbname";
        values[n++] = self->url;
    }
    static const char *const fixed[][2] = {
        { "application_name", "escd" }, { "connect_timeout", "2" }, { "keepalives", "1" },
        { "keepalives_idle", "5" }, { "keepalives_interval", "2" }, { "keepalives_count", "3" },
        { "tcp_user_timeout", "5000" },
    };
    for (size_t i = 0; i < sizeof fixed / sizeof fixed[0]; i++) {
        keys[n] = fixed[i][0];
        values[n++] = fixed[i][1];
    }
    keys[n] = values[n] = NULL;
    self->conn = PQconnectdbParams (keys, values, 1);
    if (PQstatus (self->conn) == CONNECTION_OK && server_read_only (self->conn)) {
        /* the only server there was (the URL's target_session_attrs let
         * it in): not the primary */
        give_up_read_only (self);
        return unavailable (self, err);
    }
    if (PQstatus (self->conn) != CONNECTION_OK) {
        char msg[256];
        snprintf (msg, sizeof msg, "%s", PQerrorMessage (self->conn));
        msg[strcspn (msg, "\n")] = '\0';
        back_off (self);
        logline (LOGLINE_WARNING, "the database is unavailable (next attempt in %.1f s): %s",
                 self->backoff / 1000, msg);
        return esc_fail (err, ESC_UNAVAILABLE, "DATABASE_UNAVAILABLE",
                         "the database is unavailable: %s", msg);
    }
    /* One loop serves everyone: no statement may hold it (or the reader)
     * past what a client waits (5 s). A lock held by a stuck writer
     * elsewhere (another escd in mid-batch) is given up after 2 s, and the
     * request answered UNAVAILABLE; a transaction left open by a dead escd
     * is ended by the server. */
    /* Nor is any statement worth PostgreSQL's JIT: escd's statements read
     * a page or a row by key, and JIT costs a second of compilation
     * whenever an estimate runs high (a young table without statistics,
     * the family of merges in escalation_view). */
    if (store_command (self, "SET lock_timeout = '2s'; SET statement_timeout = '3s';"
                             " SET idle_in_transaction_session_timeout = '10s'; SET jit = off",
                       err)
        || (self->listening && store_listen (self, err))) {
        back_off (self);        /* a standby refuses LISTEN: not again at once */
        drop_connection (self); /* not taken as connected without them */
        return -1;
    }
    /* (a connection that broke mid-statement was dropped at once: its
     * conn is gone, not its count) */
    if (self->ever_connected)
        logline (LOGLINE_INFO, "connected to the database again (%s:%s)", PQhost (self->conn),
                 PQport (self->conn));
    self->reconnects += self->ever_connected;
    self->ever_connected = true;
    self->backoff = 0;
    self->retry_at = 0;
    return 0;
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
    /* a server going down says so (57P01..57P03, class 08) before libpq
     * sees the connection close: in a pipeline, its answer is read first */
    if (PQstatus (self->conn) != CONNECTION_OK || strncmp (self->sqlstate, "57P0", 4) == 0
        || strncmp (self->sqlstate, "08", 2) == 0)
        esc_fail (err, ESC_UNAVAILABLE, "DATABASE_UNAVAILABLE", "the database is unavailable");
    else if (store_violated (self, "25006") && server_read_only (self->conn)) {
        /* "cannot execute ... in a read-only transaction" (or "during
         * recovery") from a server that takes no writes now. (25006 from
         * one that does is a write in one of escd's read-only snapshots:
         * a bug, reported below as such.) */
        give_up_read_only (self);
        unavailable (self, err);
    }
    else if (store_violated (self, "55P03") || store_violated (self, "57014"))
        esc_fail (err, ESC_UNAVAILABLE, "DATABASE_BUSY",
                  "the database did not answer in time (a lock held elsewhere?); try again");
    else if (store_violated (self, "0A000") || store_violated (self, "26000")) {
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
            logline (LOGLINE_ERROR, "SQL error %s: %s", self->sqlstate, PQresultErrorMessage (r));
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

/* ==== The statement held for the COMMIT ================================== */

/* Forgets the held statement (sent, or gone with its transaction). */
static void
drop_held (store_t *self)
{
    free (self->held_values);
    self->held_values = NULL;
    self->held_sql = NULL;
    self->held_then = NULL;
}

/* The bytes of P's value I: a binary one's length, a text one's with its
 * NUL (0: NULL). */
static size_t
value_size (const params_t *p, int i)
{
    if (!p->values[i])
        return 0;
    return p->formats[i] ? (size_t) p->lengths[i] : strlen (p->values[i]) + 1;
}

/* Holds SQL with P (its values copied), then THEN's commands, for the next
 * round trip. */
static void
hold_statement (store_t *self, const char *sql, const params_t *p, const char *const *then)
{
    size_t size = 1;
    for (int i = 0; i < p->n; i++)
        size += value_size (p, i);
    self->held_values = malloc (size);
    if (!self->held_values)
        abort ();
    self->held_p = *p;
    char *at = self->held_values;
    for (int i = 0; i < p->n; i++) {
        if (!p->values[i])
            continue;
        size_t len = value_size (p, i);
        memcpy (at, p->values[i], len);
        self->held_p.values[i] = at;
        at += len;
    }
    self->held_sql = sql;
    self->held_then = then;
}

/* Before any other statement: the held one is sent first, in order (a
 * COMMIT's round trip takes it along instead). -1 with ERR when it failed,
 * or did before: the transaction can then only be rolled back. */
static int
send_held (store_t *self, esc_error_t *err)
{
    if (self->doomed)
        return esc_fail (err, ESC_INTERNAL, "INTERNAL",
                         "the transaction failed; nothing was applied");
    return self->held_sql ? store_pipeline (self, NULL, 0, NULL, err) : 0;
}

PGresult *
store_exec_format (store_t *self, const char *sql, const params_t *p, int result_format,
             esc_error_t *err)
{
    read_posted (self);      /* their answers first, kept for store_posted_take */
    self->sqlstate[0] = '\0';
    if (!store_connected (self)) {
        unavailable (self, err);
        return NULL;
    }
    if (send_held (self, err))
        return NULL;
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
    return store_exec_format (self, sql, p, 0, err);
}

int
store_pipeline (store_t *self, const store_step_t *steps, int n, PGresult **results,
                esc_error_t *err)
{
    for (int i = 0; i < n; i++)
        results[i] = NULL;
    bool sent;
    int held;
    if (pipeline_send (self, steps, n, &sent, &held, err))
        return -1;
    return pipeline_receive (self, steps, n, sent, held, results, err);
}

/* store_pipeline's first half: sends the held statement's steps (*HELD_SENT of
 * them), then the N of STEPS; *SENT_ALL: all of them went. -1, nothing sent:
 * the second half is not called. */
static int
pipeline_send (store_t *self, const store_step_t *steps, int n, bool *sent_all, int *held_sent,
               esc_error_t *err)
{
    read_posted (self);      /* their answers first, kept for store_posted_take */
    static const params_t none;
    self->sqlstate[0] = '\0';
    if (!store_connected (self))
        return unavailable (self, err);
    if (self->doomed)
        return send_held (self, err);
    forget_stale (self);
    /* the held statement first, where it stood */
    store_step_t all[STORE_PIPELINE_MAX];
    int held = 0;
    if (self->held_sql) {
        all[held++] = (store_step_t) { .sql = self->held_sql, .p = &self->held_p, .prepare = true };
        for (const char *const *t = self->held_then; t && *t && held < STORE_PIPELINE_MAX; t++)
            all[held++] = (store_step_t) { .sql = *t };
    }
    int total = held + n;
    if (total > STORE_PIPELINE_MAX) {
        drop_held (self);
        self->doomed = held > 0;
        return esc_fail (err, ESC_INTERNAL, "INTERNAL", "a pipeline of %d statements", total);
    }
    if (n)
        memcpy (all + held, steps, (size_t) n * sizeof *steps);
    /* named before the pipeline: PQprepare waits for its answer */
    const char *names[STORE_PIPELINE_MAX];
    for (int i = 0; i < total; i++) {
        const params_t *p = all[i].p ? all[i].p : &none;
        names[i] = all[i].prepare ? prepared (self, all[i].sql, p->n, err) : "";
        if (!names[i]) {
            drop_held (self);
            self->doomed = held > 0;
            return -1;
        }
    }
    PGconn *c = self->conn;
    bool sent = PQenterPipelineMode (c);
    for (int i = 0; sent && i < total; i++) {
        const params_t *p = all[i].p ? all[i].p : &none;
        int f = all[i].result_format;
        sent = *names[i]
            ? PQsendQueryPrepared (c, names[i], p->n, p->values, p->lengths, p->formats, f)
            : PQsendQueryParams (c, all[i].sql, p->n, NULL, p->values, p->lengths,
                                 p->formats, f);
    }
    sent = sent && PQpipelineSync (c);
    /* libpq copied the values as it sent them */
    drop_held (self);
    *sent_all = sent;
    *held_sent = held;
    return 0;
}

/* store_pipeline's second half: reads the results of what pipeline_send
 * sent (SENT, HELD: what it said). */
static int
pipeline_receive (store_t *self, const store_step_t *steps, int n, bool sent, int held,
                  PGresult **results, esc_error_t *err)
{
    PGconn *c = self->conn;
    int total = held + n;
    PGresult *all[STORE_PIPELINE_MAX] = { 0 };
    /* each step's result then a NULL; after a failure, the steps left are
     * PIPELINE_ABORTED; the sync's result ends it all */
    bool failed = !sent;
    int step = 0, failed_at = sent ? total : 0;
    PGresult *r;
    while (sent && step <= total) {
        if (!(r = PQgetResult (c))) {
            step++;
            continue;
        }
        ExecStatusType st = PQresultStatus (r);
        if (st == PGRES_PIPELINE_SYNC) {
            PQclear (r);
            break;
        }
        if (failed || st == PGRES_PIPELINE_ABORTED || step >= total || all[step])
            PQclear (r);
        else if (st != PGRES_TUPLES_OK && st != PGRES_COMMAND_OK) {
            failed = true;
            failed_at = step;
            checked (self, r, err);
        }
        else
            all[step] = r;
    }
    if (!PQexitPipelineMode (c) || step > total || !sent) {
        /* a connection that broke mid-way: dropped, the next connects anew */
        if (PQstatus (c) == CONNECTION_OK)
            logline (LOGLINE_ERROR, "a pipeline did not end: %s", PQerrorMessage (c));
        drop_connection (self);
        if (!sent || !failed)
            unavailable (self, err);
        failed = true;
    }
    for (int i = 0; i < held; i++)
        PQclear (all[i]);
    for (int i = 0; i < n; i++)
        results[i] = all[held + i];
    if (!failed)
        return 0;
    /* a held statement that failed, or may not have run, dooms its
     * transaction (on a connection that broke, the transaction is gone) */
    self->doomed = failed_at < held && self->conn;
    for (int i = 0; i < n; i++) {
        if (steps[i].keep && results[i])
            continue;
        PQclear (results[i]);
        results[i] = NULL;
    }
    return -1;
}

/* ==== Statements posted ahead ========================================== */

/* Drops the connection mid-way (it broke, or cannot be told apart any
 * more): every statement posted on it fails, and the next store_connect
 * connects anew. */
static void
drop_connection (store_t *self)
{
    fail_posted (self);
    if (self->conn)
        PQfinish (self->conn);
    self->conn = NULL;
    self->lease = false;        /* it went with the session */
}

/* Every statement posted and not yet read failed (the connection broke,
 * or is being replaced): each is answered NULL. */
static void
fail_posted (store_t *self)
{
    PQclear (self->posted_result);
    self->posted_result = NULL;
    self->posted_stage = 0;
    for (; self->n_posted > 0; self->n_posted--)
        self->posted_in[self->n_posted_in++] = NULL;
}

/* Reads the answer of the oldest statement posted and not yet read into
 * posted_in: 1 when it is in, 0 when it is not yet (only without WAIT).
 * Each is its result, the end of its results, then its sync's. A
 * connection that breaks, or says anything else, is dropped and every
 * posted statement fails (as they do with no connection left). */
static int
read_one_posted (store_t *self, bool wait)
{
    PGconn *c = self->conn;
    while (c) {
        if (!wait && PQisBusy (c) && (!PQconsumeInput (c) || PQisBusy (c))) {
            if (PQstatus (c) == CONNECTION_OK)
                return 0;
            break;
        }
        PGresult *r = PQgetResult (c);
        ExecStatusType st = r ? PQresultStatus (r) : PGRES_EMPTY_QUERY;
        if (self->posted_stage == 0 && r && st != PGRES_PIPELINE_SYNC) {
            esc_error_t err;
            self->posted_result = st == PGRES_TUPLES_OK ? r : checked (self, r, &err);
            self->posted_stage = 1;
        }
        else if (self->posted_stage == 1 && !r)
            self->posted_stage = 2;
        else if (self->posted_stage == 2 && st == PGRES_PIPELINE_SYNC) {
            PQclear (r);
            self->posted_in[self->n_posted_in++] = self->posted_result;
            self->posted_result = NULL;
            self->posted_stage = 0;
            if (--self->n_posted == 0 && !PQexitPipelineMode (c))
                break;
            return 1;
        }
        else {
            PQclear (r);
            break;
        }
    }
    if (c && PQstatus (c) == CONNECTION_OK)
        logline (LOGLINE_ERROR, "a statement posted ahead did not end: %s", PQerrorMessage (c));
    drop_connection (self);
    return 1;
}

/* Before any other statement: the answers to those posted are read, and
 * kept until taken. */
static void
read_posted (store_t *self)
{
    while (self->n_posted)
        read_one_posted (self, true);
}

int
store_post (store_t *self, const char *sql, esc_error_t *err)
{
    if (!store_connected (self))
        return unavailable (self, err);
    if (self->n_posted + self->n_posted_in >= STORE_POSTED_MAX || self->held_sql || self->doomed
        || (!self->n_posted && PQtransactionStatus (self->conn) != PQTRANS_IDLE))
        return esc_fail (err, ESC_INTERNAL, "INTERNAL", "nothing can be posted now");
    /* a statement prepared before any is posted: PQprepare waits for its
     * answer, which would come after theirs */
    const char *name = NULL;
    for (size_t i = 0; i < self->n_prepared && !name; i++)
        if (self->prepared[i] == sql)
            name = self->names[i];
    if (!name && !self->n_posted) {
        forget_stale (self);
        name = prepared (self, sql, 0, err);
    }
    if (!name || !*name)
        return name ? esc_fail (err, ESC_INTERNAL, "INTERNAL", "too many prepared statements")
                    : esc_fail (err, ESC_INTERNAL, "INTERNAL", "a statement to post is not prepared");
    PGconn *c = self->conn;
    if (!PQenterPipelineMode (c) || !PQsendQueryPrepared (c, name, 0, NULL, NULL, NULL, 0)
        || !PQpipelineSync (c)) {
        /* what was sent of it cannot be told apart: the connection goes */
        logline (LOGLINE_ERROR, "cannot post a statement: %s", PQerrorMessage (c));
        drop_connection (self);
        return unavailable (self, err);
    }
    self->n_posted++;
    return 0;
}

int
store_posted_take (store_t *self, bool wait, PGresult **r)
{
    *r = NULL;
    if (!self->n_posted_in && (!self->n_posted || !read_one_posted (self, wait)))
        return 0;
    *r = self->posted_in[0];
    memmove (self->posted_in, self->posted_in + 1,
             (size_t) --self->n_posted_in * sizeof *self->posted_in);
    return 1;
}

int
store_posted (const store_t *self)
{
    return self->n_posted + self->n_posted_in;
}

bool
store_posted_in (const store_t *self)
{
    return self->n_posted_in > 0;
}

int
store_commit_then (store_t *self, const char *sql, const params_t *p, int64_t key0, int64_t key1,
                   esc_error_t *err)
{
    store_step_t steps[] = { { .sql = "COMMIT", .keep = true },
                             { .sql = sql, .p = p, .prepare = true } };
    PGresult *results[2];
    if (store_pipeline (self, steps, 2, results, err)) {
        self->doomed = false;
        /* the commit stands if only the read after it failed: nothing kept */
        if (results[0]) {
            PQclear (results[0]);
            return 0;
        }
        /* a held statement failed before the COMMIT ran: the transaction
         * is left aborted, and ends here */
        esc_error_t undo;
        if (store_connected (self) && PQtransactionStatus (self->conn) != PQTRANS_IDLE)
            store_command (self, "ROLLBACK", &undo);
        return -1;
    }
    PQclear (results[0]);
    PQclear (self->stash);
    self->stash = results[1];
    self->stash_sql = sql;
    self->stash_key[0] = key0;
    self->stash_key[1] = key1;
    return 0;
}

PGresult *
store_stash_take (store_t *self, const char *sql, int64_t key0, int64_t key1)
{
    PGresult *r = self->stash;
    bool same = r && self->stash_sql == sql && self->stash_key[0] == key0
                && self->stash_key[1] == key1 && store_idle (self);
    self->stash = NULL;
    if (same)
        return r;
    PQclear (r);
    return NULL;
}

int
store_exec_then (store_t *self, const char *sql, const params_t *p, const char *const *then,
                 bool hold, PGresult **r, esc_error_t *err)
{
    static const params_t none;
    if (r)
        *r = NULL;
    if (!p)
        p = &none;
    if (hold && store_connected (self)) {
        if (send_held (self, err))
            return -1;
        hold_statement (self, sql, p, then);
        return 0;
    }
    store_step_t steps[8] = { { .sql = sql, .p = p, .prepare = true } };
    int n = 1;
    for (; then && then[n - 1]; n++) {
        assert (n < 8);
        steps[n].sql = then[n - 1];
    }
    PGresult *results[8];
    if (n == 1)
        results[0] = store_exec (self, sql, p, err);
    else if (store_pipeline (self, steps, n, results, err))
        return -1;
    else
        for (int i = 1; i < n; i++)
            PQclear (results[i]);
    if (!results[0])
        return -1;
    if (r)
        *r = results[0];
    else
        PQclear (results[0]);
    return 0;
}

const char *
store_sqlstate (store_t *self)
{
    return self->sqlstate;
}

int
store_command (store_t *self, const char *sql, esc_error_t *err)
{
    read_posted (self);      /* their answers first, kept for store_posted_take */
    self->sqlstate[0] = '\0';
    if (!store_connected (self))
        return unavailable (self, err);
    /* a doomed transaction ends with ROLLBACK, the held statement unsent */
    if (strcmp (sql, "ROLLBACK") == 0) {
        drop_held (self);
        self->doomed = false;
    }
    if (send_held (self, err))
        return -1;
    forget_stale (self);
    PGresult *r = checked (self, PQexec (self->conn, sql), err);
    PQclear (r);
    return r ? 0 : -1;
}

PGresult *
store_exec_script (store_t *self, const char *sql, esc_error_t *err)
{
    read_posted (self);      /* their answers first, kept for store_posted_take */
    self->sqlstate[0] = '\0';
    if (!store_connected (self)) {
        unavailable (self, err);
        return NULL;
    }
    if (send_held (self, err))
        return NULL;
    forget_stale (self);
    if (!PQsendQuery (self->conn, sql)) {
        unavailable (self, err);
        return NULL;
    }
    /* every statement's result is read; the first failure is the answer */
    PGresult *rows = NULL, *r;
    bool failed = false;
    while ((r = PQgetResult (self->conn))) {
        if (failed) {
            PQclear (r);
            continue;
        }
        ExecStatusType st = PQresultStatus (r);
        if (st != PGRES_TUPLES_OK && st != PGRES_COMMAND_OK) {
            failed = true;
            PQclear (rows);
            rows = NULL;
            checked (self, r, err);
        }
        else if (st == PGRES_TUPLES_OK && !rows)
            rows = r;
        else
            PQclear (r);
    }
    if (!failed && !rows) {
        if (PQstatus (self->conn) != CONNECTION_OK)
            unavailable (self, err);
        else
            esc_fail (err, ESC_INTERNAL, "INTERNAL", "a script returned no rows");
    }
    return rows;
}

PGresult *
store_exec_one (store_t *self, const char *sql, const params_t *p, esc_error_t *err,
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
int
store_run (store_t *self, const char *sql, const params_t *p, esc_error_t *err)
{
    PGresult *r = store_exec (self, sql, p, err);
    PQclear (r);
    return r ? 0 : -1;
}

/* True when the last failure was a violation of a constraint (23xxx),
 * which callers turn into the rule the constraint stands for. */
bool
store_violated (store_t *self, const char *sqlstate)
{
    return strcmp (self->sqlstate, sqlstate) == 0;
}

void
store_month_range (const char *month, char *from, char *to)
{
    snprintf (from, 32, "-infinity");
    snprintf (to, 32, "infinity");
    if (month) {
        int y = atoi (month), m = atoi (month + 5);
        snprintf (from, 32, "%04d-%02d-01T00:00:00Z", y, m);
        snprintf (to, 32, "%04d-%02d-01T00:00:00Z", m == 12 ? y + 1 : y, m == 12 ? 1 : m + 1);
    }
}

/* ==== Rows =============================================================== */

int
store_column (const PGresult *r, const char *col)
{
    int c = PQfnumber (r, col);
    if (c < 0) {
        logline (LOGLINE_ERROR, "no column %s in result", col);
        abort ();               /* a query and its reader disagree: a bug */
    }
    return c;
}

bool
row_null (const PGresult *r, int row, const char *col)
{
    return PQgetisnull (r, row, store_column (r, col));
}

const char *
row_text (const PGresult *r, int row, const char *col)
{
    int c = store_column (r, col);
    return PQgetisnull (r, row, c) ? NULL : PQgetvalue (r, row, c);
}

int64_t
row_int (const PGresult *r, int row, const char *col)
{
    const char *v = row_text (r, row, col);
    return v ? strtoll (v, NULL, 10) : 0;
}

double
row_double (const PGresult *r, int row, const char *col)
{
    const char *v = row_text (r, row, col);
    return v ? strtod (v, NULL) : 0;
}

bool
row_bool (const PGresult *r, int row, const char *col)
{
    const char *v = row_text (r, row, col);
    return v && v[0] == 't';
}

/* An arena copy of a text column (NULL stays NULL). */
char *
store_dup_text (arena_t *a, const PGresult *r, int row, const char *col)
{
    return arena_strdup (a, row_text (r, row, col));
}

/* Splits a joined list column into an arena array of strings. */
size_t
store_split_texts (arena_t *a, const char *joined, char sep, char ***out)
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
size_t
store_split_ints (arena_t *a, const char *joined, int64_t **out)
{
    char **parts;
    size_t n = store_split_texts (a, joined, ',', &parts);
    *out = n ? arena_alloc (a, n * sizeof **out) : NULL;
    for (size_t i = 0; i < n; i++)
        (*out)[i] = strtoll (parts[i], NULL, 10);
    return n;
}

/* ==== The database itself =============================================== */

int
store_database_facts (store_t *self, arena_t *a, database_facts_t *out, esc_error_t *err)
{
    PGresult *r = store_exec (self, "SELECT max(version) AS version FROM schema_migration",
                              NULL, err);
    if (!r)
        return -1;
    out->schema_version = row_int (r, 0, "version");
    PQclear (r);
    /* libpq keeps what the server said of itself when it connected */
    const char *v = PQparameterStatus (self->conn, "server_version");
    out->server_version = arena_strdup (a, v ? v : "");
    return 0;
}

/* ==== Waking up ========================================================== */

int
store_listen (store_t *self, esc_error_t *err)
{
    self->listening = true;
    if (!store_connected (self))
        return store_connect (self, err);      /* which listens */
    return store_command (self, "LISTEN " STORE_EVENT_CHANNEL, err);
}

int
store_socket (store_t *self)
{
    bool listens = self->listening && store_connected (self);
    /* while statements posted ahead are out, their answers come on it */
    return listens || (self->conn && self->n_posted) ? PQsocket (self->conn) : -1;
}

bool
store_notified (store_t *self, int writer_pid)
{
    if (!store_connected (self))
        return false;
    PQconsumeInput (self->conn);
    /* the writer's own commits are published after them (serve's news):
     * their notifications would only make escd look again */
    bool any = false;
    for (PGnotify *n; (n = PQnotifies (self->conn)); PQfreemem (n))
        any = any || n->be_pid != writer_pid;
    return any;
}

bool
store_unchanged (store_t *self)
{
    if (!store_connected (self))
        return false;
    struct pollfd pfd = { .fd = PQsocket (self->conn), .events = POLLIN | POLLRDHUP };
    if (poll (&pfd, 1, 0) < 0 || (pfd.revents & (POLLRDHUP | POLLHUP | POLLERR | POLLNVAL)))
        return false;
    /* bytes in: answers to statements posted, or else news of the
     * session's end (a FATAL error before it closes): read, and any
     * failure among them taken for that */
    if (pfd.revents & POLLIN) {
        if (!self->n_posted || !PQconsumeInput (self->conn))
            return false;
        while (self->n_posted && read_one_posted (self, false) == 1)
            ;
        for (int i = 0; i < self->n_posted_in; i++)
            if (!self->posted_in[i])
                return false;
    }
    return store_connected (self);
}

bool
store_lease_held (store_t *self)
{
    return self->lease && store_connected (self);
}

void
store_lease_mark (store_t *self, bool held)
{
    self->lease = held;
}

int
store_backend_pid (store_t *self)
{
    return store_connected (self) ? PQbackendPID (self->conn) : 0;
}

void
store_disconnect (store_t *self)
{
    drop_connection (self);
    self->backoff = 0;
    self->retry_at = 0;
}
