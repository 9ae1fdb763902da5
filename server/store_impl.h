/* store_impl.h: what the store's files share (internal to the store).
 *
 * store.c holds the connection and runs the statements; each noun's file
 * (store_users.c, store_events.c, store_plan.c, store_escalation.c,
 * store_report.c) holds that noun's SQL and turns its rows into facts or
 * wire messages with the helpers below. */
#ifndef ESC_STORE_IMPL_H
#define ESC_STORE_IMPL_H

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "store.h"

/* Runs SQL with results in RESULT_FORMAT (1: binary, for bytea). */
PGresult *store_exec_format (store_t *self, const char *sql, const params_t *p,
                             int result_format, esc_error_t *err);
/* Runs SQL, which must find exactly one row: else NULL with NOT_FOUND,
 * REASON and the formatted message in ERR. */
PGresult *store_exec_one (store_t *self, const char *sql, const params_t *p, esc_error_t *err,
                          const char *reason, const char *fmt, ...)
    __attribute__ ((format (printf, 6, 7)));
/* Runs SQL, several statements in one round trip (simple protocol, no
 * parameters): the rows of the first that returns rows, or NULL with the
 * first failure in ERR. */
PGresult *store_exec_script (store_t *self, const char *sql, esc_error_t *err);
/* One statement of a pipeline: SQL with P (NULL: none), its rows in
 * RESULT_FORMAT; PREPARE: SQL is a store literal, prepared once (else it
 * is parsed each time: a command such as SAVEPOINT); KEEP: its result
 * stays when a later step fails. */
#define STORE_PIPELINE_MAX 16   /* steps of one round trip */
typedef struct {
    const char *sql;
    const params_t *p;
    int result_format;
    bool prepare;
    bool keep;
} store_step_t;
/* The statements filing the N filings of F (store_escalation_file_many),
 * their parameters in S: its two steps into STEPS; then, with their
 * RESULTS (cleared here; FAILED: a step failed, whose result is NULL),
 * what they filed into F. Returns 0, or -1 when FAILED. */
typedef struct {
    json_t j, quarters;
    params_t q, p;
} store_filing_sql_t;
void store_filing_steps (store_filing_sql_t *s, store_filing_t *f, size_t n,
                         store_step_t steps[2]);
int store_filing_results (store_filing_sql_t *s, arena_t *a, store_filing_t *f, size_t n,
                          store_judge_t judge, PGresult **results, bool failed);
/* Runs the N STEPS in one round trip (libpq's pipeline mode), each sent
 * without waiting for the one before: RESULTS[i] is step i's result (the
 * caller clears them). -1 with the first failure in ERR, the steps after
 * it not run and every result cleared but those of the steps to KEEP
 * before it. */
int store_pipeline (store_t *self, const store_step_t *steps, int n, PGresult **results,
                    esc_error_t *err);
/* Sends SQL, a store literal without parameters, to run outside any
 * transaction, and returns at once (0; -1 with ERR, nothing sent): at
 * most STORE_POSTED_MAX at a time. store_posted_take gives their results
 * in order: 1 with one (*R, the caller's to clear; NULL: it failed, or
 * its connection did), 0 when none is in yet (WAIT: waits for it) or none
 * is out. Any other statement reads their results first and keeps them. */
int store_post (store_t *self, const char *sql, esc_error_t *err);
int store_posted_take (store_t *self, bool wait, PGresult **r);
/* Runs SQL, then each of THEN (parameterless commands, NULL-terminated;
 * NULL: none) in the same round trip (libpq's pipeline mode): 0 with SQL's
 * result in *R (R NULL: cleared), or -1 with the first failure in ERR,
 * those after it not run. HOLD, for the transaction's last statement
 * before its COMMIT: nothing is sent now, *R is NULL, and they go in the
 * COMMIT's round trip (store_commit_then), whose failure is then theirs
 * too. Any other statement sent before the COMMIT sends them first; if
 * they fail there, only a ROLLBACK runs after. */
int store_exec_then (store_t *self, const char *sql, const params_t *p, const char *const *then,
                     bool hold, PGresult **r, esc_error_t *err);
/* Commits, and runs SQL with P in the same round trip, after the commit
 * and outside any transaction: its result is kept for the next
 * store_stash_take of SQL with the same two keys (what P says). Returns
 * -1 with ERR when the commit failed (nothing kept; the transaction is
 * over, rolled back); 0 with nothing kept when only the read failed. A
 * statement held for it (store_exec_then) goes first. */
int store_commit_then (store_t *self, const char *sql, const params_t *p, int64_t key0,
                       int64_t key1, esc_error_t *err);
/* The result store_commit_then kept for SQL and the two keys, taken (the
 * caller clears it), when no transaction is open; NULL otherwise, and
 * whatever was kept is dropped. */
PGresult *store_stash_take (store_t *self, const char *sql, int64_t key0, int64_t key1);
/* Runs a statement whose result is not needed. */
int store_run (store_t *self, const char *sql, const params_t *p, esc_error_t *err);
/* True when the last statement failed with SQLSTATE (23505: unique, ...):
 * callers turn a constraint's refusal into the rule it stands for. */
bool store_violated (store_t *self, const char *sqlstate);
/* Whether the session holds the read lease, as store_lease_take and
 * store_lease_give mark it (store_lease_held). */
void store_lease_mark (store_t *self, bool held);

/* The number of column COL; a query and its reader that disagree abort. */
int store_column (const PGresult *r, const char *col);
/* An arena copy of a text column (NULL stays NULL). */
char *store_dup_text (arena_t *a, const PGresult *r, int row, const char *col);
/* Splits a joined list column into an arena array of strings. */
size_t store_split_texts (arena_t *a, const char *joined, char sep, char ***out);
/* Splits a comma-joined list of integers into an arena array. */
size_t store_split_ints (arena_t *a, const char *joined, int64_t **out);

/* Links each account of NAMES to OWNER with SQL, an INSERT taking the owner
 * id as $1 and an account name as $2 and inserting nothing when the name is
 * unknown; the first unknown name is ACCOUNT_NOT_FOUND. (store_plan.c) */
int store_link_accounts (store_t *self, const char *sql, int64_t owner, char **names, size_t n,
                         esc_error_t *err);

/* The id of account NAME (matched exactly) into *ID; ACCOUNT_NOT_FOUND.
 * (store_plan.c) */
int store_account_id (store_t *self, const char *name, int64_t *id, esc_error_t *err);

/* The filing times of MONTH (YYYY-MM, UTC): FROM up to before TO, as
 * timestamptz text; all time when MONTH is NULL. FROM and TO hold 32. */
void store_month_range (const char *month, char *from, char *to);

/* An arena array of N message pointers, each initialised by INIT. */
#define ALLOC_MESSAGES(a, type, init, n, out)                          \
    do {                                                                \
        (out) = (n) ? arena_alloc ((a), (n) * sizeof *(out)) : NULL;    \
        for (size_t i_ = 0; i_ < (size_t) (n); i_++) {                  \
            (out)[i_] = arena_alloc ((a), sizeof (type));               \
            init ((out)[i_]);                                           \
        }                                                               \
    } while (0)

/* A timestamp column as ISO 8601 UTC text. */
#define UTC_STAMP(col) "to_char(" col " AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"

/* For a pipeline: whether each quarter of $1 (a JSON array of names) is
 * closed, their rows locked in the order of their names, and no more;
 * store_quarter_closed_read finds quarter NAME in its result R, as facts
 * that say closed_only (-1 with QUARTER_NOT_FOUND when there is no such
 * quarter). */
extern const char store_quarters_closed_locked[];
int store_quarter_closed_read (const PGresult *r, const char *name, quarter_facts_t *out,
                               esc_error_t *err);

#endif
