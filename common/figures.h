/* figures.h: numbers as people read them, the same in esc's output and in
 * the sentences escd writes into events: a comma between each group of
 * three digits (2,000,000) and a noun that agrees with its count
 * (1 adopter, 2 adopters). JSON and CSV keep the plain digits. */
#ifndef ESC_FIGURES_H
#define ESC_FIGURES_H

#include <stdint.h>

/* Room for any int64_t with its commas and sign, and the NUL. */
#define FIGURE_SIZE 28

/* Writes V into BUF with thousands separators and returns BUF. */
const char *figure (char buf[FIGURE_SIZE], int64_t v);

/* ONE when N is 1 (or -1), else MANY: figure_noun (n, "adopter", "adopters"). */
const char *figure_noun (int64_t n, const char *one, const char *many);

#endif
