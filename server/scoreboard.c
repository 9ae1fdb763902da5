/* scoreboard.c: how a quarter is judged. See scoreboard.h. */
#include "scoreboard.h"

#include <string.h>

const double scoreboard_marks[SCOREBOARD_MARKS] = { 10, 15, 20, 30 };

const mix_target_t scoreboard_mix[SCOREBOARD_CATEGORIES] = {
    { "feature", 50, false },
    { "ility", 25, false },
    { "maintenance", 25, false },
    { "discovery", 10, true },
};

#define RETURN_MULTIPLE 3.0     /* a one-off must return 3x its cost */
#define FEW_ADOPTERS 2          /* used by this many customers or fewer */

double
scoreboard_pct (int64_t part, int64_t whole)
{
    return whole > 0 ? 100.0 * (double) part / (double) whole : 0;
}

const char *
scoreboard_verdict (double share_pct)
{
    static const char *const verdicts[SCOREBOARD_MARKS + 1] = {
        "healthy", "coping", "strained", "struggling", "off the road",
    };
    int band = 0;
    while (band < SCOREBOARD_MARKS && share_pct >= scoreboard_marks[band])
        band++;
    return verdicts[band];
}

const char *
scoreboard_mix_verdict (const mix_target_t *t, double share_pct)
{
    if (share_pct < t->target_pct - (t->at_least ? 0 : SCOREBOARD_MIX_TOLERANCE))
        return "low";
    if (!t->at_least && share_pct > t->target_pct + SCOREBOARD_MIX_TOLERANCE)
        return "high";
    return "ok";
}

bool
scoreboard_return (int64_t deal_value, bool lost, int64_t cost, double *multiple, bool *meets)
{
    if (cost <= 0)
        return false;
    *multiple = lost ? 0 : (double) deal_value / (double) cost;
    *meets = *multiple >= RETURN_MULTIPLE;
    return true;
}

bool
scoreboard_few_adopters (int64_t adopters)
{
    return adopters <= FEW_ADOPTERS;
}

bool
scoreboard_demand_multiple (int64_t demand_hours, int64_t budget_hours, double *multiple)
{
    if (budget_hours <= 0)
        return false;
    *multiple = (double) demand_hours / (double) budget_hours;
    return true;
}

bool
scoreboard_month_in (const char *month, const char *starts_on, const char *ends_on)
{
    return strncmp (starts_on, month, 7) <= 0 && strncmp (ends_on, month, 7) >= 0;
}
