/* args.c: command-line parsing against a command's spec. See args.h. */
#include "args.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "import.h"
#include "names.h"
#include "suggest.h"

static const char *const yes_no[] = { "yes", "no", NULL };

int
args_parse_int (const char *s, int64_t *v)
{
    if (!s || !*s)
        return -1;
    char *end;
    errno = 0;
    long long n = strtoll (s, &end, 10);
    if (errno || *end)
        return -1;
    *v = n;
    return 0;
}

const opt_spec_t *
args_find (const opt_spec_t *specs, const char *name, size_t len)
{
    for (int i = 0; specs && specs[i].name; i++)
        if (strlen (specs[i].name) == len && strncmp (specs[i].name, name, len) == 0)
            return &specs[i];
    return NULL;
}

const char *const *
args_values (const opt_spec_t *spec)
{
    return spec->values ? spec->values : spec->kind == ARG_YESNO ? yes_no : NULL;
}

const char *
args_suggest (const opt_spec_t *specs, const opt_spec_t *globals, const char *name)
{
    const char *candidates[ARGS_MAX_OPTIONS * 2];
    size_t n = 0;
    for (int i = 0; specs && specs[i].name && n < ARGS_MAX_OPTIONS; i++)
        candidates[n++] = specs[i].name;
    for (int i = 0; globals && globals[i].name && n < ARGS_MAX_OPTIONS * 2; i++)
        candidates[n++] = globals[i].name;
    return suggest_word (name, candidates, n);
}

/* An enumerated VALUE of SPEC in its one spelling (the table's), or NULL
 * with ERR listing the values it may take. */
static const char *
enumerated (const opt_spec_t *spec, const char *value, char *err, size_t errlen)
{
    const char *const *values = args_values (spec);
    int k = name_one_of (value, values);
    if (k >= 0)
        return values[k];
    char list[256];
    if (spec->kind == ARG_YESNO)
        snprintf (err, errlen, "--%s takes yes or no, not '%s'", spec->name, value);
    else
        snprintf (err, errlen, "--%s must be one of %s (not '%s')", spec->name,
                  name_values_text (values, list, sizeof list), value);
    return NULL;
}

/* VALUE, given for SPEC, checked as far as esc can alone and put in the
 * spelling escd stores (in ARENA); NULL with ERR when it is wrong. */
static const char *
checked_value (const opt_spec_t *spec, const char *value, arena_t *arena, char *err,
               size_t errlen)
{
    int64_t n;
    char date[11];
    int rc;
    switch (spec->kind) {
    case ARG_INT:
        if (args_parse_int (value, &n) == 0)
            return value;
        /* grouped thousands, as an amount is written: 4,000 */
        if (value[strspn (value, "-0123456789,")] == '\0' && import_arr (value, &n) == 0)
            return arena_printf (arena, "%lld", (long long) n);
        snprintf (err, errlen, "--%s takes a whole number, not '%s'", spec->name, value);
        return NULL;
    case ARG_AMOUNT:
        rc = import_arr (value, &n);
        if (rc == 0)
            return arena_printf (arena, "%lld", (long long) n);
        if (rc == IMPORT_AMBIGUOUS)
            snprintf (err, errlen, "--%s '%s' is ambiguous: its point may group thousands or "
                      "mark decimals; write it without (12500) or with a comma (12,500)",
                      spec->name, value);
        else
            snprintf (err, errlen, "--%s takes an amount like 2000000, 2,000,000 or "
                      "$2,000,000, not '%s'", spec->name, value);
        return NULL;
    case ARG_DATE:
        if (import_date (value, date) != 0 || !*date
            || name_date_check (date) == NAME_DATE_MALFORMED) {
            snprintf (err, errlen, "--%s takes a date YYYY-MM-DD or MM/DD/YYYY, not '%s'",
                      spec->name, value);
            return NULL;
        }
        if (name_date_check (date) != 0) {
            snprintf (err, errlen, "--%s %s does not exist", spec->name, date);
            return NULL;
        }
        return arena_strdup (arena, date);
    case ARG_YESNO:
        return enumerated (spec, value, err, errlen);
    case ARG_LIST:
        if (spec->values) {
            /* every item one of the values: a,B,c in their spelling */
            char *out = arena_strdup (arena, "");
            char *copy = arena_strdup (arena, value);
            for (char *save = NULL, *item = strtok_r (copy, ",", &save); item;
                 item = strtok_r (NULL, ",", &save)) {
                const char *one = enumerated (spec, item, err, errlen);
                if (!one)
                    return NULL;
                out = arena_printf (arena, "%s%s%s", out, *out ? "," : "", one);
            }
            return out;
        }
        return value;
    case ARG_TEXT:
        if (spec->values)
            return enumerated (spec, value, err, errlen);
        if (spec->names == ARG_NAMES_QUARTER)
            return name_quarter_case (arena_strdup (arena, value));
        return value;
    case ARG_FLAG:
        break;
    }
    return value;
}

/* The K-th option of A, written as given: "--format csv", "--mine". */
static const char *
as_given (const args_t *a, int k, arena_t *arena)
{
    const opt_spec_t *spec = &a->specs[k];
    if (spec->kind == ARG_FLAG)
        return arena_printf (arena, "--%s", spec->name);
    return arena_printf (arena, "--%s %s", spec->name, a->values[k]);
}

/* Options given together that contradict each other (opt_spec_t.conflicts). */
static int
check_conflicts (const args_t *a, arena_t *arena, const args_grammar_t *g, char *err,
                 size_t errlen)
{
    for (int k = 0; a->specs[k].name; k++) {
        const opt_spec_t *spec = &a->specs[k];
        if (!a->given[k] || !spec->conflicts)
            continue;
        if (spec->values && a->values[k] && strcmp (a->values[k], spec->conflicts) == 0)
            continue;           /* --format json agrees with --json */
        const opt_spec_t *other = args_find (a->specs, spec->conflicts, strlen (spec->conflicts));
        if (other && a->given[other - a->specs]) {
            snprintf (err, errlen, "%s and %s cannot go together: give one of them",
                      as_given (a, k, arena), as_given (a, (int) (other - a->specs), arena));
            return -1;
        }
        for (int i = 0; !other && g->globals_given && g->globals_given[i]; i++)
            if (strcmp (g->globals_given[i], spec->conflicts) == 0) {
                snprintf (err, errlen, "%s and --%s cannot go together: give one of them",
                          as_given (a, k, arena), spec->conflicts);
                return -1;
            }
    }
    return 0;
}

/* The name of operand I in OPERANDS ("ID [Q]"), brackets off, into BUF. */
static const char *
operand_name (const char *operands, int i, char *buf, size_t len)
{
    snprintf (buf, len, "argument");
    for (const char *p = operands; p && *p;) {
        p += strspn (p, " ");
        size_t n = strcspn (p, " ");
        if (n && i-- == 0) {
            snprintf (buf, len, "%.*s", (int) n, p);
            char *s = buf;
            while (*s == '[')
                memmove (s, s + 1, strlen (s));
            s[strcspn (s, "]")] = '\0';
            return buf;
        }
        p += n;
    }
    return buf;
}

int
args_parse_grammar (args_t *a, arena_t *arena, const args_grammar_t *g, int argc, char **argv,
                    char *err, size_t errlen)
{
    memset (a, 0, sizeof *a);
    a->specs = g->specs;
    bool options_done = false;
    for (int i = 0; i < argc; i++) {
        const char *word = argv[i];
        if (options_done || strncmp (word, "--", 2) != 0 || word[2] == '\0') {
            if (!options_done && strcmp (word, "--") == 0) {
                options_done = true;
                continue;
            }
            if (a->n_operands >= g->max || a->n_operands >= ARGS_MAX_OPERANDS) {
                snprintf (err, errlen, "unexpected argument '%s'", word);
                return -1;
            }
            a->operands[a->n_operands++] = word;
            continue;
        }
        const char *name = word + 2, *eq = strchr (name, '=');
        size_t len = eq ? (size_t) (eq - name) : strlen (name);
        const opt_spec_t *spec = args_find (g->specs, name, len);
        if (!spec) {
            char *typed = arena_printf (arena, "%.*s", (int) len, name);
            const char *near = args_suggest (g->specs, g->globals, typed);
            snprintf (err, errlen, "unknown option '--%s'%s%s%s", typed,
                      near ? "; did you mean --" : "", near ? near : "", near ? "?" : "");
            return -1;
        }
        int k = (int) (spec - g->specs);
        const char *value = NULL;
        if (spec->kind == ARG_FLAG) {
            if (eq) {
                snprintf (err, errlen, "--%s takes no value", spec->name);
                return -1;
            }
            value = "yes";
        }
        else if (eq)
            value = eq + 1;
        else if (i + 1 < argc)
            value = argv[++i];
        else {
            snprintf (err, errlen, "--%s needs a value (%s)", spec->name, spec->value_name);
            return -1;
        }
        if (!(value = checked_value (spec, value, arena, err, errlen)))
            return -1;
        if (a->given[k] && spec->kind == ARG_LIST)
            value = arena_printf (arena, "%s,%s", a->values[k], value);
        else if (a->given[k] && spec->kind != ARG_FLAG) {
            snprintf (err, errlen, "--%s is given twice", spec->name);
            return -1;
        }
        a->values[k] = value;
        a->given[k] = true;
    }
    if (a->n_operands < g->min) {
        char name[64];
        snprintf (err, errlen, "missing %s", operand_name (g->operands, a->n_operands, name,
                                                          sizeof name));
        return -1;
    }
    for (int k = 0; g->specs[k].name; k++)
        if (g->specs[k].required && !a->given[k]) {
            snprintf (err, errlen, "--%s is required", g->specs[k].name);
            return -1;
        }
    return check_conflicts (a, arena, g, err, errlen);
}

int
args_parse (args_t *a, arena_t *arena, const opt_spec_t *specs, int min, int max,
            int argc, char **argv, char *err, size_t errlen)
{
    args_grammar_t g = { .specs = specs, .min = min, .max = max };
    return args_parse_grammar (a, arena, &g, argc, argv, err, errlen);
}

static int
index_of (const args_t *a, const char *name)
{
    const opt_spec_t *spec = args_find (a->specs, name, strlen (name));
    if (!spec) {
        fprintf (stderr, "esc: internal: no option --%s in this command's spec\n", name);
        abort ();
    }
    return (int) (spec - a->specs);
}

const char *
args_text (const args_t *a, const char *name)
{
    return a->values[index_of (a, name)];
}

bool
args_flag (const args_t *a, const char *name)
{
    return a->given[index_of (a, name)];
}

bool
args_int (const args_t *a, const char *name, int64_t *v)
{
    const char *s = args_text (a, name);
    return s && args_parse_int (s, v) == 0;
}

bool
args_yesno (const args_t *a, const char *name, bool *v)
{
    const char *s = args_text (a, name);
    if (s)
        *v = strcmp (s, "yes") == 0;
    return s != NULL;
}

char **
args_list (const args_t *a, arena_t *arena, const char *name, size_t *n)
{
    const char *s = args_text (a, name);
    *n = 0;
    if (!s || !*s)
        return NULL;
    size_t count = 1;
    for (const char *p = s; *p; p++)
        count += *p == ',';
    char **items = arena_alloc (arena, count * sizeof *items);
    char *copy = arena_strdup (arena, s);
    for (char *tok = strtok (copy, ","); tok; tok = strtok (NULL, ","))
        items[(*n)++] = tok;
    return items;
}
