/* report.c: the scoreboard as text, JSON, HTML and CSV. See report.h. */
#include "report.h"

#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "colour.h"
#include "csv.h"
#include "figures.h"
#include "pages.h"
#include "render.h"
#include "text.h"

/* ==== Running ============================================================= */

#define MIX_MAX 8       /* categories a report may hold */
#define MARKS_MAX 8     /* marks on the share's scale, each within 0 to 40 % */

/* What the renderers take for granted of escd's report: its quarter, its
 * verdicts, and few enough categories and marks to draw. */
static bool
report_drawable (const Esc__Report *r)
{
    if (!r || !r->quarter || !r->quarter->name || !r->quarter->state || !r->quarter->starts_on
        || !r->quarter->ends_on || !r->generated_at || !r->verdict || r->n_mix > MIX_MAX
        || r->n_marks_pct > MARKS_MAX)
        return false;
    for (size_t i = 0; i < r->n_marks_pct; i++)
        if (!(r->marks_pct[i] > 0 && r->marks_pct[i] < 40))
            return false;
    for (size_t i = 0; i < r->n_mix; i++)
        if (!r->mix[i]->category || !r->mix[i]->verdict)
            return false;
    for (size_t i = 0; i < r->n_trend; i++)
        if (!r->trend[i]->quarter || !r->trend[i]->verdict)
            return false;
    return true;
}

/* ---- CSV: the quarter's escalations, a page at a time --------------------*/

static void
ask_csv_page (void *arg, const page_start_t *at, Esc__Request *req, arena_t *m)
{
    const Esc__ReportRequest *base = arg;
    Esc__ReportRequest *rr = arena_alloc (m, sizeof *rr);
    esc__report_request__init (rr);
    rr->quarter = base->quarter;
    rr->month = base->month;
    rr->has_escalations = rr->escalations = true;
    rr->has_limit = true;
    rr->limit = 1000;
    rr->has_after = at->after > 0;
    rr->after = at->after;
    req->op_case = ESC__REQUEST__OP_REPORT;
    req->report = rr;
}

static bool
take_csv_page (const Esc__Reply *reply, page_t *page)
{
    const Esc__Report *r = reply->report;
    if (reply->result_case != ESC__REPLY__RESULT_REPORT || !r)
        return false;
    *page = (page_t) { .escalations = r->listed, .n = r->n_listed, .total = r->listed_total,
                       .more = r->has_next_after, .next_after = r->next_after };
    return true;
}

static int
write_csv_page (void *arg, const page_t *page, bool first, bool last)
{
    (void) arg;
    report_csv (stdout, page->escalations, page->n, first);
    return fflush (stdout) != 0 ? EXIT_DONE : last ? EXIT_DONE : -1;
}

/* ---- The command ---------------------------------------------------------*/

int
report_run (const session_t *s, const args_t *a, const char *user, const keypair_t *kp)
{
    (void) user;
    const char *format = args_text (a, "format");
    const char *quarter = args_text (a, "quarter"), *month = args_text (a, "month");
    if (!format)
        format = s->json ? "json" : "text";
    static const char *const formats[] = { "text", "json", "html", "csv" };
    size_t f = 0;
    while (f < 4 && strcmp (format, formats[f]) != 0)
        f++;
    if (f == 4) {
        fprintf (stderr, "esc report: --format takes text, json, html or csv, not '%s'\n", format);
        return EXIT_USAGE;
    }
    Esc__Request req = ESC__REQUEST__INIT;
    Esc__ReportRequest rr = ESC__REPORT_REQUEST__INIT;
    rr.quarter = (char *) quarter;
    rr.month = (char *) month;
    if (strcmp (format, "csv") == 0) {
        /* the escalations, not the figures: page after page */
        pager_t p = { .ask = ask_csv_page, .take = take_csv_page, .each = write_csv_page,
                      .arg = &rr };
        return pages_run (s, kp, &p, (page_start_t) { 0 }, true);
    }
    rr.has_escalations = true;
    req.op_case = ESC__REQUEST__OP_REPORT;
    req.report = &rr;
    int rc;
    Esc__Reply *reply = session_call (s, kp, &req, &rc);
    if (!reply)
        return rc;
    if (reply->result_case != ESC__REPLY__RESULT_REPORT || !report_drawable (reply->report)) {
        fprintf (stderr, "esc: BAD_REPLY: escd's report is not one this esc can show "
                 "(a different version?)\n");
        esc__reply__free_unpacked (reply, NULL);
        return EXIT_REFUSED;
    }
    if (strcmp (format, "json") == 0) {
        json_t j;
        json_init (&j);
        report_json (&j, reply->report);
        printf ("%s\n", json_text (&j));
        json_release (&j);
    }
    else if (strcmp (format, "html") == 0)
        report_html (stdout, reply->report);
    else {
        report_text (stdout, reply->report, colour_wanted (stdout));
    }
    esc__reply__free_unpacked (reply, NULL);
    return EXIT_DONE;
}

/* "0.9x the one-off budget", or that there is none to measure against. */
static const char *
demand_text (const Esc__Report *r, char *buf, size_t len)
{
    size_t used = 0;
    if (!r->has_demand_multiple)
        used = (size_t) snprintf (buf, len, "no one-off budget to measure it against");
    else
        used = (size_t) snprintf (buf, len, "%.1fx the one-off budget", r->demand_multiple);
    if (r->has_demand_capacity_multiple && used < len)
        snprintf (buf + used, len - used, ", %.2fx the whole capacity",
                  r->demand_capacity_multiple);
    return buf;
}

/* "1.4x", or "-" when there is nothing to measure (into BUF, 32 bytes). */
static const char *
ratio_text (bool has, double v, char *buf)
{
    if (!has)
        return "-";
    snprintf (buf, 32, "%.2fx", v);
    return buf;
}

/* ==== JSON: every figure ================================================== */

static void
credits_json (json_t *j, const char *key, Esc__QuotaCredit *const *c, size_t n)
{
    json_key (j, key);
    json_array_begin (j);
    for (size_t i = 0; i < n; i++) {
        json_object_begin (j);
        json_kv_string (j, "name", c[i]->name);
        if (strcmp (key, "filers") == 0)
            json_kv_string (j, "team", c[i]->team);
        json_kv_int (j, "escalations", c[i]->escalations);
        json_kv_int (j, "hours_asked", c[i]->hours_asked);
        json_kv_int (j, "won_value", c[i]->won_value);
        json_kv_int (j, "standard_credit", c[i]->standard_credit);
        json_kv_int (j, "oneoff_hours", c[i]->oneoff_hours);
        json_kv_int (j, "oneoff_cost", c[i]->oneoff_cost);
        json_kv_int (j, "oneoff_credit", c[i]->oneoff_credit);
        json_kv_int (j, "total", c[i]->total);
        json_object_end (j);
    }
    json_array_end (j);
}

static void
plan_kept_json (json_t *j, const Esc__PlanKept *k)
{
    json_key (j, "plan_kept");
    json_object_begin (j);
    json_kv_string (j, "committed_at", k ? k->committed_at : NULL);
    if (k && k->committed_at) {
        json_kv_int (j, "baseline_items", k->baseline_items);
        json_kv_int (j, "baseline_hours", k->baseline_hours);
        json_kv_int (j, "done_hours", k->done_hours);
        json_kv_int (j, "postponed_hours", k->postponed_hours);
        json_kv_int (j, "open_hours", k->open_hours);
        json_kv_int (j, "oneoff_hours", k->oneoff_hours);
        json_kv_int (j, "override_hours", k->override_hours);
        json_kv_int (j, "added_hours", k->added_hours);
        json_kv_int (j, "unplanned_hours", k->unplanned_hours);
        json_kv_double (j, "unplanned_share_pct", k->unplanned_share_pct);
    }
    json_key (j, "carried");
    json_array_begin (j);
    for (size_t i = 0; k && i < k->n_carried; i++) {
        const Esc__CarriedItem *x = k->carried[i];
        json_object_begin (j);
        json_kv_int (j, "roadmap_item", x->roadmap_item);
        json_kv_string (j, "title", x->title);
        json_kv_string (j, "quarter", x->quarter);
        json_kv_strings (j, "moved_from", x->moved_from, x->n_moved_from);
        json_kv_int (j, "quarters_waiting", x->quarters_waiting);
        json_kv_int (j, "arr_waiting", x->arr_waiting);
        json_object_end (j);
    }
    json_array_end (j);
    json_object_end (j);
}

void
report_json (json_t *j, const Esc__Report *r)
{
    const Esc__Quarter *q = r->quarter;
    json_object_begin (j);
    json_kv_string (j, "quarter", q->name);
    json_kv_string (j, "state", q->state);
    json_kv_string (j, "starts_on", q->starts_on);
    json_kv_string (j, "ends_on", q->ends_on);
    json_kv_string (j, "month", r->month);
    json_kv_string (j, "generated_at", r->generated_at);
    json_kv_int (j, "capacity_hours", q->capacity_hours);
    json_kv_int (j, "hourly_cost", q->hourly_cost);

    json_key (j, "plan");
    json_object_begin (j);
    json_kv_int (j, "planned_hours", r->planned_hours);
    json_kv_int (j, "postponed_hours", r->postponed_hours);
    json_key (j, "mix");
    json_array_begin (j);
    for (size_t i = 0; i < r->n_mix; i++) {
        const Esc__CategoryMix *m = r->mix[i];
        json_object_begin (j);
        json_kv_string (j, "category", m->category);
        json_kv_int (j, "hours", m->hours);
        json_kv_double (j, "share_pct", m->share_pct);
        json_kv_double (j, "target_pct", m->target_pct);
        json_kv_bool (j, "at_least", m->at_least);
        json_kv_string (j, "verdict", m->verdict);
        json_object_end (j);
    }
    json_array_end (j);
    json_object_end (j);

    plan_kept_json (j, r->plan_kept);

    json_key (j, "oneoffs");
    json_object_begin (j);
    json_kv_int (j, "budget_pct", q->budget_pct);
    json_kv_int (j, "budget_hours", r->budget_hours);
    json_kv_int (j, "approved_hours", r->approved_hours);
    json_kv_int (j, "overridden_hours", r->overridden_hours);
    json_kv_int (j, "stopped", r->stopped);
    json_kv_int (j, "stopped_hours", r->stopped_hours);
    json_kv_int (j, "support_hours", r->support_hours);
    json_kv_int (j, "pending_hours", r->pending_hours);
    json_kv_int (j, "judged_capacity_hours", r->judged_capacity_hours);
    json_kv_double (j, "share_pct", r->oneoff_share_pct);
    json_key (j, "marks_pct");
    json_array_begin (j);
    for (size_t i = 0; i < r->n_marks_pct; i++)
        json_int (j, (int64_t) r->marks_pct[i]);
    json_array_end (j);
    json_kv_string (j, "verdict", r->verdict);
    json_kv_int (j, "tokens", q->tokens);
    json_kv_int (j, "tokens_left", r->tokens_left);
    json_kv_int (j, "max_token_hours", q->max_token_hours);
    json_object_end (j);

    json_key (j, "demand");
    json_object_begin (j);
    json_kv_int (j, "escalations", r->escalations);
    json_kv_int (j, "sized_hours", r->demand_hours);
    json_kv_int (j, "unsized", r->unsized);
    json_kv_opt_double (j, "budget_multiple", r->has_demand_multiple, r->demand_multiple);
    json_kv_opt_double (j, "capacity_multiple", r->has_demand_capacity_multiple,
                        r->demand_capacity_multiple);
    json_kv_int (j, "decided", r->decided);
    json_kv_int (j, "refused", r->refused);
    json_kv_double (j, "refused_share_pct", r->refused_share_pct);
    json_object_end (j);

    json_key (j, "referred");
    json_object_begin (j);
    json_kv_int (j, "escalations", r->referred);
    json_kv_int (j, "hours", r->referred_hours);
    json_kv_double (j, "share_pct", r->referred_share_pct);
    json_key (j, "partners");
    json_array_begin (j);
    for (size_t i = 0; i < r->n_referrals; i++) {
        const Esc__PartnerShare *x = r->referrals[i];
        json_object_begin (j);
        json_kv_string (j, "partner", x->partner);
        json_kv_int (j, "escalations", x->escalations);
        json_kv_int (j, "hours", x->hours);
        json_kv_double (j, "share_pct", x->share_pct);
        json_object_end (j);
    }
    json_array_end (j);
    json_object_end (j);

    json_key (j, "queue");
    json_object_begin (j);
    json_kv_int (j, "count", r->queue_count);
    json_key (j, "first");
    json_array_begin (j);
    for (size_t i = 0; i < r->n_queue; i++) {
        const Esc__QueueEntry *e = r->queue[i];
        json_object_begin (j);
        json_kv_int (j, "id", e->id);
        json_kv_string (j, "title", e->title);
        json_kv_string (j, "account", e->account);
        json_kv_int (j, "hours", e->hours);
        json_kv_int (j, "customers", e->customers);
        json_kv_int (j, "renewal_arr", e->renewal_arr);
        json_kv_string (j, "filed_at", e->filed_at);
        json_object_end (j);
    }
    json_array_end (j);
    json_object_end (j);

    json_key (j, "postponed");
    json_object_begin (j);
    json_kv_int (j, "arr_waiting", r->arr_waiting);
    json_key (j, "items");
    json_array_begin (j);
    for (size_t i = 0; i < r->n_postponed; i++) {
        const Esc__Postponement *p = r->postponed[i];
        json_object_begin (j);
        json_kv_int (j, "roadmap_item", p->roadmap_item);
        json_kv_string (j, "title", p->title);
        json_kv_string (j, "category", p->category);
        json_kv_int (j, "hours", p->hours);
        json_kv_int (j, "for_escalation", p->escalation_id);
        json_kv_string (j, "escalation_title", p->escalation_title);
        json_key (j, "waiting");
        json_array_begin (j);
        for (size_t w = 0; w < p->n_waiting; w++) {
            json_object_begin (j);
            json_kv_string (j, "account", p->waiting[w]->name);
            json_kv_int (j, "arr", p->waiting[w]->arr);
            json_kv_string (j, "renewal_on", p->waiting[w]->renewal_on);
            json_object_end (j);
        }
        json_array_end (j);
        json_object_end (j);
    }
    json_array_end (j);
    json_object_end (j);

    json_key (j, "overrides");
    json_array_begin (j);
    for (size_t i = 0; i < r->n_overrides; i++) {
        const Esc__OverrideEntry *o = r->overrides[i];
        json_object_begin (j);
        json_kv_int (j, "escalation", o->escalation_id);
        json_kv_string (j, "title", o->title);
        json_kv_string (j, "account", o->account);
        json_kv_int (j, "hours", o->hours);
        json_kv_string (j, "by", o->by);
        json_kv_string (j, "reason", o->reason);
        json_kv_string (j, "at", o->at);
        json_object_end (j);
    }
    json_array_end (j);

    json_key (j, "returns");
    json_array_begin (j);
    for (size_t i = 0; i < r->n_oneoffs; i++) {
        const Esc__Oneoff *o = r->oneoffs[i];
        json_object_begin (j);
        json_kv_int (j, "escalation", o->escalation_id);
        json_kv_string (j, "title", o->title);
        json_kv_string (j, "account", o->account);
        json_kv_string (j, "via", o->via);
        json_kv_int (j, "hours", o->hours);
        json_kv_int (j, "cost", o->cost);
        json_kv_opt_int (j, "deal_value", o->has_deal_value, o->deal_value);
        json_kv_opt_double (j, "return_multiple", o->has_return_multiple, o->return_multiple);
        json_kv_opt_bool (j, "meets_3x", o->has_meets_return, o->meets_return);
        json_kv_string (j, "deal", o->deal);
        json_kv_opt_int (j, "adopters", o->has_adopters, o->adopters);
        json_kv_opt_bool (j, "few_adopters", o->has_few_adopters, o->few_adopters);
        json_kv_string (j, "state", o->state);
        json_kv_string (j, "note", o->note);
        json_kv_opt_int (j, "claimed_hours", o->has_claimed_hours, o->claimed_hours);
        json_kv_opt_int (j, "sized_hours", o->has_sized_hours, o->sized_hours);
        json_kv_opt_int (j, "actual_hours", o->has_actual_hours, o->actual_hours);
        json_kv_int (j, "support_hours", o->support_hours);
        json_kv_int (j, "lifetime_hours", o->lifetime_hours);
        json_object_end (j);
    }
    json_array_end (j);

    json_key (j, "real_cost");
    json_object_begin (j);
    json_kv_opt_double (j, "actual_over_claimed", r->has_actual_over_claimed,
                        r->actual_over_claimed);
    json_kv_opt_double (j, "actual_over_sized", r->has_actual_over_sized, r->actual_over_sized);
    json_key (j, "support");
    json_array_begin (j);
    for (size_t i = 0; i < r->n_support; i++) {
        const Esc__SupportEntry *x = r->support[i];
        json_object_begin (j);
        json_kv_int (j, "escalation", x->escalation_id);
        json_kv_string (j, "title", x->title);
        json_kv_string (j, "quarter", x->quarter);
        json_kv_int (j, "hours", x->hours);
        json_object_end (j);
    }
    json_array_end (j);
    json_object_end (j);

    json_key (j, "quota_credit");
    json_object_begin (j);
    json_kv_int (j, "relief_standard_pct", q->relief_standard_pct);
    json_kv_int (j, "relief_oneoff_pct", q->relief_oneoff_pct);
    credits_json (j, "filers", r->credit_filers, r->n_credit_filers);
    credits_json (j, "teams", r->credit_teams, r->n_credit_teams);
    json_object_end (j);

    json_key (j, "trend");
    json_array_begin (j);
    for (size_t i = 0; i < r->n_trend; i++) {
        const Esc__TrendPoint *t = r->trend[i];
        json_object_begin (j);
        json_kv_string (j, "quarter", t->quarter);
        json_kv_int (j, "oneoff_hours", t->oneoff_hours);
        json_kv_int (j, "capacity_hours", t->capacity_hours);
        json_kv_double (j, "share_pct", t->share_pct);
        json_kv_string (j, "verdict", t->verdict);
        json_kv_opt_double (j, "actual_over_claimed", t->has_actual_over_claimed,
                            t->actual_over_claimed);
        json_kv_opt_double (j, "actual_over_sized", t->has_actual_over_sized,
                            t->actual_over_sized);
        json_object_end (j);
    }
    json_array_end (j);
    json_object_end (j);
}

/* ==== Text for a terminal ================================================= */


/* The colour of a verdict: green when healthy, yellow coping or strained,
 * red beyond. */
static const char *
verdict_colour (const char *verdict)
{
    if (!verdict || strcmp (verdict, "healthy") == 0 || strcmp (verdict, "ok") == 0)
        return COLOUR_GREEN;
    if (strcmp (verdict, "coping") == 0 || strcmp (verdict, "strained") == 0)
        return COLOUR_YELLOW;
    return COLOUR_RED;
}

#define LABEL_WIDTH 24

/* Typed text S in a column WIDTH characters wide, shown on one line as
 * text_write shows it, padded with spaces when shorter and, when CUT, cut
 * at a character's edge when longer (UTF-8, one column a character). */
static void
column (FILE *out, const char *typed, int width, bool cut)
{
    char *shown = text_shown (typed, NULL);
    int used = 0;
    for (const char *s = shown; *s && (used < width || !cut); used++) {
        const char *next = s + 1;
        while ((*next & 0xC0) == 0x80)          /* continuation bytes */
            next++;
        fwrite (s, 1, (size_t) (next - s), out);
        s = next;
    }
    fprintf (out, "%*s", used < width ? width - used : 0, "");
    free (shown);
}

/* "  LABEL  12.3 % [#####...|..|..|....]": a share against the marks, one
 * character a point from 0 to 40 %. */
static void
share_line (FILE *out, const char *label, double share, const double *marks, size_t n)
{
    char bar[42];
    for (int i = 0; i <= 40; i++) {
        bool mark = false;
        for (size_t m = 0; m < n; m++)
            mark |= (int) marks[m] == i;
        bar[i] = i < share ? '#' : mark ? '|' : '.';
    }
    bar[41] = '\0';
    fprintf (out, "  %-*s %6.1f %% [%s]%s", LABEL_WIDTH, label, share, bar, share > 40 ? ">" : " ");
}

/* The labels under a share line: the marks, and 0 and 40. */
static void
scale_line (FILE *out, const double *marks, size_t n)
{
    char under[48];
    memset (under, ' ', sizeof under);
    int end = 0;
    for (size_t m = 0; m <= n + 1; m++) {
        int at = m == 0 ? 0 : m == n + 1 ? 40 : (int) marks[m - 1];
        end = at + snprintf (under + at, sizeof under - (size_t) at, "%d", at);
        under[end] = ' ';
    }
    under[end] = '\0';
    fprintf (out, "  %-*s %8s  %s %%\n", LABEL_WIDTH, "", "", under);
}

static void
section (FILE *out, bool c, const char *title)
{
    fprintf (out, "\n%s%s%s\n", paint (c, COLOUR_BOLD), title, paint (c, COLOUR_RESET));
}

/* A table of quota credit, by filer (with their team) or by team; every
 * team's line also says what it filed and asked for ("every team claims
 * the allocation"). */
static void
credits_text (FILE *out, const char *who, Esc__QuotaCredit *const *c, size_t n, bool filers)
{
    fprintf (out, "  %-14s %-10s %5s %8s %13s %13s %11s %13s %13s\n", who,
             filers ? "TEAM" : "", "FILED", "ASKED", "WON", "CREDIT", "ONE-OFF H",
             "ONE-OFF CREDIT", "TOTAL");
    for (size_t i = 0; i < n; i++) {
        fputs ("  ", out);
        column (out, c[i]->name ? c[i]->name : "(no team)", 14, true);
        fputc (' ', out);
        column (out, filers ? (c[i]->team ? c[i]->team : "-") : "", 10, true);
        fprintf (out, " %5s %6s h %13s %13s %9s h %14s %13s\n", render_figure (c[i]->escalations),
                 render_figure (c[i]->hours_asked), render_figure (c[i]->won_value),
                 render_figure (c[i]->standard_credit), render_figure (c[i]->oneoff_hours),
                 render_figure (c[i]->oneoff_credit), render_figure (c[i]->total));
    }
}

/* "Was the plan kept?": the baseline against what became of it, what
 * shipped outside it, and the items carried more than once. */
static void
plan_kept_text (FILE *out, const Esc__PlanKept *k, bool c)
{
    section (out, c, "THE PLAN KEPT (\"why so few planned roadmap items were shipped\")");
    if (!k || !k->committed_at)
        fputs ("  no plan committed for this quarter (esc quarter commit)\n", out);
    else {
        fprintf (out, "  baseline, committed %s: %s h in %s %s\n", k->committed_at,
                 render_figure (k->baseline_hours), render_figure (k->baseline_items),
                 figure_noun (k->baseline_items, "item", "items"));
        fprintf (out, "  %-*s %7s h\n", LABEL_WIDTH, "done", render_figure (k->done_hours));
        fprintf (out, "  %-*s %7s h\n", LABEL_WIDTH, "postponed or carried",
                 render_figure (k->postponed_hours));
        fprintf (out, "  %-*s %7s h\n", LABEL_WIDTH, "still open", render_figure (k->open_hours));
        fprintf (out, "  shipped outside the plan: %s h (%.1f %% of all shipped): one-offs %s h, "
                      "overrides %s h, items added after commit %s h\n",
                 render_figure (k->unplanned_hours), k->unplanned_share_pct,
                 render_figure (k->oneoff_hours), render_figure (k->override_hours),
                 render_figure (k->added_hours));
    }
    for (size_t i = 0; k && i < k->n_carried; i++) {
        const Esc__CarriedItem *x = k->carried[i];
        fprintf (out, "  %scarried %s times%s: roadmap item %" PRId64 " \"", paint (c, COLOUR_RED),
                 render_figure (x->quarters_waiting), paint (c, COLOUR_RESET), x->roadmap_item);
        text_write (out, x->title, NULL);
        fputs ("\", now in ", out);
        text_write (out, x->quarter, NULL);
        fputs (", from ", out);
        for (size_t f = 0; f < x->n_moved_from; f++) {
            if (f)
                fputs (", ", out);
            text_write (out, x->moved_from[f], NULL);
        }
        fprintf (out, "; waiting %s %s, renewal ARR %s\n", render_figure (x->quarters_waiting),
                 figure_noun (x->quarters_waiting, "quarter", "quarters"),
                 render_figure (x->arr_waiting));
    }
}

/* What people typed (titles, account names, reasons) goes through
 * text_write or column: one line each, control and bidi characters shown
 * as escapes, so that none can forge a line of the report. */
void
report_text (FILE *out, const Esc__Report *r, bool colour)
{
    bool c = colour;
    const Esc__Quarter *q = r->quarter;
    fprintf (out, "%sesc report: quarter %s (%s), %s to %s%s\n", paint (c, COLOUR_BOLD), q->name,
             q->state, q->starts_on, q->ends_on, paint (c, COLOUR_RESET));
    if (r->month)
        fprintf (out, "escalations filed in %s only\n", r->month);
    fprintf (out, "capacity %s h, an engineer-hour costs %s; generated %s\n",
             render_figure (q->capacity_hours), render_figure (q->hourly_cost), r->generated_at);

    section (out, c, "THE PLAN");
    fprintf (out, "  %-12s %7s %8s %9s\n", "category", "hours", "share", "healthy");
    for (size_t i = 0; i < r->n_mix; i++) {
        const Esc__CategoryMix *m = r->mix[i];
        fprintf (out, "  %-12s %7s %6.1f %% %s%3.0f %%   %s%s%s\n", m->category,
                 render_figure (m->hours), m->share_pct, m->at_least ? ">=" : " ~", m->target_pct,
                 paint (c, verdict_colour (m->verdict)), m->verdict, paint (c, COLOUR_RESET));
    }
    fprintf (out, "  %s h planned; %s h postponed to make room for one-offs\n",
             render_figure (r->planned_hours), render_figure (r->postponed_hours));

    plan_kept_text (out, r->plan_kept, c);

    section (out, c, "ONE-OFFS");
    int64_t committed = r->approved_hours + r->overridden_hours + r->support_hours;
    bool over = committed > r->budget_hours;
    fprintf (out, "  %-*s %7s h (%" PRId64 " %% of %s%s h)", LABEL_WIDTH, "budget",
             render_figure (r->budget_hours), q->budget_pct, r->month ? "the month's " : "",
             render_figure (r->judged_capacity_hours));
    if (over)
        fprintf (out, "  %sOVER BUDGET by %s h%s", paint (c, COLOUR_RED),
                 render_figure (committed - r->budget_hours), paint (c, COLOUR_RESET));
    fputc ('\n', out);
    fprintf (out, "  %-*s %7s h\n", LABEL_WIDTH, "approved with a token",
             render_figure (r->approved_hours));
    fprintf (out, "  %s%-*s %7s h%s%s\n", paint (c, r->overridden_hours ? COLOUR_RED : ""),
             LABEL_WIDTH, "overridden", render_figure (r->overridden_hours),
             r->overridden_hours ? "   OVERRIDES, below" : "", paint (c, COLOUR_RESET));
    fprintf (out, "  %-*s %7s h\n", LABEL_WIDTH, "support of past one-offs",
             render_figure (r->support_hours));
    if (r->stopped)
        fprintf (out, "  %-*s %7s h in %s %s, counted above at the hours spent\n", LABEL_WIDTH,
                 "stopped early", render_figure (r->stopped_hours), render_figure (r->stopped),
                 figure_noun (r->stopped, "escalation", "escalations"));
    fprintf (out, "  %-*s %7s h in %s %s\n", LABEL_WIDTH, "waiting for the CRO",
             render_figure (r->pending_hours), render_figure (r->queue_count),
             figure_noun (r->queue_count, "escalation", "escalations"));
    share_line (out, "one-off share", r->oneoff_share_pct, r->marks_pct, r->n_marks_pct);
    fprintf (out, " %s%s%s\n", paint (c, verdict_colour (r->verdict)), r->verdict,
             paint (c, COLOUR_RESET));
    scale_line (out, r->marks_pct, r->n_marks_pct);
    fprintf (out, "  %-*s %7s of %s (each up to %s h)\n", LABEL_WIDTH, "tokens left",
             render_figure (r->tokens_left), render_figure (q->tokens),
             render_figure (q->max_token_hours));

    section (out, c, "DEMAND");
    char demand[128];
    fprintf (out, "  %s %s, %s h sized, %s not sized yet: %s\n", render_figure (r->escalations),
             figure_noun (r->escalations, "escalation", "escalations"),
             render_figure (r->demand_hours), render_figure (r->unsized),
             demand_text (r, demand, sizeof demand));
    fprintf (out, "  %s of %s decided were refused (%.1f %%)\n", render_figure (r->refused),
             render_figure (r->decided), r->refused_share_pct);
    fprintf (out, "  %s referred to services partners, %s h: %.1f %% of all demand filed\n",
             render_figure (r->referred), render_figure (r->referred_hours),
             r->referred_share_pct);
    for (size_t i = 0; i < r->n_referrals; i++) {
        const Esc__PartnerShare *x = r->referrals[i];
        fputs ("    ", out);
        column (out, x->partner, 20, true);
        fprintf (out, " %s %s, %s h, %.1f %%\n", render_figure (x->escalations),
                 figure_noun (x->escalations, "escalation", "escalations"),
                 render_figure (x->hours), x->share_pct);
    }

    if (r->n_queue) {
        char head[64];
        snprintf (head, sizeof head, "WAITING FOR THE CRO (%s)", render_figure (r->queue_count));
        section (out, c, head);
        fprintf (out, "  %-6s %7s %5s %13s  %-16s %s\n", "ID", "HOURS", "CUST", "ARR", "ACCOUNT",
                 "TITLE");
        for (size_t i = 0; i < r->n_queue; i++) {
            const Esc__QueueEntry *e = r->queue[i];
            fprintf (out, "  %-6" PRId64 " %7s %5s %13s  ", e->id, render_figure (e->hours),
                     render_figure (e->customers), render_figure (e->renewal_arr));
            column (out, e->account, 16, true);
            fputc (' ', out);
            text_write (out, e->title, NULL);
            fputc ('\n', out);
        }
    }

    if (r->n_postponed) {
        char head[96];
        snprintf (head, sizeof head, "POSTPONED TO MAKE ROOM (customers waiting: ARR %s)",
                  render_figure (r->arr_waiting));
        section (out, c, head);
        for (size_t i = 0; i < r->n_postponed; i++) {
            const Esc__Postponement *p = r->postponed[i];
            fprintf (out, "  roadmap item %" PRId64 " \"", p->roadmap_item);
            text_write (out, p->title, NULL);
            fputs ("\" (", out);
            text_write (out, p->category, NULL);
            fprintf (out, ", %s h), for escalation %" PRId64 " \"", render_figure (p->hours),
                     p->escalation_id);
            text_write (out, p->escalation_title, NULL);
            fputs ("\"\n", out);
            for (size_t w = 0; w < p->n_waiting; w++) {
                fputs ("      waiting: ", out);
                column (out, p->waiting[w]->name, 20, false);
                fprintf (out, " ARR %13s   renews ", render_figure (p->waiting[w]->arr));
                text_write (out, p->waiting[w]->renewal_on ? p->waiting[w]->renewal_on : "-", NULL);
                fputc ('\n', out);
            }
        }
    }

    if (r->n_overrides) {
        char head[48];
        snprintf (head, sizeof head, "OVERRIDES (%zu)", r->n_overrides);
        section (out, c, head);
        for (size_t i = 0; i < r->n_overrides; i++) {
            const Esc__OverrideEntry *o = r->overrides[i];
            fprintf (out, "  %sOVERRIDE escalation %" PRId64 " \"", paint (c, COLOUR_RED),
                     o->escalation_id);
            text_write (out, o->title, NULL);
            fputs ("\" for ", out);
            text_write (out, o->account, NULL);
            fprintf (out, ", %s h, by ", render_figure (o->hours));
            text_write (out, o->by, NULL);
            fputs (" at ", out);
            text_write (out, o->at, NULL);
            fputs (": ", out);
            text_write (out, o->reason, NULL);
            fprintf (out, "%s\n", paint (c, COLOUR_RESET));
        }
    }

    if (r->n_oneoffs) {
        section (out, c, "RETURNS ON APPROVED ONE-OFFS (a one-off should return 3x its cost)");
        fprintf (out, "  %-6s %-9s %7s %7s %7s %7s %11s %13s %8s  %-5s %-9s %s\n", "ID", "VIA",
                 "CLAIMED", "SIZED", "ACTUAL", "SUPPORT", "COST", "DEAL VALUE", "RETURN", "DEAL",
                 "ADOPTERS", "TITLE");
        for (size_t i = 0; i < r->n_oneoffs; i++) {
            const Esc__Oneoff *o = r->oneoffs[i];
            char multiple[24] = "-", adopters[40] = "-";
            if (o->has_return_multiple)
                snprintf (multiple, sizeof multiple, "%.1fx%s", o->return_multiple,
                          o->meets_return ? "" : "!");
            if (o->has_adopters)
                snprintf (adopters, sizeof adopters, "%s%s", render_figure (o->adopters),
                          o->few_adopters ? " few" : "");
            bool overridden = o->via && strcmp (o->via, "override") == 0;
            fprintf (out, "  %s%-6" PRId64 " ", paint (c, overridden ? COLOUR_RED : ""), o->escalation_id);
            column (out, overridden ? "OVERRIDE" : o->via, 9, false);
            fprintf (out, " %7s %7s %7s %7s %11s %13s %8s  ",
                     o->has_claimed_hours ? render_figure (o->claimed_hours) : "-",
                     o->has_sized_hours ? render_figure (o->sized_hours) : "-",
                     o->has_actual_hours ? render_figure (o->actual_hours) : "-",
                     render_figure (o->support_hours), render_figure (o->cost),
                     o->has_deal_value ? render_figure (o->deal_value) : "-", multiple);
            column (out, o->deal ? o->deal : "-", 5, false);
            fprintf (out, " %-9s ", adopters);
            text_write (out, o->title, NULL);
            if (o->state && strcmp (o->state, "stopped") == 0)
                fputs ("  (STOPPED: hours spent)", out);
            fprintf (out, "%s\n", paint (c, COLOUR_RESET));
            if (o->note) {
                fputs ("         note: ", out);
                text_write (out, o->note, "               ");
                fputc ('\n', out);
            }
        }
        fprintf (out, "  (cost: actual hours once delivered, sized before, plus support, at the "
                      "hourly cost;\n   ! below 3x; few: used by two customers or fewer; note: the "
                      "CRO's on the spend)\n");
    }

    section (out, c, "CLAIMED, SIZED, ACTUAL (\"probably only ten lines of code\")");
    char ratio[2][32];
    fprintf (out, "  median actual / claimed %s, actual / sized %s, over the delivered one-offs\n",
             ratio_text (r->has_actual_over_claimed, r->actual_over_claimed, ratio[0]),
             ratio_text (r->has_actual_over_sized, r->actual_over_sized, ratio[1]));
    for (size_t i = 0; i < r->n_trend; i++) {
        const Esc__TrendPoint *t = r->trend[i];
        fprintf (out, "  %-10s actual / claimed %6s   actual / sized %6s\n", t->quarter,
                 ratio_text (t->has_actual_over_claimed, t->actual_over_claimed, ratio[0]),
                 ratio_text (t->has_actual_over_sized, t->actual_over_sized, ratio[1]));
    }

    if (r->n_support) {
        char head[96];
        snprintf (head, sizeof head, "SUPPORT OF PAST ONE-OFFS (%s h, \"we'll have to support that "
                  "forever\")", render_figure (r->support_hours));
        section (out, c, head);
        for (size_t i = 0; i < r->n_support; i++) {
            const Esc__SupportEntry *x = r->support[i];
            fprintf (out, "  escalation %-6" PRId64 " %7s h  from ", x->escalation_id,
                     render_figure (x->hours));
            column (out, x->quarter, 7, true);
            fputs ("  ", out);
            text_write (out, x->title, NULL);
            fputc ('\n', out);
        }
    }

    if (r->n_credit_filers) {
        char head[160];
        snprintf (head, sizeof head, "QUOTA CREDIT (%" PRId64 " %% relief on won deal value, %"
                  PRId64 " %% on one-offs' cost)", q->relief_standard_pct, q->relief_oneoff_pct);
        section (out, c, head);
        credits_text (out, "FILER", r->credit_filers, r->n_credit_filers, true);
        fputc ('\n', out);
        credits_text (out, "TEAM", r->credit_teams, r->n_credit_teams, false);
    }

    if (r->n_trend) {
        section (out, c, "TREND OF THE ONE-OFF SHARE");
        for (size_t i = 0; i < r->n_trend; i++) {
            const Esc__TrendPoint *t = r->trend[i];
            share_line (out, t->quarter, t->share_pct, r->marks_pct, r->n_marks_pct);
            fprintf (out, " %s%s%s\n", paint (c, verdict_colour (t->verdict)), t->verdict,
                     paint (c, COLOUR_RESET));
        }
    }
}

/* ==== CSV: the quarter's escalations ====================================== */

void
report_csv (FILE *out, Esc__Escalation *const *escalations, size_t count, bool header)
{
    static const char *const heads[] = {
        "id", "quarter", "state", "account", "title", "problem", "filer", "filed_at",
        "hours", "viable", "approved_via", "token", "approved_by", "override_reason",
        "deal_value", "needed_by", "customers", "renewal_arr", "also_needed_by",
        "actual_hours", "deal", "adopters", "spend_note", "claimed_hours", "support_hours",
        "partner",
    };
    size_t n = sizeof heads / sizeof heads[0];
    for (size_t i = 0; header && i < n; i++)
        csv_field (out, heads[i], i == n - 1);
    for (size_t i = 0; i < count; i++) {
        const Esc__Escalation *e = escalations[i];
        char num[10][24];
#define NUM(k, has, v) (has ? (snprintf (num[k], sizeof num[k], "%" PRId64, (int64_t) (v)), num[k]) : "")
        char also[4096] = "";
        for (size_t k = 0, used = 0; k < e->n_also_needed_by && used < sizeof also - 1; k++)
            used += (size_t) snprintf (also + used, sizeof also - used, "%s%s", k ? "; " : "",
                                       e->also_needed_by[k]);
        const char *fields[] = {
            NUM (0, true, e->id), e->quarter, e->state, e->account, e->title, e->problem,
            e->filer, e->filed_at, NUM (1, e->has_hours, e->hours),
            e->has_viable ? (e->viable ? "yes" : "no") : "", e->approved_via,
            NUM (2, e->has_token_no, e->token_no), e->approved_by, e->override_reason,
            NUM (3, e->has_deal_value, e->deal_value), e->needed_by, NUM (4, true, e->customers),
            NUM (5, true, e->renewal_arr), also, NUM (6, e->has_actual_hours, e->actual_hours),
            e->deal, NUM (7, e->has_adopters, e->adopters), e->spend_note,
            NUM (8, e->has_claimed_hours, e->claimed_hours),
            NUM (9, e->has_support_hours, e->support_hours), e->partner,
        };
#undef NUM
        for (size_t k = 0; k < n; k++)
            csv_field (out, fields[k], k == n - 1);
    }
}

/* ==== HTML: one page, nothing fetched ===================================== */

static void
html (FILE *out, const char *s)
{
    for (; s && *s; s++)
        switch (*s) {
        case '<': fputs ("&lt;", out); break;
        case '>': fputs ("&gt;", out); break;
        case '&': fputs ("&amp;", out); break;
        case '"': fputs ("&quot;", out); break;
        case '\'': fputs ("&#39;", out); break;
        default: fputc (*s, out);
        }
}

/* Text someone typed, in the page: escaped, and isolated in <bdi> so that
 * a bidirectional override in it cannot reorder the page around it. */
static void
html_typed (FILE *out, const char *s)
{
    fputs ("<bdi>", out);
    html (out, s);
    fputs ("</bdi>", out);
}

typedef struct {
    const char *label;
    int64_t hours;
    const char *colour;
} slice_t;

static const char *
category_colour (const char *category)
{
    static const struct { const char *name, *colour; } colours[] = {
        { "feature", "#4e79a7" }, { "ility", "#59a14f" },
        { "maintenance", "#9c755f" }, { "discovery", "#b07aa1" },
    };
    for (size_t i = 0; i < sizeof colours / sizeof colours[0]; i++)
        if (strcmp (category, colours[i].name) == 0)
            return colours[i].colour;
    return "#999999";
}

#define COLOUR_ONEOFF "#f28e2b"
#define HTML_OVERRIDE "#d62728"
#define COLOUR_FREE "#e6e6e6"
#define COLOUR_SUPPORT "#edc948"

/* The cake: the quarter's capacity as a pie of planned work by category,
 * one-offs by token, overrides, and what is left. */
static void
pie (FILE *out, const slice_t *slices, size_t n)
{
    double total = 0, angle = -M_PI / 2, cx = 160, cy = 160, radius = 150;
    for (size_t i = 0; i < n; i++)
        total += (double) slices[i].hours;
    fprintf (out, "<svg class=\"pie\" viewBox=\"0 0 320 320\" width=\"320\" height=\"320\" "
                  "role=\"img\" aria-label=\"the quarter's capacity\">\n");
    if (total <= 0) {
        fprintf (out, "<circle cx=\"160\" cy=\"160\" r=\"150\" fill=\"%s\"/></svg>\n", COLOUR_FREE);
        return;
    }
    for (size_t i = 0; i < n; i++) {
        double part = (double) slices[i].hours / total;
        if (part <= 0)
            continue;
        if (part >= 0.9999) {
            fprintf (out, "<circle cx=\"%.0f\" cy=\"%.0f\" r=\"%.0f\" fill=\"%s\"/>\n", cx, cy,
                     radius, slices[i].colour);
            break;
        }
        double end = angle + part * 2 * M_PI;
        fprintf (out, "<path d=\"M%.1f %.1f L%.2f %.2f A%.0f %.0f 0 %d 1 %.2f %.2f Z\" "
                      "fill=\"%s\" stroke=\"#fff\" stroke-width=\"2\"><title>",
                 cx, cy, cx + radius * cos (angle), cy + radius * sin (angle), radius, radius,
                 part > 0.5, cx + radius * cos (end), cy + radius * sin (end), slices[i].colour);
        html (out, slices[i].label);
        fprintf (out, ": %" PRId64 " h</title></path>\n", slices[i].hours);
        angle = end;
    }
    fputs ("</svg>\n", out);
}

/* The one-off share against its marks, on a 0 to 40 % scale (or more). */
static void
share_svg (FILE *out, const Esc__Report *r)
{
    double top = r->oneoff_share_pct > 36 ? r->oneoff_share_pct * 1.1 : 40;
    double width = 640, x0 = 10, span = width - 20;
    const char *fill = strcmp (verdict_colour (r->verdict), COLOUR_GREEN) == 0 ? "#2e7d32"
                     : strcmp (verdict_colour (r->verdict), COLOUR_YELLOW) == 0 ? "#f9a825" : HTML_OVERRIDE;
    fprintf (out, "<svg class=\"bar\" viewBox=\"0 0 %.0f 64\" width=\"%.0f\" height=\"64\" "
                  "role=\"img\" aria-label=\"one-off share against the marks\">\n"
                  "<rect x=\"%.0f\" y=\"8\" width=\"%.0f\" height=\"24\" fill=\"#eee\" rx=\"4\"/>\n"
                  "<rect x=\"%.0f\" y=\"8\" width=\"%.1f\" height=\"24\" fill=\"%s\" rx=\"4\"/>\n",
             width, width, x0, span, x0, span * r->oneoff_share_pct / top, fill);
    fprintf (out, "<text x=\"%.0f\" y=\"54\">0 %%</text><text x=\"%.0f\" y=\"54\" "
                  "text-anchor=\"end\">%.0f %%</text>\n", x0, x0 + span, top);
    for (size_t i = 0; i < r->n_marks_pct; i++) {
        double x = x0 + span * r->marks_pct[i] / top;
        fprintf (out, "<line x1=\"%.1f\" y1=\"4\" x2=\"%.1f\" y2=\"36\" stroke=\"#333\" "
                      "stroke-width=\"2\"/><text x=\"%.1f\" y=\"54\" text-anchor=\"middle\">%.0f %%</text>\n",
                 x, x, x, r->marks_pct[i]);
    }
    fputs ("</svg>\n", out);
}

/* A cell of hours, or an empty one when there are none to show. */
static void
html_hours (FILE *out, bool has, int64_t hours)
{
    fprintf (out, "<td class=\"n\">%s</td>", has ? render_figure (hours) : "");
}

/* A table's heading row; a head starting with '>' heads a column of
 * numbers (aligned right). */
static void
th (FILE *out, const char *const *heads, size_t n)
{
    fputs ("<tr>", out);
    for (size_t i = 0; i < n; i++)
        fprintf (out, heads[i][0] == '>' ? "<th class=\"n\">%s</th>" : "<th>%s</th>",
                 heads[i] + (heads[i][0] == '>'));
    fputs ("</tr>\n", out);
}

static void
plan_kept_html (FILE *out, const Esc__PlanKept *k)
{
    fputs ("<h2>The plan kept</h2>\n", out);
    if (!k || !k->committed_at)
        fputs ("<p>No plan committed for this quarter.</p>\n", out);
    else {
        static const char *const heads[] = { "the baseline, committed", ">hours" };
        fputs ("<table>\n", out);
        th (out, heads, 2);
        fprintf (out, "<tr><td>planned at the commit, %s (%s %s)</td><td class=\"n\">%s</td></tr>\n",
                 k->committed_at, render_figure (k->baseline_items),
                 figure_noun (k->baseline_items, "item", "items"), render_figure (k->baseline_hours));
        fprintf (out, "<tr><td>done</td><td class=\"n\">%s</td></tr>\n"
                      "<tr><td>postponed or carried</td><td class=\"n\">%s</td></tr>\n"
                      "<tr><td>still open</td><td class=\"n\">%s</td></tr>\n</table>\n",
                 render_figure (k->done_hours), render_figure (k->postponed_hours),
                 render_figure (k->open_hours));
        fprintf (out, "<p>Shipped outside the plan: <span class=\"flag\">%s h, %.1f %% of all "
                      "that shipped</span> (one-offs %s h, overrides %s h, items added after "
                      "the commit %s h).</p>\n",
                 render_figure (k->unplanned_hours), k->unplanned_share_pct,
                 render_figure (k->oneoff_hours), render_figure (k->override_hours),
                 render_figure (k->added_hours));
    }
    if (k && k->n_carried) {
        static const char *const heads[] = { "roadmap item", "now in", "carried from",
                                             ">quarters waiting", ">renewal ARR waiting" };
        fputs ("<table>\n", out);
        th (out, heads, 5);
        for (size_t i = 0; i < k->n_carried; i++) {
            const Esc__CarriedItem *x = k->carried[i];
            fprintf (out, "<tr class=\"override\"><td>%" PRId64 " ", x->roadmap_item);
            html_typed (out, x->title);
            fputs ("</td><td>", out);
            html (out, x->quarter);
            fputs ("</td><td>", out);
            for (size_t f = 0; f < x->n_moved_from; f++) {
                fputs (f ? ", " : "", out);
                html (out, x->moved_from[f]);
            }
            fprintf (out, "</td><td class=\"n\">%s</td><td class=\"n\">%s</td></tr>\n",
                     render_figure (x->quarters_waiting), render_figure (x->arr_waiting));
        }
        fputs ("</table>\n", out);
    }
}

static void
credits_html (FILE *out, const char *who, Esc__QuotaCredit *const *c, size_t n)
{
    if (!n)
        return;
    bool filers = strcmp (who, "filer") == 0;
    const char *const heads[] = { who, filers ? "team" : "", ">filed", ">hours asked", ">won",
                                  ">credit", ">one-off hours", ">one-off credit", ">total" };
    fputs ("<table>\n", out);
    th (out, heads, 9);
    for (size_t i = 0; i < n; i++) {
        fputs ("<tr><td>", out);
        if (c[i]->name)
            html_typed (out, c[i]->name);
        else
            fputs ("(no team)", out);
        fputs ("</td><td>", out);
        if (filers && c[i]->team)
            html_typed (out, c[i]->team);
        fprintf (out, "</td><td class=\"n\">%s</td><td class=\"n\">%s</td><td class=\"n\">%s</td>"
                      "<td class=\"n\">%s</td><td class=\"n\">%s</td>",
                 render_figure (c[i]->escalations), render_figure (c[i]->hours_asked),
                 render_figure (c[i]->won_value), render_figure (c[i]->standard_credit),
                 render_figure (c[i]->oneoff_hours));
        fprintf (out, "<td class=\"n%s\">%s</td><td class=\"n\">%s</td></tr>\n",
                 c[i]->oneoff_credit < 0 ? " flag" : "", render_figure (c[i]->oneoff_credit),
                 render_figure (c[i]->total));
    }
    fputs ("</table>\n", out);
}

void
report_html (FILE *out, const Esc__Report *r)
{
    const Esc__Quarter *q = r->quarter;
    fputs ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n<title>esc report ", out);
    html (out, q->name);
    fputs ("</title>\n<style>\n"
           "body{font:15px/1.45 system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;color:#222;"
           "margin:24px auto;max-width:1080px;padding:0 16px;background:#fafafa}\n"
           "h1{font-size:26px;margin:0 0 4px}h2{font-size:18px;margin:28px 0 8px;"
           "border-bottom:2px solid #ddd;padding-bottom:4px}\n"
           ".sub{color:#666;margin-bottom:16px}.row{display:flex;gap:32px;align-items:center;"
           "flex-wrap:wrap}\n"
           ".card{background:#fff;border:1px solid #e3e3e3;border-radius:8px;padding:16px}\n"
           ".figures{display:grid;grid-template-columns:repeat(3,minmax(150px,1fr));gap:12px}\n"
           ".figure .n{font-size:26px;font-weight:600}.figure .l{color:#666;font-size:13px}\n"
           "table{border-collapse:collapse;width:100%;background:#fff}"
           "th,td{text-align:left;padding:6px 10px;border-bottom:1px solid #eee}"
           "th{background:#f0f0f0;font-weight:600}td.n,th.n{text-align:right;white-space:nowrap;"
           "font-variant-numeric:tabular-nums}\n"
           ".legend span{display:inline-block;margin:2px 14px 2px 0}"
           ".sw{display:inline-block;width:12px;height:12px;border-radius:2px;margin-right:6px;"
           "vertical-align:-1px}\n"
           ".override{color:#b71c1c;background:#fdecea}.override td{border-color:#f5c6c3}\n"
           ".verdict{font-weight:700;padding:2px 8px;border-radius:4px;color:#fff}\n"
           ".ok,.healthy{background:#2e7d32}.coping,.strained{background:#f9a825}"
           ".low,.high,.struggling,.off{background:#c62828}\n"
           ".note{color:#555;font-size:13px;white-space:pre-wrap}"
           ".flag{color:#b71c1c;font-weight:600}.pie text{font-size:12px}.bar text{font-size:12px}\n"
           ".trendbar{height:12px;background:#4e79a7;border-radius:2px}\n"
           "</style></head><body>\n", out);

    fputs ("<h1>esc report: quarter ", out);
    html (out, q->name);
    fprintf (out, "</h1>\n<div class=\"sub\">%s to %s, %s", q->starts_on, q->ends_on, q->state);
    if (r->month) {
        fputs (", escalations filed in ", out);
        html (out, r->month);
    }
    fprintf (out, "; capacity %s engineer-hours at %s an hour; generated %s</div>\n",
             render_figure (q->capacity_hours), render_figure (q->hourly_cost), r->generated_at);

    /* the cake */
    slice_t slices[MIX_MAX + 4];
    size_t n = 0;
    int64_t used = 0;
    for (size_t i = 0; i < r->n_mix; i++) {
        slices[n++] = (slice_t) { r->mix[i]->category, r->mix[i]->hours,
                                  category_colour (r->mix[i]->category) };
        used += r->mix[i]->hours;
    }
    slices[n++] = (slice_t) { "one-offs by token", r->approved_hours, COLOUR_ONEOFF };
    slices[n++] = (slice_t) { "overrides", r->overridden_hours, HTML_OVERRIDE };
    slices[n++] = (slice_t) { "support of past one-offs", r->support_hours, COLOUR_SUPPORT };
    used += r->approved_hours + r->overridden_hours + r->support_hours;
    slices[n++] = (slice_t) { "unallocated", q->capacity_hours > used ? q->capacity_hours - used : 0,
                              COLOUR_FREE };
    fputs ("<h2>The cake</h2>\n<div class=\"row\"><div>", out);
    pie (out, slices, n);
    fputs ("</div><div><div class=\"legend\">", out);
    for (size_t i = 0; i < n; i++) {
        fprintf (out, "<span><i class=\"sw\" style=\"background:%s\"></i>", slices[i].colour);
        html (out, slices[i].label);
        fprintf (out, " %s h</span><br>\n", render_figure (slices[i].hours));
    }
    fputs ("</div></div>\n<div class=\"figures\">\n", out);
#define FIGURE(fmt, value, label)                                                       \
    fprintf (out, "<div class=\"card figure\"><div class=\"n\">" fmt "</div>"           \
                  "<div class=\"l\">%s</div></div>\n", value, label)
    FIGURE ("%.1f %%", r->oneoff_share_pct, "one-off share of capacity");
    fprintf (out, "<div class=\"card figure\"><div class=\"n\">%s of %s"
                  "</div><div class=\"l\">tokens left</div></div>\n", render_figure (r->tokens_left),
             render_figure (q->tokens));
    FIGURE ("%s h", render_figure (r->budget_hours), "one-off budget");
    if (r->has_demand_multiple)
        FIGURE ("%.1fx", r->demand_multiple, "demand, as a multiple of the budget");
    else
        FIGURE ("%s", "&ndash;", "demand: no one-off budget");
    if (r->has_demand_capacity_multiple)
        FIGURE ("%.2fx", r->demand_capacity_multiple, "demand, as a multiple of the whole capacity");
    FIGURE ("%.0f %%", r->refused_share_pct, "of decided escalations refused");
    FIGURE ("%s", render_figure (r->arr_waiting), "renewal ARR waiting for postponed work");
#undef FIGURE
    fputs ("</div></div>\n", out);

    fprintf (out, "<h2>One-off share against the marks: <span class=\"verdict %s\">",
             strcmp (r->verdict, "off the road") == 0 ? "off" : r->verdict);
    html (out, r->verdict);
    fputs ("</span></h2>\n", out);
    share_svg (out, r);
    int64_t committed = r->approved_hours + r->overridden_hours + r->support_hours;
    fprintf (out, "<p>%s h approved with a token, <span class=\"flag\">%s h overridden</span>,"
                  " %s h of support of past one-offs, %s h sized and waiting for the CRO; budget"
                  " %s h (%" PRId64 " %% of %s%s h).",
             render_figure (r->approved_hours), render_figure (r->overridden_hours),
             render_figure (r->support_hours), render_figure (r->pending_hours),
             render_figure (r->budget_hours), q->budget_pct, r->month ? "the month's " : "",
             render_figure (r->judged_capacity_hours));
    if (committed > r->budget_hours)
        fprintf (out, " <span class=\"flag\">Over budget by %s h.</span>",
                 render_figure (committed - r->budget_hours));
    if (r->stopped)
        fprintf (out, " Of the approved, %s h in %s %s stopped early, counted at the hours spent.",
                 render_figure (r->stopped_hours), render_figure (r->stopped),
                 figure_noun (r->stopped, "escalation", "escalations"));
    fputs ("</p>\n", out);

    static const char *const mix_heads[] = { "category", ">hours", ">share", "healthy", "" };
    fputs ("<h2>The plan against the healthy mix</h2>\n<table>\n", out);
    th (out, mix_heads, 5);
    for (size_t i = 0; i < r->n_mix; i++) {
        const Esc__CategoryMix *m = r->mix[i];
        fputs ("<tr><td>", out);
        html (out, m->category);
        fprintf (out, "</td><td class=\"n\">%s</td><td class=\"n\">%.1f %%</td>"
                      "<td>%s%.0f %%</td><td><span class=\"verdict %s\">%s</span></td></tr>\n",
                 render_figure (m->hours), m->share_pct, m->at_least ? "at least " : "about ",
                 m->target_pct, m->verdict, m->verdict);
    }
    fprintf (out, "</table>\n<p>%s h planned; %s h postponed to make room for one-offs.</p>\n",
             render_figure (r->planned_hours), render_figure (r->postponed_hours));
    plan_kept_html (out, r->plan_kept);

    fprintf (out, "<h2>Overrides (%zu)</h2>\n", r->n_overrides);
    if (r->n_overrides) {
        static const char *const heads[] = { "escalation", "account", ">hours", "by", "when", "why" };
        fputs ("<table>\n", out);
        th (out, heads, 6);
        for (size_t i = 0; i < r->n_overrides; i++) {
            const Esc__OverrideEntry *o = r->overrides[i];
            fprintf (out, "<tr class=\"override\"><td>%" PRId64 " ", o->escalation_id);
            html_typed (out, o->title);
            fputs ("</td><td>", out);
            html_typed (out, o->account);
            fprintf (out, "</td><td class=\"n\">%s</td><td>", render_figure (o->hours));
            html_typed (out, o->by);
            fputs ("</td><td>", out);
            html (out, o->at);
            fputs ("</td><td>", out);
            html_typed (out, o->reason);
            fputs ("</td></tr>\n", out);
        }
        fputs ("</table>\n", out);
    }
    else
        fputs ("<p>None.</p>\n", out);

    fputs ("<h2>Returns on approved one-offs (3&times; their cost, or better)</h2>\n", out);
    if (r->n_oneoffs) {
        static const char *const heads[] = {
            "escalation", "account", "via", ">claimed", ">sized", ">actual", ">support", ">cost",
            ">deal value", ">return", "deal", ">adopters",
        };
        fputs ("<table>\n", out);
        th (out, heads, 12);
        for (size_t i = 0; i < r->n_oneoffs; i++) {
            const Esc__Oneoff *o = r->oneoffs[i];
            bool overridden = o->via && strcmp (o->via, "override") == 0;
            fprintf (out, "<tr%s><td>%" PRId64 " ", overridden ? " class=\"override\"" : "",
                     o->escalation_id);
            html_typed (out, o->title);
            if (o->state && strcmp (o->state, "stopped") == 0)
                fputs (" <em>(stopped: hours spent)</em>", out);
            if (o->note) {
                fputs ("<div class=\"note\">note: ", out);
                html_typed (out, o->note);
                fputs ("</div>", out);
            }
            fputs ("</td><td>", out);
            html_typed (out, o->account);
            fputs ("</td><td>", out);
            html (out, overridden ? "OVERRIDE" : o->via);
            fputs ("</td>", out);
            html_hours (out, o->has_claimed_hours, o->claimed_hours);
            html_hours (out, o->has_sized_hours, o->sized_hours);
            html_hours (out, o->has_actual_hours, o->actual_hours);
            html_hours (out, true, o->support_hours);
            fprintf (out, "<td class=\"n\">%s</td><td class=\"n\">", render_figure (o->cost));
            if (o->has_deal_value)
                fputs (render_figure (o->deal_value), out);
            fputs ("</td><td class=\"n\">", out);
            if (o->has_return_multiple)
                fprintf (out, "<span class=\"%s\">%.1f&times;</span>", o->meets_return ? "" : "flag",
                         o->return_multiple);
            fputs ("</td><td>", out);
            html (out, o->deal ? o->deal : "open");
            fputs ("</td><td class=\"n\">", out);
            if (o->has_adopters)
                fprintf (out, "<span class=\"%s\">%s%s</span>", o->few_adopters ? "flag" : "",
                         render_figure (o->adopters), o->few_adopters ? " (few)" : "");
            fputs ("</td></tr>\n", out);
        }
        fputs ("</table>\n", out);
    }
    else
        fputs ("<p>None approved yet.</p>\n", out);

    char ratio[2][32];
    fprintf (out, "<h2>Claimed, sized, actual</h2>\n<p>&ldquo;Probably only ten lines of "
                  "code.&rdquo; Over the delivered one-offs, the median of actual over claimed "
                  "hours is %s and of actual over sized hours %s.</p>\n",
             ratio_text (r->has_actual_over_claimed, r->actual_over_claimed, ratio[0]),
             ratio_text (r->has_actual_over_sized, r->actual_over_sized, ratio[1]));
    fprintf (out, "<h2>Support of past one-offs (%s h)</h2>\n", render_figure (r->support_hours));
    if (r->n_support) {
        static const char *const heads[] = { "escalation", "its quarter", ">hours here" };
        fputs ("<table>\n", out);
        th (out, heads, 3);
        for (size_t i = 0; i < r->n_support; i++) {
            const Esc__SupportEntry *x = r->support[i];
            fprintf (out, "<tr><td>%" PRId64 " ", x->escalation_id);
            html_typed (out, x->title);
            fputs ("</td><td>", out);
            html (out, x->quarter);
            fprintf (out, "</td><td class=\"n\">%s</td></tr>\n", render_figure (x->hours));
        }
        fputs ("</table>\n", out);
    }
    else
        fputs ("<p>None.</p>\n", out);

    fprintf (out, "<h2>Postponed to make room</h2>\n");
    if (r->n_postponed) {
        static const char *const heads[] = { "roadmap item", "category", ">hours", "for escalation",
                                             "customers waiting (ARR, renewal)" };
        fputs ("<table>\n", out);
        th (out, heads, 5);
        for (size_t i = 0; i < r->n_postponed; i++) {
            const Esc__Postponement *p = r->postponed[i];
            fprintf (out, "<tr><td>%" PRId64 " ", p->roadmap_item);
            html_typed (out, p->title);
            fputs ("</td><td>", out);
            html (out, p->category);
            fprintf (out, "</td><td class=\"n\">%s</td><td>%" PRId64 " ", render_figure (p->hours),
                     p->escalation_id);
            html_typed (out, p->escalation_title);
            fputs ("</td><td>", out);
            for (size_t w = 0; w < p->n_waiting; w++) {
                html_typed (out, p->waiting[w]->name);
                fprintf (out, " (%s, %s)%s", render_figure (p->waiting[w]->arr),
                         p->waiting[w]->renewal_on ? p->waiting[w]->renewal_on : "no renewal date",
                         w + 1 < p->n_waiting ? "<br>" : "");
            }
            fputs ("</td></tr>\n", out);
        }
        fprintf (out, "</table>\n<p>Renewal ARR of the customers waiting: %s.</p>\n",
                 render_figure (r->arr_waiting));
    }
    else
        fputs ("<p>Nothing.</p>\n", out);

    char demand[128];
    fprintf (out, "<h2>Demand</h2>\n<p>%s %s, %s h sized (%s not sized yet): %s.",
             render_figure (r->escalations), figure_noun (r->escalations, "escalation", "escalations"),
             render_figure (r->demand_hours), render_figure (r->unsized),
             demand_text (r, demand, sizeof demand));
    fprintf (out, " %s of %s decided were refused (%.1f %%).</p>\n", render_figure (r->refused),
             render_figure (r->decided), r->refused_share_pct);
    fprintf (out, "<h2>Referred to services partners</h2>\n<p>&ldquo;Toss that work to folks "
                  "who want it.&rdquo; %s %s, %s h: %.1f %% of all demand filed.</p>\n",
             render_figure (r->referred), figure_noun (r->referred, "escalation", "escalations"),
             render_figure (r->referred_hours), r->referred_share_pct);
    if (r->n_referrals) {
        static const char *const heads[] = { "partner", ">escalations", ">hours", ">share" };
        fputs ("<table>\n", out);
        th (out, heads, 4);
        for (size_t i = 0; i < r->n_referrals; i++) {
            const Esc__PartnerShare *x = r->referrals[i];
            fputs ("<tr><td>", out);
            html_typed (out, x->partner);
            fprintf (out, "</td><td class=\"n\">%s</td><td class=\"n\">%s</td>"
                          "<td class=\"n\">%.1f %%</td></tr>\n", render_figure (x->escalations),
                     render_figure (x->hours), x->share_pct);
        }
        fputs ("</table>\n", out);
    }
    fprintf (out, "<h2>Waiting for the CRO (%s)</h2>\n", render_figure (r->queue_count));
    if (r->n_queue) {
        static const char *const heads[] = { "escalation", "account", ">hours", ">customers",
                                             ">renewal ARR" };
        fputs ("<table>\n", out);
        th (out, heads, 5);
        for (size_t i = 0; i < r->n_queue; i++) {
            const Esc__QueueEntry *e = r->queue[i];
            fprintf (out, "<tr><td>%" PRId64 " ", e->id);
            html_typed (out, e->title);
            fputs ("</td><td>", out);
            html_typed (out, e->account);
            fprintf (out, "</td><td class=\"n\">%s</td><td class=\"n\">%s</td>"
                          "<td class=\"n\">%s</td></tr>\n", render_figure (e->hours),
                     render_figure (e->customers), render_figure (e->renewal_arr));
        }
        fputs ("</table>\n", out);
    }

    fprintf (out, "<h2>Quota credit</h2>\n<p>&ldquo;100%% quota relief on standard product, and "
                  "20%% relief (or maybe minus 50%%!) on the actual cost of one-offs.&rdquo; This "
                  "quarter: %" PRId64 " %% on won deal value, %" PRId64 " %% on one-offs' cost.</p>\n",
             q->relief_standard_pct, q->relief_oneoff_pct);
    credits_html (out, "filer", r->credit_filers, r->n_credit_filers);
    credits_html (out, "team", r->credit_teams, r->n_credit_teams);

    fputs ("<h2>Trend of the one-off share</h2>\n<table>\n", out);
    static const char *const trend_heads[] = { "quarter", ">one-off hours", ">share", "", "verdict",
                                               ">actual / claimed", ">actual / sized" };
    th (out, trend_heads, 7);
    for (size_t i = 0; i < r->n_trend; i++) {
        const Esc__TrendPoint *t = r->trend[i];
        fprintf (out, "<tr><td>%s</td><td class=\"n\">%s</td><td class=\"n\">%.1f %%</td>"
                      "<td style=\"width:40%%\"><div class=\"trendbar\" style=\"width:%.1f%%\"></div></td>"
                      "<td><span class=\"verdict %s\">%s</span></td>"
                      "<td class=\"n\">%s</td><td class=\"n\">%s</td></tr>\n",
                 t->quarter, render_figure (t->oneoff_hours), t->share_pct,
                 t->share_pct * 2.5 > 100 ? 100 : t->share_pct * 2.5,
                 strcmp (t->verdict, "off the road") == 0 ? "off" : t->verdict, t->verdict,
                 ratio_text (t->has_actual_over_claimed, t->actual_over_claimed, ratio[0]),
                 ratio_text (t->has_actual_over_sized, t->actual_over_sized, ratio[1]));
    }
    fputs ("</table>\n</body></html>\n", out);
}
