/* desk_escalation.c: the life of an escalation, from filing to outcome.
 *
 * Every action follows one pattern: lock the escalation and its quarter,
 * ask the workflow (decide), write the decision through the store (move
 * changes the state, and gives back the duplicates of an escalation that
 * leaves the live states, each with an event of its own), then reply with
 * the escalation as it now is (finish), which also names it in the
 * action's event. */
#include <string.h>
#include <time.h>

#include "desk_handlers.h"
#include "figures.h"
#include "validate.h"

/* The planned work at stake: for a sizing, the items IDS (N of them) it
 * would displace; for an approval, those its current sizing displaces. */
static int
displaced (desk_call_t *c, const escalation_ref_t *e, const int64_t *ids, size_t n,
           roadmap_facts_t **items, size_t *n_items, esc_error_t *err)
{
    int64_t *current = NULL;
    *n_items = 0;
    if (c->op == OP_SIZE)
        *n_items = n;
    else if ((c->op == OP_SPEND || c->op == OP_OVERRIDE) && e->sizing_id) {
        if (store_sizing_displaces (c->store, c->arena, e->sizing_id, &current, n_items, err))
            return -1;
        ids = current;
    }
    *items = arena_alloc (c->arena, (*n_items + 1) * sizeof **items);
    return store_roadmap_facts (c->store, e->quarter, ids, *n_items, *items, err);
}

/* Locks escalation ID and its quarter, and sets up the workflow's case for
 * the call's operation (TARGET: a merge's other escalation). The handler
 * adds what its action brings (a correction's changes, a field it lacks)
 * and asks. */
static int
gather (desk_call_t *c, int64_t id, const escalation_ref_t *target, escalation_ref_t *e,
        quarter_facts_t *q, workflow_case_t *wc, esc_error_t *err)
{
    if (store_escalation_lock (c->store, c->arena, id, e, err)
        || store_quarter_facts (c->store, e->quarter, true, q, err))
        return -1;
    *wc = (workflow_case_t) {
        .op = c->op,
        .roles = c->roles,
        .actor_is_filer = strcmp (e->filer, c->actor) == 0,
        .quarter = q,
        .escalation = &e->facts,
        .target = target ? &target->facts : NULL,
        .same_quarter = target && strcmp (target->quarter, e->quarter) == 0,
    };
    return 0;
}

/* Asks the workflow whether WC may go ahead, with the planned work at
 * stake (a sizing's IDS, N of them; an approval's from its sizing). */
static int
ask (desk_call_t *c, const escalation_ref_t *e, workflow_case_t *wc, const int64_t *ids,
     size_t n, escalation_state_t *next, esc_error_t *err)
{
    roadmap_facts_t *items;
    size_t n_items;
    if (displaced (c, e, ids, n, &items, &n_items, err))
        return -1;
    wc->displaced = items;
    wc->n_displaced = n_items;
    return workflow_decide (wc, next, err);
}

/* Locks escalation ID and its quarter, gathers the facts, and asks the
 * workflow whether the call's operation may go ahead. */
static int
decide (desk_call_t *c, int64_t id, const escalation_ref_t *target, escalation_ref_t *e,
        quarter_facts_t *q, escalation_state_t *next, esc_error_t *err)
{
    workflow_case_t wc;
    return gather (c, id, target, e, q, &wc, err) || ask (c, e, &wc, NULL, 0, next, err) ? -1 : 0;
}

/* S when it holds more than blanks, else NULL: an empty optional field is
 * one not given. */
static char *
given (char *s)
{
    for (const char *p = s; p && *p; p++)
        if (*p != ' ' && *p != '\t' && *p != '\n')
            return s;
    return NULL;
}

/* "; postponed roadmap item 4" or "...items 4, 5"; "" when none. */
static const char *
postponed (arena_t *a, const Esc__Escalation *e)
{
    if (!e->n_postponed)
        return "";
    return arena_printf (a, "; postponed roadmap %s %s",
                         figure_noun ((int64_t) e->n_postponed, "item", "items"),
                         desk_ids (a, e->postponed, e->n_postponed));
}

/* The event's sentence for people: who did what to which escalation, and
 * the detail that matters for this action, read off the escalation as the
 * action left it; a correction says what it changed (c->changed). */
static const char *
summary (desk_call_t *c, const Esc__Escalation *e)
{
    arena_t *a = c->arena;
    const char *verb = op_name (c->op), *detail = "";
    const char *changed = c->changed && *c->changed ? arena_printf (a, ": %s", c->changed) : "";
    switch (c->op) {
    case OP_FILE: verb = "filed"; break;
    case OP_SIZE:
        verb = c->changed ? "re-sized" : "sized";
        detail = arena_printf (a, ": %s h, %s%s%s", desk_figure (a, e->hours),
                               e->viable ? "viable" : "not viable", c->changed ? "; " : "",
                               c->changed ? c->changed : "");
        break;
    case OP_RETURN: verb = "returned"; detail = arena_printf (a, ": %s", e->state_reason); break;
    case OP_REFILE: verb = "refiled"; detail = changed; break;
    case OP_EDIT: verb = "edited"; detail = changed; break;
    case OP_DECLINE: verb = "declined"; detail = arena_printf (a, ": %s", e->state_reason); break;
    case OP_WITHDRAW: verb = "withdrew"; break;
    case OP_SPEND:
        verb = arena_printf (a, "spent token %lld of %s on", (long long) e->token_no, e->quarter);
        detail = arena_printf (a, " (%s h)%s%s", desk_figure (a, e->hours), postponed (a, e),
                               e->spend_note ? "; with a note" : "");
        break;
    case OP_OVERRIDE:
        verb = "OVERRODE the rules to approve";
        detail = arena_printf (a, " (%s h): %s%s", desk_figure (a, e->hours), e->override_reason,
                               postponed (a, e));
        break;
    case OP_DELIVER:
        verb = c->changed ? "corrected the delivery of" : "delivered";
        detail = c->changed ? changed : arena_printf (a, " in %s h", desk_figure (a, e->actual_hours));
        break;
    case OP_OUTCOME:
        verb = c->changed ? "corrected the outcome of" : "recorded the outcome of";
        detail = c->changed ? changed
            : e->has_adopters
            ? arena_printf (a, ": deal %s, %s %s", e->deal, desk_figure (a, e->adopters),
                            figure_noun (e->adopters, "adopter", "adopters"))
            : arena_printf (a, ": deal %s", e->deal);
        break;
    case OP_STOP:
        verb = c->changed ? "corrected the stop of" : "stopped the work on";
        detail = c->changed ? changed
            : arena_printf (a, " after %s h: %s", desk_figure (a, e->actual_hours), e->state_reason);
        break;
    case OP_MERGE:
        verb = "merged";
        detail = arena_printf (a, " into escalation %lld", (long long) e->merged_into);
        break;
    case OP_UNMERGE: verb = "unmerged"; break;
    case OP_REFER:
        verb = "referred";
        detail = arena_printf (a, " to partner %s", e->partner);
        break;
    default: break;
    }
    return arena_printf (a, "%s %s escalation %lld \"%s\" for %s%s", c->actor, verb,
                         (long long) e->id, e->title, e->account, detail);
}

/* Replies with escalation E as the action left it, and names it in the
 * event. */
static void
finish_with (desk_call_t *c, Esc__Escalation *e)
{
    c->reply->result_case = ESC__REPLY__RESULT_ESCALATION;
    c->reply->escalation = e;
    c->event.escalation_id = e->id;
    c->event.quarter = e->quarter;
    c->event.account = e->account;
    c->event.summary = summary (c, e);
    json_kv_string (&c->data, "title", e->title);
    json_kv_string (&c->data, "state", e->state);
}

/* Replies with escalation ID as it now is, and names it in the event. */
static int
finish (desk_call_t *c, int64_t id, esc_error_t *err)
{
    Esc__Escalation *e;
    if (store_escalation_get (c->store, c->arena, id, &e, err))
        return -1;
    finish_with (c, e);
    return 0;
}

/* ==== Moving an escalation, and what follows ============================= */

/* The event of duplicate D, given back by the call's action on escalation
 * INTO, which moved INTO to NEXT: an unmerge nobody asked for, so it says
 * why. */
static int
released_event (desk_call_t *c, int64_t into, escalation_state_t next,
                const released_duplicate_t *d, esc_error_t *err)
{
    const char *action = c->op == OP_WITHDRAW ? "withdrawal"
                       : c->op == OP_DECLINE ? "decline" : op_name (c->op);
    json_t data;
    json_init (&data);
    json_object_begin (&data);
    json_kv_int (&data, "into", into);
    json_kv_string (&data, "title", d->title);
    json_kv_string (&data, "state", d->state);
    json_kv_string (&data, "because",
                    arena_printf (c->arena, "escalation %lld was %s", (long long) into,
                                  state_name (next)));
    json_object_end (&data);
    event_t e = {
        .type = "escalation.unmerged",
        .actor = c->actor,
        .quarter = d->quarter,
        .account = d->account,
        .escalation_id = d->id,
        .data = arena_printf (c->arena, "%s", json_text (&data)),
        .summary = arena_printf (c->arena,
                                 "%s's %s of escalation %lld returned its duplicate %lld \"%s\" for %s to %s",
                                 c->actor, action, (long long) into, (long long) d->id,
                                 d->title, d->account, d->state),
    };
    json_release (&data);
    int64_t seq;
    return store_event_append (c->store, &e, &seq, err);
}

/* Moves escalation ID to NEXT, as store_escalation_set_state. When NEXT
 * takes it out of the live states without serving anyone (the workflow
 * says which), the duplicates merged into it go back to the state they were
 * merged from, each with its own event, and the call's event lists them. */
static int
move (desk_call_t *c, int64_t id, escalation_state_t next, const char *reason,
      bool clear_sizing, esc_error_t *err)
{
    released_duplicate_t *released;
    size_t n;
    if (store_escalation_set_state (c->store, id, next, reason, clear_sizing, err))
        return -1;
    if (!workflow_releases_duplicates (next))
        return 0;
    if (store_merge_release (c->store, c->arena, id, c->actor, &released, &n, err))
        return -1;
    if (n == 0)
        return 0;
    int64_t *ids = arena_alloc (c->arena, n * sizeof *ids);
    for (size_t i = 0; i < n; i++) {
        if (released_event (c, id, next, &released[i], err))
            return -1;
        ids[i] = released[i].id;
    }
    json_kv_ints (&c->data, "released", ids, n);
    return 0;
}

/* ==== Filing and sizing ================================================== */

/* A needed-by date given now has not passed, by escd's clock (workflow.h). */
static int
needed_by_ahead (const char *needed_by, esc_error_t *err)
{
    char today[11];
    workflow_today ((int64_t) time (NULL), today);
    return workflow_check_needed_by (needed_by, today, err);
}

int
desk_file_check (desk_call_t *c, const char **default_quarter, const char **quarter,
                 esc_error_t *err)
{
    const Esc__File *m = c->req->file;
    /* a quarter named: its facts come with the insert, and say whether it
     * exists */
    *quarter = m->quarter && *m->quarter ? m->quarter : default_quarter ? *default_quarter : NULL;
    if (!*quarter) {
        if (desk_quarter (c, NULL, false, quarter, err))
            return -1;
        if (default_quarter)
            *default_quarter = *quarter;
    }
    return needed_by_ahead (m->needed_by, err);
}

void
desk_file_done (desk_call_t *c, Esc__Escalation *e)
{
    const Esc__File *m = c->req->file;
    if (m->has_deal_value)
        json_kv_int (&c->data, "deal_value", m->deal_value);
    if (m->has_claimed_hours)
        json_kv_int (&c->data, "claimed_hours", m->claimed_hours);
    finish_with (c, e);
}

int
desk_file (desk_call_t *c, esc_error_t *err)
{
    const char *quarter;
    Esc__Escalation *e;
    if (desk_file_check (c, NULL, &quarter, err)
        || store_escalation_insert (c->store, c->arena, quarter, c->req->file, c->actor,
                                    desk_judge_quarter, c, &e, err))
        return -1;
    desk_file_done (c, e);
    return 0;
}

/* A sizing of a sized escalation keeps what it is not told: the hours,
 * the viability, the displaced items and the note of the current sizing,
 * but for what the request gives or clears. Either way a new sizing is
 * recorded and becomes the current one. */
int
desk_size (desk_call_t *c, esc_error_t *err)
{
    const Esc__Size *m = c->req->size;
    escalation_ref_t e;
    quarter_facts_t q;
    workflow_case_t wc;
    escalation_state_t next;
    Esc__Escalation *now;
    if (gather (c, m->id, NULL, &e, &q, &wc, err)
        || store_escalation_get (c->store, c->arena, m->id, &now, err))
        return -1;
    bool again = e.facts.sized;
    Esc__Size *s = arena_alloc (c->arena, sizeof *s);
    esc__size__init (s);
    s->has_id = true;
    s->id = m->id;
    s->has_hours = m->has_hours || again;
    s->hours = m->has_hours ? m->hours : now->hours;
    s->has_viable = m->has_viable || again;
    s->viable = m->has_viable ? m->viable : now->viable;
    bool keep_displaces = again && !m->n_displaces && !m->clear_displaces;
    s->displaces = keep_displaces ? now->displaces : m->displaces;
    s->n_displaces = keep_displaces ? now->n_displaces : m->n_displaces;
    s->note = given (m->note) ? m->note : again && !m->clear_note ? now->sizing_note : NULL;
    wc.missing = !s->has_hours ? "hours" : !s->has_viable ? "viable" : NULL;

    changes_t ch;
    changes_begin (&ch, c->arena);
    if (again) {
        changes_int (&ch, "hours", "hours", true, now->hours, true, s->hours);
        changes_bool (&ch, "viable", now->viable, s->viable, "viable", "not viable");
        changes_ids (&ch, "displaces", "displaces", now->displaces, now->n_displaces,
                     s->displaces, s->n_displaces);
        changes_text (&ch, "note", now->sizing_note, s->note);
    }
    wc.changes = ch.count;
    if (ask (c, &e, &wc, s->displaces, s->n_displaces, &next, err)
        || store_sizing_insert (c->store, s, c->actor, err)
        || (next != e.facts.state && move (c, m->id, next, NULL, false, err))) {
        changes_end (&ch, NULL);
        return -1;
    }
    c->changed = again ? ch.text : NULL;
    json_kv_int (&c->data, "hours", s->hours);
    json_kv_bool (&c->data, "viable", s->viable);
    json_kv_ints (&c->data, "displaces", s->displaces, s->n_displaces);
    json_kv_string (&c->data, "note", s->note);
    changes_end (&ch, &c->data);
    return finish (c, m->id, err);
}

/* ==== Sending back, refusing, withdrawing ================================ */

/* return and decline: a state change with the reason recorded. */
static int
with_reason (desk_call_t *c, const Esc__WithReason *m, esc_error_t *err)
{
    escalation_ref_t e;
    quarter_facts_t q;
    escalation_state_t next;
    if (decide (c, m->id, NULL, &e, &q, &next, err)
        || move (c, m->id, next, m->reason, false, err))
        return -1;
    json_kv_string (&c->data, "reason", m->reason);
    return finish (c, m->id, err);
}

int desk_return (desk_call_t *c, esc_error_t *err) { return with_reason (c, c->req->return_escalation, err); }
int desk_decline (desk_call_t *c, esc_error_t *err) { return with_reason (c, c->req->decline, err); }

/* A refile answers the return: it changes what was filed, or answers the
 * question the escalation was returned with, or both. */
int
desk_refile (desk_call_t *c, esc_error_t *err)
{
    const Esc__Refile *m = c->req->refile;
    escalation_ref_t e;
    quarter_facts_t q;
    workflow_case_t wc;
    escalation_state_t next;
    Esc__Escalation *now;
    if (gather (c, m->id, NULL, &e, &q, &wc, err)
        || needed_by_ahead (m->needed_by, err)
        || store_escalation_get (c->store, c->arena, m->id, &now, err))
        return -1;
    Esc__Refile *r = arena_alloc (c->arena, sizeof *r);
    *r = *m;
    r->solution = given (m->solution);
    r->needed_by = given (m->needed_by);
    r->answer = given (m->answer);
    changes_t ch;
    changes_begin (&ch, c->arena);
    changes_line (&ch, "title", "title", now->title, r->title ? r->title : now->title, true);
    changes_text (&ch, "problem", now->problem, r->problem ? r->problem : now->problem);
    changes_text (&ch, "solution", now->solution, r->solution ? r->solution : now->solution);
    changes_int (&ch, "deal_value", "deal value", now->has_deal_value, now->deal_value,
                 r->has_deal_value || now->has_deal_value,
                 r->has_deal_value ? r->deal_value : now->deal_value);
    changes_line (&ch, "needed_by", "needed by", now->needed_by,
                  r->needed_by ? r->needed_by : now->needed_by, false);
    wc.changes = ch.count + (r->answer != NULL);
    /* back to filed: the new problem statement must be sized again */
    if (ask (c, &e, &wc, NULL, 0, &next, err)
        || store_escalation_refile (c->store, r, err)
        || move (c, m->id, next, NULL, true, err)) {
        changes_end (&ch, NULL);
        return -1;
    }
    c->changed = !r->answer ? ch.text
        : arena_printf (c->arena, "answered \"%s\"%s%s", r->answer, ch.count ? "; " : "", ch.text);
    json_kv_string (&c->data, "question", now->state_reason);
    json_kv_string (&c->data, "answer", r->answer);
    changes_end (&ch, &c->data);
    return finish (c, m->id, err);
}

/* An escalation's filing, corrected: by its filer while it is filed or
 * returned, its title by a PM while it is live (the workflow's edit
 * grants). Nothing moves: not its state, not its sizing. */
int
desk_edit (desk_call_t *c, esc_error_t *err)
{
    const Esc__Edit *m = c->req->edit;
    escalation_ref_t e;
    quarter_facts_t q;
    workflow_case_t wc;
    escalation_state_t next;
    Esc__Escalation *now;
    char **others;
    size_t n_others;
    if (needed_by_ahead (given (m->needed_by), err)
        || gather (c, m->id, NULL, &e, &q, &wc, err)
        || store_escalation_get (c->store, c->arena, m->id, &now, err)
        || store_escalation_others (c->store, c->arena, m->id, &others, &n_others, err))
        return -1;
    Esc__Edit *x = arena_alloc (c->arena, sizeof *x);
    *x = *m;
    x->solution = given (m->solution);
    x->needed_by = given (m->needed_by);
    /* the filing account is not one of the others: the store skips it */
    x->also_needed_by = arena_alloc (c->arena, (m->n_also_needed_by + 1) * sizeof (char *));
    x->n_also_needed_by = 0;
    for (size_t i = 0; i < m->n_also_needed_by; i++)
        if (strcmp (m->also_needed_by[i], now->account) != 0)
            x->also_needed_by[x->n_also_needed_by++] = m->also_needed_by[i];
    bool also = m->n_also_needed_by || m->clear_also_needed_by;
    wc.title_only = m->title && !m->problem && !x->solution && !m->has_deal_value
                    && !x->needed_by && !also && !m->clear_solution && !m->clear_needed_by
                    && !m->has_claimed_hours;

    changes_t ch;
    changes_begin (&ch, c->arena);
    changes_line (&ch, "title", "title", now->title, x->title ? x->title : now->title, true);
    changes_text (&ch, "problem", now->problem, x->problem ? x->problem : now->problem);
    changes_text (&ch, "solution", now->solution,
                  m->clear_solution ? NULL : x->solution ? x->solution : now->solution);
    changes_int (&ch, "deal_value", "deal value", now->has_deal_value, now->deal_value,
                 x->has_deal_value || now->has_deal_value,
                 x->has_deal_value ? x->deal_value : now->deal_value);
    changes_int (&ch, "claimed_hours", "claimed hours", now->has_claimed_hours,
                 now->claimed_hours, m->has_claimed_hours || now->has_claimed_hours,
                 m->has_claimed_hours ? m->claimed_hours : now->claimed_hours);
    changes_line (&ch, "needed_by", "needed by", now->needed_by,
                  m->clear_needed_by ? NULL : x->needed_by ? x->needed_by : now->needed_by, false);
    if (also)
        changes_names (&ch, "also_needed_by", "also needed by", others, n_others,
                       x->also_needed_by, x->n_also_needed_by);
    wc.changes = ch.count;
    if (ask (c, &e, &wc, NULL, 0, &next, err) || store_escalation_edit (c->store, x, err)) {
        changes_end (&ch, NULL);
        return -1;
    }
    c->changed = ch.text;
    changes_end (&ch, &c->data);
    return finish (c, m->id, err);
}

int
desk_withdraw (desk_call_t *c, esc_error_t *err)
{
    int64_t id = c->req->withdraw->id;
    escalation_ref_t e;
    quarter_facts_t q;
    escalation_state_t next;
    if (decide (c, id, NULL, &e, &q, &next, err)
        || move (c, id, next, NULL, false, err))
        return -1;
    return finish (c, id, err);
}

/* ==== Approving: the token, or an override =============================== */

/* What every approval does once it is allowed and paid for: the escalation
 * is approved, the planned work its sizing displaces is postponed, and the
 * event says how big it is and what fell out of plan. */
static int
approve (desk_call_t *c, const escalation_ref_t *e, escalation_state_t next, esc_error_t *err)
{
    int64_t id = e->facts.id;
    if (move (c, id, next, NULL, false, err)
        || store_postpone_displaced (c->store, id, e->sizing_id, err)
        || finish (c, id, err))
        return -1;
    json_kv_int (&c->data, "hours", e->facts.hours);
    json_kv_ints (&c->data, "postponed", c->reply->escalation->postponed,
                  c->reply->escalation->n_postponed);
    return 0;
}

int
desk_spend (desk_call_t *c, esc_error_t *err)
{
    const Esc__Spend *m = c->req->spend;
    escalation_ref_t e;
    quarter_facts_t q;
    escalation_state_t next;
    int64_t token_no;
    if (decide (c, m->id, NULL, &e, &q, &next, err))
        return -1;
    token_no = q.tokens_spent + 1;
    if (store_token_spend_insert (c->store, e.quarter, token_no, q.tokens, m->id, c->actor,
                                  m->note, err)
        || approve (c, &e, next, err))
        return -1;
    json_kv_int (&c->data, "token", token_no);
    json_kv_int (&c->data, "tokens", q.tokens);
    json_kv_string (&c->data, "note", m->note);
    return 0;
}

int
desk_override (desk_call_t *c, esc_error_t *err)
{
    const Esc__WithReason *m = c->req->override;
    escalation_ref_t e;
    quarter_facts_t q;
    escalation_state_t next;
    if (decide (c, m->id, NULL, &e, &q, &next, err)
        || store_override_insert (c->store, m->id, c->actor, m->reason, err)
        || approve (c, &e, next, err))
        return -1;
    json_kv_string (&c->data, "reason", m->reason);
    json_kv_bool (&c->data, "beyond_token", !workflow_token_left (&q));
    json_kv_bool (&c->data, "beyond_budget", !workflow_within_budget (&q, e.facts.hours));
    json_kv_bool (&c->data, "beyond_size", !workflow_within_size (&q, e.facts.hours));
    return 0;
}

/* ==== Delivery, outcome, stop =========================================== */

/* Each records a fact the first time and corrects it after (the workflow
 * says which): a correction keeps the escalation's state, names what it
 * changed in its event, and must change something. */

int
desk_deliver (desk_call_t *c, esc_error_t *err)
{
    const Esc__Deliver *m = c->req->deliver;
    escalation_ref_t e;
    quarter_facts_t q;
    workflow_case_t wc;
    escalation_state_t next;
    Esc__Escalation *now;
    if (gather (c, m->id, NULL, &e, &q, &wc, err)
        || store_escalation_get (c->store, c->arena, m->id, &now, err))
        return -1;
    bool again = workflow_corrects (&wc);
    changes_t ch;
    changes_begin (&ch, c->arena);
    changes_int (&ch, "actual_hours", "actual hours", now->has_actual_hours, now->actual_hours,
                 true, m->actual_hours);
    wc.changes = ch.count;
    if (ask (c, &e, &wc, NULL, 0, &next, err)
        || store_delivery_record (c->store, m->id, m->actual_hours, c->actor, err)
        || (next != e.facts.state && move (c, m->id, next, NULL, false, err))) {
        changes_end (&ch, NULL);
        return -1;
    }
    c->changed = again ? ch.text : NULL;
    json_kv_int (&c->data, "actual_hours", m->actual_hours);
    changes_end (&ch, again ? &c->data : NULL);
    return finish (c, m->id, err);
}

/* Delivered: the escalation is closed. Before delivery only a lost deal is
 * recorded, and the escalation stays approved (or stopped): the work may
 * still be stopped, or delivered, which then closes it. */
int
desk_outcome (desk_call_t *c, esc_error_t *err)
{
    const Esc__Outcome *m = c->req->outcome;
    escalation_ref_t e;
    quarter_facts_t q;
    workflow_case_t wc;
    escalation_state_t next;
    Esc__Escalation *now;
    if (gather (c, m->id, NULL, &e, &q, &wc, err)
        || store_escalation_get (c->store, c->arena, m->id, &now, err))
        return -1;
    bool again = workflow_corrects (&wc);
    bool has_adopters = m->has_adopters || (again && now->has_adopters);
    int64_t adopters = m->has_adopters ? m->adopters : now->adopters;
    wc.deal = m->deal;
    changes_t ch;
    changes_begin (&ch, c->arena);
    changes_line (&ch, "deal", "deal", now->deal, m->deal, false);
    changes_int (&ch, "adopters", "adopters", now->has_adopters, now->adopters, has_adopters,
                 adopters);
    wc.changes = ch.count;
    if (ask (c, &e, &wc, NULL, 0, &next, err)
        || store_outcome_record (c->store, m, c->actor, err)
        || (next != e.facts.state && move (c, m->id, next, NULL, false, err))) {
        changes_end (&ch, NULL);
        return -1;
    }
    c->changed = again ? ch.text : NULL;
    json_kv_string (&c->data, "deal", m->deal);
    if (has_adopters)
        json_kv_int (&c->data, "adopters", adopters);
    changes_end (&ch, again ? &c->data : NULL);
    return finish (c, m->id, err);
}

/* The work on an approved escalation stops: the hours spent so far count
 * as its one-off hours, the duplicates merged into it go back (nobody will
 * serve their customers), and its token stays spent. A stop of a stopped
 * escalation corrects the hours or the reason, keeping what it is not
 * told. */
int
desk_stop (desk_call_t *c, esc_error_t *err)
{
    const Esc__Stop *m = c->req->stop;
    escalation_ref_t e;
    quarter_facts_t q;
    workflow_case_t wc;
    escalation_state_t next;
    Esc__Escalation *now;
    if (gather (c, m->id, NULL, &e, &q, &wc, err)
        || store_escalation_get (c->store, c->arena, m->id, &now, err))
        return -1;
    bool again = workflow_corrects (&wc);
    const char *reason = given (m->reason) ? m->reason : again ? now->state_reason : NULL;
    bool has_hours = m->has_actual_hours || again;
    int64_t hours = m->has_actual_hours ? m->actual_hours : now->actual_hours;
    wc.missing = !reason ? "reason" : !has_hours ? "actual_hours" : NULL;
    changes_t ch;
    changes_begin (&ch, c->arena);
    if (again) {
        changes_int (&ch, "actual_hours", "hours spent", now->has_actual_hours, now->actual_hours,
                     true, hours);
        changes_line (&ch, "reason", "reason", now->state_reason, reason, true);
    }
    wc.changes = ch.count;
    if (ask (c, &e, &wc, NULL, 0, &next, err)
        || store_stoppage_record (c->store, m->id, hours, c->actor, err)
        || move (c, m->id, next, reason, false, err)) {
        changes_end (&ch, NULL);
        return -1;
    }
    c->changed = again ? ch.text : NULL;
    json_kv_int (&c->data, "actual_hours", hours);
    json_kv_string (&c->data, "reason", reason);
    changes_end (&ch, &c->data);
    return finish (c, m->id, err);
}

/* Maintenance spent on a delivered one-off, in quarter M->quarter (the
 * default quarter when none is named): its own quarter or a later one, and
 * one still open. Those hours are one-off work of the quarter they are
 * spent in, and part of the one-off's lifetime cost. */
int
desk_support (desk_call_t *c, esc_error_t *err)
{
    const Esc__Support *m = c->req->support;
    escalation_ref_t e;
    quarter_facts_t q;
    escalation_state_t next;
    const char *quarter;
    if (store_escalation_lock (c->store, c->arena, m->id, &e, err)
        || desk_quarter (c, m->quarter, false, &quarter, err)
        || store_quarter_facts (c->store, quarter, true, &q, err))
        return -1;
    workflow_case_t wc = {
        .op = c->op, .roles = c->roles, .quarter = &q, .escalation = &e.facts,
        .quarter_before = strcmp (quarter, e.quarter) < 0,
    };
    const char *note = given (m->note);
    if (workflow_decide (&wc, &next, err)
        || store_support_record (c->store, m->id, quarter, m->hours, note, c->actor, err)
        || finish (c, m->id, err))
        return -1;
    const Esc__Escalation *now = c->reply->escalation;
    c->event.quarter = quarter;
    c->event.summary = arena_printf (c->arena,
        "%s recorded %s h of support on escalation %lld \"%s\" for %s in %s (%s h so far)",
        c->actor, desk_figure (c->arena, m->hours), (long long) m->id, now->title, now->account,
        quarter, desk_figure (c->arena, now->support_hours));
    json_kv_int (&c->data, "hours", m->hours);
    json_kv_string (&c->data, "spent_in", quarter);
    json_kv_string (&c->data, "note", note);
    json_kv_int (&c->data, "support_hours", now->support_hours);
    return 0;
}

/* The problem goes to a services partner, out of the roadmap's demand: a
 * final state, like a decline, from filed, sized or returned. */
int
desk_refer (desk_call_t *c, esc_error_t *err)
{
    const Esc__Refer *m = c->req->refer;
    escalation_ref_t e;
    quarter_facts_t q;
    escalation_state_t next;
    const char *note = given (m->note);
    if (decide (c, m->id, NULL, &e, &q, &next, err)
        || store_referral_record (c->store, m->id, m->partner, note, c->actor, err)
        || move (c, m->id, next, NULL, false, err)
        || finish (c, m->id, err))
        return -1;
    json_kv_string (&c->data, "partner", m->partner);
    json_kv_string (&c->data, "note", note);
    return 0;
}

/* ==== Merging duplicates ================================================= */

int
desk_merge (desk_call_t *c, esc_error_t *err)
{
    const Esc__Merge *m = c->req->merge;
    escalation_ref_t e, target;
    quarter_facts_t q;
    escalation_state_t next;
    if (store_escalation_lock (c->store, c->arena, m->into, &target, err)
        || decide (c, m->id, &target, &e, &q, &next, err)
        || store_merge_insert (c->store, m->id, m->into, c->actor, err)
        || move (c, m->id, next, NULL, false, err))
        return -1;
    json_kv_int (&c->data, "into", m->into);
    return finish (c, m->id, err);
}

int
desk_unmerge (desk_call_t *c, esc_error_t *err)
{
    int64_t id = c->req->unmerge->id;
    escalation_ref_t e;
    quarter_facts_t q;
    escalation_state_t next;
    /* back to the state it was merged from, sizing and all */
    if (decide (c, id, NULL, &e, &q, &next, err)
        || store_merge_end (c->store, id, next, c->actor, err))
        return -1;
    /* the event names the escalation it leaves */
    json_kv_int (&c->data, "into", e.merged_into);
    return finish (c, id, err);
}

/* ==== Reading ============================================================ */

int
desk_list (desk_call_t *c, esc_error_t *err)
{
    const Esc__ListFilter *m = c->req->list;
    escalation_filter_t f = {
        .account = m->account && *m->account ? m->account : NULL,
        .filer = m->has_mine && m->mine ? c->actor : NULL,
        .after = m->has_after ? m->after : 0,
        .limit = m->has_limit ? m->limit : LIMIT_PAGE_DEFAULT,
    };
    /* the states, the older single one among them, comma-joined (each is
     * a state's name: validated) */
    const char *states = m->state && *m->state ? m->state : NULL;
    for (size_t i = 0; i < m->n_states; i++)
        states = states ? arena_printf (c->arena, "%s,%s", states, m->states[i]) : m->states[i];
    f.states = states;
    /* the order asked for, else the cursor's own; the page starts after
     * the cursor's place (validated: it parses) */
    if (m->sort && *m->sort)
        listing_sort_parse (m->sort, &f.sort);
    if (m->cursor && *m->cursor) {
        list_cursor_t *at = arena_alloc (c->arena, sizeof *at);
        if (listing_cursor_parse (m->cursor, at, err))
            return -1;
        f.sort = at->sort;
        f.key = at->key;
        f.after = at->id;
    }
    if (desk_quarter (c, m->quarter, false, &f.quarter, err))
        return -1;
    c->reply->result_case = ESC__REPLY__RESULT_ESCALATIONS;
    return store_escalation_list (c->store, c->arena, &f, &c->reply->escalations, err);
}

int
desk_show (desk_call_t *c, esc_error_t *err)
{
    c->reply->result_case = ESC__REPLY__RESULT_ESCALATION;
    return store_escalation_get (c->store, c->arena, c->req->show->id, &c->reply->escalation,
                                 err);
}

int
desk_history (desk_call_t *c, esc_error_t *err)
{
    int64_t id = c->req->history->id;
    Esc__Escalation *e;
    if (store_escalation_get (c->store, c->arena, id, &e, err))
        return -1;
    c->reply->result_case = ESC__REPLY__RESULT_EVENTS;
    return store_history (c->store, c->arena, id, &c->reply->events, err);
}

/* The feed's catch-up: a page of the event log. */
int
desk_events_since (desk_call_t *c, esc_error_t *err)
{
    const Esc__EventsSince *m = c->req->events_since;
    c->reply->result_case = ESC__REPLY__RESULT_EVENTS;
    return store_events_since (c->store, c->arena, m->since,
                               m->has_limit ? m->limit : DEFAULT_EVENTS,
                               &c->reply->events, err);
}
