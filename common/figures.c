/* figures.c: numbers as people read them (figures.h). */
#include "figures.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

const char *
figure (char buf[FIGURE_SIZE], int64_t v)
{
    char digits[24];
    /* the magnitude as unsigned: INT64_MIN has no positive int64_t */
    uint64_t m = v < 0 ? (uint64_t) 0 - (uint64_t) v : (uint64_t) v;
    int n = snprintf (digits, sizeof digits, "%" PRIu64, m);
    char *p = buf;
    if (v < 0)
        *p++ = '-';
    for (int i = 0; i < n; i++) {
        if (i && (n - i) % 3 == 0)
            *p++ = ',';
        *p++ = digits[i];
    }
    *p = '\0';
    return buf;
}

const char *
figure_noun (int64_t n, const char *one, const char *many)
{
    return n == 1 || n == -1 ? one : many;
}
