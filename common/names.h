/* names.h: the shapes of names and dates, checked alike by esc and escd. */
#ifndef ESC_NAMES_H
#define ESC_NAMES_H

#include <stddef.h>

/* 0 when S names a quarter: a year from 1900, 'Q', 1 to 4 ("2026Q4"). */
int name_check_quarter (const char *s);
/* A quarter's name as people may type it ("2026q4") in its one spelling
 * (2026Q4), in place; anything else is left as it is. Returns S. */
char *name_quarter_case (char *s);
/* 0 when S is a real calendar date YYYY-MM-DD (year 1900 on). */
int name_check_date (const char *s);
/* What is wrong with a date, if anything: NAME_DATE_MALFORMED when S is not
 * shaped YYYY-MM-DD (or is before 1900), NAME_DATE_NONEXISTENT when it is
 * but names no day of the calendar ("2027-02-30"), else 0. */
#define NAME_DATE_MALFORMED (-1)
#define NAME_DATE_NONEXISTENT (-2)
int name_date_check (const char *s);
/* 0 when S is a user name: 1 to 32 of a-z 0-9 _ . - starting with a-z. */
int name_check_user (const char *s);

/* 0 when S is a month YYYY-MM (year from 1900). */
int name_check_month (const char *s);
/* 0 when S is a request id: 8 to 64 printable ASCII characters, no space
 * (U+0021 to U+007E), as proto/esc.proto says. */
int name_check_request_id (const char *s);
#define NAME_REQUEST_ID_RULE "8 to 64 printable ASCII characters without spaces"

/* ---- Enumerations: the values a field may take, as the wire spells them ----
 * Each list is NULL-terminated and in the order people are shown it. escd
 * refuses anything else; esc checks the same lists before sending, offers
 * them to shell completion and lists them in its errors. Both accept them
 * in any case and send or store the spelling here. The states and roles
 * are those of server/workflow.c (a unit test holds them equal). */
extern const char *const name_categories[];     /* a roadmap item's */
extern const char *const name_deals[];          /* an outcome's */
extern const char *const name_roles[];          /* a user's */
extern const char *const name_states[];         /* an escalation's */
extern const char *const name_sorts[];          /* the orders of a list of
                                                   escalations (esc list --sort) */

/* The index of S in VALUES, compared in any case (ASCII), or -1. */
int name_one_of (const char *s, const char *const *values);
/* VALUES as people read a list of them: "a, b, c", into BUF. Returns BUF. */
char *name_values_text (const char *const *values, char *buf, size_t len);
/* S in lower case (ASCII letters only), in place; NULL is a no-op. */
char *name_lower (char *s);

/* Strips S, in place, of the whitespace around it: spaces, tabs, CR, LF
 * and no-break spaces (U+00A0), as CRM exports and typing leave them
 * (sql/013_account_names.sql trims stored names of the same set). Returns
 * S; NULL is a no-op. Only whole characters go, so valid UTF-8 stays
 * valid, and invalid stays invalid. */
char *name_trim (char *s);

#endif
