/* workflow.h: the rules of the escalation desk, as plain functions.
 *
 * Every rule of DESIGN sections 1 and 3 lives here once: which role may do
 * what, which state an escalation must be in for each action and which
 * state it moves to, the token, the size ceiling, the one-off budget, closed
 * quarters, merge targets, displaceable roadmap items, the corrections (who
 * may correct what, and that a correction changes something), the plan's
 * life (a commit once, an item done or carried to a later quarter), and the
 * choice of the default quarter. Nothing here does I/O: the desk loads the
 * facts from the store, asks here, and writes what was decided. */
#ifndef ESC_WORKFLOW_H
#define ESC_WORKFLOW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "status.h"

/* ---- Roles ---------------------------------------------------------------*/

typedef enum {
    ROLE_SALES = 1u << 0,
    ROLE_PM = 1u << 1,
    ROLE_CRO = 1u << 2,
    ROLE_EXEC = 1u << 3,
    ROLE_ADMIN = 1u << 4,
} role_t;

typedef unsigned role_set_t;
#define ROLE_ANY (ROLE_SALES | ROLE_PM | ROLE_CRO | ROLE_EXEC | ROLE_ADMIN)
#define ROLE_COUNT 5

/* "sales", "pm", ...; NULL for anything but a single role. */
const char *role_name (role_t role);
/* 0 and the role for a known name, else -1. */
int role_parse (const char *name, role_t *role);
/* "sales,pm" into a set. Returns 0, or -1 at the first unknown name. */
int role_set_parse (const char *csv, role_set_t *roles);

/* ---- Operations ----------------------------------------------------------*/

typedef enum {
    OP_QUARTER_OPEN, OP_QUARTER_CLOSE, OP_QUARTER_SHOW, OP_QUARTER_LIST,
    OP_ACCOUNT_ADD, OP_ACCOUNT_LIST, OP_ROADMAP_ADD, OP_ROADMAP_LIST,
    OP_FILE, OP_SIZE, OP_RETURN, OP_REFILE, OP_DECLINE, OP_WITHDRAW,
    OP_SPEND, OP_OVERRIDE, OP_DELIVER, OP_OUTCOME, OP_MERGE, OP_UNMERGE,
    OP_LIST, OP_SHOW, OP_HISTORY, OP_USER_ADD, OP_USER_LIST, OP_EVENTS_SINCE,
    OP_USER_REVOKE, OP_USER_KEY, OP_REPORT, OP_ACCOUNT_IMPORT,
    /* corrections of what is recorded (DESIGN section 3) */
    OP_EDIT, OP_ACCOUNT_SET, OP_ROADMAP_SET, OP_STOP, OP_QUARTER_REOPEN,
    OP_STATUS,
    /* the remedies: what a one-off really cost, the plan's life */
    OP_SUPPORT, OP_QUARTER_COMMIT, OP_ROADMAP_DONE, OP_ROADMAP_MOVE,
    /* ... the incentives, services partners */
    OP_USER_SET, OP_PARTNER_ADD, OP_PARTNER_LIST, OP_REFER,
    /* one account or roadmap item with what concerns it */
    OP_ACCOUNT_SHOW, OP_ROADMAP_SHOW,
    OP_COUNT
} op_t;

/* The operation's name as the command line spells it ("return", "spend"). */
const char *op_name (op_t op);
/* Which roles may perform OP: the one authorisation table. */
role_set_t workflow_roles (op_t op);
/* Whether ROLES may perform OP at all. Returns 0, or -1 with
 * PERMISSION_DENIED naming the roles that may. For an operation a user may
 * also do on their own account (user key), this defers to
 * workflow_permit_own. */
int workflow_permit (op_t op, role_set_t roles, esc_error_t *err);
/* Whether ROLES may perform OP on an account, OWN saying whether it is the
 * actor's own. */
int workflow_permit_own (op_t op, role_set_t roles, bool own, esc_error_t *err);
/* True when OP changes state (and so is logged for idempotent retries and
 * emits an event). */
bool workflow_changes_state (op_t op);

/* ---- Escalation states ---------------------------------------------------*/

typedef enum {
    STATE_FILED, STATE_SIZED, STATE_RETURNED, STATE_DECLINED, STATE_WITHDRAWN,
    STATE_MERGED, STATE_APPROVED, STATE_DELIVERED, STATE_CLOSED, STATE_STOPPED,
    STATE_REFERRED,
    STATE_COUNT
} escalation_state_t;

const char *state_name (escalation_state_t state);
int state_parse (const char *name, escalation_state_t *state);

/* ---- Facts the rules need ------------------------------------------------*/

typedef struct {
    bool closed;
    bool closed_only;           /* only closed was read (a filing needs no
                                   more): the figures below are not known */
    int64_t capacity_hours;
    int64_t budget_pct;
    int64_t tokens;
    int64_t tokens_spent;
    int64_t max_token_hours;
    int64_t committed_hours;    /* sized hours of approved one-offs (a
                                   stopped one's hours spent) */
    char later_open[16];        /* reopen: the first later quarter (by name)
                                   that is open; "" when none */
    bool plan_committed;        /* its plan's baseline is frozen */
} quarter_facts_t;

typedef struct {
    int64_t id;
    escalation_state_t state;
    bool sized;                 /* has a current sizing */
    int64_t hours;              /* of the current sizing */
    bool viable;
    escalation_state_t before_merge;    /* merged: the state it was merged from */
    bool has_outcome;           /* the deal's outcome is recorded */
} escalation_facts_t;

/* ---- Displacement --------------------------------------------------------*/

typedef enum { ROADMAP_PLANNED, ROADMAP_POSTPONED, ROADMAP_DONE } roadmap_state_t;

typedef struct {
    int64_t id;
    bool same_quarter;          /* in the escalation's quarter */
    roadmap_state_t state;
} roadmap_facts_t;

/* ---- Users --------------------------------------------------------------*/

typedef struct {
    bool revoked;
    bool admin;                 /* holds the admin role */
    bool is_actor;              /* the user acting on their own account */
    int64_t active_admins;      /* admins not revoked, this one included */
} user_facts_t;

/* One proposed action. Quarter-level operations leave escalation NULL. */
typedef struct {
    op_t op;
    role_set_t roles;                       /* the actor's roles */
    bool actor_is_filer;                    /* the actor filed the escalation */
    const quarter_facts_t *quarter;         /* the quarter acted in */
    const escalation_facts_t *escalation;   /* the escalation acted on */
    const escalation_facts_t *target;       /* merge: the one it folds into */
    bool same_quarter;                      /* merge: target in the same quarter */
    const roadmap_facts_t *displaced;       /* size: the items it names;
                                               spend, override: those of the
                                               current sizing */
    size_t n_displaced;
    const user_facts_t *user;               /* user revoke and key: the user */
    /* corrections */
    int changes;                            /* the recorded values it changes */
    const char *missing;                    /* size, stop: a field a first one
                                               needs and the request lacks */
    bool title_only;                        /* edit: the title is all it gives */
    const char *deal;                       /* outcome: won or lost */
    const roadmap_facts_t *item;            /* roadmap set: the item */
    bool quarter_before;                    /* support: the quarter it is spent
                                               in is before the escalation's;
                                               roadmap move: the quarter it
                                               moves to is not after its own */
} workflow_case_t;

/* Decides one action. Returns 0 when it may go ahead, with the escalation's
 * next state in *next (unchanged for quarter-level operations), or -1 with
 * the status, the rule's reason and a message in ERR. Checks, in order: the
 * role, the filer, a closed quarter, the state, a field a first sizing or
 * stop needs (c->missing), then the action's own rules (viability, tokens,
 * size ceiling, budget, merge target, who may edit what, an outcome before
 * delivery), that the planned work a sizing displaces is still there to
 * displace (nothing is approved for free), and last that a correction
 * changes something (c->changes). An unmerge leads back to the state the
 * escalation was merged from (escalation->before_merge): filed, sized or
 * returned, with its sizing; any other fact is refused as INTERNAL. */
int workflow_decide (const workflow_case_t *c, escalation_state_t *next,
                     esc_error_t *err);

/* True when C corrects what is recorded rather than recording it the first
 * time: an edit, a refile, an account or roadmap change, a sizing of a
 * sized escalation, a delivery of a delivered one, an outcome where one is
 * recorded, a stop of a stopped one. A correction that changes nothing is
 * refused (NOTHING_CHANGED); its event says what it changed, old and new. */
bool workflow_corrects (const workflow_case_t *c);

/* True when an escalation moving to STATE releases the duplicates merged
 * into it: withdrawn, declined and stopped, where nobody would serve their
 * customers any more. Each duplicate goes back to the state it was merged
 * from, as an unmerge would. Not approved, delivered or closed (the target
 * serves the duplicates' customers), nor merged (the family moves along). */
bool workflow_releases_duplicates (escalation_state_t state);

/* The one-off budget of a quarter, in hours (rounded down). */
int64_t workflow_budget_hours (const quarter_facts_t *q);
/* True when approving HOURS more keeps one-off work within the budget. */
bool workflow_within_budget (const quarter_facts_t *q, int64_t hours);
/* True when HOURS is within the size a token may buy. */
bool workflow_within_size (const quarter_facts_t *q, int64_t hours);
/* True when the quarter has a token left to spend. */
bool workflow_token_left (const quarter_facts_t *q);

/* A sizing may name as displaced only planned items of its own quarter,
 * and an approval needs them still planned. Returns 0, or -1 with ERR
 * naming the item. */
int workflow_check_displacement (const roadmap_facts_t *item, esc_error_t *err);

/* ---- Default quarter -----------------------------------------------------*/

typedef struct {
    const char *name;
    bool holds_today;           /* starts_on <= today <= ends_on */
} open_quarter_t;

/* A command without --quarter acts on the open quarter whose dates hold
 * today; failing that, the only open quarter; failing that, it asks.
 * OPEN lists the open quarters. Returns the index of the choice, or -1 with
 * ERR saying why none could be chosen. */
int workflow_default_quarter (const open_quarter_t *open, size_t n, esc_error_t *err);

/* ---- Dates the customer gives -------------------------------------------*/

/* Today as the rules count it, YYYY-MM-DD into OUT (11 bytes), NOW being
 * seconds since the epoch: the date anywhere on Earth (UTC-12), so that a
 * date is past only once it has passed everywhere, and nobody filing late
 * in the day in Honolulu is told that today is tomorrow. */
void workflow_today (int64_t now, char *out);
/* A needed-by date being filed (file, refile, edit) must not have passed:
 * NEEDED_BY may be NULL or empty (none given), else a valid YYYY-MM-DD.
 * Returns 0, or -1 with NEEDED_BY_PAST in ERR. A date that passes later
 * is no fault of the escalation's: only what is given now is checked. */
int workflow_check_needed_by (const char *needed_by, const char *today, esc_error_t *err);

#endif
