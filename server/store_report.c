/* store_report.c: the counts and lists of a quarter's scoreboard. See store.h. */
#include "store_impl.h"

/* ==== The scoreboard ==================================================== */

/* The escalations a report counts: the quarter's ($1) filed from $2 up to
 * $3 (a month, or all time). */
#define REPORT_SCOPE " e.quarter = $1 AND e.filed_at >= $2::timestamptz AND e.filed_at < $3::timestamptz "

/* The approved one-offs, and the hours each counts, on the one basis: its
 * actual hours once delivered (delivery d) or stopped (stoppage st), its
 * sized hours before. As quarter_view counts them for the budget
 * (sql/018_real_cost.sql). */
#define ONEOFF_STATES "('approved', 'delivered', 'closed', 'stopped')"
#define ONEOFF_HOURS "coalesce(d.actual_hours, st.actual_hours, s.hours)"
#define ONEOFF_JOINS \
    "  LEFT JOIN delivery d ON d.escalation_id = e.id" \
    "  LEFT JOIN stoppage st ON st.escalation_id = e.id"
/* All the support a one-off (e) has taken so far, in any quarter: with its
 * hours, its lifetime hours, what its cost counts. */
#define ONEOFF_SUPPORT "(SELECT coalesce(sum(sp.hours), 0) FROM support sp WHERE sp.escalation_id = e.id)"
/* Support spent in the report's quarter ($1), in its month when it has one. */
#define SUPPORT_SCOPE " sp.quarter = $1 AND sp.recorded_at >= $2::timestamptz AND sp.recorded_at < $3::timestamptz "
/* The medians of actual over claimed and actual over sized hours, over the
 * delivered one-offs of the rows in scope. */
#define RATIO_MEDIANS \
    "percentile_cont(0.5) WITHIN GROUP (ORDER BY d.actual_hours::float8 / e.claimed_hours)" \
    "  FILTER (WHERE e.claimed_hours IS NOT NULL AND d.actual_hours IS NOT NULL" \
    "          AND e.state IN " ONEOFF_STATES ") AS actual_over_claimed," \
    "percentile_cont(0.5) WITHIN GROUP (ORDER BY d.actual_hours::float8 / s.hours)" \
    "  FILTER (WHERE d.actual_hours IS NOT NULL AND e.state IN " ONEOFF_STATES ")" \
    "  AS actual_over_sized"

/* The quarter's counts and quota credit's figures, by filer and by team,
 * from one pass over its escalations and their sizings grouped by filer
 * (as the raw aggregate reads them); what only the approved one-offs need
 * (their deliveries, stoppages, support, outcomes, the medians) comes from
 * the one-offs alone (few, by the index on quarter and state). Credit:
 * what each filed and asked, the deal value they won, and the lifetime
 * hours of their approved one-offs (the desk prices and credits them). */
static int
report_counts (store_t *self, arena_t *a, const params_t *p, Esc__Report *rep,
               esc_error_t *err)
{
    PGresult *r = store_exec (self,
        /* each row counted once into its (filer, state, sized or not,
         * viable or not) group: the figures below are sums of those few
         * groups, where a filter per figure per escalation made the scan
         * cost a sixth more */
        "WITH g AS ("
        "  SELECT e.filer, e.state, s.id IS NULL AS unsized, coalesce(s.viable, false) AS viable,"
        "         count(*) AS n, sum(s.hours) AS hours"
        "    FROM escalation e LEFT JOIN sizing s ON s.id = e.sizing_id"
        "   WHERE" REPORT_SCOPE
        "   GROUP BY 1, 2, 3, 4),"
        " f AS ("
        "  SELECT filer,"
        "         sum(n) FILTER (WHERE state NOT IN ('merged', 'referred')) AS escalations,"
        "         coalesce(sum(hours) FILTER (WHERE state NOT IN ('merged', 'withdrawn',"
        "                                                         'referred')), 0) AS demand_hours,"
        "         sum(n) FILTER (WHERE state = 'referred') AS referred,"
        "         coalesce(sum(hours) FILTER (WHERE state = 'referred'), 0) AS referred_hours,"
        "         sum(n) FILTER (WHERE unsized AND state IN ('filed', 'returned')) AS unsized,"
        "         sum(n) FILTER (WHERE state IN ('approved', 'delivered', 'closed', 'declined',"
        "                                        'stopped')) AS decided,"
        "         sum(n) FILTER (WHERE state = 'declined') AS refused,"
        "         coalesce(sum(hours) FILTER (WHERE state = 'sized' AND viable), 0) AS pending_hours,"
        "         sum(n) FILTER (WHERE state = 'sized' AND viable) AS queue_count,"
        "         sum(n) FILTER (WHERE state = 'stopped') AS stopped,"
        "         sum(n) FILTER (WHERE state <> 'merged') AS filed,"
        "         coalesce(sum(hours) FILTER (WHERE state <> 'merged'), 0) AS hours_asked"
        "    FROM g GROUP BY filer),"
        " o AS ("
        "  SELECT e.filer,"
        "         coalesce(sum(e.deal_value) FILTER (WHERE oc.deal = 'won'), 0) AS won_value,"
        "         coalesce(sum(" ONEOFF_HOURS " + " ONEOFF_SUPPORT "), 0) AS oneoff_hours"
        "    FROM escalation e JOIN sizing s ON s.id = e.sizing_id" ONEOFF_JOINS
        "    LEFT JOIN outcome oc ON oc.escalation_id = e.id"
        "   WHERE" REPORT_SCOPE "AND e.state IN " ONEOFF_STATES
        "   GROUP BY e.filer)"
        " SELECT f.filer, u.team, grouping(f.filer) = 1 AS is_team,"
        "        grouping(f.filer, u.team) = 3 AS is_total,"
        "        sum(f.escalations) AS escalations, sum(f.demand_hours) AS demand_hours,"
        "        sum(f.referred) AS referred, sum(f.referred_hours) AS referred_hours,"
        "        sum(f.unsized) AS unsized, sum(f.decided) AS decided, sum(f.refused) AS refused,"
        "        sum(f.pending_hours) AS pending_hours, sum(f.queue_count) AS queue_count,"
        "        sum(f.stopped) AS stopped, sum(f.filed) AS filed,"
        "        sum(f.hours_asked) AS hours_asked,"
        "        coalesce(sum(o.won_value), 0) AS won_value,"
        "        coalesce(sum(o.oneoff_hours), 0) AS oneoff_hours"
        "   FROM f JOIN app_user u ON u.name = f.filer LEFT JOIN o ON o.filer = f.filer"
        "  GROUP BY GROUPING SETS ((f.filer, u.team), (u.team), ())"
        "  ORDER BY is_total DESC, is_team, f.filer, u.team NULLS LAST LIMIT 2001", p, err);
    if (!r)
        return -1;
    /* the total first: a quarter with no escalation has only it, of zeros
     * (sums of nothing are NULL: row_int reads them as 0) */
    int rows = PQntuples (r);
#define COUNT(f) (rep->has_##f = true, rep->f = rows ? row_int (r, 0, #f) : 0)
    COUNT (escalations);
    COUNT (demand_hours);
    COUNT (unsized);
    COUNT (decided);
    COUNT (refused);
    COUNT (pending_hours);
    COUNT (queue_count);
    COUNT (stopped);
    COUNT (referred);
    COUNT (referred_hours);
    size_t teams = 0;
    for (int i = 1; i < rows; i++)
        teams += row_bool (r, i, "is_team");
    rep->n_credit_teams = teams;
    rep->n_credit_filers = rows > 1 ? (size_t) rows - 1 - teams : 0;
    ALLOC_MESSAGES (a, Esc__QuotaCredit, esc__quota_credit__init, rep->n_credit_filers,
                    rep->credit_filers);
    ALLOC_MESSAGES (a, Esc__QuotaCredit, esc__quota_credit__init, rep->n_credit_teams,
                    rep->credit_teams);
    for (int row = 1, f = 0, t = 0; row < rows; row++) {
        bool is_team = row_bool (r, row, "is_team");
        Esc__QuotaCredit *q = is_team ? rep->credit_teams[t++] : rep->credit_filers[f++];
        q->name = store_dup_text (a, r, row, is_team ? "team" : "filer");
        q->team = is_team ? NULL : store_dup_text (a, r, row, "team");
        q->has_escalations = q->has_hours_asked = q->has_won_value = q->has_oneoff_hours = true;
        q->escalations = row_int (r, row, "filed");
        q->hours_asked = row_int (r, row, "hours_asked");
        q->won_value = row_int (r, row, "won_value");
        q->oneoff_hours = row_int (r, row, "oneoff_hours");
    }
    PQclear (r);
    r = store_exec (self,
        "SELECT coalesce(sum(" ONEOFF_HOURS ") FILTER (WHERE e.approved_via = 'token'), 0)"
        "         AS approved_hours,"
        "       coalesce(sum(" ONEOFF_HOURS ") FILTER (WHERE e.approved_via = 'override'), 0)"
        "         AS overridden_hours,"
        "       coalesce(sum(st.actual_hours) FILTER (WHERE e.state = 'stopped'), 0) AS stopped_hours,"
        "       (SELECT coalesce(sum(sp.hours), 0) FROM support sp WHERE" SUPPORT_SCOPE ")"
        "         AS support_hours, " RATIO_MEDIANS
        "  FROM escalation e JOIN sizing s ON s.id = e.sizing_id" ONEOFF_JOINS
        " WHERE" REPORT_SCOPE "AND e.state IN " ONEOFF_STATES, p, err);
    if (!r)
        return -1;
    COUNT (approved_hours);
    COUNT (overridden_hours);
    COUNT (stopped_hours);
    COUNT (support_hours);
#undef COUNT
#define RATIO(f) (rep->has_##f = !row_null (r, 0, #f), rep->f = row_double (r, 0, #f))
    RATIO (actual_over_claimed);
    RATIO (actual_over_sized);
#undef RATIO
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
        m->category = store_dup_text (a, r, (int) i, "category");
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
        q->title = store_dup_text (a, r, row, "title");
        q->account = store_dup_text (a, r, row, "account");
        q->hours = row_int (r, row, "hours");
        q->customers = row_int (r, row, "customers");
        q->renewal_arr = row_int (r, row, "renewal_arr");
        q->filed_at = store_dup_text (a, r, row, "filed_at");
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
            pp->title = store_dup_text (a, r, i, "title");
            pp->category = store_dup_text (a, r, i, "category");
            pp->hours = row_int (r, i, "hours");
            pp->escalation_id = row_int (r, i, "escalation_id");
            pp->escalation_title = store_dup_text (a, r, i, "escalation_title");
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
        wa->name = store_dup_text (a, r, i, "account");
        wa->has_arr = true;
        wa->arr = row_int (r, i, "arr");
        wa->renewal_on = store_dup_text (a, r, i, "renewal_on");
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
        "SELECT e.id, e.title, acc.name AS account, " ONEOFF_HOURS " AS hours,"
        "       o.overridden_by, o.reason, " UTC_STAMP ("o.overridden_at") " AS at"
        "  FROM override o JOIN escalation e ON e.id = o.escalation_id"
        "  JOIN account acc ON acc.id = e.account_id"
        "  JOIN sizing s ON s.id = e.sizing_id" ONEOFF_JOINS
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
        o->title = store_dup_text (a, r, row, "title");
        o->account = store_dup_text (a, r, row, "account");
        o->hours = row_int (r, row, "hours");
        o->by = store_dup_text (a, r, row, "overridden_by");
        o->reason = store_dup_text (a, r, row, "reason");
        o->at = store_dup_text (a, r, row, "at");
    }
    PQclear (r);
    return 0;
}

/* Approved one-offs, with what they cost in hours (actual once delivered
 * or stopped) and what they brought, and the CRO's note on the spend; cost
 * and return are the desk's to work out. */
static int
report_oneoffs (store_t *self, arena_t *a, const params_t *p, Esc__Report *rep,
                esc_error_t *err)
{
    PGresult *r = store_exec (self,
        "SELECT e.id, e.title, acc.name AS account, e.approved_via AS via,"
        "       " ONEOFF_HOURS " AS hours, e.deal_value,"
        "       oc.deal::text AS deal, oc.adopters, e.state::text AS state, t.note,"
        "       e.claimed_hours, s.hours AS sized_hours,"
        "       coalesce(d.actual_hours, st.actual_hours) AS actual_hours,"
        "       " ONEOFF_SUPPORT " AS support_hours"
        "  FROM escalation e JOIN account acc ON acc.id = e.account_id"
        "  JOIN sizing s ON s.id = e.sizing_id" ONEOFF_JOINS
        "  LEFT JOIN outcome oc ON oc.escalation_id = e.id"
        "  LEFT JOIN token_spend t ON t.escalation_id = e.id"
        " WHERE" REPORT_SCOPE "AND e.state IN " ONEOFF_STATES
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
        o->title = store_dup_text (a, r, row, "title");
        o->account = store_dup_text (a, r, row, "account");
        o->via = store_dup_text (a, r, row, "via");
        o->hours = row_int (r, row, "hours");
        o->has_deal_value = !row_null (r, row, "deal_value");
        o->deal_value = row_int (r, row, "deal_value");
        o->deal = store_dup_text (a, r, row, "deal");
        o->has_adopters = !row_null (r, row, "adopters");
        o->adopters = row_int (r, row, "adopters");
        o->state = store_dup_text (a, r, row, "state");
        o->note = store_dup_text (a, r, row, "note");
#define HOURS(f) (o->has_##f = !row_null (r, row, #f), o->f = row_int (r, row, #f))
        HOURS (claimed_hours);
        HOURS (sized_hours);
        HOURS (actual_hours);
        HOURS (support_hours);
#undef HOURS
        o->has_lifetime_hours = true;
        o->lifetime_hours = o->hours + o->support_hours;
    }
    PQclear (r);
    return 0;
}

/* Was the plan kept? The baseline frozen at the commit against what became
 * of each item (hours as planned then); what shipped outside the plan; the
 * items carried more than once. The whole quarter ($1), month or not. */
static int
report_plan_kept (store_t *self, arena_t *a, const char *quarter, Esc__Report *rep,
                  esc_error_t *err)
{
    params_t p = { 0 };
    params_text (&p, quarter);                          /* $1 quarter */
    PGresult *r = store_exec (self,
        "SELECT " UTC_STAMP ("q.plan_committed_at") " AS committed_at,"
        "       count(b.roadmap_item_id) AS baseline_items,"
        "       coalesce(sum(b.hours), 0) AS baseline_hours,"
        "       coalesce(sum(b.hours) FILTER (WHERE r.quarter = q.name AND r.state = 'done'), 0)"
        "         AS done_hours,"
        "       coalesce(sum(b.hours) FILTER (WHERE r.quarter <> q.name OR r.state = 'postponed'), 0)"
        "         AS postponed_hours,"
        "       coalesce(sum(b.hours) FILTER (WHERE r.quarter = q.name AND r.state = 'planned'), 0)"
        "         AS open_hours,"
        "       (SELECT coalesce(sum(d.actual_hours) FILTER (WHERE e.approved_via = 'token'), 0)"
        "          FROM escalation e JOIN delivery d ON d.escalation_id = e.id"
        "         WHERE e.quarter = q.name) AS oneoff_hours,"
        "       (SELECT coalesce(sum(d.actual_hours) FILTER (WHERE e.approved_via = 'override'), 0)"
        "          FROM escalation e JOIN delivery d ON d.escalation_id = e.id"
        "         WHERE e.quarter = q.name) AS override_hours,"
        "       (SELECT coalesce(sum(coalesce(x.actual_hours, x.hours)), 0) FROM roadmap_item x"
        "         WHERE x.quarter = q.name AND x.state = 'done' AND NOT EXISTS"
        "               (SELECT 1 FROM plan_baseline bx"
        "                 WHERE bx.quarter = q.name AND bx.roadmap_item_id = x.id)) AS added_hours"
        "  FROM quarter q LEFT JOIN plan_baseline b ON b.quarter = q.name"
        "  LEFT JOIN roadmap_item r ON r.id = b.roadmap_item_id"
        " WHERE q.name = $1 GROUP BY q.name, q.plan_committed_at", &p, err);
    if (!r)
        return -1;
    Esc__PlanKept *k = arena_alloc (a, sizeof *k);
    esc__plan_kept__init (k);
    rep->plan_kept = k;
    k->committed_at = store_dup_text (a, r, 0, "committed_at");
    if (k->committed_at) {
#define FIGURE(f) (k->has_##f = true, k->f = row_int (r, 0, #f))
        FIGURE (baseline_items);
        FIGURE (baseline_hours);
        FIGURE (done_hours);
        FIGURE (postponed_hours);
        FIGURE (open_hours);
        FIGURE (oneoff_hours);
        FIGURE (override_hours);
        FIGURE (added_hours);
#undef FIGURE
    }
    PQclear (r);
    r = store_exec (self,
        "SELECT r.id, r.title, r.quarter, count(*) AS times,"
        "       string_agg(m.from_quarter, E'\\x1f' ORDER BY m.from_quarter) AS moved_from,"
        "       (SELECT coalesce(sum(acc.arr), 0) FROM roadmap_waiting w"
        "          JOIN account acc ON acc.id = w.account_id"
        "         WHERE w.roadmap_item_id = r.id) AS arr_waiting"
        "  FROM roadmap_item r JOIN roadmap_move m ON m.roadmap_item_id = r.id"
        " GROUP BY r.id HAVING count(*) > 1 AND (r.quarter = $1 OR bool_or(m.from_quarter = $1))"
        " ORDER BY count(*) DESC, r.id LIMIT 100", &p, err);
    if (!r)
        return -1;
    k->n_carried = (size_t) PQntuples (r);
    ALLOC_MESSAGES (a, Esc__CarriedItem, esc__carried_item__init, k->n_carried, k->carried);
    for (size_t i = 0; i < k->n_carried; i++) {
        Esc__CarriedItem *x = k->carried[i];
        int row = (int) i;
        x->has_roadmap_item = x->has_quarters_waiting = x->has_arr_waiting = true;
        x->roadmap_item = row_int (r, row, "id");
        x->title = store_dup_text (a, r, row, "title");
        x->quarter = store_dup_text (a, r, row, "quarter");
        x->quarters_waiting = row_int (r, row, "times");
        x->arr_waiting = row_int (r, row, "arr_waiting");
        x->n_moved_from = store_split_texts (a, row_text (r, row, "moved_from"), '\x1f',
                                             &x->moved_from);
    }
    PQclear (r);
    return 0;
}

/* Escalations referred to services partners, by partner. */
static int
report_referrals (store_t *self, arena_t *a, const params_t *p, Esc__Report *rep,
                  esc_error_t *err)
{
    PGresult *r = store_exec (self,
        "SELECT pt.name, count(*) AS escalations, coalesce(sum(s.hours), 0) AS hours"
        "  FROM escalation e JOIN referral rf ON rf.escalation_id = e.id"
        "  JOIN partner pt ON pt.id = rf.partner_id"
        "  LEFT JOIN sizing s ON s.id = e.sizing_id"
        " WHERE" REPORT_SCOPE
        " GROUP BY pt.name ORDER BY hours DESC, pt.name LIMIT 1000", p, err);
    if (!r)
        return -1;
    rep->n_referrals = (size_t) PQntuples (r);
    ALLOC_MESSAGES (a, Esc__PartnerShare, esc__partner_share__init, rep->n_referrals,
                    rep->referrals);
    for (size_t i = 0; i < rep->n_referrals; i++) {
        Esc__PartnerShare *x = rep->referrals[i];
        x->partner = store_dup_text (a, r, (int) i, "name");
        x->has_escalations = x->has_hours = true;
        x->escalations = row_int (r, (int) i, "escalations");
        x->hours = row_int (r, (int) i, "hours");
    }
    PQclear (r);
    return 0;
}

/* Support of past one-offs spent in the quarter (its month), by one-off. */
static int
report_support (store_t *self, arena_t *a, const params_t *p, Esc__Report *rep,
                esc_error_t *err)
{
    PGresult *r = store_exec (self,
        "SELECT e.id, e.title, e.quarter, sum(sp.hours) AS hours"
        "  FROM support sp JOIN escalation e ON e.id = sp.escalation_id"
        " WHERE" SUPPORT_SCOPE
        " GROUP BY e.id ORDER BY e.id LIMIT 1000", p, err);
    if (!r)
        return -1;
    rep->n_support = (size_t) PQntuples (r);
    ALLOC_MESSAGES (a, Esc__SupportEntry, esc__support_entry__init, rep->n_support, rep->support);
    for (size_t i = 0; i < rep->n_support; i++) {
        Esc__SupportEntry *x = rep->support[i];
        int row = (int) i;
        x->has_escalation_id = x->has_hours = true;
        x->escalation_id = row_int (r, row, "id");
        x->title = store_dup_text (a, r, row, "title");
        x->quarter = store_dup_text (a, r, row, "quarter");
        x->hours = row_int (r, row, "hours");
    }
    PQclear (r);
    return 0;
}

/* The one-off hours and capacity of the last six quarters, oldest first,
 * with the medians of actual over claimed and over sized hours (over the
 * one-offs alone: the medians count nothing else). */
static int
report_trend (store_t *self, arena_t *a, const char *quarter, Esc__Report *rep,
              esc_error_t *err)
{
    params_t p = { 0 };
    params_text (&p, quarter);                          /* $1 the last quarter */
    PGresult *r = store_exec (self,
        "SELECT v.name, v.capacity_hours, v.committed_hours, m.*"
        "  FROM quarter_view v CROSS JOIN LATERAL ("
        "       SELECT " RATIO_MEDIANS
        "         FROM escalation e JOIN sizing s ON s.id = e.sizing_id" ONEOFF_JOINS
        "        WHERE e.quarter = v.name AND e.state IN " ONEOFF_STATES ") m"
        " WHERE v.name <= $1 ORDER BY v.name DESC LIMIT 6", &p, err);
    if (!r)
        return -1;
    size_t n = (size_t) PQntuples (r);
    rep->n_trend = n;
    ALLOC_MESSAGES (a, Esc__TrendPoint, esc__trend_point__init, n, rep->trend);
    for (size_t i = 0; i < n; i++) {
        Esc__TrendPoint *t = rep->trend[n - 1 - i];
        t->quarter = store_dup_text (a, r, (int) i, "name");
        t->has_oneoff_hours = t->has_capacity_hours = true;
        t->oneoff_hours = row_int (r, (int) i, "committed_hours");
        t->capacity_hours = row_int (r, (int) i, "capacity_hours");
        t->has_actual_over_claimed = !row_null (r, (int) i, "actual_over_claimed");
        t->actual_over_claimed = row_double (r, (int) i, "actual_over_claimed");
        t->has_actual_over_sized = !row_null (r, (int) i, "actual_over_sized");
        t->actual_over_sized = row_double (r, (int) i, "actual_over_sized");
    }
    PQclear (r);
    return 0;
}

int
store_report (store_t *self, arena_t *a, const char *quarter, const char *month,
              Esc__Report *rep, esc_error_t *err)
{
    char from[32], to[32];
    store_month_range (month, from, to);
    params_t p = { 0 };
    params_text (&p, quarter);                          /* $1 quarter */
    params_text (&p, from);                             /* $2 filed from */
    params_text (&p, to);                               /* $3 filed before */
    /* Its statements are planned for the quarter and month at hand, at
     * every run: a plan kept for any of them (PostgreSQL keeps one after
     * five runs) is made for a few thousand rows, and over a million
     * escalations took twice as long (index probes for every row,
     * a sort spilled to disk). Planning costs milliseconds here; for the
     * statements escd runs most (a show, a filing), it would cost more
     * than running them. */
    if (store_command (self, "SET LOCAL plan_cache_mode = force_custom_plan", err))
        return -1;
    PGresult *now = store_exec (self, "SELECT " UTC_STAMP ("now()") " AS now", NULL, err);
    if (!now)
        return -1;
    rep->generated_at = store_dup_text (a, now, 0, "now");
    PQclear (now);
    if (report_counts (self, a, &p, rep, err)
        || report_mix (self, a, quarter, rep, err)
        || report_queue (self, a, &p, rep, err)
        || report_postponed (self, a, &p, rep, err)
        || report_overrides (self, a, &p, rep, err)
        || report_oneoffs (self, a, &p, rep, err)
        || report_support (self, a, &p, rep, err)
        || report_plan_kept (self, a, quarter, rep, err)
        || report_referrals (self, a, &p, rep, err)
        || report_trend (self, a, quarter, rep, err))
        return -1;
    return 0;
}
