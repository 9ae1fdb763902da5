/* test_scoreboard.c: the scoreboard's judgements at and around each mark. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "esc.pb-c.h"
#include "scoreboard.h"

static void
test_verdicts (void **state)
{
    (void) state;
    static const struct { double share; const char *verdict; } cases[] = {
        { 0, "healthy" }, { 9.99, "healthy" }, { 10, "coping" }, { 14.9, "coping" },
        { 15, "strained" }, { 19.99, "strained" }, { 20, "struggling" }, { 29.9, "struggling" },
        { 30, "off the road" }, { 250, "off the road" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        assert_string_equal (scoreboard_verdict (cases[i].share), cases[i].verdict);
    assert_true (scoreboard_marks[0] == 10 && scoreboard_marks[3] == 30);
}

static void
test_pct (void **state)
{
    (void) state;
    assert_true (scoreboard_pct (400, 4000) == 10.0);
    assert_true (scoreboard_pct (1, 3) > 33.33 && scoreboard_pct (1, 3) < 33.34);
    assert_true (scoreboard_pct (5, 0) == 0);
}

static void
test_mix (void **state)
{
    (void) state;
    const mix_target_t *feature = &scoreboard_mix[0], *discovery = &scoreboard_mix[3];
    assert_string_equal (feature->category, "feature");
    assert_string_equal (scoreboard_mix_verdict (feature, 50), "ok");
    assert_string_equal (scoreboard_mix_verdict (feature, 40), "ok");
    assert_string_equal (scoreboard_mix_verdict (feature, 39.9), "low");
    assert_string_equal (scoreboard_mix_verdict (feature, 60), "ok");
    assert_string_equal (scoreboard_mix_verdict (feature, 60.1), "high");
    assert_string_equal (discovery->category, "discovery");
    assert_string_equal (scoreboard_mix_verdict (discovery, 9.9), "low");
    assert_string_equal (scoreboard_mix_verdict (discovery, 10), "ok");
    assert_string_equal (scoreboard_mix_verdict (discovery, 45), "ok");   /* a floor */
    double total = 0;
    for (int i = 0; i < SCOREBOARD_CATEGORIES; i++)
        total += scoreboard_mix[i].at_least ? 0 : scoreboard_mix[i].target_pct;
    assert_true (total == 100);
}

static void
test_return_and_adopters (void **state)
{
    (void) state;
    bool meets;
    double x;
    assert_true (scoreboard_return (300000, false, 100000, &x, &meets));
    assert_true (x == 3.0);
    assert_true (meets);
    assert_true (scoreboard_return (299999, false, 100000, &x, &meets));
    assert_true (x < 3.0);
    assert_false (meets);
    assert_true (scoreboard_return (300000, true, 100000, &x, &meets));   /* a lost deal */
    assert_true (x == 0);
    assert_false (meets);
    assert_false (scoreboard_return (1000, false, 0, &x, &meets));       /* no cost */
    assert_true (scoreboard_few_adopters (0));
    assert_true (scoreboard_few_adopters (2));
    assert_false (scoreboard_few_adopters (3));
    assert_true (scoreboard_demand_multiple (1200, 400, &x));
    assert_true (x == 3.0);
    assert_false (scoreboard_demand_multiple (1200, 0, &x));                /* no budget */
    assert_true (scoreboard_month_in ("2026-11", "2026-10-01", "2026-12-31"));
    assert_true (scoreboard_month_in ("2026-10", "2026-10-15", "2027-01-14"));
    assert_true (scoreboard_month_in ("2027-01", "2026-10-15", "2027-01-14"));
    assert_false (scoreboard_month_in ("2027-02", "2026-10-15", "2027-01-14"));
    assert_false (scoreboard_month_in ("2026-09", "2026-10-01", "2026-12-31"));
}

/* A month is judged against its days' share of the quarter's capacity. */
static void
test_month_capacity (void **state)
{
    (void) state;
    /* 2027Q1: 90 days; January 31, February 28, March 31 */
    assert_int_equal (scoreboard_month_capacity (9000, "2027-01", "2027-01-01", "2027-03-31"), 3100);
    assert_int_equal (scoreboard_month_capacity (9000, "2027-02", "2027-01-01", "2027-03-31"), 2800);
    assert_int_equal (scoreboard_month_capacity (9000, "2027-03", "2027-01-01", "2027-03-31"), 3100);
    /* a leap February: 2028Q1 has 91 days */
    assert_int_equal (scoreboard_month_capacity (9100, "2028-02", "2028-01-01", "2028-03-31"), 2900);
    /* a quarter that starts mid-month counts only its own days of it */
    assert_int_equal (scoreboard_month_capacity (1000, "2027-01", "2027-01-16", "2027-02-14"), 533);
    assert_int_equal (scoreboard_month_capacity (1000, "2027-04", "2027-01-01", "2027-03-31"), 0);
    assert_int_equal (scoreboard_month_capacity (1000, "junk", "2027-01-01", "2027-03-31"), 0);
}

/* Demand against the whole capacity: the essays' 20x-40x. */
static void
test_capacity_multiple (void **state)
{
    (void) state;
    double m = -1;
    assert_true (scoreboard_demand_multiple (80000, 4000, &m));
    assert_true (m > 19.999 && m < 20.001);
    m = -1;
    assert_false (scoreboard_demand_multiple (100, 0, &m));
    assert_true (m == -1);
}

/* Quota credit, worked by hand: 300,000 won at 100 %; 77 h at 100 an hour
 * is 7,700, at -50 % a debit of 3,850; at 20 %, 1,540. */
static void
test_credit (void **state)
{
    (void) state;
    Esc__QuotaCredit c = ESC__QUOTA_CREDIT__INIT;
    c.won_value = 300000;
    c.oneoff_hours = 77;
    scoreboard_credit (&c, 100, 100, -50);
    assert_int_equal (c.standard_credit, 300000);
    assert_int_equal (c.oneoff_cost, 7700);
    assert_int_equal (c.oneoff_credit, -3850);
    assert_int_equal (c.total, 296150);
    assert_true (c.has_standard_credit && c.has_oneoff_cost && c.has_oneoff_credit && c.has_total);
    scoreboard_credit (&c, 100, 50, 20);
    assert_int_equal (c.standard_credit, 150000);
    assert_int_equal (c.oneoff_credit, 1540);
    assert_int_equal (c.total, 151540);
    /* rounded toward zero, both ways */
    c.won_value = 3;
    c.oneoff_hours = 1;
    scoreboard_credit (&c, 3, 50, -50);
    assert_int_equal (c.standard_credit, 1);
    assert_int_equal (c.oneoff_credit, -1);
}

int
main (void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test (test_verdicts),
        cmocka_unit_test (test_pct),
        cmocka_unit_test (test_mix),
        cmocka_unit_test (test_return_and_adopters),
        cmocka_unit_test (test_month_capacity),
        cmocka_unit_test (test_capacity_multiple),
        cmocka_unit_test (test_credit),
    };
    return cmocka_run_group_tests (tests, NULL, NULL);
}
