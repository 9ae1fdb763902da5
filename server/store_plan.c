/* store_plan.c: quarters, accounts and the roadmap. See store.h. */
#include "store_impl.h"

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
        *chosen = store_dup_text (a, r, pick, "name");
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
        *name = store_dup_text (a, r, 0, "name");
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

/* A quarter's facts ($1), its row locked in the same statement (its
 * facts are read in the snapshot taken before the lock is granted: current,
 * because every writer of a quarter holds the sequence lock first), or not. */
#define QUARTER_FACTS(locked, from) \
        locked "SELECT v.*, (SELECT min(l.name) FROM quarter l WHERE l.name > v.name" \
        "                AND l.state = 'open') AS later_open" \
        "  FROM quarter_view v" from " WHERE v.name = $1"
static const char quarter_facts_locked[] =
    QUARTER_FACTS ("WITH locked AS (SELECT name FROM quarter WHERE name = $1 FOR UPDATE) ",
                   " JOIN locked USING (name)");
static const char quarter_facts[] = QUARTER_FACTS ("", "");
#undef QUARTER_FACTS
/* Whether a quarter ($1) is closed, its row locked: what a filing needs. */
const char store_quarters_closed_locked[] =
    "SELECT name, state = 'closed' AS closed FROM quarter"
    " WHERE name IN (SELECT json_array_elements_text($1::json))"
    " ORDER BY name FOR UPDATE";

int
store_quarter_closed_read (const PGresult *r, const char *name, quarter_facts_t *out,
                           esc_error_t *err)
{
    for (int row = 0; row < PQntuples (r); row++)
        if (strcmp (row_text (r, row, "name"), name) == 0) {
            *out = (quarter_facts_t) { .closed_only = true, .closed = row_bool (r, row, "closed") };
            return 0;
        }
    return esc_fail (err, ESC_NOT_FOUND, "QUARTER_NOT_FOUND", "quarter %s does not exist",
                     name);
}

int
store_quarter_facts (store_t *self, const char *name, bool lock, quarter_facts_t *out,
                     esc_error_t *err)
{
    params_t p = { 0 };
    params_text (&p, name);                             /* $1 quarter */
    PGresult *r = store_exec_one (self, lock ? quarter_facts_locked : quarter_facts, &p, err,
                                  "QUARTER_NOT_FOUND", "quarter %s does not exist", name);
    if (!r)
        return -1;
    *out = (quarter_facts_t) { 0 };
    out->closed = strcmp (row_text (r, 0, "state"), "closed") == 0;
    snprintf (out->later_open, sizeof out->later_open, "%s",
              row_null (r, 0, "later_open") ? "" : row_text (r, 0, "later_open"));
    out->capacity_hours = row_int (r, 0, "capacity_hours");
    out->budget_pct = row_int (r, 0, "budget_pct");
    out->tokens = row_int (r, 0, "tokens");
    out->tokens_spent = row_int (r, 0, "tokens_spent");
    out->max_token_hours = row_int (r, 0, "max_token_hours");
    out->committed_hours = row_int (r, 0, "committed_hours");
    out->plan_committed = !row_null (r, 0, "plan_committed_at");
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
    params_opt_int (&p, q->has_relief_standard_pct, q->relief_standard_pct); /* $10 */
    params_opt_int (&p, q->has_relief_oneoff_pct, q->relief_oneoff_pct);     /* $11 */
    /* without dates: the calendar quarter the name says */
    if (store_run (self,
        "WITH cal AS (SELECT make_date(substr($1, 1, 4)::int,"
        "                               (substr($1, 6, 1)::int - 1) * 3 + 1, 1) AS first)"
        " INSERT INTO quarter (name, starts_on, ends_on, capacity_hours, budget_pct, tokens,"
        "                      max_token_hours, hourly_cost, opened_by, relief_standard_pct,"
        "                      relief_oneoff_pct)"
        " SELECT $1, coalesce($2::date, first),"
        "        coalesce($3::date, (first + interval '3 months' - interval '1 day')::date),"
        "        $4, coalesce($5, 10), coalesce($6, 1), coalesce($7, 80), coalesce($8, 150), $9,"
        "        coalesce($10, 100), coalesce($11, 20)"
        "   FROM cal", &p, err)) {
        if (store_violated (self, "23505"))
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
    return store_run (self, "UPDATE quarter SET state = 'closed' WHERE name = $1", &p, err);
}

int
store_quarter_reopen (store_t *self, const char *name, esc_error_t *err)
{
    params_t p = { 0 };
    params_text (&p, name);                             /* $1 quarter */
    return store_run (self, "UPDATE quarter SET state = 'open' WHERE name = $1", &p, err);
}

int
store_quarter_commit (store_t *self, const char *name, const char *actor, int64_t *items,
                      int64_t *hours, esc_error_t *err)
{
    params_t p = { 0 };
    params_text (&p, name);                             /* $1 quarter */
    params_text (&p, actor);                            /* $2 committed by */
    if (store_run (self, "UPDATE quarter SET plan_committed_at = now(), plan_committed_by = $2"
                         " WHERE name = $1", &p, err))
        return -1;
    params_t b = { 0 };
    params_text (&b, name);                             /* $1 quarter */
    PGresult *r = store_exec (self,
        "WITH frozen AS (INSERT INTO plan_baseline (quarter, roadmap_item_id, hours)"
        "                SELECT quarter, id, hours FROM roadmap_item"
        "                 WHERE quarter = $1 AND state = 'planned' RETURNING hours)"
        " SELECT count(*) AS items, coalesce(sum(hours), 0) AS hours FROM frozen", &b, err);
    if (!r)
        return -1;
    *items = row_int (r, 0, "items");
    *hours = row_int (r, 0, "hours");
    PQclear (r);
    return 0;
}

static void
quarter_from_row (arena_t *a, const PGresult *r, int row, Esc__Quarter *q)
{
    esc__quarter__init (q);
    q->name = store_dup_text (a, r, row, "name");
    q->starts_on = store_dup_text (a, r, row, "starts_on");
    q->ends_on = store_dup_text (a, r, row, "ends_on");
    q->state = store_dup_text (a, r, row, "state");
#define FIGURE(f) (q->has_##f = true, q->f = row_int (r, row, #f))
    FIGURE (capacity_hours);
    FIGURE (budget_pct);
    FIGURE (tokens);
    FIGURE (max_token_hours);
    FIGURE (hourly_cost);
    FIGURE (tokens_spent);
    FIGURE (committed_hours);
    FIGURE (planned_hours);
    FIGURE (support_hours);
    FIGURE (relief_standard_pct);
    FIGURE (relief_oneoff_pct);
#undef FIGURE
    q->plan_committed_at = store_dup_text (a, r, row, "plan_committed_at");
}

int
store_quarter_get (store_t *self, arena_t *a, const char *name, Esc__Quarter **out,
                   esc_error_t *err)
{
    params_t p = { 0 };
    params_text (&p, name);                             /* $1 quarter */
    PGresult *r = store_exec_one (self, "SELECT * FROM quarter_view WHERE name = $1", &p, err,
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

/* ACCOUNT_EXISTS for NAME, naming the account that holds it: NAME itself,
 * or one that differs from it only by case. */
static int
account_exists (store_t *self, const char *name, esc_error_t *err)
{
    params_t p = { 0 };
    params_text (&p, name);                             /* $1 name */
    PGresult *r = store_exec (self, "SELECT name FROM account WHERE lower(name) = lower($1)",
                              &p, err);
    if (!r)
        return -1;
    const char *held = PQntuples (r) ? PQgetvalue (r, 0, store_column (r, "name")) : name;
    if (strcmp (held, name) != 0)
        esc_fail (err, ESC_ALREADY_EXISTS, "ACCOUNT_EXISTS", "account '%s' exists already as '%s'",
                  name, held);
    else
        esc_fail (err, ESC_ALREADY_EXISTS, "ACCOUNT_EXISTS", "account '%s' already exists", name);
    PQclear (r);
    return -1;
}

int
store_account_insert (store_t *self, const Esc__AccountAdd *m, const char *actor,
                      esc_error_t *err)
{
    params_t p = { 0 };
    params_text (&p, m->name);                          /* $1 name */
    params_int (&p, m->arr);                            /* $2 ARR */
    params_text (&p, m->renewal_on);                    /* $3 renewal date or NULL */
    params_text (&p, actor);                            /* $4 created by */
    /* the name, or the same in another case (013's index), may be taken:
     * then nothing is inserted, and the transaction stays usable */
    PGresult *r = store_exec (self, "INSERT INTO account (name, arr, renewal_on, created_by)"
                              " VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING", &p, err);
    if (!r)
        return -1;
    bool inserted = strcmp (PQcmdTuples (r), "1") == 0;
    PQclear (r);
    return inserted ? 0 : account_exists (self, m->name, err);
}

/* ==== Partners ========================================================== */

int
store_partner_insert (store_t *self, const char *name, const char *actor, esc_error_t *err)
{
    params_t p = { 0 };
    params_text (&p, name);                             /* $1 name */
    params_text (&p, actor);                            /* $2 added by */
    PGresult *r = store_exec (self, "INSERT INTO partner (name, added_by) VALUES ($1, $2)"
                              " ON CONFLICT DO NOTHING", &p, err);
    if (!r)
        return -1;
    bool inserted = strcmp (PQcmdTuples (r), "1") == 0;
    PQclear (r);
    if (inserted)
        return 0;
    params_t q = { 0 };
    params_text (&q, name);                             /* $1 name */
    PGresult *t = store_exec_one (self, "SELECT name FROM partner WHERE lower(name) = lower($1)",
                                  &q, err, "INTERNAL", "partner %s vanished", name);
    if (!t)
        return -1;
    esc_fail (err, ESC_ALREADY_EXISTS, "PARTNER_EXISTS", "partner '%s' exists already as '%s'",
              name, row_text (t, 0, "name"));
    PQclear (t);
    return -1;
}

int
store_partner_list (store_t *self, arena_t *a, const char *name, Esc__PartnerList **out,
                    esc_error_t *err)
{
    params_t p = { 0 };
    params_text (&p, name);                             /* $1 one partner, or NULL: all */
    PGresult *r = store_exec (self,
        "SELECT pt.name, pt.added_by, " UTC_STAMP ("pt.added_at") " AS added_at,"
        "       (SELECT count(*) FROM referral rf WHERE rf.partner_id = pt.id) AS referred"
        "  FROM partner pt WHERE $1::text IS NULL OR pt.name = $1"
        " ORDER BY lower(pt.name) LIMIT 10000", &p, err);
    if (!r)
        return -1;
    Esc__PartnerList *list = arena_alloc (a, sizeof *list);
    esc__partner_list__init (list);
    list->n_partners = (size_t) PQntuples (r);
    ALLOC_MESSAGES (a, Esc__Partner, esc__partner__init, list->n_partners, list->partners);
    for (size_t i = 0; i < list->n_partners; i++) {
        Esc__Partner *x = list->partners[i];
        x->name = store_dup_text (a, r, (int) i, "name");
        x->added_by = store_dup_text (a, r, (int) i, "added_by");
        x->added_at = store_dup_text (a, r, (int) i, "added_at");
        x->has_referred = true;
        x->referred = row_int (r, (int) i, "referred");
    }
    PQclear (r);
    *out = list;
    return 0;
}

int
store_account_upsert (store_t *self, const char *name, int64_t arr, const char *renewal_on,
                      const char *actor, bool *added, esc_error_t *err)
{
    params_t p = { 0 };
    params_text (&p, name);                             /* $1 name */
    params_int (&p, arr);                               /* $2 ARR */
    params_text (&p, renewal_on);                       /* $3 renewal date, NULL: keep */
    params_text (&p, actor);                            /* $4 created by */
    PGresult *r = store_exec (self,
        "INSERT INTO account (name, arr, renewal_on, created_by) VALUES ($1, $2, $3, $4)"
        " ON CONFLICT (name) DO UPDATE SET arr = EXCLUDED.arr,"
        "     renewal_on = coalesce(EXCLUDED.renewal_on, account.renewal_on)"
        " RETURNING xmax = 0 AS added", &p, err);
    if (!r) {
        /* the desk checked the names against the accounts; one added
         * since, in another case, trips 013's index */
        if (store_violated (self, "23505"))
            return esc_fail (err, ESC_ALREADY_EXISTS, "ACCOUNT_EXISTS",
                             "account '%s' was added meanwhile in another case; "
                             "nothing was imported", name);
        return -1;
    }
    *added = row_bool (r, 0, "added");
    PQclear (r);
    return 0;
}

int
store_account_case_twins (store_t *self, arena_t *a, char *const *names, size_t n,
                          account_twin_t **twins, size_t *n_twins, esc_error_t *err)
{
    *twins = NULL;
    *n_twins = 0;
    if (n == 0)
        return 0;
    /* validated names hold no control characters: 0x1f joins them */
    size_t len = 1;
    for (size_t i = 0; i < n; i++)
        len += strlen (names[i]) + 1;
    char *joined = arena_alloc (a, len), *end = joined;
    for (size_t i = 0; i < n; i++) {
        size_t k = strlen (names[i]);
        memcpy (end, names[i], k);
        end += k;
        *end++ = '\x1f';
    }
    end[-1] = '\0';
    params_t p = { 0 };
    params_text (&p, joined);                           /* $1 the names, 0x1f between */
    /* each name against the account in any case (013's index on
     * lower(name)), and against the first name of the list in its case */
    PGresult *r = store_exec (self,
        "WITH given AS ("
        "  SELECT g.name, g.i,"
        "         first_value(g.i) OVER same AS first_i,"
        "         first_value(g.name) OVER same AS first_name"
        "    FROM unnest(string_to_array($1, E'\\x1f')) WITH ORDINALITY AS g(name, i)"
        "  WINDOW same AS (PARTITION BY lower(g.name) ORDER BY g.i))"
        " SELECT g.i - 1 AS row, a.name AS existing, g.first_i - 1 AS earlier"
        "   FROM given g LEFT JOIN account a ON lower(a.name) = lower(g.name)"
        "  WHERE a.name <> g.name OR (a.name IS NULL AND g.first_name <> g.name)"
        "  ORDER BY g.i", &p, err);
    if (!r)
        return -1;
    *n_twins = (size_t) PQntuples (r);
    *twins = arena_alloc (a, (*n_twins + 1) * sizeof **twins);
    for (size_t i = 0; i < *n_twins; i++) {
        account_twin_t *t = &(*twins)[i];
        t->row = (size_t) row_int (r, (int) i, "row");
        t->existing = store_dup_text (a, r, (int) i, "existing");
        t->earlier = (size_t) row_int (r, (int) i, "earlier");
    }
    PQclear (r);
    return 0;
}

static void
account_from_row (arena_t *a, const PGresult *r, int row, Esc__Account *acc)
{
    esc__account__init (acc);
    acc->name = store_dup_text (a, r, row, "name");
    acc->has_arr = true;
    acc->arr = row_int (r, row, "arr");
    acc->renewal_on = store_dup_text (a, r, row, "renewal_on");
}

#define ACCOUNT_COLUMNS "name, arr, renewal_on::text AS renewal_on"

int
store_account_get (store_t *self, arena_t *a, const char *name, Esc__Account **out,
                   esc_error_t *err)
{
    params_t p = { 0 };
    params_text (&p, name);                             /* $1 name */
    PGresult *r = store_exec_one (self,
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
store_account_id (store_t *self, const char *name, int64_t *id, esc_error_t *err)
{
    params_t p = { 0 };
    params_text (&p, name);                             /* $1 name */
    PGresult *r = store_exec_one (self, "SELECT id FROM account WHERE name = $1", &p, err,
        "ACCOUNT_NOT_FOUND", "account '%s' is not known", name);
    if (!r)
        return -1;
    *id = row_int (r, 0, "id");
    PQclear (r);
    return 0;
}

int
store_account_lock (store_t *self, arena_t *a, const char *name, Esc__Account **out,
                    esc_error_t *err)
{
    params_t p = { 0 };
    params_text (&p, name);                             /* $1 name */
    PGresult *r = store_exec_one (self,
        "SELECT " ACCOUNT_COLUMNS " FROM account WHERE name = $1 FOR UPDATE", &p, err,
        "ACCOUNT_NOT_FOUND", "account '%s' is not known", name);
    if (!r)
        return -1;
    *out = arena_alloc (a, sizeof **out);
    account_from_row (a, r, 0, *out);
    PQclear (r);
    return 0;
}

int
store_account_update (store_t *self, const Esc__AccountSet *m, esc_error_t *err)
{
    if (m->rename) {
        /* another account holding the new name in any case (013's index):
         * found first, so that the refusal names it and the transaction
         * stays usable */
        params_t t = { 0 };
        params_text (&t, m->rename);                    /* $1 the new name */
        params_text (&t, m->name);                      /* $2 the account's name now */
        PGresult *r = store_exec (self,
            "SELECT 1 FROM account WHERE lower(name) = lower($1) AND name <> $2", &t, err);
        if (!r)
            return -1;
        bool taken = PQntuples (r) > 0;
        PQclear (r);
        if (taken)
            return account_exists (self, m->rename, err);
    }
    params_t p = { 0 };
    params_text (&p, m->name);                          /* $1 the account's name now */
    params_text (&p, m->rename);                        /* $2 new name or NULL */
    params_opt_int (&p, m->has_arr, m->arr);            /* $3 ARR or NULL */
    params_text (&p, m->renewal_on);                    /* $4 renewal date or NULL */
    params_bool (&p, m->clear_renewal);                 /* $5 no renewal date any more */
    if (store_run (self,
        "UPDATE account SET name = coalesce($2, name), arr = coalesce($3, arr),"
        "       renewal_on = CASE WHEN $5 THEN NULL ELSE coalesce($4::date, renewal_on) END"
        " WHERE name = $1", &p, err)) {
        if (store_violated (self, "23505"))
            return esc_fail (err, ESC_ALREADY_EXISTS, "ACCOUNT_EXISTS",
                             "account '%s' was added meanwhile", m->rename);
        return -1;
    }
    return 0;
}

int
store_account_list (store_t *self, arena_t *a, Esc__AccountList **out, esc_error_t *err)
{
    params_t p = { 0 };
    params_int (&p, STORE_LIST_MAX);                    /* $1 accounts at most */
    PGresult *r = store_exec (self,
        "SELECT " ACCOUNT_COLUMNS ", count(*) OVER () AS total FROM account"
        " ORDER BY name LIMIT $1", &p, err);
    if (!r)
        return -1;
    Esc__AccountList *list = arena_alloc (a, sizeof *list);
    esc__account_list__init (list);
    list->n_accounts = (size_t) PQntuples (r);
    list->has_total = true;
    list->total = list->n_accounts ? row_int (r, 0, "total") : 0;
    ALLOC_MESSAGES (a, Esc__Account, esc__account__init, list->n_accounts, list->accounts);
    for (size_t i = 0; i < list->n_accounts; i++)
        account_from_row (a, r, (int) i, list->accounts[i]);
    PQclear (r);
    *out = list;
    return 0;
}

int
store_link_accounts (store_t *self, const char *sql, int64_t owner, char **names, size_t n,
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
    return store_link_accounts (self,
        "INSERT INTO roadmap_waiting (roadmap_item_id, account_id)"
        " SELECT $1, id FROM account WHERE name = $2 ON CONFLICT DO NOTHING",
        *id, m->waiting, m->n_waiting, err);
}

#define ROADMAP_QUERY                                                   \
    "SELECT r.id, r.quarter, r.title, r.category::text AS category, r.hours,"   \
    "       r.state::text AS state, r.actual_hours,"                    \
    "       (SELECT string_agg(a.name, E'\\x1f' ORDER BY a.name)"        \
    "          FROM roadmap_waiting w JOIN account a ON a.id = w.account_id" \
    "         WHERE w.roadmap_item_id = r.id) AS waiting,"               \
    "       (SELECT string_agg(m.from_quarter, E'\\x1f' ORDER BY m.from_quarter)" \
    "          FROM roadmap_move m WHERE m.roadmap_item_id = r.id) AS moved_from," \
    "       (SELECT q.plan_committed_at IS NOT NULL AND NOT EXISTS"     \
    "               (SELECT 1 FROM plan_baseline b"                     \
    "                 WHERE b.quarter = r.quarter AND b.roadmap_item_id = r.id)" \
    "          FROM quarter q WHERE q.name = r.quarter) AS added_after_commit" \
    "  FROM roadmap_item r "

static void
roadmap_from_row (arena_t *a, const PGresult *r, int row, Esc__RoadmapItem *it)
{
    esc__roadmap_item__init (it);
    it->has_id = true;
    it->id = row_int (r, row, "id");
    it->quarter = store_dup_text (a, r, row, "quarter");
    it->title = store_dup_text (a, r, row, "title");
    it->category = store_dup_text (a, r, row, "category");
    it->has_hours = true;
    it->hours = row_int (r, row, "hours");
    it->state = store_dup_text (a, r, row, "state");
    it->n_waiting = store_split_texts (a, row_text (r, row, "waiting"), '\x1f', &it->waiting);
    it->has_actual_hours = !row_null (r, row, "actual_hours");
    it->actual_hours = row_int (r, row, "actual_hours");
    it->has_added_after_commit = true;
    it->added_after_commit = row_bool (r, row, "added_after_commit");
    it->n_moved_from = store_split_texts (a, row_text (r, row, "moved_from"), '\x1f',
                                          &it->moved_from);
}

int
store_roadmap_done (store_t *self, int64_t id, bool has_hours, int64_t hours, const char *actor,
                    esc_error_t *err)
{
    params_t p = { 0 };
    params_int (&p, id);                                /* $1 item id */
    params_opt_int (&p, has_hours, hours);              /* $2 actual hours or NULL */
    params_text (&p, actor);                            /* $3 done by */
    return store_run (self,
        "UPDATE roadmap_item SET state = 'done', actual_hours = coalesce($2, actual_hours),"
        "       done_by = coalesce(done_by, $3), done_at = coalesce(done_at, now())"
        " WHERE id = $1", &p, err);
}

int
store_roadmap_move (store_t *self, int64_t id, const char *from, const char *to,
                    const char *actor, esc_error_t *err)
{
    params_t p = { 0 };
    params_int (&p, id);                                /* $1 item id */
    params_text (&p, from);                             /* $2 its quarter */
    params_text (&p, to);                               /* $3 the later one */
    params_text (&p, actor);                            /* $4 moved by */
    return store_run (self,
        "WITH moved AS (INSERT INTO roadmap_move (roadmap_item_id, from_quarter, to_quarter,"
        "                                        moved_by)"
        "               VALUES ($1, $2, $3, $4) RETURNING roadmap_item_id)"
        " UPDATE roadmap_item SET quarter = $3, state = 'planned'"
        "  WHERE id = (SELECT roadmap_item_id FROM moved)", &p, err);
}

int
store_roadmap_get (store_t *self, arena_t *a, int64_t id, Esc__RoadmapItem **out,
                   esc_error_t *err)
{
    params_t p = { 0 };
    params_int (&p, id);                                /* $1 item id */
    PGresult *r = store_exec_one (self, ROADMAP_QUERY "WHERE r.id = $1", &p, err,
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
store_roadmap_postponer (store_t *self, int64_t id, int64_t *escalation_id, esc_error_t *err)
{
    params_t p = { 0 };
    params_int (&p, id);                                /* $1 item id */
    PGresult *r = store_exec (self,
        "SELECT escalation_id FROM postponement WHERE roadmap_item_id = $1"
        " ORDER BY postponed_at DESC, escalation_id DESC LIMIT 1", &p, err);
    if (!r)
        return -1;
    *escalation_id = PQntuples (r) ? row_int (r, 0, "escalation_id") : 0;
    PQclear (r);
    return 0;
}

int
store_roadmap_lock (store_t *self, arena_t *a, int64_t id, Esc__RoadmapItem **out,
                    esc_error_t *err)
{
    params_t p = { 0 };
    params_int (&p, id);                                /* $1 item id */
    PGresult *r = store_exec_one (self, ROADMAP_QUERY "WHERE r.id = $1 FOR UPDATE OF r", &p, err,
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
store_roadmap_update (store_t *self, const Esc__RoadmapSet *m, esc_error_t *err)
{
    params_t p = { 0 };
    params_int (&p, m->id);                             /* $1 item id */
    params_text (&p, m->title);                         /* $2..$4 new values or NULL */
    params_text (&p, m->category);
    params_opt_int (&p, m->has_hours, m->hours);
    if (store_run (self,
        "UPDATE roadmap_item SET title = coalesce($2, title),"
        "       category = coalesce($3::roadmap_category, category), hours = coalesce($4, hours)"
        " WHERE id = $1", &p, err))
        return -1;
    if (!m->n_waiting && !m->clear_waiting)
        return 0;
    params_t d = { 0 };
    params_int (&d, m->id);                             /* $1 item id */
    return store_run (self, "DELETE FROM roadmap_waiting WHERE roadmap_item_id = $1", &d, err)
        || store_link_accounts (self,
               "INSERT INTO roadmap_waiting (roadmap_item_id, account_id)"
               " SELECT $1, id FROM account WHERE name = $2 ON CONFLICT DO NOTHING",
               m->id, m->waiting, m->n_waiting, err) ? -1 : 0;
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
        PGresult *r = store_exec_one (self,
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

/* ==== An account with what concerns it ================================== */

/* An escalation as a row of an account's detail: what a list's table
 * shows, without the texts. */
static void
escalation_row (arena_t *a, const PGresult *r, int row, Esc__Escalation *e)
{
    esc__escalation__init (e);
    e->has_id = true;
    e->id = row_int (r, row, "id");
    e->quarter = store_dup_text (a, r, row, "quarter");
    e->account = store_dup_text (a, r, row, "account");
    e->title = store_dup_text (a, r, row, "title");
    e->state = store_dup_text (a, r, row, "state");
    e->filed_at = store_dup_text (a, r, row, "filed_at");
    e->has_hours = !row_null (r, row, "hours");
    e->hours = row_int (r, row, "hours");
}

int
store_account_detail (store_t *self, arena_t *a, const char *name, Esc__AccountDetail **out,
                      esc_error_t *err)
{
    int64_t id;
    Esc__AccountDetail *d = arena_alloc (a, sizeof *d);
    esc__account_detail__init (d);
    if (store_account_id (self, name, &id, err)
        || store_account_get (self, a, name, &d->account, err))
        return -1;
    params_t p = { 0 };
    params_int (&p, id);                                /* $1 account id */
    params_int (&p, STORE_DETAIL_MAX);                  /* $2 rows at most */
    /* filed for it, or naming it among the others (by 011's index on
     * (account_id, quarter, id) and 017's on escalation_account) */
    PGresult *r = store_exec (self,
        "SELECT e.id, e.quarter, a.name AS account, e.title, e.state::text AS state, s.hours,"
        "       " UTC_STAMP ("e.filed_at") " AS filed_at, count(*) OVER () AS total"
        "  FROM escalation e JOIN account a ON a.id = e.account_id"
        "  LEFT JOIN sizing s ON s.id = e.sizing_id"
        " WHERE e.id IN (SELECT x.id FROM escalation x WHERE x.account_id = $1"
        "                UNION ALL"
        "                SELECT n.escalation_id FROM escalation_account n"
        "                 WHERE n.account_id = $1)"
        " ORDER BY e.id DESC LIMIT $2", &p, err);
    if (!r)
        return -1;
    d->n_escalations = (size_t) PQntuples (r);
    d->has_escalations_total = true;
    d->escalations_total = d->n_escalations ? row_int (r, 0, "total") : 0;
    ALLOC_MESSAGES (a, Esc__Escalation, esc__escalation__init, d->n_escalations, d->escalations);
    for (size_t i = 0; i < d->n_escalations; i++)
        escalation_row (a, r, (int) i, d->escalations[i]);
    PQclear (r);
    /* the roadmap items it waits for (017's index on roadmap_waiting) */
    r = store_exec (self,
        ROADMAP_QUERY "WHERE r.id IN (SELECT w.roadmap_item_id FROM roadmap_waiting w"
        "                             WHERE w.account_id = $1)"
        " ORDER BY r.id DESC LIMIT $2", &p, err);
    if (!r)
        return -1;
    d->n_waiting_for = (size_t) PQntuples (r);
    ALLOC_MESSAGES (a, Esc__RoadmapItem, esc__roadmap_item__init, d->n_waiting_for,
                    d->waiting_for);
    for (size_t i = 0; i < d->n_waiting_for; i++)
        roadmap_from_row (a, r, (int) i, d->waiting_for[i]);
    PQclear (r);
    params_t q = { 0 };
    params_int (&q, id);                                /* $1 account id */
    r = store_exec (self, "SELECT count(*) AS total FROM roadmap_waiting WHERE account_id = $1",
                    &q, err);
    if (!r)
        return -1;
    d->has_waiting_for_total = true;
    d->waiting_for_total = row_int (r, 0, "total");
    PQclear (r);
    *out = d;
    return 0;
}
