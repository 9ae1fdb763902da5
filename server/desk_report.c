/* desk_report.c: the quarter's scoreboard. The store counts, the
 * scoreboard judges, this puts the two together. */
#include <stdio.h>
#include <string.h>

#include "desk_handlers.h"
#include "scoreboard.h"

/* The quarter a month falls in: 2026-11 is in 2026Q4. */
static const char *
quarter_of_month (arena_t *a, const char *month)
{
    int m = (month[5] - '0') * 10 + (month[6] - '0');
    return arena_printf (a, "%.4sQ%d", month, (m - 1) / 3 + 1);
}

/* Shares, verdicts, costs and returns, from the counts. */
static void
judge (Esc__Report *rep)
{
    const Esc__Quarter *q = rep->quarter;
    quarter_facts_t facts = { .capacity_hours = q->capacity_hours, .budget_pct = q->budget_pct };
    rep->has_budget_hours = rep->has_oneoff_share_pct = rep->has_tokens_left = true;
    rep->budget_hours = workflow_budget_hours (&facts);
    rep->oneoff_share_pct = scoreboard_pct (rep->approved_hours + rep->overridden_hours,
                                            q->capacity_hours);
    rep->verdict = (char *) scoreboard_verdict (rep->oneoff_share_pct);
    rep->n_marks_pct = SCOREBOARD_MARKS;
    rep->marks_pct = (double *) scoreboard_marks;
    rep->tokens_left = q->tokens - q->tokens_spent;
    rep->has_demand_multiple = rep->has_refused_share_pct = true;
    rep->demand_multiple = scoreboard_demand_multiple (rep->demand_hours, rep->budget_hours);
    rep->refused_share_pct = scoreboard_pct (rep->refused, rep->decided);

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
    }
    for (size_t i = 0; i < rep->n_oneoffs; i++) {
        Esc__Oneoff *o = rep->oneoffs[i];
        bool meets = false;
        o->has_cost = true;
        o->cost = o->hours * q->hourly_cost;
        if (o->has_deal_value) {
            o->has_return_multiple = o->has_meets_return = true;
            o->return_multiple = scoreboard_return (o->deal_value, o->cost, &meets);
            o->meets_return = meets;
        }
        if (o->has_adopters) {
            o->has_few_adopters = true;
            o->few_adopters = scoreboard_few_adopters (o->adopters);
        }
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
    const char *month = m->month && *m->month ? m->month : NULL, *quarter;
    const char *named = m->quarter && *m->quarter ? m->quarter
                      : month ? quarter_of_month (c->arena, month) : NULL;
    if (desk_quarter (c, named, false, &quarter, err))
        return -1;
    if (month && strcmp (quarter_of_month (c->arena, month), quarter) != 0)
        return esc_fail (err, ESC_INVALID_ARGUMENT, "INVALID_ARGUMENT",
                         "month %s is not in quarter %s", month, quarter);
    Esc__Report *rep;
    if (store_report (c->store, c->arena, quarter, month, &rep, err))
        return -1;
    judge (rep);
    c->reply->result_case = ESC__REPLY__RESULT_REPORT;
    c->reply->report = rep;
    return 0;
}
