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

/* Deal value over cost; 0 when nothing was spent. MEETS says whether it
 * reaches the 3x a one-off must return. */
double scoreboard_return (int64_t deal_value, int64_t cost, bool *meets);

/* True when a one-off is used by two customers or fewer. */
bool scoreboard_few_adopters (int64_t adopters);

/* Demand over budget; 0 when there is no budget. */
double scoreboard_demand_multiple (int64_t demand_hours, int64_t budget_hours);

#endif
