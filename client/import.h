/* import.h: esc account import FILE.csv, accounts from a CRM export.
 *
 * The first record names the columns; each is matched by its name, in any
 * case and spacing: the account's name (name, account, account name,
 * company, customer), its ARR (arr, annual recurring revenue, arr usd) and
 * its renewal date (renewal, renewal date, renewal on, contract end date,
 * next renewal); other columns are ignored. ARR may carry a currency sign,
 * thousands separators and cents; a renewal date is YYYY-MM-DD or
 * MM/DD/YYYY. All or nothing: a bad row, here or at escd, imports none, and
 * every bad row is named by its line. */
#ifndef ESC_IMPORT_H
#define ESC_IMPORT_H

#include <stddef.h>
#include <stdint.h>

#include "args.h"
#include "session.h"

int import_run (const session_t *s, const args_t *a, const char *user, const keypair_t *kp);

/* Which account field a column header names: 'n' name, 'a' ARR,
 * 'r' renewal date, 0 none. */
char import_column (const char *header);
/* A CRM's ARR ("$1,200,000.00") as whole units: 0, or -1. */
int import_arr (const char *s, int64_t *arr);
/* A renewal date as YYYY-MM-DD into OUT (11 bytes): 0, or -1. "" is no date. */
int import_date (const char *s, char *out);

#endif
