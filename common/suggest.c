/* suggest.c: the nearest known word to a mistyped one. See suggest.h. */
#include "suggest.h"

#include <ctype.h>
#include <string.h>
#include <strings.h>

#define LONGEST 64

int
suggest_distance (const char *a, const char *b)
{
    size_t la = strlen (a), lb = strlen (b);
    if (la > LONGEST || lb > LONGEST)
        return LONGEST + 1;
    int row[LONGEST + 1];
    for (size_t j = 0; j <= lb; j++)
        row[j] = (int) j;
    for (size_t i = 1; i <= la; i++) {
        int diagonal = row[0];
        row[0] = (int) i;
        for (size_t j = 1; j <= lb; j++) {
            int above = row[j];
            int cost = tolower ((unsigned char) a[i - 1]) != tolower ((unsigned char) b[j - 1]);
            int best = diagonal + cost;
            if (above + 1 < best)
                best = above + 1;
            if (row[j - 1] + 1 < best)
                best = row[j - 1] + 1;
            row[j] = best;
            diagonal = above;
        }
    }
    return row[lb];
}

const char *
suggest_word (const char *typed, const char *const *candidates, size_t n)
{
    size_t len = typed ? strlen (typed) : 0;
    if (len == 0)
        return NULL;
    const char *prefixed = NULL, *nearest = NULL;
    int prefixes = 0, best = 3;
    for (size_t i = 0; i < n; i++) {
        const char *c = candidates[i];
        if (!c || strcmp (c, typed) == 0)
            continue;
        if (strncasecmp (c, typed, len) == 0 && prefixes++ == 0)
            prefixed = c;
        int d = suggest_distance (typed, c);
        if (d < best && (size_t) d < len) {
            best = d;
            nearest = c;
        }
    }
    return prefixes == 1 ? prefixed : nearest;
}
