/* store_escalation.c: escalations, their decisions, and reading them. See store.h. */
#include "store_impl.h"

#include "json.h"

#include <assert.h>

/* ==== Escalations: decisions ============================================= */

int
store_escalation_lock (store_t *self, arena_t *a, int64_t id, escalation_ref_t *out,
                       esc_error_t *err)
{
    params_t p = { 0 };
    params_int (&p, id);                                /* $1 escalation id */
    PGresult *r = store_exec_one (self,
        "SELECT e.quarter, e.filer, a.name AS account, e.state::text AS state,"
        "       e.sizing_id, s.hours, s.viable,"
        "       m.into_id AS merged_into, m.from_state::text AS merged_from,"
        "       EXISTS (SELECT 1 FROM outcome oc WHERE oc.escalation_id = e.id) AS has_outcome"
        "  FROM escalation e JOIN account a ON a.id = e.account_id"
        "  LEFT JOIN sizing s ON s.id = e.sizing_id"
        "  LEFT JOIN merge m ON m.escalation_id = e.id AND m.unmerged_at IS NULL"
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
    /* not merged: no state to go back to (the workflow refuses to unmerge) */
    out->facts.before_merge = STATE_COUNT;
    if (!row_null (r, 0, "merged_from"))
        state_parse (row_text (r, 0, "merged_from"), &out->facts.before_merge);
    out->facts.has_outcome = row_bool (r, 0, "has_outcome");
    out->merged_into = row_int (r, 0, "merged_into");
    out->sizing_id = row_int (r, 0, "sizing_id");
    out->quarter = store_dup_text (a, r, 0, "quarter");
    out->filer = store_dup_text (a, r, 0, "filer");
    out->account = store_dup_text (a, r, 0, "account");
    PQclear (r);
    return 0;
}

/* Links escalation ID to each of NAMES as another account that needs it:
 * the filing account itself is not one of the "others". */
static int
link_others (store_t *self, int64_t id, char **names, size_t n, esc_error_t *err)
{
    return store_link_accounts (self,
        "INSERT INTO escalation_account (escalation_id, account_id)"
        " SELECT $1, a.id FROM account a WHERE a.name = $2"
        "    AND a.id <> (SELECT account_id FROM escalation WHERE id = $1)"
        " ON CONFLICT DO NOTHING",
        id, names, n, err);
}

/* the reply of a filing, read off its insert (below, with the other rows) */
static void filing_from_row (arena_t *a, const PGresult *r, int row, Esc__Escalation *e);

int
store_escalation_insert (store_t *self, arena_t *a, const char *quarter, const Esc__File *m,
                         const char *filer, store_judge_t judge, void *arg,
                         Esc__Escalation **out, esc_error_t *err)
{
    store_filing_t f = { .quarter = quarter, .m = m, .filer = filer, .arg = arg };
    int failed = store_escalation_file_many (self, a, &f, 1, judge, err);
    /* the rules' refusal first, even of a filing whose insert failed */
    if (f.refusal.status != ESC_OK) {
        *err = f.refusal;
        return -1;
    }
    if (failed)
        return -1;
    if (!m->n_also_needed_by) {
        *out = f.filed;
        return 0;
    }
    return link_others (self, f.filed->id, m->also_needed_by, m->n_also_needed_by, err)
        || store_escalation_get (self, a, f.filed->id, out, err);
}

/* The filing of F as a JSON object, its index I beside it. */
static void
filing_json (json_t *j, size_t i, const store_filing_t *f)
{
    const Esc__File *m = f->m;
    json_object_begin (j);
    json_kv_int (j, "i", (int64_t) i);
    json_kv_string (j, "quarter", f->quarter);
    json_kv_string (j, "account", m->account);
    json_kv_string (j, "filer", f->filer);
    json_kv_string (j, "request_id", f->request_id);
    json_kv_string (j, "title", m->title);
    json_kv_string (j, "problem", m->problem);
    json_kv_string (j, "solution", m->solution);
    json_kv_opt_int (j, "deal_value", m->has_deal_value, m->deal_value);
    /* an optional date given empty is none (validate.c) */
    json_kv_string (j, "needed_by", m->needed_by && *m->needed_by ? m->needed_by : NULL);
    json_kv_opt_int (j, "claimed_hours", m->has_claimed_hours, m->claimed_hours);
    json_object_end (j);
}

/* The judgement of each of the N filings of F on its quarter's facts,
 * from the lock's result LOCKED: a refusal into its refusal. */
static void
judge_each (store_filing_t *f, size_t n, const PGresult *locked, store_judge_t judge)
{
    for (size_t i = 0; i < n; i++) {
        quarter_facts_t facts;
        if (store_quarter_closed_read (locked, f[i].quarter, &facts, &f[i].refusal) == 0)
            judge (f[i].arg, &facts, &f[i].refusal);
    }
}

/* The filings' insert: $1 their JSON array (filing_json) */
static const char file_sql[] =
        "WITH f AS MATERIALIZED ("
        "       SELECT nextval('escalation_id_seq') AS id, f.i, f.quarter, a.id AS account_id,"
        "              a.name, a.arr, f.filer, f.title, f.problem, f.solution,"
        "              f.deal_value, f.needed_by, f.claimed_hours"
        "         FROM json_to_recordset($1::json) AS f (i int, quarter text, account text,"
        "              filer text, request_id text, title text, problem text, solution text,"
        "              deal_value bigint, needed_by date, claimed_hours integer),"
        /* each account by its index, however many there are */
        "              LATERAL (SELECT id, name, arr FROM account WHERE name = f.account"
        "                       OFFSET 0) a"
        "        WHERE EXISTS (SELECT FROM quarter WHERE name = f.quarter AND state <> 'closed')"
        /* a request answered before is not filed again, nor draws an id
         * (a batch that files as it opens finds the log after) */
        "          AND NOT EXISTS (SELECT FROM request_log r"
        "                           WHERE r.user_name = f.filer AND r.request_id = f.request_id)"
        "        ORDER BY f.i),"
        " e AS (INSERT INTO escalation (id, quarter, account_id, filer, title, problem, solution,"
        "                               deal_value, needed_by, claimed_hours)"
        "       SELECT id, quarter, account_id, filer, title, problem, solution, deal_value,"
        "              needed_by, claimed_hours FROM f ORDER BY i"
        "       RETURNING *)"
        " SELECT f.i, e.id, e.quarter, f.name AS account, e.filer, e.title, e.problem,"
        "        e.solution, e.deal_value, e.needed_by::text AS needed_by,"
        "        e.state::text AS state, e.state_reason,"
        "        " UTC_STAMP ("e.filed_at") " AS filed_at, f.arr AS renewal_arr, e.claimed_hours"
        "   FROM e JOIN f ON f.id = e.id";

void
store_filing_steps (store_filing_sql_t *s, store_filing_t *f, size_t n, store_step_t steps[2])
{
    json_init (&s->j);
    json_init (&s->quarters);
    json_array_begin (&s->j);
    json_array_begin (&s->quarters);
    for (size_t i = 0; i < n; i++) {
        filing_json (&s->j, i, &f[i]);
        json_string (&s->quarters, f[i].quarter);
        f[i].filed = NULL;
        esc_error_clear (&f[i].refusal);
    }
    json_array_end (&s->j);
    json_array_end (&s->quarters);
    s->q = s->p = (params_t) { 0 };
    params_text (&s->q, json_text (&s->quarters));     /* $1 ["quarter", ...] */
    params_text (&s->p, json_text (&s->j));            /* $1 the filings */
    steps[0] = (store_step_t) { .sql = store_quarters_closed_locked, .p = &s->q,
                                .prepare = true, .keep = true };
    /* each row's id drawn before the insert (only for a filing that goes
     * in: an open quarter, an account known), so that the rows returned
     * find their filing */
    steps[1] = (store_step_t) { .sql = file_sql, .p = &s->p, .prepare = true };
}

int
store_filing_results (store_filing_sql_t *s, arena_t *a, store_filing_t *f, size_t n,
                      store_judge_t judge, PGresult **results, bool failed)
{
    json_release (&s->j);
    json_release (&s->quarters);
    /* the rules decide on the quarter before anything the insert met */
    if (results[0])
        judge_each (f, n, results[0], judge);
    PQclear (results[0]);
    if (failed) {
        PQclear (results[1]);
        return -1;
    }
    PGresult *r = results[1];
    for (int row = 0; row < PQntuples (r); row++) {
        int64_t i = row_int (r, row, "i");
        if (i < 0 || (size_t) i >= n)
            continue;
        f[i].filed = arena_alloc (a, sizeof *f[i].filed);
        filing_from_row (a, r, row, f[i].filed);
    }
    PQclear (r);
    for (size_t i = 0; i < n; i++)
        if (!f[i].filed && f[i].refusal.status == ESC_OK)
            esc_fail (&f[i].refusal, ESC_NOT_FOUND, "ACCOUNT_NOT_FOUND",
                      "account '%s' is not known", f[i].m->account);
    return 0;
}

int
store_escalation_file_many (store_t *self, arena_t *a, store_filing_t *f, size_t n,
                            store_judge_t judge, esc_error_t *err)
{
    store_filing_sql_t s;
    store_step_t steps[2];
    PGresult *results[2];
    store_filing_steps (&s, f, n, steps);
    int failed = store_pipeline (self, steps, 2, results, err);
    return store_filing_results (&s, a, f, n, judge, results, failed != 0);
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
    return store_run (self,
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
    params_text (&p, m->answer);                        /* $7 the answer or NULL */
    return store_run (self,
        "UPDATE escalation SET title = coalesce($2, title), problem = coalesce($3, problem),"
        "       solution = coalesce($4, solution), deal_value = coalesce($5, deal_value),"
        "       needed_by = coalesce($6::date, needed_by),"
        "       refile_question = state_reason, refile_answer = $7"
        " WHERE id = $1", &p, err);
}

int
store_escalation_edit (store_t *self, const Esc__Edit *m, esc_error_t *err)
{
    params_t p = { 0 };
    params_int (&p, m->id);                             /* $1 escalation id */
    params_text (&p, m->title);                         /* $2..$6 new values or NULL */
    params_text (&p, m->problem);
    params_text (&p, m->solution);
    params_opt_int (&p, m->has_deal_value, m->deal_value);
    params_text (&p, m->needed_by);
    params_bool (&p, m->clear_solution);                /* $7 no solution any more */
    params_bool (&p, m->clear_needed_by);               /* $8 no date any more */
    params_opt_int (&p, m->has_claimed_hours, m->claimed_hours); /* $9 claimed hours */
    if (store_run (self,
        "UPDATE escalation SET title = coalesce($2, title), problem = coalesce($3, problem),"
        "       solution = CASE WHEN $7 THEN NULL ELSE coalesce($4, solution) END,"
        "       deal_value = coalesce($5, deal_value), claimed_hours = coalesce($9, claimed_hours),"
        "       needed_by = CASE WHEN $8 THEN NULL ELSE coalesce($6::date, needed_by) END,"
        "       updated_at = now()"
        " WHERE id = $1", &p, err))
        return -1;
    if (!m->n_also_needed_by && !m->clear_also_needed_by)
        return 0;
    params_t d = { 0 };
    params_int (&d, m->id);                             /* $1 escalation id */
    return store_run (self, "DELETE FROM escalation_account WHERE escalation_id = $1", &d, err)
        || link_others (self, m->id, m->also_needed_by, m->n_also_needed_by, err) ? -1 : 0;
}

int
store_escalation_others (store_t *self, arena_t *a, int64_t id, char ***names, size_t *n,
                         esc_error_t *err)
{
    params_t p = { 0 };
    params_int (&p, id);                                /* $1 escalation id */
    PGresult *r = store_exec (self,
        "SELECT acc.name FROM escalation_account ea JOIN account acc ON acc.id = ea.account_id"
        " WHERE ea.escalation_id = $1 ORDER BY acc.name", &p, err);
    if (!r)
        return -1;
    *n = (size_t) PQntuples (r);
    *names = arena_alloc (a, (*n + 1) * sizeof **names);
    for (size_t i = 0; i < *n; i++)
        (*names)[i] = store_dup_text (a, r, (int) i, "name");
    PQclear (r);
    return 0;
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
        if (store_run (self, "INSERT INTO displacement (sizing_id, roadmap_item_id) VALUES ($1, $2)"
                       " ON CONFLICT DO NOTHING", &d, err))
            return -1;
    }
    params_t u = { 0 };
    params_int (&u, m->id);                             /* $1 escalation id */
    params_int (&u, sizing);                            /* $2 sizing id */
    return store_run (self, "UPDATE escalation SET sizing_id = $2 WHERE id = $1", &u, err);
}

/* Names how escalation ID is approved: the token spend or override row
 * that follows must match it (see sql/006_approvals.sql). */
static int
mark_approved_via (store_t *self, int64_t id, const char *via, esc_error_t *err)
{
    params_t p = { 0 };
    params_int (&p, id);                                /* $1 escalation id */
    params_text (&p, via);                              /* $2 token or override */
    return store_run (self, "UPDATE escalation SET approved_via = $2 WHERE id = $1", &p, err);
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
    if (store_run (self, "INSERT INTO token_spend (quarter, token_no, tokens, escalation_id,"
                   "                         spent_by, note)"
                   " VALUES ($1, $2, $3, $4, $5, $6)", &p, err)) {
        /* the database's own cap on tokens: a unique token number, a
         * number within the quarter's count, one token per escalation */
        if (store_violated (self, "23505") || store_violated (self, "23514") || store_violated (self, "23503"))
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
        || store_run (self, "INSERT INTO override (escalation_id, overridden_by, reason)"
                      " VALUES ($1, $2, $3)", &p, err) ? -1 : 0;
}

int
store_postpone_displaced (store_t *self, int64_t id, int64_t sizing_id, esc_error_t *err)
{
    params_t p = { 0 };
    params_int (&p, id);                                /* $1 escalation id */
    params_int (&p, sizing_id);                         /* $2 its sizing */
    return store_run (self,
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
    /* the state and reason it has now, to go back to */
    return store_run (self, "INSERT INTO merge (escalation_id, into_id, merged_by, from_state,"
                      "                   from_reason)"
                      " SELECT id, $2, $3, state, state_reason FROM escalation WHERE id = $1",
                      &p, err);
}

int
store_merge_end (store_t *self, int64_t id, escalation_state_t state, const char *actor,
                 esc_error_t *err)
{
    params_t p = { 0 };
    params_int (&p, id);                                /* $1 the duplicate */
    params_text (&p, actor);                            /* $2 unmerged by */
    params_text (&p, state_name (state));               /* $3 the state it goes back to */
    return store_run (self,
        "WITH ended AS ("
        "    UPDATE merge SET unmerged_by = $2, unmerged_at = now()"
        "     WHERE escalation_id = $1 AND unmerged_at IS NULL"
        "    RETURNING escalation_id, from_reason)"
        " UPDATE escalation e SET state = $3::escalation_state, state_reason = n.from_reason,"
        "        updated_at = now()"
        "   FROM ended n WHERE e.id = n.escalation_id", &p, err);
}

int
store_merge_release (store_t *self, arena_t *a, int64_t into, const char *actor,
                     released_duplicate_t **out, size_t *n, esc_error_t *err)
{
    params_t p = { 0 };
    params_int (&p, into);                              /* $1 the target */
    params_text (&p, actor);                            /* $2 whose action released them */
    PGresult *r = store_exec (self,
        "WITH ended AS ("
        "    UPDATE merge SET unmerged_by = $2, unmerged_at = now()"
        "     WHERE into_id = $1 AND unmerged_at IS NULL"
        "    RETURNING escalation_id, from_state, from_reason),"
        " restored AS ("
        "    UPDATE escalation e SET state = n.from_state, state_reason = n.from_reason,"
        "           updated_at = now()"
        "      FROM ended n, account a"
        "     WHERE e.id = n.escalation_id AND a.id = e.account_id"
        "    RETURNING e.id, e.state::text AS state, e.title, e.quarter, a.name AS account)"
        " SELECT id, state, title, quarter, account FROM restored ORDER BY id", &p, err);
    if (!r)
        return -1;
    *n = (size_t) PQntuples (r);
    *out = arena_alloc (a, (*n + 1) * sizeof **out);
    for (size_t i = 0; i < *n; i++) {
        int row = (int) i;
        released_duplicate_t *d = &(*out)[i];
        d->id = row_int (r, row, "id");
        d->state = store_dup_text (a, r, row, "state");
        d->title = store_dup_text (a, r, row, "title");
        d->quarter = store_dup_text (a, r, row, "quarter");
        d->account = store_dup_text (a, r, row, "account");
    }
    PQclear (r);
    return 0;
}

/* A correction rewrites the figure; who recorded it first stays on the
 * row, who corrected it is on the correction's event. */
int
store_delivery_record (store_t *self, int64_t id, int64_t actual_hours, const char *actor,
                       esc_error_t *err)
{
    params_t p = { 0 };
    params_int (&p, id);                                /* $1 escalation id */
    params_int (&p, actual_hours);                      /* $2 hours it took */
    params_text (&p, actor);                            /* $3 delivered by */
    return store_run (self, "INSERT INTO delivery (escalation_id, actual_hours, delivered_by)"
                      " VALUES ($1, $2, $3)"
                      " ON CONFLICT (escalation_id) DO UPDATE SET actual_hours = EXCLUDED.actual_hours",
                      &p, err);
}

int
store_outcome_record (store_t *self, const Esc__Outcome *m, const char *actor, esc_error_t *err)
{
    params_t p = { 0 };
    params_int (&p, m->id);                             /* $1 escalation id */
    params_text (&p, m->deal);                          /* $2 won or lost */
    params_opt_int (&p, m->has_adopters, m->adopters);  /* $3 adopters or NULL: keep */
    params_text (&p, actor);                            /* $4 recorded by */
    return store_run (self, "INSERT INTO outcome (escalation_id, deal, adopters, recorded_by)"
                      " VALUES ($1, $2, $3, $4)"
                      " ON CONFLICT (escalation_id) DO UPDATE SET deal = EXCLUDED.deal,"
                      "     adopters = coalesce(EXCLUDED.adopters, outcome.adopters)", &p, err);
}

int
store_stoppage_record (store_t *self, int64_t id, int64_t actual_hours, const char *actor,
                       esc_error_t *err)
{
    params_t p = { 0 };
    params_int (&p, id);                                /* $1 escalation id */
    params_int (&p, actual_hours);                      /* $2 hours spent */
    params_text (&p, actor);                            /* $3 stopped by */
    return store_run (self, "INSERT INTO stoppage (escalation_id, actual_hours, stopped_by)"
                      " VALUES ($1, $2, $3)"
                      " ON CONFLICT (escalation_id) DO UPDATE SET actual_hours = EXCLUDED.actual_hours",
                      &p, err);
}

int
store_referral_record (store_t *self, int64_t id, const char *partner, const char *note,
                       const char *actor, esc_error_t *err)
{
    params_t p = { 0 };
    params_int (&p, id);                                /* $1 escalation id */
    params_text (&p, partner);                          /* $2 partner name */
    params_text (&p, note);                             /* $3 note or NULL */
    params_text (&p, actor);                            /* $4 referred by */
    PGresult *r = store_exec (self,
        "INSERT INTO referral (escalation_id, partner_id, note, referred_by)"
        " SELECT $1, id, $3, $4 FROM partner WHERE name = $2", &p, err);
    if (!r)
        return -1;
    bool inserted = strcmp (PQcmdTuples (r), "1") == 0;
    PQclear (r);
    return inserted ? 0 : esc_fail (err, ESC_NOT_FOUND, "PARTNER_NOT_FOUND",
                                    "partner '%s' is not known (esc partner list)", partner);
}

int
store_support_record (store_t *self, int64_t id, const char *quarter, int64_t hours,
                      const char *note, const char *actor, esc_error_t *err)
{
    params_t p = { 0 };
    params_int (&p, id);                                /* $1 escalation id */
    params_text (&p, quarter);                          /* $2 quarter spent in */
    params_int (&p, hours);                             /* $3 hours */
    params_text (&p, note);                             /* $4 note or NULL */
    params_text (&p, actor);                            /* $5 recorded by */
    return store_run (self, "INSERT INTO support (escalation_id, quarter, hours, note, recorded_by)"
                            " VALUES ($1, $2, $3, $4, $5)", &p, err);
}

/* ==== Escalations: reading =============================================== */

/* Reads of an escalation's columns in row ROW of R, as escalation_view
 * names them. */
#define TEXT(f) (e->f = store_dup_text (a, r, row, #f))
#define NUMBER(f) (e->has_##f = !row_null (r, row, #f), e->f = row_int (r, row, #f))

/* What a filing itself says, from row ROW of R: the columns the insert
 * returns, and the first of escalation_from_row's. */
static void
filed_from_row (arena_t *a, const PGresult *r, int row, Esc__Escalation *e)
{
    esc__escalation__init (e);
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
    TEXT (state_reason);
    TEXT (filed_at);
    NUMBER (renewal_arr);
    NUMBER (claimed_hours);
}

/* The filing as escalation_view shows it, from the row the insert
 * returned: a new escalation has no sizing, approval, merge, delivery,
 * outcome, support or referral yet, and with no other accounts named its
 * own is its one customer. This spares the filing a read of the view (a
 * fifth of its time in the database); e2e_show checks the two agree. */
static void
filing_from_row (arena_t *a, const PGresult *r, int row, Esc__Escalation *e)
{
    filed_from_row (a, r, row, e);
    e->has_customers = e->has_support_hours = true;
    e->customers = 1;
    e->support_hours = 0;
}

static void
escalation_from_row (arena_t *a, const PGresult *r, int row, Esc__Escalation *e)
{
    filed_from_row (a, r, row, e);
    NUMBER (hours);
    e->has_viable = !row_null (r, row, "viable");
    e->viable = row_bool (r, row, "viable");
    TEXT (sized_by);
    TEXT (sizing_note);
    TEXT (approved_via);
    NUMBER (token_no);
    TEXT (approved_by);
    TEXT (override_reason);
    NUMBER (merged_into);
    NUMBER (actual_hours);
    TEXT (deal);
    NUMBER (adopters);
    NUMBER (customers);
    TEXT (spend_note);
    TEXT (refile_question);
    TEXT (refile_answer);
    NUMBER (support_hours);
    TEXT (partner);
    TEXT (referral_note);
    e->n_also_needed_by = store_split_texts (a, row_text (r, row, "also_needed_by"), '\x1f',
                                       &e->also_needed_by);
    e->n_displaces = store_split_ints (a, row_text (r, row, "displaces"), &e->displaces);
    e->n_merged = store_split_ints (a, row_text (r, row, "merged"), &e->merged);
    e->n_postponed = store_split_ints (a, row_text (r, row, "postponed"), &e->postponed);
}
#undef TEXT
#undef NUMBER

int
store_escalation_get (store_t *self, arena_t *a, int64_t id, Esc__Escalation **out,
                      esc_error_t *err)
{
    params_t p = { 0 };
    params_int (&p, id);                                /* $1 escalation id */
    PGresult *r = store_exec_one (self, "SELECT * FROM escalation_view WHERE id = $1", &p, err,
                           "ESCALATION_NOT_FOUND",
                         "escalation %lld does not exist", (long long) id);
    if (!r)
        return -1;
    *out = arena_alloc (a, sizeof **out);
    escalation_from_row (a, r, 0, *out);
    PQclear (r);
    return 0;
}

/* ==== Escalations: a list, a page at a time ==============================
 *
 * A page is found by its keys (listing.h): the escalations after the last
 * one of the page before, in the list's order, never by an offset, so a
 * deep page costs what the first does. Each order has an index that serves
 * it (sql/011, sql/017): the id order (quarter, id); deal, needed-by and
 * filed expression indexes in their order, by quarter; arr walks the
 * accounts by ARR (account_arr) and each one's escalations of the quarter.
 * Hours are the current sizing's, in another table: that order sorts the
 * quarter's matching escalations for each page (a top-N sort, of the rows
 * the count of every page reads anyway). The statements are string
 * literals, each prepared once by the store: one per order, with an
 * account and without. */

/* The conditions of a list on table escalation e: quarter $1, one of the
 * states $2 (comma-joined; NULL: any), filed by $4 (NULL: anyone), filed
 * from $5 to before $6. Then one of: ONE_ACCOUNT, filed for account $3 (its
 * id) or naming it among the others that need the same; ANY_ACCOUNT, $3
 * being NULL (every statement takes the same parameters). */
#define ESCALATION_FILTER                                                   \
    " e.quarter = $1"                                                       \
    " AND ($2::text IS NULL"                                                \
    "      OR e.state = ANY (string_to_array ($2::text, ',')::escalation_state[]))" \
    " AND ($4::text IS NULL OR e.filer = $4)"                               \
    " AND e.filed_at >= $5::timestamptz AND e.filed_at < $6::timestamptz"
#define ANY_ACCOUNT " AND $3::bigint IS NULL"
#define ONE_ACCOUNT                                                         \
    " AND e.id IN (SELECT x.id FROM escalation x"                           \
    "               WHERE x.account_id = $3::bigint AND x.quarter = $1"     \
    "              UNION ALL"                                               \
    "              SELECT n.escalation_id FROM escalation_account n"        \
    "               WHERE n.account_id = $3::bigint)"

/* How many escalations the list holds, in all. */
static const char *const count_sql[2] = {
    "SELECT count(*) AS total FROM escalation e WHERE" ESCALATION_FILTER ANY_ACCOUNT,
    "SELECT count(*) AS total FROM escalation e WHERE" ESCALATION_FILTER ONE_ACCOUNT,
};

/* A page's ids in the id order, after id $8 ($7, the key, is ""): at most
 * $9 of them. */
#define PAGE_BY_ID(account)                                                 \
    "SELECT e.id, $7::text AS sort_key FROM escalation e"                   \
    " WHERE" ESCALATION_FILTER account " AND e.id > $8"                     \
    " ORDER BY e.id LIMIT $9"

/* A page's ids in the order of KEY (an expression over e and JOINS, of SQL
 * type CAST, printed for the cursor by TEXT) going DIR (ASC or DESC; CMP,
 * > or <, is its "after"), then by id: those after key $7 and id $8, at
 * most $9 of them. "key CMP= $7 AND (key CMP $7 OR e.id > $8)" says "the
 * pair (key, id) after ($7, $8)" so that its first half bounds the scan of
 * an index in that order. */
#define PAGE_BY(joins, key, text, cast, dir, cmp, account)                  \
    "SELECT e.id, " text " AS sort_key FROM escalation e" joins             \
    " WHERE" ESCALATION_FILTER account                                      \
    "   AND " key " " cmp "= $7::" cast                                     \
    "   AND (" key " " cmp " $7::" cast " OR e.id > $8)"                    \
    " ORDER BY " key " " dir ", e.id LIMIT $9"

/* The orders. A value that is missing stands in as a key that sorts last
 * (sql/017's indexes are on these very expressions). */
#define BY_HOURS(account)                                                   \
    PAGE_BY (" LEFT JOIN sizing s ON s.id = e.sizing_id", "coalesce (s.hours, 0)", \
             "coalesce (s.hours, 0)::text", "bigint", "DESC", "<", account)
#define BY_ARR(account)                                                     \
    PAGE_BY (" JOIN account a ON a.id = e.account_id", "a.arr", "a.arr::text", "bigint", \
             "DESC", "<", account)
#define BY_DEAL(account)                                                    \
    PAGE_BY ("", "coalesce (e.deal_value, -1)", "coalesce (e.deal_value, -1)::text", \
             "bigint", "DESC", "<", account)
#define BY_NEEDED_BY(account)                                               \
    PAGE_BY ("", "coalesce (e.needed_by, 'infinity'::date)",                 \
             "coalesce (e.needed_by, 'infinity'::date)::text", "date", "ASC", ">", account)
#define BY_FILED(account)                                                   \
    PAGE_BY ("", "e.filed_at",                                              \
             "to_char (e.filed_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')", \
             "timestamptz", "DESC", "<", account)

static const char *const page_sql[LIST_SORT_COUNT][2] = {
    [LIST_SORT_ID]        = { PAGE_BY_ID (ANY_ACCOUNT), PAGE_BY_ID (ONE_ACCOUNT) },
    [LIST_SORT_HOURS]     = { BY_HOURS (ANY_ACCOUNT), BY_HOURS (ONE_ACCOUNT) },
    [LIST_SORT_ARR]       = { BY_ARR (ANY_ACCOUNT), BY_ARR (ONE_ACCOUNT) },
    [LIST_SORT_DEAL]      = { BY_DEAL (ANY_ACCOUNT), BY_DEAL (ONE_ACCOUNT) },
    [LIST_SORT_NEEDED_BY] = { BY_NEEDED_BY (ANY_ACCOUNT), BY_NEEDED_BY (ONE_ACCOUNT) },
    [LIST_SORT_FILED]     = { BY_FILED (ANY_ACCOUNT), BY_FILED (ONE_ACCOUNT) },
};

/* The ids of rows 0..N-1 of R as an array literal, "{3,5,8}" (arena). */
static const char *
id_array (arena_t *a, const PGresult *r, size_t n)
{
    char *text = arena_alloc (a, n * 21 + 3), *end = text;
    *end++ = '{';
    for (size_t i = 0; i < n; i++)
        end += sprintf (end, "%s%" PRId64, i ? "," : "", row_int (r, (int) i, "id"));
    strcpy (end, "}");
    return text;
}

int
store_escalation_list (store_t *self, arena_t *a, const escalation_filter_t *f,
                       Esc__EscalationList **out, esc_error_t *err)
{
    assert ((unsigned) f->sort < LIST_SORT_COUNT && f->limit >= 1);
    int64_t account = 0;
    bool one = f->account != NULL;
    if (one && store_account_id (self, f->account, &account, err))
        return -1;
    char from[32], to[32];
    store_month_range (f->month, from, to);
    params_t p = { 0 };
    params_text (&p, f->quarter);                       /* $1 quarter */
    params_text (&p, f->states);                        /* $2 states or NULL */
    params_opt_int (&p, one, account);                  /* $3 account id or NULL */
    params_text (&p, f->filer);                         /* $4 filer or NULL */
    params_text (&p, from);                             /* $5 filed from */
    params_text (&p, to);                               /* $6 filed before */
    PGresult *n = store_exec (self, count_sql[one], &p, err);
    if (!n)
        return -1;
    int64_t total = row_int (n, 0, "total");
    PQclear (n);
    params_text (&p, f->key ? f->key : listing_start_key (f->sort)); /* $7 after this key */
    params_int (&p, f->after);                          /* $8 and this id */
    params_int (&p, f->limit + 1);                      /* $9 one more: is there a next? */
    PGresult *ids = store_exec (self, page_sql[f->sort][one], &p, err);
    if (!ids)
        return -1;
    size_t rows = (size_t) PQntuples (ids);
    size_t shown = rows > (size_t) f->limit ? (size_t) f->limit : rows;
    /* then only the page's escalations through the view, in the page's order */
    params_t v = { 0 };
    params_text (&v, id_array (a, ids, shown));         /* $1 the page's ids, in order */
    PGresult *r = store_exec (self,
        "SELECT * FROM escalation_view WHERE id = ANY ($1::bigint[])"
        " ORDER BY array_position ($1::bigint[], id)", &v, err);
    if (!r) {
        PQclear (ids);
        return -1;
    }
    Esc__EscalationList *list = arena_alloc (a, sizeof *list);
    esc__escalation_list__init (list);
    list->n_escalations = (size_t) PQntuples (r);
    ALLOC_MESSAGES (a, Esc__Escalation, esc__escalation__init, list->n_escalations,
                    list->escalations);
    for (size_t i = 0; i < list->n_escalations; i++)
        escalation_from_row (a, r, (int) i, list->escalations[i]);
    list->has_total = true;
    list->total = total;
    if (rows > shown) {
        int last = (int) shown - 1;
        int64_t id = row_int (ids, last, "id");
        char cursor[LISTING_CURSOR_MAX];
        listing_cursor_format (f->sort, row_text (ids, last, "sort_key"), id, cursor,
                               sizeof cursor);
        list->next_cursor = arena_strdup (a, cursor);
        list->has_next_after = f->sort == LIST_SORT_ID;
        list->next_after = list->has_next_after ? id : 0;
    }
    PQclear (ids);
    PQclear (r);
    *out = list;
    return 0;
}
