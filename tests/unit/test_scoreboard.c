/* test_scoreboard.c: the scoreboard's judgements at and around each mark. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

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

int
main (void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test (test_verdicts),
        cmocka_unit_test (test_pct),
        cmocka_unit_test (test_mix),
        cmocka_unit_test (test_return_and_adopters),
    };
    return cmocka_run_group_tests (tests, NULL, NULL);
}
