/* import.h: esc account import FILE.csv, accounts from a CRM export.
 *
 * The first record names the columns; each is matched by its name, in any
 * case and spacing: the account's name (name, account, account name,
 * company, customer), its ARR (arr, annual recurring revenue, arr usd) and
 * its renewal date (renewal, renewal date, renewal on, contract end date,
 * next renewal); other columns are ignored. The name and ARR columns are
 * required (an import is for ARR, and a new account needs one); the
 * renewal column is not.
 *
 * Names lose the whitespace around them (escd trims them too). A renewal
 * date is YYYY-MM-DD or MM/DD/YYYY; a file without the column, or an empty
 * cell, gives none: a new account has no renewal date, a known one keeps
 * its own (an import never clears one).
 *
 * ARR is whole units with, if at all, a currency sign ($, €, £) before or
 * after it, thousands grouped in threes by commas or by spaces, and cents
 * after a point (rounded to the nearest unit): "1200000", "$1,200,000.00",
 * "1 200 000", "1250.50", "$250,000", "900 €". An amount whose reading is
 * ambiguous is refused, never guessed: a lone point followed by exactly
 * three digits ("12.500 €", "€1.250") may group thousands (as in much of
 * Europe) or mark decimals; write it without the separator ("12500") or
 * with a comma ("12,500"). European forms ("1.250,00", "1.250.000", "12,5")
 * are refused as not amounts.
 *
 * All or nothing: a bad row, here or at escd, imports none, and every bad
 * row is named by its line, in one run: when esc finds rows it cannot read,
 * it still asks escd to check every row without importing (a dry run; each
 * such row goes without its ARR, so that even an escd that knows no dry run
 * refuses it, and escd checks what else it holds: its name against the
 * others and the accounts known), and shows what either found, in line
 * order. */
#ifndef ESC_IMPORT_H
#define ESC_IMPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "args.h"
#include "csv.h"
#include "session.h"

int import_run (const session_t *s, const args_t *a, const char *user, const keypair_t *kp);

/* Which account field a column header names: 'n' name, 'a' ARR,
 * 'r' renewal date, 0 none. */
char import_column (const char *header);

/* What import_arr says of an amount it does not read. */
#define IMPORT_NOT_AMOUNT (-1)
#define IMPORT_AMBIGUOUS (-2)
/* A CRM's ARR ("$1,200,000.00") as whole units: 0, IMPORT_NOT_AMOUNT, or
 * IMPORT_AMBIGUOUS (see above). */
int import_arr (const char *s, int64_t *arr);
/* A renewal date as YYYY-MM-DD into OUT (11 bytes): 0, or -1. "" is no date. */
int import_date (const char *s, char *out);

/* One thing wrong with a row, found by esc or by escd. */
typedef struct {
    int64_t line;
    const char *field;          /* name, arr or renewal_on */
    const char *message;        /* for people: "ARR 'lots' is not an amount ..." */
} import_problem_t;

/* The problems of an import, in line order once merged. */
typedef struct {
    import_problem_t *list;     /* arena */
    size_t n;
    size_t rows;                /* the rows of the file */
    size_t bad_rows;            /* distinct lines of LIST, or at least these */
    size_t unseen;              /* bad rows escd counted but did not list */
} import_problems_t;

/* Turns the RECORDS of PATH, a CRM export with its header first, into the
 * rows of IMP (arena A): each row's line, trimmed name, ARR and renewal
 * date, the date left out (renewal_on NULL) when the row gives none. What
 * esc cannot read in a row (an amount, a date) goes to PROBLEMS, and the
 * row stays in IMP without its ARR (has_arr false) and without a date it
 * cannot read, for escd to check the rest of it. Returns 0, or -1 after writing to ERRS, as esc's error, what
 * is wrong with the file as a whole (no header, no name or ARR column). */
int import_rows (arena_t *a, const char *path, csv_record_t *records, size_t n,
                 Esc__AccountImport *imp, import_problems_t *problems, FILE *errs);

/* Puts the problems escd found (RESULT, NULL for none) beside esc's own in
 * P, sorted by line (then name, ARR, renewal date), and counts the bad
 * rows: escd's count (it counts esc's bad rows too, which reached it
 * without an ARR) or the lines listed, whichever is more. escd's word on
 * the ARR of a row esc found wrong is left out: it is about the missing
 * ARR, and esc says what is wrong with the file's. */
void import_merge (arena_t *a, import_problems_t *p, const Esc__ImportResult *result);

/* Shows P: "esc: IMPORT_REJECTED: N of M rows are wrong; nothing was
 * imported:" and a line for each problem of the first IMPORT_SHOWN bad
 * rows on ERRS ("... and N more rows" after them), and with JSON every
 * problem as one {"error": {...}} document on OUT. */
#define IMPORT_SHOWN 100
void import_show_problems (const import_problems_t *p, bool json, FILE *out, FILE *errs);

#endif
