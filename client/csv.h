/* csv.h: RFC 4180 comma-separated values, both ways: reading a CRM export
 * for esc account import, writing a quarter's escalations for esc report
 * --format csv. */
#ifndef ESC_CSV_H
#define ESC_CSV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "arena.h"

typedef struct {
    char **fields;
    size_t n;
    int64_t line;               /* the line the record starts on, from 1 */
} csv_record_t;

/* The separator of a CSV file: ';' when its first line (outside quotes)
 * holds more semicolons than commas, as spreadsheets in much of Europe
 * write it; else ','. */
char csv_separator (const char *text, size_t len);

/* Parses LEN bytes of TEXT into records (arena-allocated), fields split at
 * csv_separator's choice. A UTF-8 byte order mark is skipped; lines end in
 * LF or CRLF; a field in double quotes may hold the separator, newlines
 * and "" for a quote; blank lines are skipped.
 * Returns 0, or -1 with ERR naming the line (an unterminated quote, stray
 * text after a closing quote, a NUL byte). */
int csv_parse (arena_t *a, const char *text, size_t len, csv_record_t **records, size_t *n,
               char *err, size_t errlen);

/* Writes S as one field, quoted when it holds a comma, a quote, CR or LF
 * (NULL is an empty field), followed by a comma, or by CRLF when LAST.
 * A field that starts like a spreadsheet formula (= + - @ TAB CR) gets an
 * apostrophe in front, so that a spreadsheet shows it as text. */
void csv_field (FILE *out, const char *s, bool last);

#endif
