/* args.h: the command line of one esc command, parsed against its spec.
 *
 * A command declares its operands and options; parsing checks the syntax
 * only (unknown options, missing values, numbers that are not numbers) and
 * reports a usage error naming the culprit. Whether a value is acceptable
 * is the server's to say: the rules live there. */
#ifndef ESC_ARGS_H
#define ESC_ARGS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "arena.h"

typedef enum {
    ARG_TEXT,                   /* --title T */
    ARG_INT,                    /* --hours N: a whole number */
    ARG_YESNO,                  /* --viable yes|no */
    ARG_LIST,                   /* --waiting A,B (repeatable) */
    ARG_FLAG,                   /* --mine */
} arg_kind_t;

typedef struct {
    const char *name;           /* without the dashes */
    arg_kind_t kind;
    const char *value_name;     /* for help: "N", "DATE", ... */
    const char *help;
} opt_spec_t;

#define ARGS_MAX_OPTIONS 16
#define ARGS_MAX_OPERANDS 2

typedef struct {
    const opt_spec_t *specs;    /* NULL-terminated by name */
    const char *operands[ARGS_MAX_OPERANDS];
    int n_operands;
    /* per spec: the value given (lists: all values joined by ','), or NULL */
    const char *values[ARGS_MAX_OPTIONS];
    bool given[ARGS_MAX_OPTIONS];
} args_t;

/* Parses ARGV (ARGC words after the command's name) against SPECS, taking
 * between MIN and MAX operands. Returns 0, or -1 with a message in ERR. */
int args_parse (args_t *a, arena_t *arena, const opt_spec_t *specs, int min, int max,
                int argc, char **argv, char *err, size_t errlen);

/* The value of option NAME, or NULL when not given. */
const char *args_text (const args_t *a, const char *name);
bool args_flag (const args_t *a, const char *name);
/* An integer option: returns whether it was given; the value in *v. */
bool args_int (const args_t *a, const char *name, int64_t *v);
/* yes/no option: returns whether it was given; the value in *v. */
bool args_yesno (const args_t *a, const char *name, bool *v);
/* A list option split at commas into an arena array; count in *n. */
char **args_list (const args_t *a, arena_t *arena, const char *name, size_t *n);

/* Parses a whole number; 0 or -1. */
int args_parse_int (const char *s, int64_t *v);

#endif
