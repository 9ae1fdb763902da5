/* validate.h: decoding and checking one request before anything acts on it.
 *
 * Pure functions over bytes and decoded messages: the envelope (protocol
 * version, request id, exactly one known operation), every string in the
 * message (well-formed UTF-8, within its size limit), and each operation's
 * own fields (required ones present, numbers in range, dates and names
 * well-formed, free text without control or bidirectional characters, and
 * line breaks only where a field may span lines: see text.h). Nothing that
 * fails here reaches the database. The changes made to a request happen
 * here too: every account name it carries is trimmed of the whitespace
 * around it (name_trim), and what people may type in any case is put in
 * the case it is stored in: quarter names upper case ("2026q4" is
 * 2026Q4), categories, deals, states and roles lower case (names.h), so
 * that what is checked, compared and stored is the one spelling. */
#ifndef ESC_VALIDATE_H
#define ESC_VALIDATE_H

#include <stddef.h>
#include <stdint.h>

#include "esc.pb-c.h"
#include "status.h"
#include "wire.h"
#include "workflow.h"

/* Field limits, in bytes. */
#define LIMIT_NAME 200                  /* account names, titles */
#define LIMIT_TEXT 8000                 /* problem, solution, notes, reasons */
#define LIMIT_LIST 100                  /* entries of a repeated field */
#define LIMIT_HOURS 100000              /* any one figure of hours */
#define LIMIT_MONEY 1000000000000000LL  /* ARR, deal value: 10^15 */
#define LIMIT_EVENTS 10000              /* events in one catch-up page */
#define LIMIT_IMPORT 10000              /* accounts in one import */
#define LIMIT_IMPORT_PROBLEMS 100       /* bad rows an import's refusal lists */
#define DEFAULT_EVENTS 1000
#define LIMIT_PAGE_DEFAULT 50           /* escalations in a page of a list */
#define LIMIT_PAGE 1000                 /* ... at most */

/* Decodes one request, trims its account names and validates it. Returns
 * the request (free it with esc__request__free_unpacked (req, NULL)) and
 * its operation in *op, or NULL with ERR saying what was wrong; *op is
 * OP_COUNT unless the request decoded and named a known operation. */
Esc__Request *validate_request (const uint8_t *data, size_t len, op_t *op,
                                esc_error_t *err);

/* Decodes DATA (at most ESC_MAX_MESSAGE bytes) without checking it, but
 * for trimming the account names it holds of surrounding whitespace and
 * putting quarter names and enumerated values in their case. NULL
 * with ERR (MESSAGE_TOO_LARGE, BAD_REQUEST) when it does not decode. */
Esc__Request *validate_unpack (const uint8_t *data, size_t len, esc_error_t *err);

/* The operation REQ carries, or OP_COUNT for none this server knows. */
op_t validate_op (const Esc__Request *req);

/* An account's name (trimmed already): present, one line, not too long.
 * Returns 0, or -1 with ERR. */
int validate_account_name (const char *name, esc_error_t *err);
/* A seller's team: absent (NULL), or a name on one line, not blank.
 * Returns 0, or -1 with ERR. */
int validate_team (const char *team, esc_error_t *err);
/* One row of an account import: its name, ARR and renewal date, in that
 * order. Returns 0, or -1 with ERR naming the first field wrong and *FIELD
 * that field's name ("name", "arr", "renewal_on"). */
int validate_account_row (const Esc__AccountRow *row, const char **field, esc_error_t *err);

/* Calls EACH with the name and value of every string field of MSG, however
 * deep; stops at the first non-zero return, and returns it. */
int validate_each_string (const ProtobufCMessage *msg,
                          int (*each) (const char *field, const char *value, void *arg),
                          void *arg);

/* The checks alone, on a decoded request. Returns 0 or -1 with ERR. */
int validate_decoded (const Esc__Request *req, op_t *op, esc_error_t *err);

#endif
