/* listing.c: the orders of a list and its cursors. See listing.h. */
#include "listing.h"

#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "names.h"

#define ID_MAX 9007199254740991LL       /* 2^53 - 1, as validate.c's ids */

/* ==== The orders ========================================================= */

/* What each order's key is, and where it starts: past the largest key for
 * the orders that go down, before the smallest for those that go up
 * (the store's SQL holds the directions; these agree with them). */
static const struct {
    list_key_kind_t kind;
    const char *start;
} sorts[LIST_SORT_COUNT] = {
    [LIST_SORT_ID]        = { LIST_KEY_NONE, "" },
    [LIST_SORT_HOURS]     = { LIST_KEY_INT, "9223372036854775807" },
    [LIST_SORT_ARR]       = { LIST_KEY_INT, "9223372036854775807" },
    [LIST_SORT_DEAL]      = { LIST_KEY_INT, "9223372036854775807" },
    [LIST_SORT_NEEDED_BY] = { LIST_KEY_DATE, "-infinity" },
    [LIST_SORT_FILED]     = { LIST_KEY_TIME, "infinity" },
};

const char *
listing_sort_name (list_sort_t sort)
{
    return (unsigned) sort < LIST_SORT_COUNT ? name_sorts[sort] : "unknown";
}

int
listing_sort_parse (const char *name, list_sort_t *sort)
{
    for (int i = 0; i < LIST_SORT_COUNT; i++)
        if (name && strcmp (name, name_sorts[i]) == 0) {
            *sort = (list_sort_t) i;
            return 0;
        }
    return -1;
}

list_key_kind_t
listing_key_kind (list_sort_t sort)
{
    return (unsigned) sort < LIST_SORT_COUNT ? sorts[sort].kind : LIST_KEY_NONE;
}

const char *
listing_start_key (list_sort_t sort)
{
    return (unsigned) sort < LIST_SORT_COUNT ? sorts[sort].start : "";
}

/* ==== Keys =============================================================== */

/* True when S is a whole number as PostgreSQL prints a bigint: an optional
 * '-', digits without a leading zero (but for 0 itself), within int64. */
static bool
int_key (const char *s, int64_t *v)
{
    const char *d = s + (*s == '-');
    size_t n = strspn (d, "0123456789");
    if (n == 0 || n > 19 || d[n] || (d[0] == '0' && (n > 1 || d != s)))
        return false;
    errno = 0;
    long long x = strtoll (s, NULL, 10);
    if (errno == ERANGE)
        return false;
    *v = x;
    return true;
}

/* True when S[0..N) are N digits whose value lies in LO..HI. */
static bool
digits (const char *s, size_t n, int lo, int hi)
{
    int v = 0;
    for (size_t i = 0; i < n; i++) {
        if (!isdigit ((unsigned char) s[i]))
            return false;
        v = v * 10 + (s[i] - '0');
    }
    return v >= lo && v <= hi;
}

/* True when S is YYYY-MM-DDTHH:MM:SS.ffffffZ naming a real day. */
static bool
time_key (const char *s)
{
    char date[11];
    if (strlen (s) != 27 || s[10] != 'T' || s[13] != ':' || s[16] != ':' || s[19] != '.'
        || s[26] != 'Z')
        return false;
    memcpy (date, s, 10);
    date[10] = '\0';
    return name_date_check (date) == 0 && digits (s + 11, 2, 0, 23) && digits (s + 14, 2, 0, 59)
        && digits (s + 17, 2, 0, 59) && digits (s + 20, 6, 0, 999999);
}

static bool
key_fits (list_key_kind_t kind, const char *key)
{
    int64_t unused;
    switch (kind) {
    case LIST_KEY_INT:
        return int_key (key, &unused);
    case LIST_KEY_DATE:
        return strcmp (key, "infinity") == 0 || name_date_check (key) == 0;
    case LIST_KEY_TIME:
        return time_key (key);
    case LIST_KEY_NONE:
    default:
        return !*key;
    }
}

/* ==== Cursors ============================================================ */

static int
bad_cursor (esc_error_t *err, const char *why)
{
    return esc_fail (err, ESC_INVALID_ARGUMENT, "INVALID_ARGUMENT",
                     "cursor is not one escd gave (%s): pass a reply's next_cursor as it came",
                     why);
}

int
listing_cursor_parse (const char *text, list_cursor_t *out, esc_error_t *err)
{
    char part[LISTING_CURSOR_MAX];
    memset (out, 0, sizeof *out);
    if (!text || strlen (text) >= sizeof part)
        return bad_cursor (err, text ? "too long" : "none");
    /* the order: up to the first '/' */
    size_t n = strcspn (text, "/");
    memcpy (part, text, n);
    part[n] = '\0';
    if (!text[n] || listing_sort_parse (part, &out->sort) != 0)
        return bad_cursor (err, "no order it knows");
    const char *rest = text + n + 1;
    /* the key, but in the id order: up to the last '/' (a key holds none) */
    const char *slash = strrchr (rest, '/');
    bool id_order = out->sort == LIST_SORT_ID;
    if (id_order != !slash)
        return bad_cursor (err, id_order ? "the id order has no key" : "no key");
    if (slash) {
        memcpy (out->key, rest, (size_t) (slash - rest));
        out->key[slash - rest] = '\0';
        rest = slash + 1;
    }
    if (!key_fits (listing_key_kind (out->sort), out->key))
        return bad_cursor (err, "not a key of its order");
    if (!int_key (rest, &out->id) || out->id < 1 || out->id > ID_MAX)
        return bad_cursor (err, "no escalation id");
    return 0;
}

void
listing_cursor_format (list_sort_t sort, const char *key, int64_t id, char *out, size_t len)
{
    if (sort == LIST_SORT_ID)
        snprintf (out, len, "id/%lld", (long long) id);
    else
        snprintf (out, len, "%s/%s/%lld", listing_sort_name (sort), key ? key : "",
                  (long long) id);
}
