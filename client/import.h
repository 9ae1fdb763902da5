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
 * row is named by its line. */
#ifndef ESC_IMPORT_H
#define ESC_IMPORT_H

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

/* Turns the RECORDS of PATH, a CRM export with its header first, into the
 * rows of IMP (arena A): each row's line, trimmed name, ARR and renewal
 * date, the date left out (renewal_on NULL) when the row gives none.
 * Returns 0, or -1 after writing to ERRS, as esc's error, what is wrong
 * with the header or with each bad row, by its line. */
int import_rows (arena_t *a, const char *path, csv_record_t *records, size_t n,
                 Esc__AccountImport *imp, FILE *errs);

#endif
