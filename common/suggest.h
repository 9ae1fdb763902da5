/* suggest.h: "did you mean ...?" for a word that names nothing.
 *
 * esc and escd both answer a mistyped command, subcommand or option with
 * the one they know that is nearest: the only one the word begins, else
 * the first of those within two edits of it (insertions, deletions,
 * substitutions, in any case), provided the word keeps more than it
 * loses: "x" suggests nothing. */
#ifndef ESC_SUGGEST_H
#define ESC_SUGGEST_H

#include <stddef.h>

/* The edits (Levenshtein distance, ASCII case ignored) from A to B; a
 * distance above 64 is given as 65. */
int suggest_distance (const char *a, const char *b);

/* The candidate TYPED most likely meant among the N CANDIDATES (NULL
 * entries are skipped), or NULL when none is near: the only candidate
 * TYPED is a prefix of, else the first at the least distance of at most
 * 2, and less than TYPED's length. */
const char *suggest_word (const char *typed, const char *const *candidates, size_t n);

#endif
