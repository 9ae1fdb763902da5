/* names.c: shapes of quarter names, dates and user names; the enumerated
 * values of the wire; account names trimmed. */
#include "names.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

int
name_check_quarter (const char *s)
{
    if (!s || strlen (s) != 6)
        return -1;
    for (int i = 0; i < 4; i++)
        if (s[i] < '0' || s[i] > '9')
            return -1;
    if (s[0] == '0' || (s[0] == '1' && s[1] < '9'))
        return -1;              /* before 1900, as dates */
    return s[4] == 'Q' && s[5] >= '1' && s[5] <= '4' ? 0 : -1;
}

char *
name_quarter_case (char *s)
{
    if (s && strlen (s) == 6 && s[4] == 'q')
        s[4] = 'Q';
    return s;
}

int
name_date_check (const char *s)
{
    if (!s || strlen (s) != 10 || s[4] != '-' || s[7] != '-')
        return NAME_DATE_MALFORMED;
    for (int i = 0; i < 10; i++)
        if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9'))
            return NAME_DATE_MALFORMED;
    int y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
    int m = (s[5] - '0') * 10 + (s[6] - '0');
    int d = (s[8] - '0') * 10 + (s[9] - '0');
    static const int days[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
    if (y < 1900)
        return NAME_DATE_MALFORMED;
    if (m < 1 || m > 12 || d < 1)
        return NAME_DATE_NONEXISTENT;
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return d <= days[m - 1] + (m == 2 && leap) ? 0 : NAME_DATE_NONEXISTENT;
}

int
name_check_date (const char *s)
{
    return name_date_check (s) == 0 ? 0 : -1;
}

int
name_check_user (const char *s)
{
    size_t n = s ? strlen (s) : 0;
    if (n < 1 || n > 32 || s[0] < 'a' || s[0] > 'z')
        return -1;
    for (size_t i = 1; i < n; i++)
        if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9')
              || s[i] == '_' || s[i] == '.' || s[i] == '-'))
            return -1;
    return 0;
}

int
name_check_request_id (const char *s)
{
    size_t n = s ? strlen (s) : 0;
    if (n < 8 || n > 64)
        return -1;
    for (size_t i = 0; i < n; i++)
        if (s[i] < 0x21 || s[i] > 0x7e)
            return -1;
    return 0;
}

int
name_check_month (const char *s)
{
    char date[11];
    if (!s || strlen (s) != 7)
        return -1;
    snprintf (date, sizeof date, "%s-01", s);
    return name_check_date (date);
}

/* ==== Enumerations ====================================================== */

const char *const name_categories[] = { "feature", "ility", "maintenance", "discovery", NULL };
const char *const name_deals[] = { "won", "lost", NULL };
const char *const name_roles[] = { "sales", "pm", "cro", "exec", "admin", NULL };
const char *const name_states[] = {
    "filed", "sized", "returned", "declined", "withdrawn",
    "merged", "approved", "delivered", "closed", "stopped", "referred", NULL,
};
/* in the order of server/listing.h's list_sort_t (a unit test holds them
 * equal) */
const char *const name_sorts[] = { "id", "hours", "arr", "deal", "needed-by", "filed", NULL };

int
name_one_of (const char *s, const char *const *values)
{
    for (int i = 0; s && values[i]; i++)
        if (strcasecmp (s, values[i]) == 0)
            return i;
    return -1;
}

char *
name_values_text (const char *const *values, char *buf, size_t len)
{
    size_t used = 0;
    buf[0] = '\0';
    for (int i = 0; values[i] && used < len; i++) {
        int n = snprintf (buf + used, len - used, "%s%s", i ? ", " : "", values[i]);
        if (n < 0)
            break;
        used += (size_t) n;
    }
    return buf;
}

char *
name_lower (char *s)
{
    for (char *p = s; p && *p; p++)
        if (*p >= 'A' && *p <= 'Z')
            *p = (char) (*p - 'A' + 'a');
    return s;
}

/* ==== Account names ===================================================== */

/* The length of the whitespace name_trim strips at S (0: none). */
static size_t
space_at (const char *s)
{
    if (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n')
        return 1;
    return (unsigned char) s[0] == 0xc2 && (unsigned char) s[1] == 0xa0 ? 2 : 0;
}

char *
name_trim (char *s)
{
    if (!s)
        return s;
    size_t start = 0, k;
    while ((k = space_at (s + start)) > 0)
        start += k;
    size_t end = start;                 /* just past the last non-space */
    for (size_t i = start; s[i];)
        if ((k = space_at (s + i)) > 0)
            i += k;
        else
            end = ++i;
    if (start > 0 || s[end]) {          /* writes nothing when nothing goes */
        memmove (s, s + start, end - start);
        s[end - start] = '\0';
    }
    return s;
}
