/* workflow.c: the rules of the escalation desk. See workflow.h. */
#include "workflow.h"

#include <assert.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

/* ==== Names ============================================================== */

static const char *const role_names[ROLE_COUNT] = {
    "sales", "pm", "cro", "exec", "admin",
};

const char *
role_name (role_t role)
{
    for (int i = 0; i < ROLE_COUNT; i++)
        if (role == 1u << i)
            return role_names[i];
    return NULL;
}

int
role_parse (const char *name, role_t *role)
{
    for (int i = 0; i < ROLE_COUNT; i++)
        if (strcmp (name, role_names[i]) == 0) {
            *role = 1u << i;
            return 0;
        }
    return -1;
}

int
role_set_parse (const char *csv, role_set_t *roles)
{
    char name[16];
    *roles = 0;
    for (const char *p = csv; p && *p;) {
        size_t n = strcspn (p, ",");
        role_t role;
        if (n == 0 || n >= sizeof name)
            return -1;
        memcpy (name, p, n);
        name[n] = '\0';
        if (role_parse (name, &role) != 0)
            return -1;
        *roles |= role;
        p += n + (p[n] == ',');
    }
    return *roles ? 0 : -1;
}

static const char *const state_names[STATE_COUNT] = {
    "filed", "sized", "returned", "declined", "withdrawn",
    "merged", "approved", "delivered", "closed", "stopped", "referred",
};

const char *
state_name (escalation_state_t state)
{
    return (unsigned) state < STATE_COUNT ? state_names[state] : "unknown";
}

int
state_parse (const char *name, escalation_state_t *state)
{
    for (int i = 0; i < STATE_COUNT; i++)
        if (strcmp (name, state_names[i]) == 0) {
            *state = (escalation_state_t) i;
            return 0;
        }
    return -1;
}

/* ==== The table of operations ============================================
 * For each operation: who may do it, whether it changes state, and for the
 * actions on an escalation, the states it may start from, the state it
 * leads to, the states it leaves as they are, and when it corrects what is
 * recorded rather than recording it (DESIGN section 3). */

#define S(x) (1u << STATE_##x)
#define ANY_STATE 0u             /* not an escalation action */
/* As a rule's next state: the one the escalation was merged from, a fact */
#define BEFORE_MERGE STATE_COUNT
/* The live states: an escalation that may still be served */
#define LIVE (S (FILED) | S (SIZED) | S (RETURNED) | S (APPROVED) | S (DELIVERED))

/* When an operation corrects what is recorded (and so must change it). */
typedef enum {
    RECORDS,                    /* never: it records something new */
    CORRECTS,                   /* always: an edit, a refile, a change of an
                                   account or a roadmap item */
    CORRECTS_KEPT,              /* in a state it keeps: a sizing of a sized
                                   escalation, a delivery of a delivered one,
                                   a stop of a stopped one */
    CORRECTS_OUTCOME,           /* when the outcome is recorded already */
} correction_t;

typedef struct {
    const char *name;
    role_set_t roles;
    bool changes_state;
    unsigned from;              /* mask of states; ANY_STATE if none */
    escalation_state_t to;
    bool filer_only;            /* only the escalation's filer */
    bool refused_when_closed;   /* a closed quarter refuses it */
    bool or_self;               /* also the user acting on their own account */
    unsigned keeps;             /* states of FROM it leaves as they are */
    correction_t corrects;
} op_rule_t;

static const op_rule_t op_rules[OP_COUNT] = {
    [OP_QUARTER_OPEN]  = { "quarter open",  ROLE_PM, true, ANY_STATE, 0, false, false, false, 0, RECORDS },
    [OP_QUARTER_CLOSE] = { "quarter close", ROLE_PM, true, ANY_STATE, 0, false, false, false, 0, RECORDS },
    [OP_QUARTER_SHOW]  = { "quarter show",  ROLE_ANY, false, ANY_STATE, 0, false, false, false, 0, RECORDS },
    [OP_QUARTER_LIST]  = { "quarter list",  ROLE_ANY, false, ANY_STATE, 0, false, false, false, 0, RECORDS },
    [OP_ACCOUNT_ADD]   = { "account add",   ROLE_SALES | ROLE_PM, true, ANY_STATE, 0, false, false, false, 0, RECORDS },
    [OP_ACCOUNT_LIST]  = { "account list",  ROLE_ANY, false, ANY_STATE, 0, false, false, false, 0, RECORDS },
    [OP_ROADMAP_ADD]   = { "roadmap add",   ROLE_PM, true, ANY_STATE, 0, false, true, false, 0, RECORDS },
    [OP_ROADMAP_LIST]  = { "roadmap list",  ROLE_ANY, false, ANY_STATE, 0, false, false, false, 0, RECORDS },
    [OP_FILE]          = { "file",          ROLE_SALES, true, ANY_STATE, STATE_FILED, false, true, false, 0, RECORDS },
    [OP_SIZE]          = { "size",          ROLE_PM, true, S (FILED) | S (SIZED), STATE_SIZED, false, true, false, S (SIZED), CORRECTS_KEPT },
    [OP_RETURN]        = { "return",        ROLE_PM | ROLE_CRO, true, S (FILED) | S (SIZED), STATE_RETURNED, false, false, false, 0, RECORDS },
    [OP_REFILE]        = { "refile",        ROLE_SALES, true, S (RETURNED), STATE_FILED, true, true, false, 0, CORRECTS },
    [OP_DECLINE]       = { "decline",       ROLE_PM | ROLE_CRO, true, S (FILED) | S (SIZED), STATE_DECLINED, false, false, false, 0, RECORDS },
    [OP_WITHDRAW]      = { "withdraw",      ROLE_SALES, true, S (FILED) | S (SIZED) | S (RETURNED), STATE_WITHDRAWN, true, false, false, 0, RECORDS },
    [OP_SPEND]         = { "spend",         ROLE_CRO, true, S (SIZED), STATE_APPROVED, false, true, false, 0, RECORDS },
    [OP_OVERRIDE]      = { "override",      ROLE_EXEC, true, S (SIZED), STATE_APPROVED, false, true, false, 0, RECORDS },
    /* delivery, outcome and stop come after the quarter as often as not:
     * a closed quarter refuses none of them, nor their corrections */
    [OP_DELIVER]       = { "deliver",       ROLE_PM, true, S (APPROVED) | S (DELIVERED) | S (CLOSED), STATE_DELIVERED, false, false, false, S (DELIVERED) | S (CLOSED), CORRECTS_KEPT },
    [OP_OUTCOME]       = { "outcome",       ROLE_CRO, true, S (APPROVED) | S (STOPPED) | S (DELIVERED) | S (CLOSED), STATE_CLOSED, false, false, false, S (APPROVED) | S (STOPPED) | S (CLOSED), CORRECTS_OUTCOME },
    [OP_MERGE]         = { "merge",         ROLE_PM, true, S (FILED) | S (SIZED) | S (RETURNED), STATE_MERGED, false, false, false, 0, RECORDS },
    [OP_UNMERGE]       = { "unmerge",       ROLE_PM, true, S (MERGED), BEFORE_MERGE, false, false, false, 0, RECORDS },
    [OP_LIST]          = { "list",          ROLE_ANY, false, ANY_STATE, 0, false, false, false, 0, RECORDS },
    [OP_SHOW]          = { "show",          ROLE_ANY, false, ANY_STATE, 0, false, false, false, 0, RECORDS },
    [OP_HISTORY]       = { "history",       ROLE_ANY, false, ANY_STATE, 0, false, false, false, 0, RECORDS },
    [OP_USER_ADD]      = { "user add",      ROLE_ADMIN, true, ANY_STATE, 0, false, false, false, 0, RECORDS },
    [OP_USER_LIST]     = { "user list",     ROLE_ADMIN, false, ANY_STATE, 0, false, false, false, 0, RECORDS },
    [OP_EVENTS_SINCE]  = { "events since",  ROLE_ANY, false, ANY_STATE, 0, false, false, false, 0, RECORDS },
    [OP_USER_REVOKE]   = { "user revoke",   ROLE_ADMIN, true, ANY_STATE, 0, false, false, false, 0, RECORDS },
    [OP_USER_KEY]      = { "user key",      ROLE_ADMIN, true, ANY_STATE, 0, false, false, true, 0, RECORDS },
    [OP_REPORT]        = { "report",        ROLE_ANY, false, ANY_STATE, 0, false, false, false, 0, RECORDS },
    [OP_ACCOUNT_IMPORT] = { "account import", ROLE_SALES | ROLE_PM, true, ANY_STATE, 0, false, false, false, 0, RECORDS },
    /* who may edit what, in which of these states: edit_grants below */
    [OP_EDIT]          = { "edit",          ROLE_SALES | ROLE_PM, true, LIVE, 0, false, true, false, LIVE, CORRECTS },
    /* accounts belong to no quarter: no quarter's close refuses this */
    [OP_ACCOUNT_SET]   = { "account set",   ROLE_SALES | ROLE_PM, true, ANY_STATE, 0, false, false, false, 0, CORRECTS },
    /* only planned work: decide_roadmap_set */
    [OP_ROADMAP_SET]   = { "roadmap set",   ROLE_PM, true, ANY_STATE, 0, false, true, false, 0, CORRECTS },
    [OP_STOP]          = { "stop",          ROLE_PM, true, S (APPROVED) | S (STOPPED), STATE_STOPPED, false, false, false, S (STOPPED), CORRECTS_KEPT },
    /* only a closed quarter, and none later open: decide_quarter */
    [OP_QUARTER_REOPEN] = { "quarter reopen", ROLE_PM, true, ANY_STATE, 0, false, false, false, 0, RECORDS },
    /* escd about itself and the caller: anyone registered may ask */
    [OP_STATUS]        = { "status",        ROLE_ANY, false, ANY_STATE, 0, false, false, false, 0, RECORDS },
    /* support of a delivered one-off: the quarter it is spent in must be
     * open (decide_support) */
    [OP_SUPPORT]       = { "support",       ROLE_PM, true, S (DELIVERED) | S (CLOSED), STATE_DELIVERED, false, true, false, S (DELIVERED) | S (CLOSED), RECORDS },
    /* once, while open: decide_quarter */
    [OP_QUARTER_COMMIT] = { "quarter commit", ROLE_PM, true, ANY_STATE, 0, false, true, false, 0, RECORDS },
    /* work is finished after its quarter as often as not, like a delivery;
     * done again corrects the hours: decide_roadmap */
    [OP_ROADMAP_DONE]  = { "roadmap done",  ROLE_PM, true, ANY_STATE, 0, false, false, false, 0, RECORDS },
    /* into a later open quarter (the one it moves to is the case's quarter) */
    [OP_ROADMAP_MOVE]  = { "roadmap move",  ROLE_PM, true, ANY_STATE, 0, false, true, false, 0, RECORDS },
    /* a user's team: a correction of who they are, that must change it */
    [OP_USER_SET]      = { "user set",      ROLE_ADMIN, true, ANY_STATE, 0, false, false, false, 0, CORRECTS },
    [OP_PARTNER_ADD]   = { "partner add",   ROLE_PM | ROLE_CRO, true, ANY_STATE, 0, false, false, false, 0, RECORDS },
    [OP_PARTNER_LIST]  = { "partner list",  ROLE_ANY, false, ANY_STATE, 0, false, false, false, 0, RECORDS },
    /* a decision like a decline: a final state; the partner serves the
     * duplicates' customers too, so none are given back */
    [OP_REFER]         = { "refer",         ROLE_PM | ROLE_CRO, true, S (FILED) | S (SIZED) | S (RETURNED), STATE_REFERRED, false, false, false, 0, RECORDS },
    [OP_ACCOUNT_SHOW]  = { "account show",  ROLE_ANY, false, ANY_STATE, 0, false, false, false, 0, RECORDS },
    [OP_ROADMAP_SHOW]  = { "roadmap show",  ROLE_ANY, false, ANY_STATE, 0, false, false, false, 0, RECORDS },
};

/* Who may edit what, and in which states: the filer anything, while the
 * escalation is filed or returned (before it is sized, or sent back for
 * more); a PM only the title, while it is live. A user holding both roles
 * gets what either grant gives. */
static const struct {
    role_set_t roles;
    bool filer;                 /* only the escalation's filer */
    bool title_only;            /* only the title */
    unsigned from;
} edit_grants[] = {
    { ROLE_SALES, true, false, S (FILED) | S (RETURNED) },
    { ROLE_PM, false, true, LIVE },
};

/* States an escalation may be merged into: any that is still live. */
#define MERGE_TARGETS LIVE

/* States of a target that give its duplicates back: it left the live
 * states without serving anyone. */
#define RELEASING (S (WITHDRAWN) | S (DECLINED) | S (STOPPED))

const char *
op_name (op_t op)
{
    return (unsigned) op < OP_COUNT ? op_rules[op].name : "unknown";
}

role_set_t
workflow_roles (op_t op)
{
    return (unsigned) op < OP_COUNT ? op_rules[op].roles : 0;
}

bool
workflow_changes_state (op_t op)
{
    return (unsigned) op < OP_COUNT && op_rules[op].changes_state;
}

bool
workflow_releases_duplicates (escalation_state_t state)
{
    return (unsigned) state < STATE_COUNT && (RELEASING & (1u << state));
}

int64_t
workflow_budget_hours (const quarter_facts_t *q)
{
    assert (!q->closed_only);
    return q->capacity_hours * q->budget_pct / 100;
}

bool
workflow_within_budget (const quarter_facts_t *q, int64_t hours)
{
    assert (!q->closed_only);
    /* exact integer form of committed + hours <= capacity * pct / 100 */
    return (q->committed_hours + hours) * 100 <= q->capacity_hours * q->budget_pct;
}

bool
workflow_within_size (const quarter_facts_t *q, int64_t hours)
{
    assert (!q->closed_only);
    return hours <= q->max_token_hours;
}

bool
workflow_token_left (const quarter_facts_t *q)
{
    assert (!q->closed_only);
    return q->tokens_spent < q->tokens;
}

/* ==== Deciding =========================================================== */

/* "pm or cro" into BUF. */
static const char *
roles_text (role_set_t roles, char *buf, size_t len)
{
    buf[0] = '\0';
    if ((roles & ROLE_ANY) == ROLE_ANY) {
        snprintf (buf, len, "any role");
        return buf;
    }
    for (int i = 0; i < ROLE_COUNT; i++)
        if (roles & (1u << i)) {
            size_t used = strlen (buf);
            snprintf (buf + used, len - used, "%s%s", used ? " or " : "", role_names[i]);
        }
    return buf;
}

/* The states of MASK, "filed or sized", into BUF. */
static const char *
states_text (unsigned mask, char *buf, size_t len)
{
    buf[0] = '\0';
    for (int i = 0; i < STATE_COUNT; i++)
        if (mask & (1u << i)) {
            size_t used = strlen (buf);
            snprintf (buf + used, len - used, "%s%s", used ? " or " : "", state_names[i]);
        }
    return buf;
}

/* The token rules of DESIGN section 1: viable, a token left, within the
 * size ceiling, within the remaining one-off budget. */
static int
decide_spend (const quarter_facts_t *q, const escalation_facts_t *e, esc_error_t *err)
{
    if (!workflow_token_left (q))
        return esc_fail (err, ESC_FAILED_PRECONDITION, "TOKEN_ALREADY_SPENT",
                         "the quarter's %lld token%s already spent",
                         (long long) q->tokens, q->tokens == 1 ? " is" : "s are");
    if (!workflow_within_size (q, e->hours))
        return esc_fail (err, ESC_FAILED_PRECONDITION, "SIZE_LIMIT_EXCEEDED",
                         "escalation %lld is sized at %lld h, over the %lld h a token may buy",
                         (long long) e->id, (long long) e->hours, (long long) q->max_token_hours);
    if (!workflow_within_budget (q, e->hours))
        return esc_fail (err, ESC_FAILED_PRECONDITION, "BUDGET_EXCEEDED",
                         "approving %lld h would bring one-off work to %lld h, over the budget of %lld h (%lld %% of %lld h)",
                         (long long) e->hours, (long long) (q->committed_hours + e->hours),
                         (long long) workflow_budget_hours (q), (long long) q->budget_pct,
                         (long long) q->capacity_hours);
    return 0;
}

static int
decide_merge (const workflow_case_t *c, esc_error_t *err)
{
    const escalation_facts_t *e = c->escalation, *t = c->target;
    if (!t)
        return esc_fail (err, ESC_INVALID_ARGUMENT, "MISSING_ARGUMENT",
                         "merge needs the escalation to merge into");
    if (t->id == e->id)
        return esc_fail (err, ESC_INVALID_ARGUMENT, "INVALID_MERGE_TARGET",
                         "escalation %lld cannot be merged into itself", (long long) e->id);
    if (!c->same_quarter)
        return esc_fail (err, ESC_INVALID_ARGUMENT, "INVALID_MERGE_TARGET",
                         "escalation %lld is in another quarter than %lld",
                         (long long) t->id, (long long) e->id);
    if (!(MERGE_TARGETS & (1u << t->state)))
        return esc_fail (err, ESC_FAILED_PRECONDITION, "INVALID_MERGE_TARGET",
                         "escalation %lld is %s; only a live escalation can take a duplicate",
                         (long long) t->id, state_name (t->state));
    return 0;
}

/* An unmerge restores the state the escalation was merged from; a fact that
 * no merge could have left behind is the store's fault, not the user's. */
static int
decide_unmerge (const escalation_facts_t *e, escalation_state_t *next, esc_error_t *err)
{
    if ((unsigned) e->before_merge >= STATE_COUNT
        || !(op_rules[OP_MERGE].from & (1u << e->before_merge)))
        return esc_fail (err, ESC_INTERNAL, "INTERNAL",
                         "escalation %lld was merged from state %s, which no merge starts from",
                         (long long) e->id, state_name (e->before_merge));
    if (e->before_merge == STATE_SIZED && !e->sized)
        return esc_fail (err, ESC_INTERNAL, "INTERNAL",
                         "escalation %lld was merged from sized but has no sizing",
                         (long long) e->id);
    *next = e->before_merge;
    return 0;
}

/* Every displaced item must be planned work of the quarter. */
static int
check_displaced (const workflow_case_t *c, esc_error_t *err)
{
    for (size_t i = 0; i < c->n_displaced; i++)
        if (workflow_check_displacement (&c->displaced[i], err)) {
            if (c->op != OP_SIZE)       /* planned at sizing, not any more */
                esc_fail (err, ESC_FAILED_PRECONDITION, "INVALID_DISPLACEMENT",
                          "roadmap item %lld, which the sizing displaces, is no longer "
                          "planned: size escalation %lld again",
                          (long long) c->displaced[i].id, (long long) c->escalation->id);
            return -1;
        }
    return 0;
}

int
workflow_permit (op_t op, role_set_t roles, esc_error_t *err)
{
    char buf[128];
    if ((unsigned) op >= OP_COUNT)
        return esc_fail (err, ESC_INVALID_ARGUMENT, "UNKNOWN_OPERATION",
                         "operation %d is not known", (int) op);
    /* an operation a user may do on their own account: decided with facts */
    if (op_rules[op].or_self)
        return 0;
    if (!(roles & op_rules[op].roles))
        return esc_fail (err, ESC_PERMISSION_DENIED, "PERMISSION_DENIED",
                         "%s needs the role %s", op_rules[op].name,
                         roles_text (op_rules[op].roles, buf, sizeof buf));
    return 0;
}

int
workflow_permit_own (op_t op, role_set_t roles, bool own, esc_error_t *err)
{
    char buf[128];
    if (workflow_permit (op, roles, err))
        return -1;
    if (op_rules[op].or_self && !own && !(roles & op_rules[op].roles))
        return esc_fail (err, ESC_PERMISSION_DENIED, "PERMISSION_DENIED",
                         "%s needs the role %s, or to be one's own", op_rules[op].name,
                         roles_text (op_rules[op].roles, buf, sizeof buf));
    return 0;
}

/* Revoking a user, or giving them a new key. */
static int
decide_user (const workflow_case_t *c, esc_error_t *err)
{
    const user_facts_t *u = c->user;
    if (!u)
        return esc_fail (err, ESC_INTERNAL, "INTERNAL", "no facts about the user");
    if (workflow_permit_own (c->op, c->roles, u->is_actor, err))
        return -1;
    if (u->revoked)
        return esc_fail (err, ESC_FAILED_PRECONDITION, "INVALID_STATE",
                         "the user is revoked");
    if (c->op == OP_USER_REVOKE && u->admin && u->active_admins <= 1)
        return esc_fail (err, ESC_FAILED_PRECONDITION, "LAST_ADMIN",
                         "the last active admin cannot be revoked; add another admin first");
    return 0;
}

/* Editing an escalation: one of edit_grants must give the actor what the
 * edit asks in the escalation's state. Refused NOT_FILER when no grant is
 * the actor's (another's escalation, more than the title), INVALID_STATE
 * when one is, but not in this state. */
static int
decide_edit (const workflow_case_t *c, esc_error_t *err)
{
    const escalation_facts_t *e = c->escalation;
    char buf[128];
    unsigned states = 0;
    for (size_t i = 0; i < sizeof edit_grants / sizeof edit_grants[0]; i++) {
        if (!(c->roles & edit_grants[i].roles) || (edit_grants[i].filer && !c->actor_is_filer)
            || (edit_grants[i].title_only && !c->title_only))
            continue;
        if (edit_grants[i].from & (1u << e->state))
            return 0;
        states |= edit_grants[i].from;
    }
    if (!states)
        return esc_fail (err, ESC_PERMISSION_DENIED, "NOT_FILER",
                         "only the filer of escalation %lld may edit it%s",
                         (long long) e->id, c->roles & ROLE_PM ? " beyond its title"
                                                              : "; a PM may fix its title");
    return esc_fail (err, ESC_FAILED_PRECONDITION, "INVALID_STATE",
                     "escalation %lld is %s; %s may edit it while it is %s",
                     (long long) e->id, state_name (e->state),
                     c->title_only && (c->roles & ROLE_PM) ? "a PM" : "its filer",
                     states_text (states, buf, sizeof buf));
}

/* An outcome before delivery can only be a lost deal: nothing was built
 * that could have won it. */
static int
decide_outcome (const workflow_case_t *c, esc_error_t *err)
{
    const escalation_facts_t *e = c->escalation;
    if (e->state == STATE_APPROVED && !(c->deal && strcmp (c->deal, "lost") == 0))
        return esc_fail (err, ESC_FAILED_PRECONDITION, "INVALID_STATE",
                         "escalation %lld is approved, not delivered: before delivery only a "
                         "lost deal may be recorded", (long long) e->id);
    return 0;
}

/* Closing and reopening a quarter: each from the other state; a reopen
 * only while no later quarter is open, so that the open quarters stay the
 * latest ones and the default quarter stays what people expect. */
static int
decide_quarter (const workflow_case_t *c, esc_error_t *err)
{
    const quarter_facts_t *q = c->quarter;
    if (!q)
        return esc_fail (err, ESC_INTERNAL, "INTERNAL", "%s needs the quarter's facts",
                         op_name (c->op));
    assert (!q->closed_only);
    if (c->op == OP_QUARTER_CLOSE && q->closed)
        return esc_fail (err, ESC_FAILED_PRECONDITION, "INVALID_STATE",
                         "the quarter is already closed");
    if (c->op == OP_QUARTER_REOPEN && !q->closed)
        return esc_fail (err, ESC_FAILED_PRECONDITION, "INVALID_STATE",
                         "the quarter is open; only a closed quarter can be reopened");
    if (c->op == OP_QUARTER_COMMIT && q->plan_committed)
        return esc_fail (err, ESC_FAILED_PRECONDITION, "PLAN_COMMITTED",
                         "the quarter's plan is committed already: its baseline stays as agreed");
    if (c->op == OP_QUARTER_REOPEN && q->later_open[0])
        return esc_fail (err, ESC_FAILED_PRECONDITION, "LATER_QUARTER_OPEN",
                         "quarter %s, a later one, is open: close it before reopening this one",
                         q->later_open);
    return 0;
}

static const char *
roadmap_state_name (roadmap_state_t state)
{
    return state == ROADMAP_PLANNED ? "planned" : state == ROADMAP_POSTPONED ? "postponed" : "done";
}

/* The plan's life: planned work is done (done again corrects its hours,
 * and must change them); planned or postponed work is carried into a later
 * quarter, never done work, never backwards. */
static int
decide_roadmap (const workflow_case_t *c, esc_error_t *err)
{
    const roadmap_facts_t *item = c->item;
    if (!item)
        return esc_fail (err, ESC_INTERNAL, "INTERNAL", "%s needs the item's facts",
                         op_name (c->op));
    if (c->op == OP_ROADMAP_DONE) {
        if (item->state == ROADMAP_POSTPONED)
            return esc_fail (err, ESC_FAILED_PRECONDITION, "INVALID_STATE",
                             "roadmap item %lld is postponed; move it to the quarter it is "
                             "done in first", (long long) item->id);
        if (item->state == ROADMAP_DONE && c->changes <= 0)
            return esc_fail (err, ESC_FAILED_PRECONDITION, "NOTHING_CHANGED",
                             "roadmap item %lld is done already with those hours; give "
                             "--actual-hours to correct them", (long long) item->id);
        return 0;
    }
    if (item->state == ROADMAP_DONE)
        return esc_fail (err, ESC_FAILED_PRECONDITION, "INVALID_STATE",
                         "roadmap item %lld is done; only planned or postponed work is carried",
                         (long long) item->id);
    if (c->quarter_before)
        return esc_fail (err, ESC_INVALID_ARGUMENT, "QUARTER_NOT_LATER",
                         "roadmap item %lld moves into a later quarter than its own",
                         (long long) item->id);
    return 0;
}

/* A roadmap item may be changed while it is planned: once postponed or
 * done, it is a record of what happened. */
static int
decide_roadmap_set (const workflow_case_t *c, esc_error_t *err)
{
    const roadmap_facts_t *item = c->item;
    if (!item)
        return esc_fail (err, ESC_INTERNAL, "INTERNAL", "roadmap set needs the item's facts");
    if (item->state != ROADMAP_PLANNED)
        return esc_fail (err, ESC_FAILED_PRECONDITION, "INVALID_STATE",
                         "roadmap item %lld is %s; only planned work can be changed",
                         (long long) item->id, roadmap_state_name (item->state));
    return 0;
}

bool
workflow_corrects (const workflow_case_t *c)
{
    if ((unsigned) c->op >= OP_COUNT)
        return false;
    const op_rule_t *rule = &op_rules[c->op];
    const escalation_facts_t *e = c->escalation;
    switch (rule->corrects) {
    case CORRECTS:
        return true;
    case CORRECTS_KEPT:
        return e && (rule->keeps & (1u << e->state));
    case CORRECTS_OUTCOME:
        return e && e->has_outcome;
    case RECORDS:
    default:
        return false;
    }
}

/* The action's own rules, once the role, the filer, the quarter and the
 * state allow it. */
static int
decide_own (const workflow_case_t *c, escalation_state_t *next, esc_error_t *err)
{
    const escalation_facts_t *e = c->escalation;
    switch (c->op) {
    case OP_SPEND:
    case OP_OVERRIDE:
        if (!e->sized)
            return esc_fail (err, ESC_FAILED_PRECONDITION, "NOT_SIZED",
                             "escalation %lld has no sizing", (long long) e->id);
        if (!e->viable)
            return esc_fail (err, ESC_FAILED_PRECONDITION, "NOT_VIABLE",
                             "product sized escalation %lld as not viable", (long long) e->id);
        /* an override skips the token, the size ceiling and the budget */
        if (c->op == OP_SPEND && decide_spend (c->quarter, e, err))
            return -1;
        return check_displaced (c, err);
    case OP_SIZE:
        return check_displaced (c, err);
    case OP_MERGE:
        return decide_merge (c, err);
    case OP_UNMERGE:
        return decide_unmerge (e, next, err);
    case OP_USER_REVOKE:
    case OP_USER_KEY:
        return decide_user (c, err);
    case OP_EDIT:
        return decide_edit (c, err);
    case OP_OUTCOME:
        return decide_outcome (c, err);
    case OP_DELIVER:
        /* the deal was lost before delivery: delivered, it is done with */
        if (e->state == STATE_APPROVED && e->has_outcome)
            *next = STATE_CLOSED;
        return 0;
    case OP_QUARTER_CLOSE:
    case OP_QUARTER_REOPEN:
    case OP_QUARTER_COMMIT:
        return decide_quarter (c, err);
    case OP_ROADMAP_DONE:
    case OP_ROADMAP_MOVE:
        return decide_roadmap (c, err);
    case OP_ROADMAP_SET:
        return decide_roadmap_set (c, err);
    case OP_SUPPORT:
        if (c->quarter_before)
            return esc_fail (err, ESC_INVALID_ARGUMENT, "QUARTER_BEFORE_ONEOFF",
                             "support of escalation %lld is spent in its own quarter or a later one",
                             (long long) e->id);
        return 0;
    default:
        return 0;
    }
}

int
workflow_decide (const workflow_case_t *c, escalation_state_t *next, esc_error_t *err)
{
    char buf[128];
    if (workflow_permit (c->op, c->roles, err))
        return -1;
    const op_rule_t *rule = &op_rules[c->op];

    const escalation_facts_t *e = c->escalation;
    if (rule->filer_only && !c->actor_is_filer)
        return esc_fail (err, ESC_PERMISSION_DENIED, "NOT_FILER",
                         "only the filer of escalation %lld may %s it",
                         e ? (long long) e->id : 0LL, rule->name);

    const quarter_facts_t *q = c->quarter;
    if (rule->refused_when_closed && q && q->closed)
        return esc_fail (err, ESC_FAILED_PRECONDITION, "QUARTER_CLOSED",
                         "the quarter is closed: no more filings, plans, sizings, "
                         "corrections or approvals");

    if (rule->from != ANY_STATE) {
        if (!e)
            return esc_fail (err, ESC_INTERNAL, "INTERNAL", "%s needs an escalation", rule->name);
        if (!(rule->from & (1u << e->state)))
            return esc_fail (err, ESC_FAILED_PRECONDITION, "INVALID_STATE",
                             "escalation %lld is %s; %s needs it %s",
                             (long long) e->id, state_name (e->state), rule->name,
                             states_text (rule->from, buf, sizeof buf));
        /* BEFORE_MERGE: decide_unmerge sets it */
        *next = rule->keeps & (1u << e->state) ? e->state : rule->to;
    }

    bool corrects = workflow_corrects (c);
    if (c->missing && !corrects)
        return esc_fail (err, ESC_INVALID_ARGUMENT, "MISSING_ARGUMENT",
                         "%s is required to %s escalation %lld the first time",
                         c->missing, rule->name, e ? (long long) e->id : 0LL);
    if (decide_own (c, next, err))
        return -1;
    if (corrects && c->changes <= 0)
        return esc_fail (err, ESC_FAILED_PRECONDITION, "NOTHING_CHANGED",
                         "this %s changes nothing that is recorded%s", rule->name,
                         c->op == OP_REFILE ? ": change what the PM asked about, or "
                                              "answer the question (--answer)" : "");
    return 0;
}

/* ==== Displacement and the default quarter =============================== */

int
workflow_check_displacement (const roadmap_facts_t *item, esc_error_t *err)
{
    if (!item->same_quarter)
        return esc_fail (err, ESC_INVALID_ARGUMENT, "INVALID_DISPLACEMENT",
                         "roadmap item %lld is planned in another quarter", (long long) item->id);
    if (item->state != ROADMAP_PLANNED)
        return esc_fail (err, ESC_FAILED_PRECONDITION, "INVALID_DISPLACEMENT",
                         "roadmap item %lld is %s; only planned work can be displaced",
                         (long long) item->id,
                         item->state == ROADMAP_POSTPONED ? "already postponed" : "done");
    return 0;
}

int
workflow_default_quarter (const open_quarter_t *open, size_t n, esc_error_t *err)
{
    int holding = -1;
    for (size_t i = 0; i < n; i++)
        if (open[i].holds_today) {
            if (holding >= 0)
                return esc_fail (err, ESC_FAILED_PRECONDITION, "QUARTER_REQUIRED",
                                 "open quarters %s and %s both hold today; name one with --quarter",
                                 open[holding].name, open[i].name);
            holding = (int) i;
        }
    if (holding >= 0)
        return holding;
    if (n == 1)
        return 0;
    if (n == 0)
        return esc_fail (err, ESC_FAILED_PRECONDITION, "NO_OPEN_QUARTER",
                         "no quarter is open; a PM opens one with 'esc quarter open'");
    return esc_fail (err, ESC_FAILED_PRECONDITION, "QUARTER_REQUIRED",
                     "%zu quarters are open and none holds today; name one with --quarter", n);
}

/* ==== Dates the customer gives =========================================== */

void
workflow_today (int64_t now, char *out)
{
    time_t anywhere = (time_t) (now - 12 * 3600);
    struct tm tm;
    gmtime_r (&anywhere, &tm);
    strftime (out, 11, "%Y-%m-%d", &tm);
}

int
workflow_check_needed_by (const char *needed_by, const char *today, esc_error_t *err)
{
    if (!needed_by || !*needed_by || strcmp (needed_by, today) >= 0)
        return 0;
    return esc_fail (err, ESC_INVALID_ARGUMENT, "NEEDED_BY_PAST",
                     "needed_by %s has passed (today is %s): give the date the customer "
                     "needs it by from now on", needed_by, today);
}
