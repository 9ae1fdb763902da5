/* store.h: everything escd keeps, in PostgreSQL.
 *
 * The one place with SQL. Each function runs parameterised statements on
 * the connection (inside the transaction the caller opened), turns rows
 * into plain facts for the workflow or into wire messages for replies, and
 * maps the database's refusals to the rule they stand for (a duplicate key
 * on token_spend is TOKEN_ALREADY_SPENT). Every function returns 0 on
 * success or -1 with ERR filled; a lost connection is UNAVAILABLE. Wire
 * messages and strings are allocated in the caller's arena. */
#ifndef ESC_STORE_H
#define ESC_STORE_H

#include <libpq-fe.h>
#include <stdbool.h>
#include <stdint.h>

#include "arena.h"
#include "esc.pb-c.h"
#include "listing.h"
#include "status.h"
#include "workflow.h"

typedef struct store store_t;

/* The most rows a list that is not paged (accounts, an escalation's
 * history) puts in one reply: it says how many there are in all. */
#define STORE_LIST_MAX 10000
/* The most escalations, or roadmap items, an account's detail holds: the
 * latest; it says how many there are in all. */
#define STORE_DETAIL_MAX 100

/* ==== Connection and transactions ======================================== */

/* A store for the database named by URL (NULL or "": the PG* variables).
 * It connects on first use and again after the connection is lost. */
store_t *store_new (const char *url);
void store_destroy (store_t **self_p);

/* Connects if not connected. While the database is down, attempts are
 * spaced by a backoff doubling from 0.1 s to 5 s; between attempts this
 * answers UNAVAILABLE at once. Returns 0, or -1 with UNAVAILABLE. */
int store_connect (store_t *self, esc_error_t *err);
/* True when the last statement left the connection healthy. */
bool store_connected (store_t *self);
/* Times the store connected again after having been connected. */
int64_t store_reconnects (const store_t *self);
/* The underlying connection (for LISTEN, migrations); NULL if down. */
PGconn *store_conn (store_t *self);

/* True when a statement failed in the open transaction (it needs a
 * ROLLBACK or ROLLBACK TO SAVEPOINT before anything else runs). */
bool store_in_failed_transaction (store_t *self);
/* True when connected and outside any transaction. */
bool store_idle (store_t *self);
/* BEGIN, COMMIT, ROLLBACK, SAVEPOINT NAME, ... : a command without rows. */
int store_command (store_t *self, const char *sql, esc_error_t *err);

/* What escd's status says of its database: the newest migration it has
 * (0 when none), and PostgreSQL's version (arena). */
typedef struct {
    int64_t schema_version;
    const char *server_version;
} database_facts_t;
int store_database_facts (store_t *self, arena_t *a, database_facts_t *out, esc_error_t *err);

/* ==== Parameters and rows ================================================ */

#define PARAMS_MAX 12

/* Parameters for one statement: text by default, NULL for SQL NULL, bytes
 * for bytea. Numbers are formatted into the struct itself. */
typedef struct {
    int n;
    const char *values[PARAMS_MAX];
    int lengths[PARAMS_MAX];
    int formats[PARAMS_MAX];
    char numbers[PARAMS_MAX][24];
} params_t;

void params_text (params_t *p, const char *s);
void params_int (params_t *p, int64_t v);
void params_opt_int (params_t *p, bool has, int64_t v);
void params_bool (params_t *p, bool v);
void params_bytes (params_t *p, const void *data, size_t len);

/* Runs SQL. Returns the result (the caller PQclears it) when it succeeded,
 * else NULL with ERR; the SQLSTATE of a failure is in store_sqlstate. */
PGresult *store_exec (store_t *self, const char *sql, const params_t *p, esc_error_t *err);
/* The SQLSTATE of the last failed statement ("" if none). */
const char *store_sqlstate (store_t *self);

/* Column values by name; NULL / 0 / false for SQL NULL. */
const char *row_text (const PGresult *r, int row, const char *col);
int64_t row_int (const PGresult *r, int row, const char *col);
double row_double (const PGresult *r, int row, const char *col);
bool row_bool (const PGresult *r, int row, const char *col);
bool row_null (const PGresult *r, int row, const char *col);

/* ==== Users, requests and events ========================================= */

/* The active user whose key is KEY (Z85): the name into NAME and the roles
 * into *ROLES; NAME "" and no roles when no active user holds that key
 * (never did, replaced, or revoked). */
int store_identify (store_t *self, const char *key, char *name, size_t len, role_set_t *roles,
                    esc_error_t *err);
/* The name of the user holding KEY (Z85) into NAME, or "" if none. */
int store_user_by_key (store_t *self, const char *key, char *name, size_t len, esc_error_t *err);
/* Calls EACH with every registered user's key and name. */
int store_user_keys (store_t *self, void (*each) (void *arg, const char *key, const char *name),
                     void *arg, esc_error_t *err);
int store_user_insert (store_t *self, const char *name, role_set_t roles, const char *key,
                       const char *team, esc_error_t *err);
/* User NAME's team (NULL: none) into *TEAM, the row locked; USER_NOT_FOUND. */
int store_user_team (store_t *self, arena_t *a, const char *name, char **team, esc_error_t *err);
/* User NAME belongs to TEAM from now on (NULL: to none). */
int store_user_set_team (store_t *self, const char *name, const char *team, esc_error_t *err);
/* Every user by name, or only user NAME when not NULL. */
int store_user_list (store_t *self, arena_t *a, const char *name, Esc__UserList **out,
                     esc_error_t *err);
/* What the rules need about user NAME, ACTOR acting; the row locked. */
int store_user_facts (store_t *self, const char *name, const char *actor, user_facts_t *out,
                      esc_error_t *err);
/* Revokes NAME; LAST_ADMIN when the database refuses to lose its last
 * active admin. */
int store_user_revoke (store_t *self, const char *name, const char *actor, esc_error_t *err);
/* Gives NAME a new public key; KEY_IN_USE when another user holds it. */
int store_user_set_key (store_t *self, const char *name, const char *key, esc_error_t *err);

/* The request log keeps, for each state-changing request a user sent
 * (under its request id), the SHA-256 of its bytes and the reply it got:
 * what idempotency needs to answer a retry, and nothing more. */
#define STORE_DIGEST_LEN 32

/* USER's request logged earlier under ID, if any. FOUND says whether it
 * was; REPLY is in the arena. */
typedef struct {
    bool found;
    uint8_t digest[STORE_DIGEST_LEN];
    const uint8_t *reply;
    size_t reply_len;
} logged_request_t;
int store_request_lookup (store_t *self, arena_t *a, const char *user, const char *id,
                          logged_request_t *out, esc_error_t *err);
/* Deletes up to LIMIT log entries older than DAYS days, oldest first;
 * *DELETED says how many. */
int store_request_prune (store_t *self, int64_t days, int64_t limit, int64_t *deleted,
                         esc_error_t *err);
/* The request log's size on disk, its indexes and TOAST with it, into
 * *BYTES: a look at the files' sizes, not a scan. */
int store_request_log_bytes (store_t *self, int64_t *bytes, esc_error_t *err);

/* Takes the event counter's row lock, for a change made outside a batch
 * (escd user add); a batch takes it in store_batch_open. Changes commit in
 * sequence order and lock rows in one order. */
int store_lock_sequence (store_t *self, esc_error_t *err);
/* A change's request, looked up in the request log as its batch opens. */
typedef struct {
    const char *key, *id;       /* the connection's key, the request id */
    logged_request_t logged;    /* what the log holds under them */
} batch_lookup_t;
/* Filings filed in the round trip that opens their batch (below). */
typedef struct store_open_filing store_open_filing_t;
/* Opens a batch in one round trip: BEGIN_SQL (BEGIN ...), then reads the
 * event head, the version of users (sql/023) and when the transaction
 * started (s since the epoch, the database's clock); when LOCK (a batch of
 * changes), with the event counter's row lock, then SAVEPOINT request (the
 * first change's), then the request log's entries for the N LOOKUPS (their
 * replies in arena A); then, with LOCK, FILING's filings (NULL: none),
 * whose outcome FILING tells: the batch opens even when they fail. */
int store_batch_open (store_t *self, arena_t *a, const char *begin_sql, bool lock,
                      batch_lookup_t *lookups, size_t n, store_open_filing_t *filing,
                      int64_t *head, int64_t *users_version, int64_t *started,
                      esc_error_t *err);
typedef struct {
    bool ok;                    /* false: the statement failed, or its connection */
    int64_t head, users_version, started;
    bool contested;             /* the lease's: someone waits for it */
} store_head_t;
/* The three store_batch_open reads, with no transaction, asked ahead:
 * store_peek_post sends the statement and returns at once (0, or -1 with
 * ERR: nothing sent); up to STORE_POSTED_MAX may be out at once, and any
 * other statement first reads their answers (kept). store_peek_take gives
 * the answers in the order they were asked: 1 with one in *OUT, 0 when
 * none is in yet (WAIT: it waits for the next) or none was asked. */
int store_peek_post (store_t *self, esc_error_t *err);
int store_peek_take (store_t *self, bool wait, store_head_t *out);
/* Statements posted ahead (store_peek_post): how many are not yet taken;
 * whether one's answer is in, read off the connection (the connection's
 * socket may no longer tell). */
#define STORE_POSTED_MAX 4
/* The read lease (sql/025), an advisory lock on this connection's session
 * that nobody else holds while it is held: no change to the event head or
 * to users commits meanwhile (each waits for it). store_lease_take tries
 * to take it, without waiting: *GOT, with the head read once it is held
 * in *OUT. store_lease_post posts a head check (store_peek_take) that also
 * says whether anyone waits for it; store_lease_give gives it up (a lease
 * that cannot be given up goes with the connection). While it is held, a
 * batch that writes does not wait for the event counter's row: held by
 * someone who waits for the lease, the lease is given up first
 * (store_batch_open). store_lease_held: whether it is held. */
int store_lease_take (store_t *self, bool *got, store_head_t *out, esc_error_t *err);
int store_lease_post (store_t *self, esc_error_t *err);
int store_lease_give (store_t *self, esc_error_t *err);
bool store_lease_held (store_t *self);
/* Whether the session still stands as far as can be told without a round
 * trip: connected, its socket not closed, and nothing come on it but
 * answers to statements posted. */
bool store_unchanged (store_t *self);
int store_posted (const store_t *self);
bool store_posted_in (const store_t *self);

typedef struct {
    const char *type, *actor, *quarter, *account;
    int64_t escalation_id;      /* 0 if none */
    const char *data;           /* a JSON object */
    const char *summary;        /* a sentence for people */
} event_t;
/* Appends an event with the next sequence number, returned in *seq, and
 * asks PostgreSQL to wake every listening escd when it commits. */
int store_event_append (store_t *self, const event_t *e, int64_t *seq, esc_error_t *err);
/* The answer to USER's request ID, as store_request_record logs it. */
typedef struct {
    const char *user, *id;
    const uint8_t *digest;      /* STORE_DIGEST_LEN bytes */
    const uint8_t *reply;
    size_t reply_len;
    /* parameterless commands run right after the logging statement, in
     * its round trip (NULL-terminated; NULL: none): the desk opens the
     * next request's savepoint there; not run when the logging fails */
    const char *const *then;
    /* the transaction's last statement before its COMMIT: sent in the
     * COMMIT's round trip, whose failure is then its own (store_exec_then) */
    bool last;
} request_record_t;
/* Logs the answer of LOG's request. ALREADY_EXISTS when another server
 * logged the same request first. */
int store_request_record (store_t *self, const request_record_t *log, esc_error_t *err);
/* Appends event E and logs the answer of the request that wrote it, in one
 * statement: as store_event_append, then store_request_record (*SEQ 0
 * when LOG is the transaction's last, held for the COMMIT). */
int store_event_append_logged (store_t *self, const event_t *e, const request_record_t *log,
                               int64_t *seq, esc_error_t *err);
/* Logs the answers of the N requests of LOGS, and appends the event each
 * wrote (EVENTS[i]; NULL: a refusal, logged without one), numbered in
 * their order, in one statement; then THEN, as store_request_record. As
 * N calls of store_event_append_logged or store_request_record would
 * (ALREADY_EXISTS: another server logged one of the requests first), but
 * all or nothing; held for the COMMIT when the last of LOGS is last. */
int store_event_append_many (store_t *self, const event_t *const *events,
                             const request_record_t *logs, size_t n, const char *const *then,
                             esc_error_t *err);
/* The events of an escalation, and of merges into it, in order. */
int store_history (store_t *self, arena_t *a, int64_t id, Esc__EventList **out, esc_error_t *err);
/* The events of roadmap item ID, in order: planned, corrected, postponed
 * by an approval, done, moved; the last STORE_LIST_MAX of them, with the
 * count of all. */
int store_roadmap_history (store_t *self, arena_t *a, int64_t id, Esc__EventList **out,
                           esc_error_t *err);
/* The seq of the newest committed event (0 when there is none). */
int store_last_seq (store_t *self, int64_t *seq, esc_error_t *err);
/* The committed events after SINCE, at most LIMIT, in order, with the seq
 * scanned to and the head of the log. Sequence numbers have no gaps and
 * commit in order, so (SINCE, SINCE + LIMIT] is a complete page. */
int store_events_since (store_t *self, arena_t *a, int64_t since, int64_t limit,
                        Esc__EventList **out, esc_error_t *err);
/* Commits the open transaction and, in the same round trip, reads the
 * events after SINCE (at most LIMIT) for the next store_events_since
 * asking just that outside a transaction: the publish after a batch of
 * changes costs no round trip of its own. -1 with ERR when the commit
 * failed. */
int store_commit_publishing (store_t *self, int64_t since, int64_t limit, esc_error_t *err);

/* ==== Waking up ========================================================== */

/* The channel every event-writing transaction notifies on commit. */
#define STORE_EVENT_CHANNEL "esc_event"

/* Connects when not connected, and listens on STORE_EVENT_CHANNEL now and
 * after every reconnection. Only ever on a connection that commits no
 * write: PostgreSQL (15 at least) ends a COMMIT's wait for its synchronous
 * standby when the postmaster dies, meaning to answer nothing, but a
 * backend with a notification pending (a LISTENer, after its own NOTIFY or
 * another's) flushes its output on the way out to deliver it, and the
 * COMMIT's CommandComplete goes with it: a write acknowledged that the
 * standby promoted next never got (tests/e2e/commit_ack.sh). */
int store_listen (store_t *self, esc_error_t *err);
/* The connection's socket, to poll: a listening one's while it is
 * connected (notifications), another's only while statements posted ahead
 * wait for their answers on it; else -1. */
int store_socket (store_t *self);
/* Reads what the server sent; true when a notification of a commit arrived
 * since the last call from a backend other than WRITER_PID (escd's own
 * commits are published by their caller). Never blocks. */
bool store_notified (store_t *self, int writer_pid);
/* The process ID of the connection's backend; 0 when not connected. */
int store_backend_pid (store_t *self);
/* Closes the connection (no failure: the next store_connect connects at
 * once). */
void store_disconnect (store_t *self);

/* ==== Quarters, accounts, roadmap ======================================== */

/* The quarter NAME, or with NAME NULL the default quarter (the workflow's
 * rule over the open quarters); its name goes to *chosen (arena). */
int store_quarter_resolve (store_t *self, arena_t *a, const char *name, const char **chosen, esc_error_t *err);
/* The figures the rules need (and the first later quarter that is open);
 * LOCK takes the quarter's row lock. */
int store_quarter_facts (store_t *self, const char *name, bool lock, quarter_facts_t *out, esc_error_t *err);
int store_quarter_insert (store_t *self, const Esc__QuarterOpen *q, const char *actor, esc_error_t *err);
int store_quarter_close (store_t *self, const char *name, esc_error_t *err);
int store_quarter_reopen (store_t *self, const char *name, esc_error_t *err);
/* Commits quarter NAME's plan: the items planned now are its baseline,
 * frozen with their hours; *ITEMS and *HOURS say how many and how much. */
int store_quarter_commit (store_t *self, const char *name, const char *actor, int64_t *items,
                          int64_t *hours, esc_error_t *err);
/* The quarter whose dates hold the first day of MONTH (YYYY-MM); failing
 * that, the calendar quarter's name (which may not exist). */
int store_quarter_of_month (store_t *self, arena_t *a, const char *month, const char **name,
                            esc_error_t *err);
int store_quarter_get (store_t *self, arena_t *a, const char *name, Esc__Quarter **out, esc_error_t *err);
int store_quarter_list (store_t *self, arena_t *a, Esc__QuarterList **out, esc_error_t *err);

/* Adds an account; a name taken, in any case, is ACCOUNT_EXISTS naming
 * the account that holds it. */
int store_account_insert (store_t *self, const Esc__AccountAdd *m, const char *actor, esc_error_t *err);
/* Adds account NAME, or gives a known one this ARR and, unless RENEWAL_ON
 * is NULL (which keeps the one it has), this renewal date; *ADDED says
 * which. */
int store_account_upsert (store_t *self, const char *name, int64_t arr, const char *renewal_on,
                          const char *actor, bool *added, esc_error_t *err);
/* A name of a list that matches another only by case. */
typedef struct {
    size_t row;                 /* its index in the list */
    const char *existing;       /* the account it matches (arena), or NULL: */
    size_t earlier;             /* the earlier name of the list it matches */
} account_twin_t;
/* For N account NAMES (an import's, in file order, validated), each name
 * that differs only by case from an account, else from an earlier name of
 * the list, in list order (arena). Equal names are no twins. */
int store_account_case_twins (store_t *self, arena_t *a, char *const *names, size_t n,
                              account_twin_t **twins, size_t *n_twins, esc_error_t *err);
int store_account_get (store_t *self, arena_t *a, const char *name, Esc__Account **out, esc_error_t *err);
/* Account NAME as it is, its row locked; ACCOUNT_NOT_FOUND. */
int store_account_lock (store_t *self, arena_t *a, const char *name, Esc__Account **out,
                        esc_error_t *err);
/* Corrects account M->name: the ARR, the renewal date (cleared with
 * clear_renewal) and the name, each when given. A new name another account
 * holds, in any case, is ACCOUNT_EXISTS naming that account. */
int store_account_update (store_t *self, const Esc__AccountSet *m, esc_error_t *err);
int store_account_list (store_t *self, arena_t *a, Esc__AccountList **out, esc_error_t *err);
/* Account NAME with its escalations in every quarter (filed for it or
 * naming it among the others that need the same) and the roadmap items it
 * waits for: the latest STORE_DETAIL_MAX of each, the latest first, with
 * their counts; ACCOUNT_NOT_FOUND. */
int store_account_detail (store_t *self, arena_t *a, const char *name, Esc__AccountDetail **out,
                          esc_error_t *err);

int store_roadmap_insert (store_t *self, const char *quarter, const Esc__RoadmapAdd *m,
                          const char *actor, int64_t *id, esc_error_t *err);
int store_roadmap_get (store_t *self, arena_t *a, int64_t id, Esc__RoadmapItem **out, esc_error_t *err);
/* The escalation whose approval postponed roadmap item ID last (an item
 * carried into a later quarter may be postponed there again) into
 * *ESCALATION_ID, 0 when none did. */
int store_roadmap_postponer (store_t *self, int64_t id, int64_t *escalation_id, esc_error_t *err);
/* Roadmap item ID as it is, its row locked; ROADMAP_ITEM_NOT_FOUND. */
int store_roadmap_lock (store_t *self, arena_t *a, int64_t id, Esc__RoadmapItem **out,
                        esc_error_t *err);
/* Corrects roadmap item M->id: title, category and hours when given; the
 * waiting accounts replaced when given or cleared (ACCOUNT_NOT_FOUND for an
 * unknown one). */
int store_roadmap_update (store_t *self, const Esc__RoadmapSet *m, esc_error_t *err);
/* Item ID is done, with HOURS when HAS_HOURS (else the hours kept). */
int store_roadmap_done (store_t *self, int64_t id, bool has_hours, int64_t hours, const char *actor,
                        esc_error_t *err);
/* Item ID moves from quarter FROM into TO, planned there, the move kept. */
int store_roadmap_move (store_t *self, int64_t id, const char *from, const char *to,
                        const char *actor, esc_error_t *err);
int store_roadmap_list (store_t *self, arena_t *a, const char *quarter, Esc__RoadmapList **out, esc_error_t *err);
/* Facts about roadmap items IDS for a sizing in QUARTER; NOT_FOUND names
 * the first unknown id. OUT has N entries. */
int store_roadmap_facts (store_t *self, const char *quarter, const int64_t *ids, size_t n,
                         roadmap_facts_t *out, esc_error_t *err);

/* ==== The scoreboard ==================================================== */

/* Counts and lists for QUARTER's report into REP (which holds the
 * quarter already), escalations limited to those filed in MONTH (YYYY-MM)
 * when not NULL: everything the database knows; the desk derives shares
 * and verdicts. */
int store_report (store_t *self, arena_t *a, const char *quarter, const char *month,
                  Esc__Report *rep, esc_error_t *err);

/* ==== Escalations ======================================================== */

/* An escalation as the desk needs it to decide, its row locked. */
typedef struct {
    escalation_facts_t facts;
    const char *quarter, *filer, *account;     /* arena */
    int64_t sizing_id;                          /* 0 if never sized */
    int64_t merged_into;                        /* 0 unless merged */
} escalation_ref_t;
int store_escalation_lock (store_t *self, arena_t *a, int64_t id, escalation_ref_t *out, esc_error_t *err);

/* Decides on a quarter's FACTS for ARG: 0, or -1 with the refusal in ERR. */
typedef int (*store_judge_t) (void *arg, const quarter_facts_t *facts, esc_error_t *err);
/* Files M in QUARTER for FILER; *OUT is the new escalation as
 * store_escalation_get would read it (in arena A). The quarter's row is
 * locked and whether it is closed read (facts closed_only: a filing needs
 * no more) in the same round trip, just before the insert, and JUDGE
 * decides on that before anything the insert met: a refusal is the answer.
 * The insert itself goes ahead only into an open quarter (no id is taken
 * for a refused filing); whatever else it wrote, the caller's savepoint
 * undoes. */
int store_escalation_insert (store_t *self, arena_t *a, const char *quarter, const Esc__File *m,
                             const char *filer, store_judge_t judge, void *arg,
                             Esc__Escalation **out, esc_error_t *err);
/* One of the filings store_escalation_file_many files together. */
typedef struct {
    const char *quarter;        /* the quarter filed in */
    const Esc__File *m;         /* its other accounts are the caller's */
    const char *filer;
    const char *request_id;     /* the filer's: not filed when logged
                                   already (NULL: none) */
    void *arg;                  /* the judge's */
    /* set: */
    Esc__Escalation *filed;     /* the new escalation, as
                                   store_escalation_insert gives it; NULL:
                                   not filed */
    esc_error_t refusal;        /* why not: the quarter is missing, the
                                   judge refused (JUDGE's error), or the
                                   account is not known; ESC_OK else. A
                                   refusal beside a filing means the rules
                                   and the insert's guard disagree */
} store_filing_t;
/* Files the N filings of F as store_escalation_insert files one, in one
 * round trip and two statements for all: their quarters' rows locked (in
 * the order of their names), then the inserts. JUDGE decides on each
 * filing's quarter; a refusal is its answer, whatever the insert did (the
 * caller's savepoint undoes it). -1 with ERR when a statement failed (the
 * refusals found before it are set). */
int store_escalation_file_many (store_t *self, arena_t *a, store_filing_t *f, size_t n,
                                store_judge_t judge, esc_error_t *err);
/* The N filings of F filed as store_escalation_file_many files them, in
 * the round trip that opens their batch (store_batch_open), rows in A: RC
 * 0, or -1 with ERR (a statement failed: the savepoint rolls it back). */
struct store_open_filing {
    store_filing_t *f;
    size_t n;
    store_judge_t judge;
    arena_t *a;
    int rc;
    esc_error_t err;
};
/* Moves escalation ID to STATE with REASON (NULL clears it); CLEAR_SIZING
 * forgets the current sizing (back to filed: it must be sized again). */
int store_escalation_set_state (store_t *self, int64_t id, escalation_state_t state,
                                const char *reason, bool clear_sizing, esc_error_t *err);
/* The filed fields M gives replace the recorded ones; the return's reason
 * and M's answer (NULL: none) are kept as the refile's question and answer.
 * Call it before moving the escalation on (which clears the reason). */
int store_escalation_refile (store_t *self, const Esc__Refile *m, esc_error_t *err);
/* Corrects escalation M->id's filing: the fields M gives replace the
 * recorded ones, its clear flags empty theirs, and the other accounts are
 * replaced when given or cleared (ACCOUNT_NOT_FOUND for an unknown one). */
int store_escalation_edit (store_t *self, const Esc__Edit *m, esc_error_t *err);
/* The other accounts escalation ID itself names (not its duplicates'), by
 * name, into an arena array. */
int store_escalation_others (store_t *self, arena_t *a, int64_t id, char ***names, size_t *n,
                             esc_error_t *err);
/* The roadmap items sizing SIZING_ID displaces, into an arena array. */
int store_sizing_displaces (store_t *self, arena_t *a, int64_t sizing_id, int64_t **ids,
                            size_t *n, esc_error_t *err);
/* Records a sizing and its displacements and makes it current. */
int store_sizing_insert (store_t *self, const Esc__Size *m, const char *actor, esc_error_t *err);
int store_token_spend_insert (store_t *self, const char *quarter, int64_t token_no, int64_t tokens,
                              int64_t id, const char *actor, const char *note, esc_error_t *err);
int store_override_insert (store_t *self, int64_t id, const char *actor, const char *reason, esc_error_t *err);
/* Postpones the still-planned items the current sizing displaces, recording
 * that escalation ID took them out of plan. */
int store_postpone_displaced (store_t *self, int64_t id, int64_t sizing_id, esc_error_t *err);
/* Merges escalation ID into INTO, remembering the state and reason ID has
 * now (call it before moving ID to merged): ending the merge restores them. */
int store_merge_insert (store_t *self, int64_t id, int64_t into, const char *actor, esc_error_t *err);
/* Ends escalation ID's merge and moves it to STATE (the workflow's: the one
 * it was merged from) with the reason it had then; its sizing stays. */
int store_merge_end (store_t *self, int64_t id, escalation_state_t state, const char *actor,
                     esc_error_t *err);
/* A duplicate given back when its target left the live states. */
typedef struct {
    int64_t id;
    const char *state, *title, *quarter, *account;    /* arena */
} released_duplicate_t;
/* Ends every active merge into escalation INTO, ACTOR's action the cause,
 * and puts each duplicate back in the state and reason it was merged from
 * (as an unmerge would), its sizing kept: one statement. The duplicates,
 * as they now are, go to *OUT (arena, *N of them, in id order). */
int store_merge_release (store_t *self, arena_t *a, int64_t into, const char *actor,
                         released_duplicate_t **out, size_t *n, esc_error_t *err);
/* Records escalation ID's delivery, or corrects its hours. */
int store_delivery_record (store_t *self, int64_t id, int64_t actual_hours, const char *actor,
                           esc_error_t *err);
/* Records the deal's outcome, or corrects it (adopters, when M gives none,
 * stay as they were). */
int store_outcome_record (store_t *self, const Esc__Outcome *m, const char *actor,
                          esc_error_t *err);
/* Records that escalation ID's work stopped after ACTUAL_HOURS, or corrects
 * the hours. */
/* Escalation ID is referred to PARTNER (by name) with NOTE (or NULL), by
 * ACTOR; PARTNER_NOT_FOUND. */
int store_referral_record (store_t *self, int64_t id, const char *partner, const char *note,
                           const char *actor, esc_error_t *err);
/* Adds partner NAME; PARTNER_EXISTS for the name in any case. */
int store_partner_insert (store_t *self, const char *name, const char *actor, esc_error_t *err);
/* Every partner by name, or only NAME when not NULL, with its referrals. */
int store_partner_list (store_t *self, arena_t *a, const char *name, Esc__PartnerList **out,
                        esc_error_t *err);
/* Records HOURS of support of escalation ID spent in QUARTER, with NOTE
 * (or NULL), by ACTOR. */
int store_support_record (store_t *self, int64_t id, const char *quarter, int64_t hours,
                          const char *note, const char *actor, esc_error_t *err);
int store_stoppage_record (store_t *self, int64_t id, int64_t actual_hours, const char *actor,
                           esc_error_t *err);

int store_escalation_get (store_t *self, arena_t *a, int64_t id, Esc__Escalation **out, esc_error_t *err);
/* Which escalations a list shows: those of QUARTER, filed in MONTH
 * (YYYY-MM, UTC), in one of STATES (comma-joined states), filed for ACCOUNT
 * or naming it among the others that need the same, filed by FILER (each
 * NULL: any); a page of at most LIMIT (>= 1) in SORT's order (listing.h,
 * zero: the id order) after the escalation AFTER whose sort key is KEY (a
 * cursor's, checked; NULL: from the start). */
typedef struct {
    const char *quarter, *month, *states, *account, *filer;
    list_sort_t sort;
    const char *key;
    int64_t after, limit;
} escalation_filter_t;
/* A page of escalations in the filter's order, with the count of all that
 * match and, when more follow, the next page's cursor (and in id order its
 * AFTER). An unknown ACCOUNT is ACCOUNT_NOT_FOUND. */
int store_escalation_list (store_t *self, arena_t *a, const escalation_filter_t *f,
                           Esc__EscalationList **out, esc_error_t *err);

#endif
