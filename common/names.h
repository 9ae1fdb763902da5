/* names.h: the shapes of names and dates, checked alike by esc and escd. */
#ifndef ESC_NAMES_H
#define ESC_NAMES_H

/* 0 when S names a quarter: a year from 1900, 'Q', 1 to 4 ("2026Q4"). */
int name_check_quarter (const char *s);
/* 0 when S is a real calendar date YYYY-MM-DD (year 1900 on). */
int name_check_date (const char *s);
/* 0 when S is a user name: 1 to 32 of a-z 0-9 _ . - starting with a-z. */
int name_check_user (const char *s);

/* 0 when S is a month YYYY-MM (year from 1900). */
int name_check_month (const char *s);
/* 0 when S is a request id: 8 to 64 printable ASCII characters, no space
 * (U+0021 to U+007E), as proto/esc.proto says. */
int name_check_request_id (const char *s);
#define NAME_REQUEST_ID_RULE "8 to 64 printable ASCII characters without spaces"

/* Strips S, in place, of the whitespace around it: spaces, tabs, CR, LF
 * and no-break spaces (U+00A0), as CRM exports and typing leave them
 * (sql/013_account_names.sql trims stored names of the same set). Returns
 * S; NULL is a no-op. Only whole characters go, so valid UTF-8 stays
 * valid, and invalid stays invalid. */
char *name_trim (char *s);

#endif
