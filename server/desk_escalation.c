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
#include "validate.h"

/* The planned work at stake: for a sizing, the items it names; for an
 * approval, those its current sizing displaces. */
static int
displaced (desk_call_t *c, const escalation_ref_t *e, roadmap_facts_t **items, size_t *n,
           esc_error_t *err)
{
    int64_t *ids = NULL;
    *n = 0;
    if (c->op == OP_SIZE) {
        ids = c->req->size->displaces;
        *n = c->req->size->n_displaces;
    }
    else if ((c->op == OP_SPEND || c->op == OP_OVERRIDE) && e->sizing_id
             && store_sizing_displaces (c->store, c->arena, e->sizing_id, &ids, n, err))
        return -1;
    *items = arena_alloc (c->arena, (*n + 1) * sizeof **items);
    return store_roadmap_facts (c->store, e->quarter, ids, *n, *items, err);
}

/* Locks escalation ID and its quarter, gathers the facts, and asks the
 * workflow whether the call's operation may go ahead (TARGET: a merge's
 * other escalation). */
static int
decide (desk_call_t *c, int64_t id, const escalation_ref_t *target, escalation_ref_t *e,
        quarter_facts_t *q, escalation_state_t *next, esc_error_t *err)
{
    roadmap_facts_t *items;
    size_t n_items;
    if (store_escalation_lock (c->store, c->arena, id, e, err)
        || store_quarter_facts (c->store, e->quarter, true, q, err)
        || displaced (c, e, &items, &n_items, err))
        return -1;
    workflow_case_t wc = {
        .op = c->op,
        .roles = c->roles,
        .actor_is_filer = strcmp (e->filer, c->actor) == 0,
        .quarter = q,
        .escalation = &e->facts,
        .target = target ? &target->facts : NULL,
        .same_quarter = target && strcmp (target->quarter, e->quarter) == 0,
        .displaced = items,
        .n_displaced = n_items,
    };
    return workflow_decide (&wc, next, err);
}

/* "1, 2, 3" in the arena. */
static const char *
id_list (arena_t *a, const int64_t *ids, size_t n)
{
    const char *s = "";
    for (size_t i = 0; i < n; i++)
        s = arena_printf (a, "%s%s%lld", s, i ? ", " : "", (long long) ids[i]);
    return s;
}

/* The event's sentence for people: who did what to which escalation, and
 * the detail that matters for this action, read off the escalation as the
 * action left it. */
static const char *
summary (desk_call_t *c, const Esc__Escalation *e)
{
    arena_t *a = c->arena;
    const char *verb = op_name (c->op), *detail = "";
    switch (c->op) {
    case OP_FILE: verb = "filed"; break;
    case OP_SIZE:
        verb = "sized";
        detail = arena_printf (a, ": %lld h, %s", (long long) e->hours,
                               e->viable ? "viable" : "not viable");
        break;
    case OP_RETURN: verb = "returned"; detail = arena_printf (a, ": %s", e->state_reason); break;
    case OP_REFILE: verb = "refiled"; break;
    case OP_DECLINE: verb = "declined"; detail = arena_printf (a, ": %s", e->state_reason); break;
    case OP_WITHDRAW: verb = "withdrew"; break;
    case OP_SPEND:
        verb = arena_printf (a, "spent token %lld of %s on", (long long) e->token_no, e->quarter);
        detail = arena_printf (a, " (%lld h)%s%s", (long long) e->hours,
                               e->n_postponed ? "; postponed roadmap items " : "",
                               id_list (a, e->postponed, e->n_postponed));
        break;
    case OP_OVERRIDE:
        verb = "OVERRODE the rules to approve";
        detail = arena_printf (a, " (%lld h): %s%s%s", (long long) e->hours, e->override_reason,
                               e->n_postponed ? "; postponed roadmap items " : "",
                               id_list (a, e->postponed, e->n_postponed));
        break;
    case OP_DELIVER:
        verb = "delivered";
        detail = arena_printf (a, " in %lld h", (long long) e->actual_hours);
        break;
    case OP_OUTCOME:
        verb = "recorded the outcome of";
        detail = e->has_adopters
            ? arena_printf (a, ": deal %s, %lld adopters", e->deal, (long long) e->adopters)
            : arena_printf (a, ": deal %s", e->deal);
        break;
    case OP_MERGE:
        verb = "merged";
        detail = arena_printf (a, " into escalation %lld", (long long) e->merged_into);
        break;
    case OP_UNMERGE: verb = "unmerged"; break;
    default: break;
    }
    return arena_printf (a, "%s %s escalation %lld \"%s\" for %s%s", c->actor, verb,
                         (long long) e->id, e->title, e->account, detail);
}

/* Replies with escalation ID as it now is, and names it in the event. */
static int
finish (desk_call_t *c, int64_t id, esc_error_t *err)
{
    Esc__Escalation *e;
    if (store_escalation_get (c->store, c->arena, id, &e, err))
        return -1;
    c->reply->result_case = ESC__REPLY__RESULT_ESCALATION;
    c->reply->escalation = e;
    c->event.escalation_id = id;
    c->event.quarter = e->quarter;
    c->event.account = e->account;
    c->event.summary = summary (c, e);
    json_kv_string (&c->data, "title", e->title);
    json_kv_string (&c->data, "state", e->state);
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
desk_file (desk_call_t *c, esc_error_t *err)
{
    const Esc__File *m = c->req->file;
    const char *quarter;
    int64_t id;
    if (desk_quarter (c, m->quarter, true, &quarter, err)
        || needed_by_ahead (m->needed_by, err)
        || store_escalation_insert (c->store, quarter, m, c->actor, &id, err))
        return -1;
    if (m->has_deal_value)
        json_kv_int (&c->data, "deal_value", m->deal_value);
    return finish (c, id, err);
}

int
desk_size (desk_call_t *c, esc_error_t *err)
{
    const Esc__Size *m = c->req->size;
    escalation_ref_t e;
    quarter_facts_t q;
    escalation_state_t next;
    if (decide (c, m->id, NULL, &e, &q, &next, err)
        || store_sizing_insert (c->store, m, c->actor, err)
        || move (c, m->id, next, NULL, false, err))
        return -1;
    json_kv_int (&c->data, "hours", m->hours);
    json_kv_bool (&c->data, "viable", m->viable);
    json_kv_ints (&c->data, "displaces", m->displaces, m->n_displaces);
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

int
desk_refile (desk_call_t *c, esc_error_t *err)
{
    const Esc__Refile *m = c->req->refile;
    escalation_ref_t e;
    quarter_facts_t q;
    escalation_state_t next;
    /* back to filed: the new problem statement must be sized again */
    if (decide (c, m->id, NULL, &e, &q, &next, err)
        || needed_by_ahead (m->needed_by, err)
        || store_escalation_refile (c->store, m, err)
        || move (c, m->id, next, NULL, true, err))
        return -1;
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

/* ==== Delivery and outcome =============================================== */

int
desk_deliver (desk_call_t *c, esc_error_t *err)
{
    const Esc__Deliver *m = c->req->deliver;
    escalation_ref_t e;
    quarter_facts_t q;
    escalation_state_t next;
    if (decide (c, m->id, NULL, &e, &q, &next, err)
        || store_delivery_insert (c->store, m->id, m->actual_hours, c->actor, err)
        || move (c, m->id, next, NULL, false, err))
        return -1;
    json_kv_int (&c->data, "actual_hours", m->actual_hours);
    return finish (c, m->id, err);
}

int
desk_outcome (desk_call_t *c, esc_error_t *err)
{
    const Esc__Outcome *m = c->req->outcome;
    escalation_ref_t e;
    quarter_facts_t q;
    escalation_state_t next;
    if (decide (c, m->id, NULL, &e, &q, &next, err)
        || store_outcome_insert (c->store, m, c->actor, err)
        || move (c, m->id, next, NULL, false, err))
        return -1;
    json_kv_string (&c->data, "deal", m->deal);
    if (m->has_adopters)
        json_kv_int (&c->data, "adopters", m->adopters);
    return finish (c, m->id, err);
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
        .state = m->state && *m->state ? m->state : NULL,
        .account = m->account && *m->account ? m->account : NULL,
        .filer = m->has_mine && m->mine ? c->actor : NULL,
        .after = m->has_after ? m->after : 0,
        .limit = m->has_limit ? m->limit : LIMIT_PAGE_DEFAULT,
    };
    if (desk_quarter (c, m->quarter, false, &f.quarter, err))
        return -1;
    c->reply->result_case = ESC__REPLY__RESULT_ESCALATIONS;
    return store_escalation_list (c->store, c->arena, &f, &c->reply->escalations, err);
}

int
desk_show (desk_call_t *c, esc_error_t *err)
{
    c->reply->result_case = ESC__REPLY__RESULT_ESCALATION;
    return store_escalation_get (c->store, c->arena, c->req->show->id,
                                 &c->reply->escalation, err);
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
