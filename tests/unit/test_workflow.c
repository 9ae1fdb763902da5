/* test_workflow.c: every rule of the workflow, for every role and state.
 *
 * The transition table of DESIGN section 3 is written out again below as
 * the specification; the tests walk every action x state x role x
 * filer-or-not and compare workflow_decide with it, then test each rule of
 * the token, the size ceiling, the budget, closed quarters, merges,
 * displacement, the corrections (who may edit what, a correction that
 * changes nothing, an outcome before delivery, a stop, a reopened quarter,
 * a changed roadmap item) and the default quarter at and around its
 * boundaries. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "workflow.h"

#define S(x) (1u << STATE_##x)

static const role_t all_roles[] = { ROLE_SALES, ROLE_PM, ROLE_CRO, ROLE_EXEC, ROLE_ADMIN };

#define LIVE (S (FILED) | S (SIZED) | S (RETURNED) | S (APPROVED) | S (DELIVERED))

/* DESIGN section 3, "Escalation states", as data: TO is the next state,
 * but for the states of KEEPS, which an action leaves as they are (a
 * correction, an outcome before delivery). Edits: test_edit_grants. */
static const struct {
    op_t op;
    role_set_t roles;
    unsigned from;
    escalation_state_t to;
    bool filer_only;
    unsigned keeps;
} spec[] = {
    { OP_SIZE, ROLE_PM, S (FILED) | S (SIZED), STATE_SIZED, false, S (SIZED) },
    { OP_SPEND, ROLE_CRO, S (SIZED), STATE_APPROVED, false, 0 },
    { OP_OVERRIDE, ROLE_EXEC, S (SIZED), STATE_APPROVED, false, 0 },
    { OP_RETURN, ROLE_PM | ROLE_CRO, S (FILED) | S (SIZED), STATE_RETURNED, false, 0 },
    { OP_REFILE, ROLE_SALES, S (RETURNED), STATE_FILED, true, 0 },
    { OP_DECLINE, ROLE_PM | ROLE_CRO, S (FILED) | S (SIZED), STATE_DECLINED, false, 0 },
    { OP_WITHDRAW, ROLE_SALES, S (FILED) | S (SIZED) | S (RETURNED), STATE_WITHDRAWN, true, 0 },
    { OP_MERGE, ROLE_PM, S (FILED) | S (SIZED) | S (RETURNED), STATE_MERGED, false, 0 },
    /* back to the state it was merged from: filed here (the facts' default);
     * test_unmerge_restores tries each */
    { OP_UNMERGE, ROLE_PM, S (MERGED), STATE_FILED, false, 0 },
    { OP_DELIVER, ROLE_PM, S (APPROVED) | S (DELIVERED) | S (CLOSED), STATE_DELIVERED, false,
      S (DELIVERED) | S (CLOSED) },
    /* a lost deal here (the facts' default): won only once delivered,
     * test_outcome_before_delivery */
    { OP_OUTCOME, ROLE_CRO, S (APPROVED) | S (STOPPED) | S (DELIVERED) | S (CLOSED), STATE_CLOSED,
      false, S (APPROVED) | S (STOPPED) | S (CLOSED) },
    { OP_STOP, ROLE_PM, S (APPROVED) | S (STOPPED), STATE_STOPPED, false, S (STOPPED) },
    { OP_REFER, ROLE_PM | ROLE_CRO, S (FILED) | S (SIZED) | S (RETURNED), STATE_REFERRED, false, 0 },
    /* support of a delivered one-off: the state stays */
    { OP_SUPPORT, ROLE_PM, S (DELIVERED) | S (CLOSED), STATE_DELIVERED, false,
      S (DELIVERED) | S (CLOSED) },
};

/* A quarter where nothing but the rule under test can refuse. */
static quarter_facts_t
roomy_quarter (void)
{
    return (quarter_facts_t) {
        .closed = false, .capacity_hours = 4000, .budget_pct = 10, .tokens = 1,
        .tokens_spent = 0, .max_token_hours = 80, .committed_hours = 0,
    };
}

static escalation_facts_t
sized (escalation_state_t state, int64_t hours, bool viable)
{
    return (escalation_facts_t) { .id = 7, .state = state, .sized = true, .hours = hours,
                                  .viable = viable };
}

static int
decide (op_t op, role_set_t roles, bool filer, const quarter_facts_t *q,
        const escalation_facts_t *e, const escalation_facts_t *target,
        escalation_state_t *next, esc_error_t *err)
{
    /* a correction that changes something; an outcome of a lost deal */
    workflow_case_t c = { .op = op, .roles = roles, .actor_is_filer = filer, .quarter = q,
                          .escalation = e, .target = target, .same_quarter = true,
                          .changes = 1, .deal = "lost" };
    esc_error_clear (err);
    return workflow_decide (&c, next, err);
}

static void
assert_refused (int rc, const esc_error_t *err, esc_status_t status, const char *reason)
{
    assert_int_equal (rc, -1);
    assert_int_equal (err->status, status);
    assert_string_equal (err->reason, reason);
    assert_true (strlen (err->message) > 0);
}

/* Support is spent in an open quarter, the one-off's own or a later one;
 * it never moves the escalation, and records rather than corrects. */
static void
test_support (void **state)
{
    (void) state;
    quarter_facts_t q = roomy_quarter ();
    escalation_facts_t e = sized (STATE_DELIVERED, 40, true);
    escalation_state_t next;
    esc_error_t err;
    workflow_case_t c = { .op = OP_SUPPORT, .roles = ROLE_PM, .quarter = &q, .escalation = &e };
    esc_error_clear (&err);
    assert_int_equal (workflow_decide (&c, &next, &err), 0);
    assert_int_equal (next, STATE_DELIVERED);
    assert_false (workflow_corrects (&c));
    e.state = STATE_CLOSED;
    assert_int_equal (workflow_decide (&c, &next, &err), 0);
    assert_int_equal (next, STATE_CLOSED);
    c.quarter_before = true;
    assert_refused (workflow_decide (&c, &next, &err), &err, ESC_INVALID_ARGUMENT,
                    "QUARTER_BEFORE_ONEOFF");
    c.quarter_before = false;
    q.closed = true;
    assert_refused (workflow_decide (&c, &next, &err), &err, ESC_FAILED_PRECONDITION,
                    "QUARTER_CLOSED");
    q.closed = false;
    e.state = STATE_APPROVED;               /* not delivered yet: nothing to support */
    assert_refused (workflow_decide (&c, &next, &err), &err, ESC_FAILED_PRECONDITION,
                    "INVALID_STATE");
    e.state = STATE_DELIVERED;
    c.roles = ROLE_CRO;
    assert_refused (workflow_decide (&c, &next, &err), &err, ESC_PERMISSION_DENIED,
                    "PERMISSION_DENIED");
}

/* The plan's life: a commit once, in an open quarter; planned work done
 * (again: a correction that must change the hours), never postponed work;
 * planned or postponed work carried into a later open quarter, never done
 * work. Each roadmap state against each operation. */
static void
test_plan_life (void **state)
{
    (void) state;
    quarter_facts_t q = roomy_quarter ();
    escalation_state_t next;
    esc_error_t err;
    workflow_case_t c = { .op = OP_QUARTER_COMMIT, .roles = ROLE_PM, .quarter = &q };
    assert_int_equal (workflow_decide (&c, &next, &err), 0);
    q.plan_committed = true;
    assert_refused (workflow_decide (&c, &next, &err), &err, ESC_FAILED_PRECONDITION,
                    "PLAN_COMMITTED");
    q.plan_committed = false;
    q.closed = true;
    assert_refused (workflow_decide (&c, &next, &err), &err, ESC_FAILED_PRECONDITION,
                    "QUARTER_CLOSED");
    q.closed = false;

    static const struct {
        op_t op;
        roadmap_state_t state;
        int changes;
        const char *refused;            /* NULL: allowed */
    } cases[] = {
        { OP_ROADMAP_DONE, ROADMAP_PLANNED, 0, NULL },
        { OP_ROADMAP_DONE, ROADMAP_POSTPONED, 0, "INVALID_STATE" },
        { OP_ROADMAP_DONE, ROADMAP_DONE, 0, "NOTHING_CHANGED" },
        { OP_ROADMAP_DONE, ROADMAP_DONE, 1, NULL },
        { OP_ROADMAP_MOVE, ROADMAP_PLANNED, 0, NULL },
        { OP_ROADMAP_MOVE, ROADMAP_POSTPONED, 0, NULL },
        { OP_ROADMAP_MOVE, ROADMAP_DONE, 0, "INVALID_STATE" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        roadmap_facts_t item = { .id = 4, .same_quarter = true, .state = cases[i].state };
        workflow_case_t r = { .op = cases[i].op, .roles = ROLE_PM, .quarter = &q, .item = &item,
                              .changes = cases[i].changes };
        esc_error_clear (&err);
        int rc = workflow_decide (&r, &next, &err);
        if (cases[i].refused)
            assert_refused (rc, &err, ESC_FAILED_PRECONDITION, cases[i].refused);
        else
            assert_int_equal (rc, 0);
        for (size_t k = 0; k < sizeof all_roles / sizeof all_roles[0]; k++) {
            r.roles = all_roles[k];
            if (all_roles[k] != ROLE_PM)
                assert_refused (workflow_decide (&r, &next, &err), &err, ESC_PERMISSION_DENIED,
                                "PERMISSION_DENIED");
        }
    }
    /* carried only forward, into an open quarter; done after its quarter */
    roadmap_facts_t item = { .id = 4, .same_quarter = true, .state = ROADMAP_POSTPONED };
    workflow_case_t m = { .op = OP_ROADMAP_MOVE, .roles = ROLE_PM, .quarter = &q, .item = &item,
                          .quarter_before = true };
    assert_refused (workflow_decide (&m, &next, &err), &err, ESC_INVALID_ARGUMENT,
                    "QUARTER_NOT_LATER");
    m.quarter_before = false;
    q.closed = true;
    assert_refused (workflow_decide (&m, &next, &err), &err, ESC_FAILED_PRECONDITION,
                    "QUARTER_CLOSED");
    item.state = ROADMAP_PLANNED;
    workflow_case_t d = { .op = OP_ROADMAP_DONE, .roles = ROLE_PM, .quarter = &q, .item = &item };
    assert_int_equal (workflow_decide (&d, &next, &err), 0);
    d.item = NULL;
    assert_refused (workflow_decide (&d, &next, &err), &err, ESC_INTERNAL, "INTERNAL");
}

/* ==== The state machine, exhaustively ==================================== */

static void
test_every_action_state_role (void **state)
{
    (void) state;
    quarter_facts_t q = roomy_quarter ();
    escalation_facts_t target = sized (STATE_FILED, 10, true);
    target.id = 8;
    int checked = 0;
    for (size_t a = 0; a < sizeof spec / sizeof spec[0]; a++)
        for (size_t r = 0; r < sizeof all_roles / sizeof all_roles[0]; r++)
            for (int st = 0; st < STATE_COUNT; st++)
                for (int filer = 0; filer <= 1; filer++) {
                    escalation_facts_t e = sized ((escalation_state_t) st, 40, true);
                    escalation_state_t next = STATE_COUNT;
                    esc_error_t err;
                    int rc = decide (spec[a].op, all_roles[r], filer, &q, &e, &target, &next, &err);
                    if (!(spec[a].roles & all_roles[r]))
                        assert_refused (rc, &err, ESC_PERMISSION_DENIED, "PERMISSION_DENIED");
                    else if (spec[a].filer_only && !filer)
                        assert_refused (rc, &err, ESC_PERMISSION_DENIED, "NOT_FILER");
                    else if (!(spec[a].from & (1u << st)))
                        assert_refused (rc, &err, ESC_FAILED_PRECONDITION, "INVALID_STATE");
                    else {
                        assert_int_equal (rc, 0);
                        assert_int_equal (next, spec[a].keeps & (1u << st)
                                                    ? (escalation_state_t) st : spec[a].to);
                    }
                    checked++;
                }
    assert_int_equal (checked, (int) (sizeof spec / sizeof spec[0]) * 5 * STATE_COUNT * 2);
}

/* Who may edit what (DESIGN section 3): the filer anything while filed or
 * returned, a PM the title while live; written out as a rule per case. */
static void
test_edit_grants (void **state)
{
    (void) state;
    quarter_facts_t q = roomy_quarter ();
    int checked = 0;
    for (size_t r = 0; r < sizeof all_roles / sizeof all_roles[0]; r++)
        for (int st = 0; st < STATE_COUNT; st++)
            for (int filer = 0; filer <= 1; filer++)
                for (int title_only = 0; title_only <= 1; title_only++) {
                    role_t role = all_roles[r];
                    escalation_facts_t e = sized ((escalation_state_t) st, 40, true);
                    workflow_case_t c = { .op = OP_EDIT, .roles = role, .actor_is_filer = filer,
                                          .quarter = &q, .escalation = &e, .changes = 1,
                                          .title_only = title_only };
                    escalation_state_t next = STATE_COUNT;
                    esc_error_t err;
                    esc_error_clear (&err);
                    int rc = workflow_decide (&c, &next, &err);
                    bool live = LIVE & (1u << st);
                    bool filer_may = role == ROLE_SALES && filer;
                    bool pm_may = role == ROLE_PM && title_only;
                    if (role != ROLE_SALES && role != ROLE_PM)
                        assert_refused (rc, &err, ESC_PERMISSION_DENIED, "PERMISSION_DENIED");
                    else if (!live)
                        assert_refused (rc, &err, ESC_FAILED_PRECONDITION, "INVALID_STATE");
                    else if (!filer_may && !pm_may)
                        assert_refused (rc, &err, ESC_PERMISSION_DENIED, "NOT_FILER");
                    else if (filer_may && st != STATE_FILED && st != STATE_RETURNED)
                        assert_refused (rc, &err, ESC_FAILED_PRECONDITION, "INVALID_STATE");
                    else {
                        assert_int_equal (rc, 0);
                        assert_int_equal (next, st);        /* an edit moves nothing */
                    }
                    checked++;
                }
    assert_int_equal (checked, 5 * STATE_COUNT * 2 * 2);
    /* both roles: the filer who is also a PM fixes the title of a sized one */
    escalation_facts_t e = sized (STATE_APPROVED, 40, true);
    workflow_case_t c = { .op = OP_EDIT, .roles = ROLE_SALES | ROLE_PM, .actor_is_filer = true,
                          .quarter = &q, .escalation = &e, .changes = 1, .title_only = true };
    escalation_state_t next;
    esc_error_t err;
    assert_int_equal (workflow_decide (&c, &next, &err), 0);
    c.title_only = false;
    assert_refused (workflow_decide (&c, &next, &err), &err, ESC_FAILED_PRECONDITION,
                    "INVALID_STATE");
    assert_non_null (strstr (err.message, "filed or returned"));
    /* the refusals say who may */
    c = (workflow_case_t) { .op = OP_EDIT, .roles = ROLE_SALES, .quarter = &q, .escalation = &e,
                            .changes = 1, .title_only = true };
    e.state = STATE_FILED;
    assert_refused (workflow_decide (&c, &next, &err), &err, ESC_PERMISSION_DENIED, "NOT_FILER");
    assert_non_null (strstr (err.message, "a PM may fix its title"));
}

/* A user holding several roles may do what any of them may. */
static void
test_several_roles (void **state)
{
    (void) state;
    quarter_facts_t q = roomy_quarter ();
    escalation_facts_t e = sized (STATE_SIZED, 40, true);
    escalation_state_t next;
    esc_error_t err;
    assert_int_equal (decide (OP_SPEND, ROLE_SALES | ROLE_CRO, false, &q, &e, NULL, &next, &err), 0);
    assert_refused (decide (OP_SPEND, ROLE_SALES | ROLE_PM | ROLE_EXEC | ROLE_ADMIN, false,
                            &q, &e, NULL, &next, &err),
                    &err, ESC_PERMISSION_DENIED, "PERMISSION_DENIED");
    assert_refused (decide (OP_SPEND, 0, false, &q, &e, NULL, &next, &err),
                    &err, ESC_PERMISSION_DENIED, "PERMISSION_DENIED");
}

/* Operations outside the escalation's life: who may do them. */
static void
test_roles_of_other_operations (void **state)
{
    (void) state;
    static const struct { op_t op; role_set_t roles; } who[] = {
        { OP_QUARTER_OPEN, ROLE_PM }, { OP_QUARTER_CLOSE, ROLE_PM },
        { OP_ACCOUNT_ADD, ROLE_SALES | ROLE_PM }, { OP_ROADMAP_ADD, ROLE_PM },
        { OP_FILE, ROLE_SALES }, { OP_USER_ADD, ROLE_ADMIN }, { OP_USER_LIST, ROLE_ADMIN },
        { OP_QUARTER_SHOW, ROLE_ANY }, { OP_QUARTER_LIST, ROLE_ANY }, { OP_ACCOUNT_LIST, ROLE_ANY },
        { OP_ROADMAP_LIST, ROLE_ANY }, { OP_LIST, ROLE_ANY }, { OP_SHOW, ROLE_ANY },
        { OP_HISTORY, ROLE_ANY }, { OP_EVENTS_SINCE, ROLE_ANY }, { OP_USER_REVOKE, ROLE_ADMIN },
        { OP_REPORT, ROLE_ANY }, { OP_ACCOUNT_IMPORT, ROLE_SALES | ROLE_PM },
        { OP_ACCOUNT_SET, ROLE_SALES | ROLE_PM }, { OP_ROADMAP_SET, ROLE_PM },
        { OP_QUARTER_REOPEN, ROLE_PM }, { OP_EDIT, ROLE_SALES | ROLE_PM },
        { OP_STOP, ROLE_PM }, { OP_STATUS, ROLE_ANY },
        { OP_STOP, ROLE_PM }, { OP_SUPPORT, ROLE_PM }, { OP_QUARTER_COMMIT, ROLE_PM },
        { OP_ROADMAP_DONE, ROLE_PM }, { OP_ROADMAP_MOVE, ROLE_PM }, { OP_USER_SET, ROLE_ADMIN },
        { OP_PARTNER_ADD, ROLE_PM | ROLE_CRO }, { OP_PARTNER_LIST, ROLE_ANY },
        { OP_REFER, ROLE_PM | ROLE_CRO },
        { OP_ACCOUNT_SHOW, ROLE_ANY }, { OP_ROADMAP_SHOW, ROLE_ANY },
    };
    for (size_t i = 0; i < sizeof who / sizeof who[0]; i++)
        for (size_t r = 0; r < sizeof all_roles / sizeof all_roles[0]; r++) {
            esc_error_t err;
            esc_error_clear (&err);
            int rc = workflow_permit (who[i].op, all_roles[r], &err);
            if (who[i].roles & all_roles[r])
                assert_int_equal (rc, 0);
            else
                assert_refused (rc, &err, ESC_PERMISSION_DENIED, "PERMISSION_DENIED");
            assert_int_equal (workflow_roles (who[i].op), who[i].roles);
        }
}

static void
test_changes_state (void **state)
{
    (void) state;
    for (int op = 0; op < OP_COUNT; op++) {
        bool read = op == OP_QUARTER_SHOW || op == OP_QUARTER_LIST || op == OP_ACCOUNT_LIST
                 || op == OP_ROADMAP_LIST || op == OP_LIST || op == OP_SHOW
                 || op == OP_HISTORY || op == OP_USER_LIST || op == OP_EVENTS_SINCE
                 || op == OP_REPORT || op == OP_STATUS || op == OP_PARTNER_LIST
                 || op == OP_ACCOUNT_SHOW || op == OP_ROADMAP_SHOW;
        assert_int_equal (workflow_changes_state ((op_t) op), !read);
        assert_string_not_equal (op_name ((op_t) op), "unknown");
    }
    esc_error_t err;
    assert_refused (workflow_permit (OP_COUNT, ROLE_ANY, &err), &err, ESC_INVALID_ARGUMENT,
                    "UNKNOWN_OPERATION");
}

/* ==== The token, the size ceiling, the budget ============================ */

static void
test_spend_needs_a_token (void **state)
{
    (void) state;
    quarter_facts_t q = roomy_quarter ();
    escalation_facts_t e = sized (STATE_SIZED, 40, true);
    escalation_state_t next;
    esc_error_t err;
    assert_int_equal (decide (OP_SPEND, ROLE_CRO, false, &q, &e, NULL, &next, &err), 0);
    assert_int_equal (next, STATE_APPROVED);
    q.tokens_spent = 1;
    assert_refused (decide (OP_SPEND, ROLE_CRO, false, &q, &e, NULL, &next, &err),
                    &err, ESC_FAILED_PRECONDITION, "TOKEN_ALREADY_SPENT");
    q.tokens = 3;
    q.tokens_spent = 2;
    assert_int_equal (decide (OP_SPEND, ROLE_CRO, false, &q, &e, NULL, &next, &err), 0);
    q.tokens_spent = 3;
    assert_refused (decide (OP_SPEND, ROLE_CRO, false, &q, &e, NULL, &next, &err),
                    &err, ESC_FAILED_PRECONDITION, "TOKEN_ALREADY_SPENT");
    q.tokens = 0;
    q.tokens_spent = 0;
    assert_refused (decide (OP_SPEND, ROLE_CRO, false, &q, &e, NULL, &next, &err),
                    &err, ESC_FAILED_PRECONDITION, "TOKEN_ALREADY_SPENT");
}

static void
test_spend_size_limit (void **state)
{
    (void) state;
    quarter_facts_t q = roomy_quarter ();
    escalation_state_t next;
    esc_error_t err;
    escalation_facts_t at = sized (STATE_SIZED, 80, true), over = sized (STATE_SIZED, 81, true);
    assert_int_equal (decide (OP_SPEND, ROLE_CRO, false, &q, &at, NULL, &next, &err), 0);
    assert_refused (decide (OP_SPEND, ROLE_CRO, false, &q, &over, NULL, &next, &err),
                    &err, ESC_FAILED_PRECONDITION, "SIZE_LIMIT_EXCEEDED");
    assert_true (workflow_within_size (&q, 80));
    assert_false (workflow_within_size (&q, 81));
}

static void
test_spend_budget (void **state)
{
    (void) state;
    quarter_facts_t q = roomy_quarter ();      /* budget: 400 h */
    escalation_state_t next;
    esc_error_t err;
    escalation_facts_t e = sized (STATE_SIZED, 40, true);
    assert_int_equal (workflow_budget_hours (&q), 400);
    q.committed_hours = 360;                    /* 360 + 40 = 400: exactly the budget */
    assert_int_equal (decide (OP_SPEND, ROLE_CRO, false, &q, &e, NULL, &next, &err), 0);
    q.committed_hours = 361;
    assert_refused (decide (OP_SPEND, ROLE_CRO, false, &q, &e, NULL, &next, &err),
                    &err, ESC_FAILED_PRECONDITION, "BUDGET_EXCEEDED");
    /* a budget that is not a whole number of hours: 1005 h at 10 % = 100.5 h */
    q.capacity_hours = 1005;
    q.committed_hours = 60;
    e.hours = 40;                               /* 100 <= 100.5 */
    assert_int_equal (decide (OP_SPEND, ROLE_CRO, false, &q, &e, NULL, &next, &err), 0);
    e.hours = 41;                               /* 101 > 100.5 */
    assert_refused (decide (OP_SPEND, ROLE_CRO, false, &q, &e, NULL, &next, &err),
                    &err, ESC_FAILED_PRECONDITION, "BUDGET_EXCEEDED");
    q.budget_pct = 0;
    q.committed_hours = 0;
    e.hours = 1;
    assert_refused (decide (OP_SPEND, ROLE_CRO, false, &q, &e, NULL, &next, &err),
                    &err, ESC_FAILED_PRECONDITION, "BUDGET_EXCEEDED");
}

static void
test_spend_needs_viable_sizing (void **state)
{
    (void) state;
    quarter_facts_t q = roomy_quarter ();
    escalation_state_t next;
    esc_error_t err;
    escalation_facts_t e = sized (STATE_SIZED, 40, false);
    assert_refused (decide (OP_SPEND, ROLE_CRO, false, &q, &e, NULL, &next, &err),
                    &err, ESC_FAILED_PRECONDITION, "NOT_VIABLE");
    assert_refused (decide (OP_OVERRIDE, ROLE_EXEC, false, &q, &e, NULL, &next, &err),
                    &err, ESC_FAILED_PRECONDITION, "NOT_VIABLE");
    e.viable = true;
    e.sized = false;
    assert_refused (decide (OP_SPEND, ROLE_CRO, false, &q, &e, NULL, &next, &err),
                    &err, ESC_FAILED_PRECONDITION, "NOT_SIZED");
}

/* The order of the checks: a spent token is the first thing a CRO hears,
 * whatever else is wrong with the escalation. */
static void
test_spend_check_order (void **state)
{
    (void) state;
    quarter_facts_t q = roomy_quarter ();
    q.tokens_spent = 1;
    q.committed_hours = 400;
    escalation_state_t next;
    esc_error_t err;
    escalation_facts_t e = sized (STATE_SIZED, 500, true);
    assert_refused (decide (OP_SPEND, ROLE_CRO, false, &q, &e, NULL, &next, &err),
                    &err, ESC_FAILED_PRECONDITION, "TOKEN_ALREADY_SPENT");
    q.tokens_spent = 0;
    assert_refused (decide (OP_SPEND, ROLE_CRO, false, &q, &e, NULL, &next, &err),
                    &err, ESC_FAILED_PRECONDITION, "SIZE_LIMIT_EXCEEDED");
    e.hours = 80;
    assert_refused (decide (OP_SPEND, ROLE_CRO, false, &q, &e, NULL, &next, &err),
                    &err, ESC_FAILED_PRECONDITION, "BUDGET_EXCEEDED");
}

/* An override skips the token, the size ceiling and the budget. */
static void
test_override_skips_token_size_budget (void **state)
{
    (void) state;
    quarter_facts_t q = roomy_quarter ();
    q.tokens_spent = 1;
    q.committed_hours = 400;
    escalation_state_t next;
    esc_error_t err;
    escalation_facts_t e = sized (STATE_SIZED, 500, true);
    assert_int_equal (decide (OP_OVERRIDE, ROLE_EXEC, false, &q, &e, NULL, &next, &err), 0);
    assert_int_equal (next, STATE_APPROVED);
    assert_false (workflow_token_left (&q));
    assert_false (workflow_within_budget (&q, 500));
}

/* ==== Closed quarters ==================================================== */

static void
test_closed_quarter (void **state)
{
    (void) state;
    quarter_facts_t q = roomy_quarter ();
    q.closed = true;
    escalation_state_t next;
    esc_error_t err;
    escalation_facts_t e = sized (STATE_SIZED, 40, true);
    assert_refused (decide (OP_FILE, ROLE_SALES, false, &q, NULL, NULL, &next, &err),
                    &err, ESC_FAILED_PRECONDITION, "QUARTER_CLOSED");
    assert_refused (decide (OP_SPEND, ROLE_CRO, false, &q, &e, NULL, &next, &err),
                    &err, ESC_FAILED_PRECONDITION, "QUARTER_CLOSED");
    assert_refused (decide (OP_OVERRIDE, ROLE_EXEC, false, &q, &e, NULL, &next, &err),
                    &err, ESC_FAILED_PRECONDITION, "QUARTER_CLOSED");
    assert_refused (decide (OP_ROADMAP_ADD, ROLE_PM, false, &q, NULL, NULL, &next, &err),
                    &err, ESC_FAILED_PRECONDITION, "QUARTER_CLOSED");
    e.state = STATE_RETURNED;
    assert_refused (decide (OP_REFILE, ROLE_SALES, true, &q, &e, NULL, &next, &err),
                    &err, ESC_FAILED_PRECONDITION, "QUARTER_CLOSED");
    assert_refused (decide (OP_QUARTER_CLOSE, ROLE_PM, false, &q, NULL, NULL, &next, &err),
                    &err, ESC_FAILED_PRECONDITION, "INVALID_STATE");
    /* what is already approved may still be delivered and closed out */
    e.state = STATE_APPROVED;
    assert_int_equal (decide (OP_DELIVER, ROLE_PM, false, &q, &e, NULL, &next, &err), 0);
    e.state = STATE_DELIVERED;
    assert_int_equal (decide (OP_OUTCOME, ROLE_CRO, false, &q, &e, NULL, &next, &err), 0);
    e.state = STATE_FILED;
    assert_int_equal (decide (OP_DECLINE, ROLE_PM, false, &q, &e, NULL, &next, &err), 0);
    /* no sizing, and no correction but of what comes after the quarter */
    assert_refused (decide (OP_SIZE, ROLE_PM, false, &q, &e, NULL, &next, &err),
                    &err, ESC_FAILED_PRECONDITION, "QUARTER_CLOSED");
    assert_refused (decide (OP_EDIT, ROLE_SALES, true, &q, &e, NULL, &next, &err),
                    &err, ESC_FAILED_PRECONDITION, "QUARTER_CLOSED");
    e.state = STATE_SIZED;
    assert_refused (decide (OP_SIZE, ROLE_PM, false, &q, &e, NULL, &next, &err),
                    &err, ESC_FAILED_PRECONDITION, "QUARTER_CLOSED");
    roadmap_facts_t item = { .id = 3, .same_quarter = true, .state = ROADMAP_PLANNED };
    workflow_case_t plan = { .op = OP_ROADMAP_SET, .roles = ROLE_PM, .quarter = &q, .item = &item,
                             .changes = 1 };
    assert_refused (workflow_decide (&plan, &next, &err), &err, ESC_FAILED_PRECONDITION,
                    "QUARTER_CLOSED");
    /* a delivery, an outcome, a stop, and their corrections, come when they come */
    e.state = STATE_DELIVERED;
    assert_int_equal (decide (OP_DELIVER, ROLE_PM, false, &q, &e, NULL, &next, &err), 0);
    e.state = STATE_CLOSED;
    e.has_outcome = true;
    assert_int_equal (decide (OP_OUTCOME, ROLE_CRO, false, &q, &e, NULL, &next, &err), 0);
    e.has_outcome = false;
    e.state = STATE_APPROVED;
    assert_int_equal (decide (OP_STOP, ROLE_PM, false, &q, &e, NULL, &next, &err), 0);
    e.state = STATE_STOPPED;
    assert_int_equal (decide (OP_STOP, ROLE_PM, false, &q, &e, NULL, &next, &err), 0);
    /* accounts belong to no quarter; a closed quarter may be reopened */
    workflow_case_t account = { .op = OP_ACCOUNT_SET, .roles = ROLE_SALES, .quarter = &q,
                                .changes = 1 };
    assert_int_equal (workflow_decide (&account, &next, &err), 0);
    assert_int_equal (decide (OP_QUARTER_REOPEN, ROLE_PM, false, &q, NULL, NULL, &next, &err), 0);
    /* an open quarter accepts filings; only a pm closes it */
    q.closed = false;
    assert_int_equal (decide (OP_FILE, ROLE_SALES, false, &q, NULL, NULL, &next, &err), 0);
    assert_int_equal (decide (OP_QUARTER_CLOSE, ROLE_PM, false, &q, NULL, NULL, &next, &err), 0);
    assert_refused (decide (OP_QUARTER_CLOSE, ROLE_CRO, false, &q, NULL, NULL, &next, &err),
                    &err, ESC_PERMISSION_DENIED, "PERMISSION_DENIED");
    /* a filing is decided on whether the quarter is closed alone (escd
     * reads no more for it: any other fact read would trip an assert) */
    quarter_facts_t only = { .closed_only = true };
    assert_int_equal (decide (OP_FILE, ROLE_SALES, false, &only, NULL, NULL, &next, &err), 0);
    only.closed = true;
    assert_refused (decide (OP_FILE, ROLE_SALES, false, &only, NULL, NULL, &next, &err),
                    &err, ESC_FAILED_PRECONDITION, "QUARTER_CLOSED");
}

/* ==== Merges ============================================================= */

static void
test_merge_targets (void **state)
{
    (void) state;
    quarter_facts_t q = roomy_quarter ();
    escalation_state_t next;
    esc_error_t err;
    escalation_facts_t e = sized (STATE_FILED, 10, true);
    escalation_facts_t t = sized (STATE_FILED, 10, true);
    t.id = 9;
    static const struct { escalation_state_t state; bool ok; } targets[] = {
        { STATE_FILED, true }, { STATE_SIZED, true }, { STATE_RETURNED, true },
        { STATE_APPROVED, true }, { STATE_DELIVERED, true }, { STATE_DECLINED, false },
        { STATE_WITHDRAWN, false }, { STATE_MERGED, false }, { STATE_CLOSED, false },
        { STATE_STOPPED, false },
    };
    for (size_t i = 0; i < sizeof targets / sizeof targets[0]; i++) {
        t.state = targets[i].state;
        int rc = decide (OP_MERGE, ROLE_PM, false, &q, &e, &t, &next, &err);
        if (targets[i].ok)
            assert_int_equal (rc, 0);
        else
            assert_refused (rc, &err, ESC_FAILED_PRECONDITION, "INVALID_MERGE_TARGET");
    }
    t.state = STATE_FILED;
    assert_refused (decide (OP_MERGE, ROLE_PM, false, &q, &e, &e, &next, &err),
                    &err, ESC_INVALID_ARGUMENT, "INVALID_MERGE_TARGET");
    assert_refused (decide (OP_MERGE, ROLE_PM, false, &q, &e, NULL, &next, &err),
                    &err, ESC_INVALID_ARGUMENT, "MISSING_ARGUMENT");
    workflow_case_t other = { .op = OP_MERGE, .roles = ROLE_PM, .quarter = &q, .escalation = &e,
                              .target = &t, .same_quarter = false };
    assert_refused (workflow_decide (&other, &next, &err), &err, ESC_INVALID_ARGUMENT,
                    "INVALID_MERGE_TARGET");
}

/* An unmerge leads back to the state the escalation was merged from, with
 * its sizing; only a pm unmerges, whatever that state was. */
static void
test_unmerge_restores (void **state)
{
    (void) state;
    quarter_facts_t q = roomy_quarter ();
    static const escalation_state_t before[] = { STATE_FILED, STATE_SIZED, STATE_RETURNED };
    for (size_t b = 0; b < sizeof before / sizeof before[0]; b++)
        for (size_t r = 0; r < sizeof all_roles / sizeof all_roles[0]; r++)
            for (int filer = 0; filer <= 1; filer++) {
                escalation_facts_t e = sized (STATE_MERGED, 40, true);
                e.before_merge = before[b];
                escalation_state_t next = STATE_COUNT;
                esc_error_t err;
                int rc = decide (OP_UNMERGE, all_roles[r], filer, &q, &e, NULL, &next, &err);
                if (all_roles[r] == ROLE_PM) {
                    assert_int_equal (rc, 0);
                    assert_int_equal (next, before[b]);
                }
                else
                    assert_refused (rc, &err, ESC_PERMISSION_DENIED, "PERMISSION_DENIED");
            }
    /* a closed quarter does not keep a duplicate merged */
    q.closed = true;
    escalation_facts_t e = sized (STATE_MERGED, 40, true);
    e.before_merge = STATE_SIZED;
    escalation_state_t next;
    esc_error_t err;
    assert_int_equal (decide (OP_UNMERGE, ROLE_PM, false, &q, &e, NULL, &next, &err), 0);
    assert_int_equal (next, STATE_SIZED);
    /* sized again needs the sizing it was merged with */
    e.sized = false;
    assert_refused (decide (OP_UNMERGE, ROLE_PM, false, &q, &e, NULL, &next, &err),
                    &err, ESC_INTERNAL, "INTERNAL");
    e.before_merge = STATE_FILED;
    assert_int_equal (decide (OP_UNMERGE, ROLE_PM, false, &q, &e, NULL, &next, &err), 0);
    assert_int_equal (next, STATE_FILED);
    /* no merge starts from any other state: such a fact is the store's fault */
    for (int st = 0; st <= STATE_COUNT; st++) {
        if (st == STATE_FILED || st == STATE_SIZED || st == STATE_RETURNED)
            continue;
        e.before_merge = (escalation_state_t) st;
        assert_refused (decide (OP_UNMERGE, ROLE_PM, false, &q, &e, NULL, &next, &err),
                        &err, ESC_INTERNAL, "INTERNAL");
    }
}

/* A target that leaves the live states without serving anyone gives its
 * duplicates back; one that serves them, or moves along with them, keeps
 * them. */
static void
test_releases_duplicates (void **state)
{
    (void) state;
    static const struct { escalation_state_t state; bool releases; } targets[] = {
        { STATE_FILED, false }, { STATE_SIZED, false }, { STATE_RETURNED, false },
        { STATE_DECLINED, true }, { STATE_WITHDRAWN, true }, { STATE_MERGED, false },
        { STATE_APPROVED, false }, { STATE_DELIVERED, false }, { STATE_CLOSED, false },
        { STATE_STOPPED, true }, { STATE_REFERRED, false },
    };
    assert_int_equal (sizeof targets / sizeof targets[0], STATE_COUNT);
    for (size_t i = 0; i < sizeof targets / sizeof targets[0]; i++)
        assert_int_equal (workflow_releases_duplicates (targets[i].state), targets[i].releases);
    assert_false (workflow_releases_duplicates (STATE_COUNT));
    /* the actions that lead there: withdraw, decline and stop, nothing else */
    for (size_t a = 0; a < sizeof spec / sizeof spec[0]; a++)
        assert_int_equal (workflow_releases_duplicates (spec[a].to),
                          spec[a].op == OP_WITHDRAW || spec[a].op == OP_DECLINE
                          || spec[a].op == OP_STOP);
}

/* ==== Corrections ======================================================== */

/* Each correction, in the state where it corrects: refused when it changes
 * nothing, allowed when it changes something. The same operations in the
 * state where they record something for the first time need no change. */
static void
test_corrections_need_a_change (void **state)
{
    (void) state;
    quarter_facts_t q = roomy_quarter ();
    roadmap_facts_t item = { .id = 3, .same_quarter = true, .state = ROADMAP_PLANNED };
    static const struct {
        op_t op;
        role_t role;
        bool filer;
        escalation_state_t state;
        bool has_outcome;
        bool corrects;
    } cases[] = {
        { OP_SIZE, ROLE_PM, false, STATE_SIZED, false, true },
        { OP_SIZE, ROLE_PM, false, STATE_FILED, false, false },
        { OP_REFILE, ROLE_SALES, true, STATE_RETURNED, false, true },
        { OP_EDIT, ROLE_SALES, true, STATE_FILED, false, true },
        { OP_DELIVER, ROLE_PM, false, STATE_DELIVERED, false, true },
        { OP_DELIVER, ROLE_PM, false, STATE_CLOSED, true, true },
        { OP_DELIVER, ROLE_PM, false, STATE_APPROVED, false, false },
        { OP_OUTCOME, ROLE_CRO, false, STATE_CLOSED, true, true },
        { OP_OUTCOME, ROLE_CRO, false, STATE_APPROVED, true, true },
        { OP_OUTCOME, ROLE_CRO, false, STATE_STOPPED, true, true },
        { OP_OUTCOME, ROLE_CRO, false, STATE_STOPPED, false, false },
        { OP_OUTCOME, ROLE_CRO, false, STATE_DELIVERED, false, false },
        { OP_STOP, ROLE_PM, false, STATE_STOPPED, false, true },
        { OP_STOP, ROLE_PM, false, STATE_APPROVED, false, false },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        escalation_facts_t e = sized (cases[i].state, 40, true);
        e.has_outcome = cases[i].has_outcome;
        workflow_case_t c = { .op = cases[i].op, .roles = cases[i].role,
                              .actor_is_filer = cases[i].filer, .quarter = &q, .escalation = &e,
                              .deal = "lost", .changes = 0 };
        escalation_state_t next;
        esc_error_t err;
        esc_error_clear (&err);
        assert_int_equal (workflow_corrects (&c), cases[i].corrects);
        int rc = workflow_decide (&c, &next, &err);
        if (cases[i].corrects)
            assert_refused (rc, &err, ESC_FAILED_PRECONDITION, "NOTHING_CHANGED");
        else
            assert_int_equal (rc, 0);
        c.changes = 2;
        assert_int_equal (workflow_decide (&c, &next, &err), 0);
    }
    /* a refile that changes nothing is told what would do */
    escalation_facts_t e = sized (STATE_RETURNED, 40, true);
    workflow_case_t refile = { .op = OP_REFILE, .roles = ROLE_SALES, .actor_is_filer = true,
                               .quarter = &q, .escalation = &e };
    escalation_state_t next;
    esc_error_t err;
    assert_refused (workflow_decide (&refile, &next, &err), &err, ESC_FAILED_PRECONDITION,
                    "NOTHING_CHANGED");
    assert_non_null (strstr (err.message, "--answer"));
    /* accounts and roadmap items */
    workflow_case_t account = { .op = OP_ACCOUNT_SET, .roles = ROLE_PM };
    assert_true (workflow_corrects (&account));
    assert_refused (workflow_decide (&account, &next, &err), &err, ESC_FAILED_PRECONDITION,
                    "NOTHING_CHANGED");
    account.changes = 1;
    assert_int_equal (workflow_decide (&account, &next, &err), 0);
    workflow_case_t plan = { .op = OP_ROADMAP_SET, .roles = ROLE_PM, .quarter = &q, .item = &item };
    assert_refused (workflow_decide (&plan, &next, &err), &err, ESC_FAILED_PRECONDITION,
                    "NOTHING_CHANGED");
    /* what records something is never a correction */
    workflow_case_t file = { .op = OP_FILE, .roles = ROLE_SALES, .quarter = &q };
    assert_false (workflow_corrects (&file));
    assert_int_equal (workflow_decide (&file, &next, &err), 0);
}

/* A first sizing needs hours and viability, a first stop its reason and
 * hours; a correction keeps what it is not told. */
static void
test_first_time_needs (void **state)
{
    (void) state;
    quarter_facts_t q = roomy_quarter ();
    escalation_state_t next;
    esc_error_t err;
    static const struct { op_t op; escalation_state_t first, again; const char *field; } cases[] = {
        { OP_SIZE, STATE_FILED, STATE_SIZED, "viable" },
        { OP_SIZE, STATE_FILED, STATE_SIZED, "hours" },
        { OP_STOP, STATE_APPROVED, STATE_STOPPED, "reason" },
        { OP_STOP, STATE_APPROVED, STATE_STOPPED, "actual_hours" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        escalation_facts_t e = sized (cases[i].first, 40, true);
        workflow_case_t c = { .op = cases[i].op, .roles = ROLE_PM, .quarter = &q, .escalation = &e,
                              .missing = cases[i].field, .changes = 1 };
        esc_error_clear (&err);
        assert_refused (workflow_decide (&c, &next, &err), &err, ESC_INVALID_ARGUMENT,
                        "MISSING_ARGUMENT");
        assert_non_null (strstr (err.message, cases[i].field));
        e.state = cases[i].again;
        assert_int_equal (workflow_decide (&c, &next, &err), 0);
        assert_int_equal (next, cases[i].again);
        /* the role and the state come first */
        c.roles = ROLE_CRO;
        assert_refused (workflow_decide (&c, &next, &err), &err, ESC_PERMISSION_DENIED,
                        "PERMISSION_DENIED");
    }
}

/* Before delivery only a lost deal is recorded, and the state stays: the
 * work may still be stopped or delivered. A delivery after a lost deal
 * closes the escalation. */
static void
test_outcome_before_delivery (void **state)
{
    (void) state;
    quarter_facts_t q = roomy_quarter ();
    escalation_state_t next;
    esc_error_t err;
    static const struct {
        escalation_state_t state;
        const char *deal;
        bool ok;
        escalation_state_t next;
    } cases[] = {
        { STATE_APPROVED, "lost", true, STATE_APPROVED },
        { STATE_APPROVED, "won", false, STATE_COUNT },
        { STATE_STOPPED, "lost", true, STATE_STOPPED },
        { STATE_STOPPED, "won", true, STATE_STOPPED },
        { STATE_DELIVERED, "won", true, STATE_CLOSED },
        { STATE_DELIVERED, "lost", true, STATE_CLOSED },
        { STATE_CLOSED, "won", true, STATE_CLOSED },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        escalation_facts_t e = sized (cases[i].state, 40, true);
        workflow_case_t c = { .op = OP_OUTCOME, .roles = ROLE_CRO, .quarter = &q, .escalation = &e,
                              .deal = cases[i].deal, .changes = 1 };
        esc_error_clear (&err);
        int rc = workflow_decide (&c, &next, &err);
        if (!cases[i].ok) {
            assert_refused (rc, &err, ESC_FAILED_PRECONDITION, "INVALID_STATE");
            assert_non_null (strstr (err.message, "lost"));
            continue;
        }
        assert_int_equal (rc, 0);
        assert_int_equal (next, cases[i].next);
    }
    /* delivered after the deal was lost: closed at once */
    escalation_facts_t e = sized (STATE_APPROVED, 40, true);
    e.has_outcome = true;
    assert_int_equal (decide (OP_DELIVER, ROLE_PM, false, &q, &e, NULL, &next, &err), 0);
    assert_int_equal (next, STATE_CLOSED);
    e.has_outcome = false;
    assert_int_equal (decide (OP_DELIVER, ROLE_PM, false, &q, &e, NULL, &next, &err), 0);
    assert_int_equal (next, STATE_DELIVERED);
    /* a stopped escalation is not delivered */
    e.state = STATE_STOPPED;
    assert_refused (decide (OP_DELIVER, ROLE_PM, false, &q, &e, NULL, &next, &err),
                    &err, ESC_FAILED_PRECONDITION, "INVALID_STATE");
}

/* A closed quarter reopens, by a PM, unless a later one is open. */
static void
test_quarter_reopen (void **state)
{
    (void) state;
    quarter_facts_t q = roomy_quarter ();
    escalation_state_t next;
    esc_error_t err;
    for (size_t r = 0; r < sizeof all_roles / sizeof all_roles[0]; r++) {
        q.closed = true;
        int rc = decide (OP_QUARTER_REOPEN, all_roles[r], false, &q, NULL, NULL, &next, &err);
        if (all_roles[r] == ROLE_PM)
            assert_int_equal (rc, 0);
        else
            assert_refused (rc, &err, ESC_PERMISSION_DENIED, "PERMISSION_DENIED");
    }
    q.closed = false;
    assert_refused (decide (OP_QUARTER_REOPEN, ROLE_PM, false, &q, NULL, NULL, &next, &err),
                    &err, ESC_FAILED_PRECONDITION, "INVALID_STATE");
    q.closed = true;
    strcpy (q.later_open, "2027Q1");
    assert_refused (decide (OP_QUARTER_REOPEN, ROLE_PM, false, &q, NULL, NULL, &next, &err),
                    &err, ESC_FAILED_PRECONDITION, "LATER_QUARTER_OPEN");
    assert_non_null (strstr (err.message, "2027Q1"));
    /* a later open quarter does not keep this one from closing */
    q.closed = false;
    assert_int_equal (decide (OP_QUARTER_CLOSE, ROLE_PM, false, &q, NULL, NULL, &next, &err), 0);
    workflow_case_t none = { .op = OP_QUARTER_REOPEN, .roles = ROLE_PM };
    assert_refused (workflow_decide (&none, &next, &err), &err, ESC_INTERNAL, "INTERNAL");
}

/* Only planned work is changed; by a PM, in an open quarter. */
static void
test_roadmap_set (void **state)
{
    (void) state;
    quarter_facts_t q = roomy_quarter ();
    escalation_state_t next;
    esc_error_t err;
    roadmap_facts_t item = { .id = 3, .same_quarter = true, .state = ROADMAP_PLANNED };
    for (size_t r = 0; r < sizeof all_roles / sizeof all_roles[0]; r++) {
        workflow_case_t c = { .op = OP_ROADMAP_SET, .roles = all_roles[r], .quarter = &q,
                              .item = &item, .changes = 1 };
        esc_error_clear (&err);
        int rc = workflow_decide (&c, &next, &err);
        if (all_roles[r] == ROLE_PM)
            assert_int_equal (rc, 0);
        else
            assert_refused (rc, &err, ESC_PERMISSION_DENIED, "PERMISSION_DENIED");
    }
    workflow_case_t c = { .op = OP_ROADMAP_SET, .roles = ROLE_PM, .quarter = &q, .item = &item,
                          .changes = 1 };
    item.state = ROADMAP_POSTPONED;
    assert_refused (workflow_decide (&c, &next, &err), &err, ESC_FAILED_PRECONDITION,
                    "INVALID_STATE");
    assert_non_null (strstr (err.message, "postponed"));
    item.state = ROADMAP_DONE;
    assert_refused (workflow_decide (&c, &next, &err), &err, ESC_FAILED_PRECONDITION,
                    "INVALID_STATE");
    c.item = NULL;
    assert_refused (workflow_decide (&c, &next, &err), &err, ESC_INTERNAL, "INTERNAL");
}

/* ==== Displacement and the default quarter =============================== */

static void
test_displacement (void **state)
{
    (void) state;
    esc_error_t err;
    roadmap_facts_t item = { .id = 3, .same_quarter = true, .state = ROADMAP_PLANNED };
    assert_int_equal (workflow_check_displacement (&item, &err), 0);
    item.state = ROADMAP_POSTPONED;
    assert_refused (workflow_check_displacement (&item, &err), &err, ESC_FAILED_PRECONDITION,
                    "INVALID_DISPLACEMENT");
    item.state = ROADMAP_DONE;
    assert_refused (workflow_check_displacement (&item, &err), &err, ESC_FAILED_PRECONDITION,
                    "INVALID_DISPLACEMENT");
    item.state = ROADMAP_PLANNED;
    item.same_quarter = false;
    assert_refused (workflow_check_displacement (&item, &err), &err, ESC_INVALID_ARGUMENT,
                    "INVALID_DISPLACEMENT");
}

/* A sizing names only planned work; an approval finds it still planned. */
static void
test_displacement_in_decisions (void **state)
{
    (void) state;
    quarter_facts_t q = roomy_quarter ();
    escalation_facts_t e = sized (STATE_SIZED, 40, true);
    roadmap_facts_t items[] = {
        { .id = 3, .same_quarter = true, .state = ROADMAP_PLANNED },
        { .id = 4, .same_quarter = true, .state = ROADMAP_PLANNED },
    };
    escalation_state_t next;
    esc_error_t err;
    static const struct { op_t op; role_t role; } ops[] = {
        { OP_SIZE, ROLE_PM }, { OP_SPEND, ROLE_CRO }, { OP_OVERRIDE, ROLE_EXEC },
    };
    for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++) {
        /* a re-size: it changes something */
        workflow_case_t c = { .op = ops[i].op, .roles = ops[i].role, .quarter = &q,
                              .escalation = &e, .displaced = items, .n_displaced = 2,
                              .changes = 1 };
        items[1].state = ROADMAP_PLANNED;
        esc_error_clear (&err);
        assert_int_equal (workflow_decide (&c, &next, &err), 0);
        items[1].state = ROADMAP_POSTPONED;
        assert_refused (workflow_decide (&c, &next, &err), &err, ESC_FAILED_PRECONDITION,
                        "INVALID_DISPLACEMENT");
        assert_non_null (strstr (err.message, "4"));
        if (ops[i].op != OP_SIZE)
            assert_non_null (strstr (err.message, "size escalation 7 again"));
        items[1].state = ROADMAP_DONE;
        assert_refused (workflow_decide (&c, &next, &err), &err, ESC_FAILED_PRECONDITION,
                        "INVALID_DISPLACEMENT");
    }
    /* other actions do not care about displaced work */
    e.state = STATE_SIZED;
    workflow_case_t ret = { .op = OP_RETURN, .roles = ROLE_PM, .quarter = &q, .escalation = &e,
                            .displaced = items, .n_displaced = 2 };
    assert_int_equal (workflow_decide (&ret, &next, &err), 0);
}

/* Revoking users and changing keys: admins, and a user's own key. */
static void
test_users (void **state)
{
    (void) state;
    escalation_state_t next;
    esc_error_t err;
    user_facts_t u = { .revoked = false, .admin = false, .is_actor = false, .active_admins = 1 };
    for (size_t r = 0; r < sizeof all_roles / sizeof all_roles[0]; r++)
        for (int own = 0; own <= 1; own++) {
            u.is_actor = own;
            workflow_case_t key = { .op = OP_USER_KEY, .roles = all_roles[r], .user = &u };
            workflow_case_t revoke = { .op = OP_USER_REVOKE, .roles = all_roles[r], .user = &u };
            esc_error_clear (&err);
            int rc = workflow_decide (&key, &next, &err);
            if (all_roles[r] == ROLE_ADMIN || own)
                assert_int_equal (rc, 0);
            else
                assert_refused (rc, &err, ESC_PERMISSION_DENIED, "PERMISSION_DENIED");
            assert_int_equal (workflow_permit_own (OP_USER_KEY, all_roles[r], own, &err),
                              all_roles[r] == ROLE_ADMIN || own ? 0 : -1);
            rc = workflow_decide (&revoke, &next, &err);
            if (all_roles[r] == ROLE_ADMIN)
                assert_int_equal (rc, 0);
            else
                assert_refused (rc, &err, ESC_PERMISSION_DENIED, "PERMISSION_DENIED");
        }
    /* the last active admin stays */
    u = (user_facts_t) { .admin = true, .active_admins = 1 };
    workflow_case_t revoke = { .op = OP_USER_REVOKE, .roles = ROLE_ADMIN, .user = &u };
    assert_refused (workflow_decide (&revoke, &next, &err), &err, ESC_FAILED_PRECONDITION,
                    "LAST_ADMIN");
    u.is_actor = true;          /* revoking oneself is no way round it */
    assert_refused (workflow_decide (&revoke, &next, &err), &err, ESC_FAILED_PRECONDITION,
                    "LAST_ADMIN");
    u.active_admins = 2;
    assert_int_equal (workflow_decide (&revoke, &next, &err), 0);
    /* a revoked user is done with */
    u.revoked = true;
    assert_refused (workflow_decide (&revoke, &next, &err), &err, ESC_FAILED_PRECONDITION,
                    "INVALID_STATE");
    workflow_case_t key = { .op = OP_USER_KEY, .roles = ROLE_ADMIN, .user = &u };
    assert_refused (workflow_decide (&key, &next, &err), &err, ESC_FAILED_PRECONDITION,
                    "INVALID_STATE");
}

static void
test_default_quarter (void **state)
{
    (void) state;
    esc_error_t err;
    open_quarter_t none[1] = { { 0 } };
    assert_refused (workflow_default_quarter (none, 0, &err), &err, ESC_FAILED_PRECONDITION,
                    "NO_OPEN_QUARTER");
    open_quarter_t one[] = { { "2027Q1", false } };
    assert_int_equal (workflow_default_quarter (one, 1, &err), 0);
    open_quarter_t two[] = { { "2026Q4", true }, { "2027Q1", false } };
    assert_int_equal (workflow_default_quarter (two, 2, &err), 0);
    two[0].holds_today = false;
    two[1].holds_today = true;
    assert_int_equal (workflow_default_quarter (two, 2, &err), 1);
    two[1].holds_today = false;
    assert_refused (workflow_default_quarter (two, 2, &err), &err, ESC_FAILED_PRECONDITION,
                    "QUARTER_REQUIRED");
    two[0].holds_today = two[1].holds_today = true;
    assert_refused (workflow_default_quarter (two, 2, &err), &err, ESC_FAILED_PRECONDITION,
                    "QUARTER_REQUIRED");
}

/* ==== Names ============================================================== */

static void
test_names (void **state)
{
    (void) state;
    role_set_t roles;
    assert_int_equal (role_set_parse ("sales,pm", &roles), 0);
    assert_int_equal (roles, ROLE_SALES | ROLE_PM);
    assert_int_equal (role_set_parse ("admin", &roles), 0);
    assert_int_equal (roles, ROLE_ADMIN);
    assert_int_equal (role_set_parse ("", &roles), -1);
    assert_int_equal (role_set_parse ("sales,,pm", &roles), -1);
    assert_int_equal (role_set_parse ("sales,ceo", &roles), -1);
    for (int st = 0; st < STATE_COUNT; st++) {
        escalation_state_t back;
        assert_int_equal (state_parse (state_name ((escalation_state_t) st), &back), 0);
        assert_int_equal (back, st);
    }
    escalation_state_t s;
    assert_int_equal (state_parse ("pending", &s), -1);
    assert_null (role_name (ROLE_SALES | ROLE_PM));
}

/* A needed-by date being filed must not have passed anywhere on Earth. */
static void
test_needed_by (void **state)
{
    (void) state;
    char today[11];
    esc_error_t err;
    workflow_today (1796169600, today);         /* 2026-12-02 00:00 UTC */
    assert_string_equal (today, "2026-12-01");  /* still the 1st in UTC-12 */
    workflow_today (1796169600 + 12 * 3600, today);
    assert_string_equal (today, "2026-12-02");
    assert_int_equal (workflow_check_needed_by ("2026-12-02", today, &err), 0);
    assert_int_equal (workflow_check_needed_by ("2027-06-30", today, &err), 0);
    assert_int_equal (workflow_check_needed_by (NULL, today, &err), 0);
    assert_int_equal (workflow_check_needed_by ("", today, &err), 0);
    assert_int_equal (workflow_check_needed_by ("2026-12-01", today, &err), -1);
    assert_string_equal (err.reason, "NEEDED_BY_PAST");
    assert_int_equal (err.status, ESC_INVALID_ARGUMENT);
    assert_non_null (strstr (err.message, "needed_by 2026-12-01 has passed (today is 2026-12-02)"));
    assert_int_equal (workflow_check_needed_by ("1999-12-31", today, &err), -1);
}

int
main (void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test (test_every_action_state_role),
        cmocka_unit_test (test_edit_grants),
        cmocka_unit_test (test_several_roles),
        cmocka_unit_test (test_roles_of_other_operations),
        cmocka_unit_test (test_changes_state),
        cmocka_unit_test (test_spend_needs_a_token),
        cmocka_unit_test (test_spend_size_limit),
        cmocka_unit_test (test_spend_budget),
        cmocka_unit_test (test_spend_needs_viable_sizing),
        cmocka_unit_test (test_spend_check_order),
        cmocka_unit_test (test_override_skips_token_size_budget),
        cmocka_unit_test (test_closed_quarter),
        cmocka_unit_test (test_merge_targets),
        cmocka_unit_test (test_unmerge_restores),
        cmocka_unit_test (test_releases_duplicates),
        cmocka_unit_test (test_corrections_need_a_change),
        cmocka_unit_test (test_first_time_needs),
        cmocka_unit_test (test_outcome_before_delivery),
        cmocka_unit_test (test_quarter_reopen),
        cmocka_unit_test (test_roadmap_set),
        cmocka_unit_test (test_displacement),
        cmocka_unit_test (test_displacement_in_decisions),
        cmocka_unit_test (test_default_quarter),
        cmocka_unit_test (test_users),
        cmocka_unit_test (test_names),
        cmocka_unit_test (test_needed_by),
        cmocka_unit_test (test_support),
        cmocka_unit_test (test_plan_life),
    };
    return cmocka_run_group_tests (tests, NULL, NULL);
}
