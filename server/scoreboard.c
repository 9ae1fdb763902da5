/* scoreboard.c: how a quarter is judged. See scoreboard.h. */
#include "scoreboard.h"

#include <stdio.h>

#include "esc.pb-c.h"
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
scoreboard_demand_multiple (int64_t demand_hours, int64_t of_hours, double *multiple)
{
    if (of_hours <= 0)
        return false;
    *multiple = (double) demand_hours / (double) of_hours;
    return true;
}

bool
scoreboard_month_in (const char *month, const char *starts_on, const char *ends_on)
{
    return strncmp (starts_on, month, 7) <= 0 && strncmp (ends_on, month, 7) >= 0;
}

/* Days since 1970-01-01 of the civil date Y-M-D (Howard Hinnant's
 * days_from_civil). */
static int64_t
days_from_civil (int64_t y, int64_t m, int64_t d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

/* The day number of "YYYY-MM-DD" (or of "YYYY-MM" and day D). */
static int64_t
day_of (const char *date, int d)
{
    int y = 0, m = 0, day = 0;
    if (sscanf (date, "%4d-%2d-%2d", &y, &m, &day) < 2)
        return 0;
    return days_from_civil (y, m, d ? d : day);
}

int64_t
scoreboard_month_capacity (int64_t capacity, const char *month, const char *starts_on,
                           const char *ends_on)
{
    int64_t q0 = day_of (starts_on, 0), q1 = day_of (ends_on, 0) + 1;
    int y = 0, m = 0;
    if (sscanf (month, "%4d-%2d", &y, &m) != 2 || q1 <= q0)
        return 0;
    int64_t m0 = days_from_civil (y, m, 1);
    int64_t m1 = m == 12 ? days_from_civil (y + 1, 1, 1) : days_from_civil (y, m + 1, 1);
    int64_t from = m0 > q0 ? m0 : q0, to = m1 < q1 ? m1 : q1;
    return to > from ? capacity * (to - from) / (q1 - q0) : 0;
}

void
scoreboard_credit (Esc__QuotaCredit *c, int64_t hourly_cost, int64_t standard_pct,
                   int64_t oneoff_pct)
{
    c->has_oneoff_cost = c->has_standard_credit = c->has_oneoff_credit = c->has_total = true;
    c->oneoff_cost = c->oneoff_hours * hourly_cost;
    c->standard_credit = c->won_value * standard_pct / 100;
    c->oneoff_credit = c->oneoff_cost * oneoff_pct / 100;
    c->total = c->standard_credit + c->oneoff_credit;
}
