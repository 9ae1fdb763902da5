/* desk_plan.c: quarters, accounts, the roadmap and users. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "desk_handlers.h"
#include "figures.h"
#include "validate.h"

/* ==== Quarters =========================================================== */

int
desk_quarter (desk_call_t *c, const char *name, bool decide, const char **chosen,
              esc_error_t *err)
{
    quarter_facts_t facts;
    /* a quarter named and decided on: its facts say whether it exists */
    if (decide && name && *name)
        *chosen = name;
    else if (store_quarter_resolve (c->store, c->arena, name && *name ? name : NULL, chosen,
                                    err))
        return -1;
    if (!decide)
        return 0;
    return store_quarter_facts (c->store, *chosen, true, &facts, err)
        || desk_judge_quarter (c, &facts, err) ? -1 : 0;
}

int
desk_judge_quarter (void *call, const quarter_facts_t *facts, esc_error_t *err)
{
    desk_call_t *c = call;
    escalation_state_t unused;
    workflow_case_t wc = { .op = c->op, .roles = c->roles, .quarter = facts };
    return workflow_decide (&wc, &unused, err) ? -1 : 0;
}

/* Puts quarter NAME in the reply. */
static int
reply_quarter (desk_call_t *c, const char *name, esc_error_t *err)
{
    c->reply->result_case = ESC__REPLY__RESULT_QUARTER;
    return store_quarter_get (c->store, c->arena, name, &c->reply->quarter, err);
}

int
desk_quarter_open (desk_call_t *c, esc_error_t *err)
{
    const Esc__QuarterOpen *m = c->req->quarter_open;
    if (store_quarter_insert (c->store, m, c->actor, err) || reply_quarter (c, m->quarter, err))
        return -1;
    const Esc__Quarter *q = c->reply->quarter;
    c->event.quarter = m->quarter;
    c->event.summary = arena_printf (c->arena,
        "%s opened quarter %s: %s h of capacity, %lld %% for one-offs, %lld %s",
        c->actor, q->name, desk_figure (c->arena, q->capacity_hours), (long long) q->budget_pct,
        (long long) q->tokens, figure_noun (q->tokens, "token", "tokens"));
    json_kv_string (&c->data, "starts_on", q->starts_on);
    json_kv_string (&c->data, "ends_on", q->ends_on);
    json_kv_int (&c->data, "capacity_hours", q->capacity_hours);
    json_kv_int (&c->data, "budget_pct", q->budget_pct);
    json_kv_int (&c->data, "tokens", q->tokens);
    json_kv_int (&c->data, "max_token_hours", q->max_token_hours);
    json_kv_int (&c->data, "hourly_cost", q->hourly_cost);
    json_kv_int (&c->data, "relief_standard_pct", q->relief_standard_pct);
    json_kv_int (&c->data, "relief_oneoff_pct", q->relief_oneoff_pct);
    return 0;
}

int
desk_quarter_close (desk_call_t *c, esc_error_t *err)
{
    const char *name;
    if (desk_quarter (c, c->req->quarter_close->quarter, true, &name, err)
        || store_quarter_close (c->store, name, err))
        return -1;
    c->event.quarter = name;
    c->event.summary = arena_printf (c->arena, "%s closed quarter %s", c->actor, name);
    return reply_quarter (c, name, err);
}

/* Undoes a close: the quarter takes filings, plans and approvals again. */
int
desk_quarter_reopen (desk_call_t *c, esc_error_t *err)
{
    const char *name;
    if (desk_quarter (c, c->req->quarter_reopen->quarter, true, &name, err)
        || store_quarter_reopen (c->store, name, err))
        return -1;
    c->event.quarter = name;
    c->event.summary = arena_printf (c->arena, "%s reopened quarter %s", c->actor, name);
    return reply_quarter (c, name, err);
}

/* Freezes the plan the executives agreed: the items planned now, with their
 * hours, are the baseline the report holds the quarter to. Once. */
int
desk_quarter_commit (desk_call_t *c, esc_error_t *err)
{
    const char *name;
    int64_t items, hours;
    if (desk_quarter (c, c->req->quarter_commit->quarter, true, &name, err)
        || store_quarter_commit (c->store, name, c->actor, &items, &hours, err))
        return -1;
    c->event.quarter = name;
    c->event.summary = arena_printf (c->arena,
        "%s committed the plan of quarter %s: %s roadmap %s, %s h", c->actor, name,
        desk_figure (c->arena, items), figure_noun (items, "item", "items"),
        desk_figure (c->arena, hours));
    json_kv_int (&c->data, "items", items);
    json_kv_int (&c->data, "hours", hours);
    return reply_quarter (c, name, err);
}

int
desk_quarter_show (desk_call_t *c, esc_error_t *err)
{
    const char *name;
    return desk_quarter (c, c->req->quarter_show->quarter, false, &name, err)
        || reply_quarter (c, name, err) ? -1 : 0;
}

int
desk_quarter_list (desk_call_t *c, esc_error_t *err)
{
    c->reply->result_case = ESC__REPLY__RESULT_QUARTERS;
    return store_quarter_list (c->store, c->arena, &c->reply->quarters, err);
}

/* ==== Accounts =========================================================== */

int
desk_account_add (desk_call_t *c, esc_error_t *err)
{
    const Esc__AccountAdd *m = c->req->account_add;
    if (store_account_insert (c->store, m, c->actor, err))
        return -1;
    c->event.account = m->name;
    c->event.summary = arena_printf (c->arena, "%s added account %s (ARR %s)", c->actor,
                                     m->name, desk_figure (c->arena, m->arr));
    json_kv_int (&c->data, "arr", m->arr);
    json_kv_string (&c->data, "renewal_on", m->renewal_on);
    c->reply->result_case = ESC__REPLY__RESULT_ACCOUNT;
    return store_account_get (c->store, c->arena, m->name, &c->reply->account, err);
}

/* Corrects an account: its ARR, renewal date or name. Accounts belong to
 * no quarter, so no closed quarter refuses it; events before a rename keep
 * the name they were written with. */
int
desk_account_set (desk_call_t *c, esc_error_t *err)
{
    const Esc__AccountSet *m = c->req->account_set;
    Esc__Account *now;
    escalation_state_t unused;
    if (store_account_lock (c->store, c->arena, m->name, &now, err))
        return -1;
    Esc__AccountSet *x = arena_alloc (c->arena, sizeof *x);
    *x = *m;
    x->rename = m->rename && strcmp (m->rename, now->name) != 0 ? m->rename : NULL;
    x->renewal_on = m->renewal_on && *m->renewal_on ? m->renewal_on : NULL;
    const char *name = x->rename ? x->rename : now->name;
    int64_t arr = x->has_arr ? x->arr : now->arr;
    const char *renewal = m->clear_renewal ? NULL : x->renewal_on ? x->renewal_on : now->renewal_on;
    changes_t ch;
    changes_begin (&ch, c->arena);
    changes_line (&ch, "name", "name", now->name, name, true);
    changes_int (&ch, "arr", "ARR", true, now->arr, true, arr);
    changes_line (&ch, "renewal_on", "renewal", now->renewal_on, renewal, false);
    workflow_case_t wc = { .op = c->op, .roles = c->roles, .changes = ch.count };
    if (workflow_decide (&wc, &unused, err) || store_account_update (c->store, x, err)) {
        changes_end (&ch, NULL);
        return -1;
    }
    c->event.account = name;
    c->event.summary = arena_printf (c->arena, "%s corrected account %s: %s", c->actor,
                                     now->name, ch.text);
    json_kv_string (&c->data, "name", name);
    json_kv_int (&c->data, "arr", arr);
    json_kv_string (&c->data, "renewal_on", renewal);
    changes_end (&ch, &c->data);
    c->reply->result_case = ESC__REPLY__RESULT_ACCOUNT;
    return store_account_get (c->store, c->arena, name, &c->reply->account, err);
}

int
desk_account_list (desk_call_t *c, esc_error_t *err)
{
    c->reply->result_case = ESC__REPLY__RESULT_ACCOUNTS;
    return store_account_list (c->store, c->arena, &c->reply->accounts, err);
}

/* An account with its escalations across quarters and the roadmap items
 * it waits for. */
int
desk_account_show (desk_call_t *c, esc_error_t *err)
{
    c->reply->result_case = ESC__REPLY__RESULT_ACCOUNT_DETAIL;
    return store_account_detail (c->store, c->arena, c->req->account_show->name,
                                 &c->reply->account_detail, err);
}

/* A row of an import with a name, and its index among the rows. */
typedef struct {
    const Esc__AccountRow *row;
    size_t index;
} named_row_t;

/* Rows by name, then line. */
static int
compare_rows (const void *a, const void *b)
{
    const Esc__AccountRow *x = ((const named_row_t *) a)->row;
    const Esc__AccountRow *y = ((const named_row_t *) b)->row;
    int c = strcmp (x->name, y->name);
    return c ? c : (x->line > y->line) - (x->line < y->line);
}

typedef struct {
    int64_t line;
    const char *field;          /* name, arr, renewal_on */
    const char *why;
} row_error_t;

static int
compare_errors (const void *a, const void *b)
{
    int64_t x = ((const row_error_t *) a)->line, y = ((const row_error_t *) b)->line;
    return (x > y) - (x < y);
}

/* The errors of an import's rows, at most one a row. */
typedef struct {
    row_error_t *errors;
    size_t *slot;               /* by row index: 1 + the place of its error
                                   in ERRORS; 0: none */
    size_t bad;
} row_errors_t;

/* Names row I of M wrong in FIELD for WHY. A row keeps its first error,
 * unless this one is of its name and that one is not: the name comes first
 * in a row, and it is what only escd can check (a client sends a row whose
 * ARR it could not read without one, for escd to check its name). */
static void
row_wrong (row_errors_t *e, const Esc__AccountImport *m, size_t i, const char *field,
           const char *why)
{
    size_t *slot = &e->slot[i];
    if (*slot && (strcmp (field, "name") != 0 || strcmp (e->errors[*slot - 1].field, "name") == 0))
        return;
    if (!*slot)
        *slot = ++e->bad;
    e->errors[*slot - 1] = (row_error_t) { m->rows[i]->line, field, why };
}

/* The refusal of an import with bad rows: the reply's ImportResult holds
 * the first LIMIT_IMPORT_PROBLEMS of them (a client puts them beside its
 * own), the message as many as it holds, for people and other clients. */
static int
reject_rows (desk_call_t *c, row_errors_t *e, size_t n, esc_error_t *err)
{
    qsort (e->errors, e->bad, sizeof *e->errors, compare_errors);
    Esc__ImportResult *res = arena_alloc (c->arena, sizeof *res);
    esc__import_result__init (res);
    res->has_bad_rows = true;
    res->bad_rows = (int64_t) e->bad;
    res->n_problems = e->bad < LIMIT_IMPORT_PROBLEMS ? e->bad : LIMIT_IMPORT_PROBLEMS;
    res->problems = arena_alloc (c->arena, (res->n_problems + 1) * sizeof *res->problems);
    for (size_t k = 0; k < res->n_problems; k++) {
        Esc__RowProblem *p = res->problems[k] = arena_alloc (c->arena, sizeof *p);
        esc__row_problem__init (p);
        p->has_line = true;
        p->line = e->errors[k].line;
        p->field = (char *) e->errors[k].field;
        p->message = (char *) e->errors[k].why;
    }
    c->reply->result_case = ESC__REPLY__RESULT_IMPORT_RESULT;
    c->reply->import_result = res;
    c->explains_refusal = true;
    char list[sizeof err->message];
    size_t used = 0, shown = 0;
    list[0] = '\0';
    for (; shown < e->bad && used < sizeof list - 300; shown++)
        used += (size_t) snprintf (list + used, sizeof list - used, "\n  line %lld: %s",
                                   (long long) e->errors[shown].line, e->errors[shown].why);
    return esc_fail (err, ESC_INVALID_ARGUMENT, "IMPORT_REJECTED",
                     "%s of %s %s %s wrong; nothing was imported:%s%s",
                     desk_figure (c->arena, (int64_t) e->bad), desk_figure (c->arena, (int64_t) n),
                     figure_noun ((int64_t) n, "row", "rows"),
                     figure_noun ((int64_t) e->bad, "is", "are"), list,
                     shown < e->bad ? "\n  ..." : "");
}

/* An account import names every bad row at once, in file order, so that a
 * CRM export is fixed in one go: "line 4: arr must be ...". One error a
 * row: of its name when the name is wrong (its text, twice in the file, or
 * differing only by case from an account or from an earlier row), else of
 * its first wrong field. The work is
 * bounded by the rows (LIMIT_IMPORT): a pass over them, a sort, and one
 * query. */
static int
check_rows (desk_call_t *c, const Esc__AccountImport *m, esc_error_t *err)
{
    size_t n = m->n_rows, named = 0;
    row_errors_t e = {
        .errors = arena_alloc (c->arena, (n + 1) * sizeof *e.errors),
        .slot = arena_alloc (c->arena, (n + 1) * sizeof *e.slot),
    };
    named_row_t *rows = arena_alloc (c->arena, (n + 1) * sizeof *rows);
    for (size_t i = 0; i < n; i++) {
        esc_error_t row_err;
        const char *field;
        e.slot[i] = 0;
        if (validate_account_row (m->rows[i], &field, &row_err) != 0)
            row_wrong (&e, m, i, field, arena_strdup (c->arena, row_err.message));
        /* a row wrong for its date still holds its name against the others */
        if (validate_account_name (m->rows[i]->name, &row_err) == 0)
            rows[named++] = (named_row_t) { m->rows[i], i };
    }
    /* the valid names in file order, for the database's comparison */
    char **names = arena_alloc (c->arena, (named + 1) * sizeof *names);
    size_t *index = arena_alloc (c->arena, (named + 1) * sizeof *index);
    for (size_t k = 0; k < named; k++) {
        names[k] = rows[k].row->name;
        index[k] = rows[k].index;
    }
    /* a name twice in the file: sorted by name, the twins are neighbours */
    qsort (rows, named, sizeof *rows, compare_rows);
    for (size_t k = 1; k < named; k++)
        if (strcmp (rows[k].row->name, rows[k - 1].row->name) == 0)
            row_wrong (&e, m, rows[k].index, "name",
                       arena_printf (c->arena, "account '%s' is on line %lld already",
                                     rows[k].row->name, (long long) rows[k - 1].row->line));
    /* "ACME" where Acme is known, or on an earlier line: the database
     * compares, as its index on lower(name) does */
    account_twin_t *twins;
    size_t n_twins;
    if (store_account_case_twins (c->store, c->arena, names, named, &twins, &n_twins, err))
        return -1;
    for (size_t k = 0; k < n_twins; k++) {
        const char *name = names[twins[k].row];
        row_wrong (&e, m, index[twins[k].row], "name", twins[k].existing
            ? arena_printf (c->arena, "account '%s' exists already as '%s'", name,
                            twins[k].existing)
            : arena_printf (c->arena, "account '%s' is on line %lld already as '%s'", name,
                            (long long) m->rows[index[twins[k].earlier]]->line,
                            names[twins[k].earlier]));
    }
    return e.bad ? reject_rows (c, &e, n, err) : 0;
}

int
desk_account_import (desk_call_t *c, esc_error_t *err)
{
    const Esc__AccountImport *m = c->req->account_import;
    if (check_rows (c, m, err))
        return -1;
    Esc__ImportResult *res = arena_alloc (c->arena, sizeof *res);
    esc__import_result__init (res);
    c->reply->result_case = ESC__REPLY__RESULT_IMPORT_RESULT;
    c->reply->import_result = res;
    /* a dry run stops here: every row would do (the desk runs it as a read) */
    if (m->has_dry_run && m->dry_run)
        return 0;
    int64_t added = 0, updated = 0;
    for (size_t i = 0; i < m->n_rows; i++) {
        const Esc__AccountRow *row = m->rows[i];
        bool is_new;
        if (store_account_upsert (c->store, row->name, row->arr, row->renewal_on, c->actor,
                                  &is_new, err))
            return -1;
        added += is_new;
        updated += !is_new;
    }
    json_kv_int (&c->data, "added", added);
    json_kv_int (&c->data, "updated", updated);
    c->event.summary = arena_printf (c->arena, "%s imported %s %s (%s new, %s updated)",
                                     c->actor, desk_figure (c->arena, added + updated),
                                     figure_noun (added + updated, "account", "accounts"),
                                     desk_figure (c->arena, added), desk_figure (c->arena, updated));
    res->has_added = res->has_updated = true;
    res->added = added;
    res->updated = updated;
    return 0;
}

/* ==== Partners =========================================================== */

int
desk_partner_add (desk_call_t *c, esc_error_t *err)
{
    const char *name = c->req->partner_add->name;
    if (store_partner_insert (c->store, name, c->actor, err))
        return -1;
    c->event.summary = arena_printf (c->arena, "%s added services partner %s", c->actor, name);
    json_kv_string (&c->data, "partner", name);
    c->reply->result_case = ESC__REPLY__RESULT_PARTNERS;
    return store_partner_list (c->store, c->arena, name, &c->reply->partners, err);
}

int
desk_partner_list (desk_call_t *c, esc_error_t *err)
{
    c->reply->result_case = ESC__REPLY__RESULT_PARTNERS;
    return store_partner_list (c->store, c->arena, NULL, &c->reply->partners, err);
}

/* ==== Roadmap ============================================================ */

int
desk_roadmap_add (desk_call_t *c, esc_error_t *err)
{
    const Esc__RoadmapAdd *m = c->req->roadmap_add;
    const char *quarter;
    int64_t id;
    if (desk_quarter (c, m->quarter, true, &quarter, err)
        || store_roadmap_insert (c->store, quarter, m, c->actor, &id, err))
        return -1;
    c->event.quarter = quarter;
    c->event.summary = arena_printf (c->arena, "%s planned roadmap item %lld \"%s\" (%s, %s h) in %s",
                                     c->actor, (long long) id, m->title, m->category,
                                     desk_figure (c->arena, m->hours), quarter);
    json_kv_int (&c->data, "roadmap_item", id);
    json_kv_string (&c->data, "title", m->title);
    json_kv_string (&c->data, "category", m->category);
    json_kv_int (&c->data, "hours", m->hours);
    c->reply->result_case = ESC__REPLY__RESULT_ROADMAP_ITEM;
    return store_roadmap_get (c->store, c->arena, id, &c->reply->roadmap_item, err);
}

/* Corrects planned work: its title, category, hours or the accounts
 * waiting for it, while it is planned, in an open quarter. */
int
desk_roadmap_set (desk_call_t *c, esc_error_t *err)
{
    const Esc__RoadmapSet *m = c->req->roadmap_set;
    Esc__RoadmapItem *now;
    quarter_facts_t q;
    roadmap_facts_t item;
    escalation_state_t unused;
    if (store_roadmap_lock (c->store, c->arena, m->id, &now, err)
        || store_quarter_facts (c->store, now->quarter, true, &q, err)
        || store_roadmap_facts (c->store, now->quarter, &m->id, 1, &item, err))
        return -1;
    const char *title = m->title ? m->title : now->title;
    const char *category = m->category ? m->category : now->category;
    int64_t hours = m->has_hours ? m->hours : now->hours;
    changes_t ch;
    changes_begin (&ch, c->arena);
    changes_line (&ch, "title", "title", now->title, title, true);
    changes_line (&ch, "category", "category", now->category, category, false);
    changes_int (&ch, "hours", "hours", true, now->hours, true, hours);
    if (m->n_waiting || m->clear_waiting)
        changes_names (&ch, "waiting", "waiting", now->waiting, now->n_waiting, m->waiting,
                       m->n_waiting);
    workflow_case_t wc = { .op = c->op, .roles = c->roles, .quarter = &q, .item = &item,
                           .changes = ch.count };
    if (workflow_decide (&wc, &unused, err) || store_roadmap_update (c->store, m, err)) {
        changes_end (&ch, NULL);
        return -1;
    }
    c->event.quarter = now->quarter;
    c->event.summary = arena_printf (c->arena, "%s changed roadmap item %lld \"%s\" in %s: %s",
                                     c->actor, (long long) m->id, title, now->quarter, ch.text);
    json_kv_int (&c->data, "roadmap_item", m->id);
    json_kv_string (&c->data, "title", title);
    json_kv_string (&c->data, "category", category);
    json_kv_int (&c->data, "hours", hours);
    changes_end (&ch, &c->data);
    c->reply->result_case = ESC__REPLY__RESULT_ROADMAP_ITEM;
    return store_roadmap_get (c->store, c->arena, m->id, &c->reply->roadmap_item, err);
}

/* Asks the workflow about the call's operation on roadmap item NOW (locked),
 * in quarter QUARTER (the one it moves to; NULL: its own), CHANGES being
 * what a correction changes. */
static int
decide_item (desk_call_t *c, const Esc__RoadmapItem *now, const char *quarter, int changes,
             esc_error_t *err)
{
    quarter_facts_t q;
    roadmap_facts_t item;
    escalation_state_t unused;
    if (!quarter)
        quarter = now->quarter;
    workflow_case_t wc = { .op = c->op, .roles = c->roles, .quarter = &q, .item = &item,
                           .changes = changes,
                           .quarter_before = c->op == OP_ROADMAP_MOVE
                                             && strcmp (quarter, now->quarter) <= 0 };
    return store_quarter_facts (c->store, quarter, true, &q, err)
        || store_roadmap_facts (c->store, now->quarter, &now->id, 1, &item, err)
        || workflow_decide (&wc, &unused, err) ? -1 : 0;
}

/* Planned work finished, with the hours it took; done again corrects them. */
int
desk_roadmap_done (desk_call_t *c, esc_error_t *err)
{
    const Esc__RoadmapDone *m = c->req->roadmap_done;
    Esc__RoadmapItem *now;
    if (store_roadmap_lock (c->store, c->arena, m->id, &now, err))
        return -1;
    bool again = strcmp (now->state, "done") == 0;
    changes_t ch;
    changes_begin (&ch, c->arena);
    if (again)
        changes_int (&ch, "actual_hours", "actual hours", now->has_actual_hours, now->actual_hours,
                     m->has_actual_hours || now->has_actual_hours,
                     m->has_actual_hours ? m->actual_hours : now->actual_hours);
    if (decide_item (c, now, NULL, ch.count, err)
        || store_roadmap_done (c->store, m->id, m->has_actual_hours, m->actual_hours, c->actor,
                               err)) {
        changes_end (&ch, NULL);
        return -1;
    }
    c->reply->result_case = ESC__REPLY__RESULT_ROADMAP_ITEM;
    if (store_roadmap_get (c->store, c->arena, m->id, &c->reply->roadmap_item, err)) {
        changes_end (&ch, NULL);
        return -1;
    }
    const Esc__RoadmapItem *it = c->reply->roadmap_item;
    const char *hours = it->has_actual_hours
        ? arena_printf (c->arena, " in %s h", desk_figure (c->arena, it->actual_hours)) : "";
    c->event.quarter = it->quarter;
    c->event.summary = again
        ? arena_printf (c->arena, "%s corrected roadmap item %lld \"%s\" in %s: %s", c->actor,
                        (long long) m->id, it->title, it->quarter, ch.text)
        : arena_printf (c->arena, "%s finished roadmap item %lld \"%s\" in %s%s", c->actor,
                        (long long) m->id, it->title, it->quarter, hours);
    json_kv_int (&c->data, "roadmap_item", m->id);
    json_kv_string (&c->data, "title", it->title);
    if (it->has_actual_hours)
        json_kv_int (&c->data, "actual_hours", it->actual_hours);
    changes_end (&ch, again ? &c->data : NULL);
    return 0;
}

/* Planned or postponed work carried into a later open quarter, planned
 * there with its waiting customers; the item keeps every quarter it was
 * pushed from. */
int
desk_roadmap_move (desk_call_t *c, esc_error_t *err)
{
    const Esc__RoadmapMove *m = c->req->roadmap_move;
    Esc__RoadmapItem *now;
    const char *to;
    if (store_quarter_resolve (c->store, c->arena, m->quarter, &to, err)
        || store_roadmap_lock (c->store, c->arena, m->id, &now, err)
        || decide_item (c, now, to, 0, err)
        || store_roadmap_move (c->store, m->id, now->quarter, to, c->actor, err))
        return -1;
    c->reply->result_case = ESC__REPLY__RESULT_ROADMAP_ITEM;
    if (store_roadmap_get (c->store, c->arena, m->id, &c->reply->roadmap_item, err))
        return -1;
    const Esc__RoadmapItem *it = c->reply->roadmap_item;
    c->event.quarter = to;
    c->event.summary = arena_printf (c->arena,
        "%s moved %s roadmap item %lld \"%s\" (%s h) from %s to %s%s", c->actor, now->state,
        (long long) m->id, it->title, desk_figure (c->arena, it->hours), now->quarter, to,
        it->n_moved_from > 1
            ? arena_printf (c->arena, ", carried %s times", desk_figure (c->arena,
                                                                         (int64_t) it->n_moved_from))
            : "");
    json_kv_int (&c->data, "roadmap_item", m->id);
    json_kv_string (&c->data, "title", it->title);
    json_kv_string (&c->data, "from", now->quarter);
    json_kv_string (&c->data, "to", to);
    json_kv_string (&c->data, "was", now->state);
    json_kv_int (&c->data, "times", (int64_t) it->n_moved_from);
    return 0;
}

int
desk_roadmap_list (desk_call_t *c, esc_error_t *err)
{
    const char *quarter;
    if (desk_quarter (c, c->req->roadmap_list->quarter, false, &quarter, err))
        return -1;
    c->reply->result_case = ESC__REPLY__RESULT_ROADMAP;
    return store_roadmap_list (c->store, c->arena, quarter, &c->reply->roadmap, err);
}

/* A roadmap item with its history: planned, corrected, postponed by which
 * approval, done, moved. */
int
desk_roadmap_show (desk_call_t *c, esc_error_t *err)
{
    int64_t id = c->req->roadmap_show->id, by;
    Esc__RoadmapDetail *d = arena_alloc (c->arena, sizeof *d);
    esc__roadmap_detail__init (d);
    Esc__EventList *history;
    if (store_roadmap_get (c->store, c->arena, id, &d->item, err)
        || store_roadmap_postponer (c->store, id, &by, err)
        || store_roadmap_history (c->store, c->arena, id, &history, err))
        return -1;
    /* the postponement that holds now: a postponed item carried into a
     * later quarter is planned there, and its history tells the rest */
    d->has_postponed_by = by > 0 && strcmp (d->item->state, "postponed") == 0;
    d->postponed_by = d->has_postponed_by ? by : 0;
    d->n_history = history->n_events;
    d->history = history->events;
    d->has_history_total = true;
    d->history_total = history->total;
    c->reply->result_case = ESC__REPLY__RESULT_ROADMAP_DETAIL;
    c->reply->roadmap_detail = d;
    return 0;
}

/* ==== Users ============================================================== */

int
desk_user_add (desk_call_t *c, esc_error_t *err)
{
    const Esc__UserAdd *m = c->req->user_add;
    role_set_t roles = 0;
    for (size_t i = 0; i < m->n_roles; i++) {
        role_t role;
        role_parse (m->roles[i], &role);    /* validated: always known */
        roles |= role;
    }
    if (store_user_insert (c->store, m->name, roles, m->public_key, m->team, err))
        return -1;
    json_kv_string (&c->data, "user", m->name);
    if (m->team)
        json_kv_string (&c->data, "team", m->team);
    c->event.summary = arena_printf (c->arena, "%s registered user %s", c->actor, m->name);
    json_key (&c->data, "roles");
    json_array_begin (&c->data);
    for (int i = 0; i < ROLE_COUNT; i++)
        if (roles & (1u << i))
            json_string (&c->data, role_name (1u << i));
    json_array_end (&c->data);

    Esc__User *u = arena_alloc (c->arena, sizeof *u);
    esc__user__init (u);
    u->name = m->name;
    u->public_key = m->public_key;
    u->roles = m->roles;
    u->n_roles = m->n_roles;
    u->team = m->team;
    c->reply->result_case = ESC__REPLY__RESULT_USER;
    c->reply->user = u;
    return 0;
}

/* Replies with user NAME as the users list shows them. */
static int
reply_user (desk_call_t *c, const char *name, esc_error_t *err)
{
    Esc__UserList *one;
    if (store_user_list (c->store, c->arena, name, &one, err))
        return -1;
    if (one->n_users != 1)
        return esc_fail (err, ESC_NOT_FOUND, "USER_NOT_FOUND", "user %s does not exist", name);
    c->reply->result_case = ESC__REPLY__RESULT_USER;
    c->reply->user = one->users[0];
    return 0;
}

/* A user's team, which the report's quota credit counts them in. */
int
desk_user_set (desk_call_t *c, esc_error_t *err)
{
    const Esc__UserSet *m = c->req->user_set;
    char *team;
    escalation_state_t unused;
    if (store_user_team (c->store, c->arena, m->name, &team, err))
        return -1;
    const char *now = m->clear_team ? NULL : m->team;
    changes_t ch;
    changes_begin (&ch, c->arena);
    changes_line (&ch, "team", "team", team, now, false);
    workflow_case_t wc = { .op = c->op, .roles = c->roles, .changes = ch.count };
    if (workflow_decide (&wc, &unused, err) || store_user_set_team (c->store, m->name, now, err)) {
        changes_end (&ch, NULL);
        return -1;
    }
    c->event.summary = arena_printf (c->arena, "%s changed user %s: %s", c->actor, m->name,
                                     ch.text);
    json_kv_string (&c->data, "user", m->name);
    json_kv_string (&c->data, "team", now);
    changes_end (&ch, &c->data);
    return reply_user (c, m->name, err);
}

int
desk_user_list (desk_call_t *c, esc_error_t *err)
{
    c->reply->result_case = ESC__REPLY__RESULT_USERS;
    return store_user_list (c->store, c->arena, NULL, &c->reply->users, err);
}

/* Locks user NAME and asks the workflow whether the call may act on them. */
static int
decide_user (desk_call_t *c, const char *name, esc_error_t *err)
{
    user_facts_t facts;
    escalation_state_t unused;
    /* who may is settled before whether the user exists */
    if (workflow_permit_own (c->op, c->roles, strcmp (name, c->actor) == 0, err)
        || store_user_facts (c->store, name, c->actor, &facts, err))
        return -1;
    workflow_case_t wc = { .op = c->op, .roles = c->roles, .user = &facts };
    return workflow_decide (&wc, &unused, err);
}

int
desk_user_revoke (desk_call_t *c, esc_error_t *err)
{
    const char *name = c->req->user_revoke->name;
    if (decide_user (c, name, err) || store_user_revoke (c->store, name, c->actor, err))
        return -1;
    json_kv_string (&c->data, "user", name);
    c->event.summary = arena_printf (c->arena, "%s revoked user %s", c->actor, name);
    return reply_user (c, name, err);
}

int
desk_user_key (desk_call_t *c, esc_error_t *err)
{
    const Esc__UserKey *m = c->req->user_key;
    if (decide_user (c, m->name, err)
        || store_user_set_key (c->store, m->name, m->public_key, err))
        return -1;
    json_kv_string (&c->data, "user", m->name);
    json_kv_string (&c->data, "public_key", m->public_key);
    c->event.summary = arena_printf (c->arena, "%s gave user %s a new key", c->actor, m->name);
    return reply_user (c, m->name, err);
}
