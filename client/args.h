/* args.h: the command line of one esc command, parsed against its spec.
 *
 * A command declares its operands and options in one table (commands.c),
 * and that table drives everything about them: parsing, --help, the man
 * page (esc __man) and shell completion (esc __complete). Parsing checks
 * what esc can know alone, and reports a usage error (exit 2) naming the
 * flag: unknown options (with the nearest known one), missing values and
 * required options, numbers that are not numbers, dates that are not dates
 * or name no day, amounts, values outside an enumeration (listing it), and
 * options that contradict each other. Values are put in the one spelling
 * escd stores before they are sent: an enumerated value as the table
 * spells it, a date as YYYY-MM-DD, an amount as whole units. Whether a
 * value is acceptable beyond that (a range, a state, a role) is escd's to
 * say: the rules live there, and escd checks everything again for clients
 * other than esc. */
#ifndef ESC_ARGS_H
#define ESC_ARGS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "arena.h"

typedef enum {
    ARG_TEXT,                   /* --title T */
    ARG_INT,                    /* --hours N: a whole number (4000 or 4,000) */
    ARG_YESNO,                  /* --viable yes|no, in any case */
    ARG_LIST,                   /* --waiting A,B (repeatable) */
    ARG_FLAG,                   /* --mine */
    ARG_DATE,                   /* --needed-by DATE: YYYY-MM-DD or MM/DD/YYYY, as an
                                   import reads it, a day that exists; sent YYYY-MM-DD */
    ARG_AMOUNT,                 /* --arr N: money as an import reads it (2000000,
                                   2,000,000, $2,000,000); sent as whole units */
} arg_kind_t;

/* What a value (or an operand) names among the things escd or this machine
 * knows, for shell completion: escd is asked for escalation ids, accounts,
 * quarters, roadmap items and users; key names are the keys here. */
typedef enum {
    ARG_NAMES_NONE,
    ARG_NAMES_ESCALATION,
    ARG_NAMES_ACCOUNT,
    ARG_NAMES_QUARTER,          /* also put in its one spelling: 2026q4 is 2026Q4 */
    ARG_NAMES_ROADMAP,
    ARG_NAMES_USER,
    ARG_NAMES_KEY,              /* $ESC_HOME/keys/NAME.key */
    ARG_NAMES_FILE,             /* a file name: the shell completes it */
} arg_names_t;

/* A table of options (commands.c, the tests) may leave out the fields
 * after help: they mean "no" (see below). -Wextra would call every such
 * row an error; in a file that includes this header, it does not. */
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

typedef struct {
    const char *name;           /* without the dashes */
    arg_kind_t kind;
    const char *value_name;     /* for help: "N", "DATE", ... */
    const char *help;
    /* The fields below came after the four above: a row written { name,
     * kind, value_name, help } is an optional option taking any value,
     * naming nothing, contradicting nothing. Set them by name:
     * { "category", ARG_TEXT, "C", "...", .required = true,
     *   .values = name_categories }. */
    bool required;              /* esc refuses the command without it: exit 2 */
    const char *const *values;  /* an enumeration (NULL-terminated): taken in any
                                   case, sent as spelled here, listed in the error
                                   for any other value, offered by completion; a
                                   list's every item is one of them */
    arg_names_t names;          /* what the value names, for completion */
    const char *conflicts;      /* an option this one may not be given with:
                                   another of the command's, or a global one
                                   ("json"); an enumerated value spelled like the
                                   other option agrees with it (--format json
                                   goes with --json) */
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

/* What a command's words are parsed against. */
typedef struct {
    const opt_spec_t *specs;    /* the command's options */
    int min, max;               /* operands it takes */
    const char *operands;       /* their names, for a message ("ID", "[Q]"); may be NULL */
    const opt_spec_t *globals;  /* options every command takes, for suggestions; may be NULL */
    const char *const *globals_given;   /* the global options given ("json"),
                                           NULL-terminated, for conflicts; may be NULL */
} args_grammar_t;

/* Parses ARGV (ARGC words after the command's name) against G. Returns 0,
 * or -1 with a message in ERR: a usage error. */
int args_parse_grammar (args_t *a, arena_t *arena, const args_grammar_t *g,
                        int argc, char **argv, char *err, size_t errlen);

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

/* The spec of option NAME (LEN bytes, without dashes) in SPECS, or NULL. */
const opt_spec_t *args_find (const opt_spec_t *specs, const char *name, size_t len);
/* The values an option's value may take, NULL-terminated: its enumeration,
 * yes and no for a yes/no option, else NULL. */
const char *const *args_values (const opt_spec_t *spec);
/* The option of SPECS or GLOBALS (either may be NULL) nearest to the
 * unknown NAME (without dashes), or NULL: see suggest.h. */
const char *args_suggest (const opt_spec_t *specs, const opt_spec_t *globals, const char *name);

#endif
