/* desk_report.c: the quarter's scoreboard. The store counts, the
 * scoreboard judges, this puts the two together. */
#include <stdio.h>
#include <string.h>

#include "desk_handlers.h"
#include "scoreboard.h"
#include "validate.h"

/* Shares, verdicts, costs and returns, from the counts. */
static void
judge (Esc__Report *rep)
{
    const Esc__Quarter *q = rep->quarter;
    /* a month is judged against its share of the quarter's capacity */
    int64_t capacity = rep->month ? scoreboard_month_capacity (q->capacity_hours, rep->month,
                                                               q->starts_on, q->ends_on)
                                  : q->capacity_hours;
    quarter_facts_t facts = { .capacity_hours = capacity, .budget_pct = q->budget_pct };
    rep->has_budget_hours = rep->has_oneoff_share_pct = rep->has_tokens_left = true;
    rep->has_judged_capacity_hours = true;
    rep->judged_capacity_hours = capacity;
    rep->budget_hours = workflow_budget_hours (&facts);
    rep->oneoff_share_pct = scoreboard_pct (rep->approved_hours + rep->overridden_hours
                                            + rep->support_hours, capacity);
    rep->verdict = (char *) scoreboard_verdict (rep->oneoff_share_pct);
    rep->n_marks_pct = SCOREBOARD_MARKS;
    rep->marks_pct = (double *) scoreboard_marks;
    rep->tokens_left = q->tokens - q->tokens_spent;
    rep->has_refused_share_pct = true;
    rep->has_demand_multiple = scoreboard_demand_multiple (rep->demand_hours, rep->budget_hours,
                                                           &rep->demand_multiple);
    rep->has_demand_capacity_multiple =
        scoreboard_demand_multiple (rep->demand_hours, capacity, &rep->demand_capacity_multiple);
    rep->refused_share_pct = scoreboard_pct (rep->refused, rep->decided);
    /* referred work left the demand: a share of all that was filed */
    int64_t filed_hours = rep->demand_hours + rep->referred_hours;
    rep->has_referred_share_pct = true;
    rep->referred_share_pct = scoreboard_pct (rep->referred_hours, filed_hours);
    for (size_t i = 0; i < rep->n_referrals; i++) {
        rep->referrals[i]->has_share_pct = true;
        rep->referrals[i]->share_pct = scoreboard_pct (rep->referrals[i]->hours, filed_hours);
    }

    for (size_t i = 0; i < rep->n_mix; i++) {
        Esc__CategoryMix *m = rep->mix[i];
        m->has_share_pct = m->has_target_pct = m->has_at_least = true;
        m->share_pct = scoreboard_pct (m->hours, rep->planned_hours);
        for (int t = 0; t < SCOREBOARD_CATEGORIES; t++)
            if (strcmp (scoreboard_mix[t].category, m->category) == 0) {
                m->target_pct = scoreboard_mix[t].target_pct;
                m->at_least = scoreboard_mix[t].at_least;
                m->verdict = (char *) scoreboard_mix_verdict (&scoreboard_mix[t], m->share_pct);
            }
        if (!m->verdict)
            m->verdict = "";                    /* a category without a target */
    }
    for (size_t i = 0; i < rep->n_oneoffs; i++) {
        Esc__Oneoff *o = rep->oneoffs[i];
        bool meets = false;
        /* the lifetime cost: its hours and every hour of support since */
        o->has_cost = true;
        o->cost = o->lifetime_hours * q->hourly_cost;
        if (o->has_deal_value
            && scoreboard_return (o->deal_value, o->deal && strcmp (o->deal, "lost") == 0,
                                  o->cost, &o->return_multiple, &meets)) {
            o->has_return_multiple = o->has_meets_return = true;
            o->meets_return = meets;
        }
        if (o->has_adopters) {
            o->has_few_adopters = true;
            o->few_adopters = scoreboard_few_adopters (o->adopters);
        }
    }
    for (int set = 0; set < 2; set++) {
        size_t n = set ? rep->n_credit_teams : rep->n_credit_filers;
        Esc__QuotaCredit **credits = set ? rep->credit_teams : rep->credit_filers;
        for (size_t i = 0; i < n; i++)
            scoreboard_credit (credits[i], q->hourly_cost, q->relief_standard_pct,
                               q->relief_oneoff_pct);
    }
    Esc__PlanKept *k = rep->plan_kept;
    if (k && k->committed_at) {
        /* shipped outside the plan, as a share of all that shipped */
        k->has_unplanned_hours = k->has_unplanned_share_pct = true;
        k->unplanned_hours = k->oneoff_hours + k->override_hours + k->added_hours;
        k->unplanned_share_pct = scoreboard_pct (k->unplanned_hours,
                                                 k->unplanned_hours + k->done_hours);
    }
    for (size_t i = 0; i < rep->n_trend; i++) {
        Esc__TrendPoint *t = rep->trend[i];
        t->has_share_pct = true;
        t->share_pct = scoreboard_pct (t->oneoff_hours, t->capacity_hours);
        t->verdict = (char *) scoreboard_verdict (t->share_pct);
    }
}

int
desk_report (desk_call_t *c, esc_error_t *err)
{
    const Esc__ReportRequest *m = c->req->report;
    const char *month = m->month && *m->month ? m->month : NULL, *quarter = NULL;
    if (m->quarter && *m->quarter)
        quarter = m->quarter;
    else if (month && store_quarter_of_month (c->store, c->arena, month, &quarter, err))
        return -1;
    if (desk_quarter (c, quarter, false, &quarter, err))
        return -1;
    Esc__Report *rep = arena_alloc (c->arena, sizeof *rep);
    esc__report__init (rep);
    if (store_quarter_get (c->store, c->arena, quarter, &rep->quarter, err))
        return -1;
    if (month && !scoreboard_month_in (month, rep->quarter->starts_on, rep->quarter->ends_on))
        return esc_fail (err, ESC_INVALID_ARGUMENT, "INVALID_ARGUMENT",
                         "month %s is not in quarter %s (%s to %s)", month, quarter,
                         rep->quarter->starts_on, rep->quarter->ends_on);
    rep->month = (char *) month;
    c->reply->result_case = ESC__REPLY__RESULT_REPORT;
    c->reply->report = rep;
    if (m->has_escalations && m->escalations) {
        /* a page of them: a spreadsheet of a big quarter comes in pages */
        escalation_filter_t f = { .quarter = quarter, .month = month,
                                  .after = m->has_after ? m->after : 0,
                                  .limit = m->has_limit ? m->limit : LIMIT_PAGE_DEFAULT };
        Esc__EscalationList *list;
        if (store_escalation_list (c->store, c->arena, &f, &list, err))
            return -1;
        rep->n_listed = list->n_escalations;
        rep->listed = list->escalations;
        rep->has_listed_total = true;
        rep->listed_total = list->total;
        rep->has_next_after = list->has_next_after;
        rep->next_after = list->next_after;
        return 0;
    }
    if (store_report (c->store, c->arena, quarter, month, rep, err))
        return -1;
    judge (rep);
    return 0;
}
