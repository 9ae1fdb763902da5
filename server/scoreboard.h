/* scoreboard.h: how a quarter is judged, as plain functions.
 *
 * The measures of DESIGN section 1's scorekeeping, without I/O: the
 * healthy mix of planned work, the one-off share against the 10 / 15 / 20
 * / 30 % marks and its verdict, demand as a multiple of the one-off
 * budget, the share refused, the 3x return rule and the adopters flag. The
 * store counts; this judges. */
#ifndef ESC_SCOREBOARD_H
#define ESC_SCOREBOARD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The marks of the one-off share, in percent of capacity. */
#define SCOREBOARD_MARKS 4
extern const double scoreboard_marks[SCOREBOARD_MARKS];

/* The healthy mix of planned work: about half features, a quarter
 * -ilities, a quarter maintenance, and at least a tenth discovery. */
typedef struct {
    const char *category;
    double target_pct;
    bool at_least;              /* a floor, not a share to be near */
} mix_target_t;

#define SCOREBOARD_CATEGORIES 4
extern const mix_target_t scoreboard_mix[SCOREBOARD_CATEGORIES];

/* How far from its target a category may be and still count as "ok". */
#define SCOREBOARD_MIX_TOLERANCE 10.0

/* PART as a percent of WHOLE; 0 when WHOLE is 0. */
double scoreboard_pct (int64_t part, int64_t whole);

/* The verdict on a one-off share: "healthy" (under 10 %), "coping" (under
 * 15), "strained" (under 20), "struggling" (under 30), "off the road". */
const char *scoreboard_verdict (double share_pct);

/* "ok", "low" or "high" for a category's share against its target. */
const char *scoreboard_mix_verdict (const mix_target_t *t, double share_pct);

/* A one-off's return: what its deal brought (nothing when the deal was
 * LOST) over its COST, in *MULTIPLE, and in *MEETS whether that reaches
 * the 3x a one-off must return. False, and nothing set, when there is no
 * cost to measure against. */
bool scoreboard_return (int64_t deal_value, bool lost, int64_t cost, double *multiple, bool *meets);

/* True when a one-off is used by two customers or fewer. */
bool scoreboard_few_adopters (int64_t adopters);

/* Demand as a multiple of OF_HOURS, the one-off budget or the whole
 * capacity (the essays' 20x-40x), in *MULTIPLE; false, and nothing set,
 * when there are no such hours. */
bool scoreboard_demand_multiple (int64_t demand_hours, int64_t of_hours, double *multiple);

/* Whether MONTH (YYYY-MM) has days in the quarter from STARTS_ON to
 * ENDS_ON (YYYY-MM-DD). */
bool scoreboard_month_in (const char *month, const char *starts_on, const char *ends_on);

/* The month's share of a quarter's CAPACITY: CAPACITY times the days of
 * MONTH (YYYY-MM) within the quarter from STARTS_ON to ENDS_ON, over the
 * quarter's days; rounded down, 0 for a month outside it. */
int64_t scoreboard_month_capacity (int64_t capacity, const char *month, const char *starts_on,
                                   const char *ends_on);

/* Quota credit ("100% quota relief on standard product, and 20% relief (or
 * maybe minus 50%!) on the actual cost of one-offs"): the lifetime hours of
 * C's approved one-offs priced at HOURLY_COST, the won deal value credited
 * at STANDARD_PCT and the one-off cost at ONEOFF_PCT (negative: a debit),
 * each rounded toward zero, and the total. */
struct Esc__QuotaCredit;
void scoreboard_credit (struct Esc__QuotaCredit *c, int64_t hourly_cost, int64_t standard_pct,
                        int64_t oneoff_pct);

#endif
