/* test_workflow.c: every rule of the workflow, for every role and state.
 *
 * The transition table of DESIGN section 3 is written out again below as
 * the specification; the tests walk every action x state x role x
 * filer-or-not and compare workflow_decide with it, then test each rule of
 * the token, the size ceiling, the budget, closed quarters, merges,
 * displacement and the default quarter at and around its boundaries. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "workflow.h"

#define S(x) (1u << STATE_##x)

static const role_t all_roles[] = { ROLE_SALES, ROLE_PM, ROLE_CRO, ROLE_EXEC, ROLE_ADMIN };

/* DESIGN section 3, "Escalation states", as data. */
static const struct {
    op_t op;
    role_set_t roles;
    unsigned from;
    escalation_state_t to;
    bool filer_only;
} spec[] = {
    { OP_SIZE, ROLE_PM, S (FILED) | S (SIZED), STATE_SIZED, false },
    { OP_SPEND, ROLE_CRO, S (SIZED), STATE_APPROVED, false },
    { OP_OVERRIDE, ROLE_EXEC, S (SIZED), STATE_APPROVED, false },
    { OP_RETURN, ROLE_PM | ROLE_CRO, S (FILED) | S (SIZED), STATE_RETURNED, false },
    { OP_REFILE, ROLE_SALES, S (RETURNED), STATE_FILED, true },
    { OP_DECLINE, ROLE_PM | ROLE_CRO, S (FILED) | S (SIZED), STATE_DECLINED, false },
    { OP_WITHDRAW, ROLE_SALES, S (FILED) | S (SIZED) | S (RETURNED), STATE_WITHDRAWN, true },
    { OP_MERGE, ROLE_PM, S (FILED) | S (SIZED) | S (RETURNED), STATE_MERGED, false },
    /* back to the state it was merged from: filed here (the facts' default);
     * test_unmerge_restores tries each */
    { OP_UNMERGE, ROLE_PM, S (MERGED), STATE_FILED, false },
    { OP_DELIVER, ROLE_PM, S (APPROVED), STATE_DELIVERED, false },
    { OP_OUTCOME, ROLE_CRO, S (DELIVERED), STATE_CLOSED, false },
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
    workflow_case_t c = { .op = op, .roles = roles, .actor_is_filer = filer, .quarter = q,
                          .escalation = e, .target = target, .same_quarter = true };
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
                        assert_int_equal (next, spec[a].to);
                    }
                    checked++;
                }
    assert_int_equal (checked, 11 * 5 * 9 * 2);
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
                 || op == OP_REPORT;
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
    /* an open quarter accepts filings; only a pm closes it */
    q.closed = false;
    assert_int_equal (decide (OP_FILE, ROLE_SALES, false, &q, NULL, NULL, &next, &err), 0);
    assert_int_equal (decide (OP_QUARTER_CLOSE, ROLE_PM, false, &q, NULL, NULL, &next, &err), 0);
    assert_refused (decide (OP_QUARTER_CLOSE, ROLE_CRO, false, &q, NULL, NULL, &next, &err),
                    &err, ESC_PERMISSION_DENIED, "PERMISSION_DENIED");
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
    };
    assert_int_equal (sizeof targets / sizeof targets[0], STATE_COUNT);
    for (size_t i = 0; i < sizeof targets / sizeof targets[0]; i++)
        assert_int_equal (workflow_releases_duplicates (targets[i].state), targets[i].releases);
    assert_false (workflow_releases_duplicates (STATE_COUNT));
    /* the actions that lead there: withdraw and decline, nothing else */
    for (size_t a = 0; a < sizeof spec / sizeof spec[0]; a++)
        assert_int_equal (workflow_releases_duplicates (spec[a].to),
                          spec[a].op == OP_WITHDRAW || spec[a].op == OP_DECLINE);
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
        workflow_case_t c = { .op = ops[i].op, .roles = ops[i].role, .quarter = &q,
                              .escalation = &e, .displaced = items, .n_displaced = 2 };
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
        cmocka_unit_test (test_displacement),
        cmocka_unit_test (test_displacement_in_decisions),
        cmocka_unit_test (test_default_quarter),
        cmocka_unit_test (test_users),
        cmocka_unit_test (test_names),
        cmocka_unit_test (test_needed_by),
    };
    return cmocka_run_group_tests (tests, NULL, NULL);
}
