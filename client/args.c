/* args.c: command-line parsing against a command's spec. */
#include "args.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

static int
find (const opt_spec_t *specs, const char *name, size_t len)
{
    for (int i = 0; specs[i].name; i++)
        if (strlen (specs[i].name) == len && strncmp (specs[i].name, name, len) == 0)
            return i;
    return -1;
}

/* Checks VALUE's syntax for SPEC. */
static int
check_value (const opt_spec_t *spec, const char *value, char *err, size_t errlen)
{
    int64_t n;
    if (spec->kind == ARG_INT && args_parse_int (value, &n) != 0) {
        snprintf (err, errlen, "--%s takes a whole number, not '%s'", spec->name, value);
        return -1;
    }
    if (spec->kind == ARG_YESNO && strcmp (value, "yes") != 0 && strcmp (value, "no") != 0) {
        snprintf (err, errlen, "--%s takes yes or no, not '%s'", spec->name, value);
        return -1;
    }
    return 0;
}

int
args_parse (args_t *a, arena_t *arena, const opt_spec_t *specs, int min, int max,
            int argc, char **argv, char *err, size_t errlen)
{
    memset (a, 0, sizeof *a);
    a->specs = specs;
    bool options_done = false;
    for (int i = 0; i < argc; i++) {
        const char *word = argv[i];
        if (options_done || strncmp (word, "--", 2) != 0 || word[2] == '\0') {
            if (!options_done && strcmp (word, "--") == 0) {
                options_done = true;
                continue;
            }
            if (a->n_operands >= max || a->n_operands >= ARGS_MAX_OPERANDS) {
                snprintf (err, errlen, "unexpected argument '%s'", word);
                return -1;
            }
            a->operands[a->n_operands++] = word;
            continue;
        }
        const char *name = word + 2, *eq = strchr (name, '=');
        size_t len = eq ? (size_t) (eq - name) : strlen (name);
        int k = find (specs, name, len);
        if (k < 0) {
            snprintf (err, errlen, "unknown option '--%.*s'", (int) len, name);
            return -1;
        }
        const opt_spec_t *spec = &specs[k];
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
        if (check_value (spec, value, err, errlen))
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
    if (a->n_operands < min) {
        snprintf (err, errlen, "missing argument");
        return -1;
    }
    return 0;
}

static int
index_of (const args_t *a, const char *name)
{
    int k = find (a->specs, name, strlen (name));
    if (k < 0) {
        fprintf (stderr, "esc: internal: no option --%s in this command's spec\n", name);
        abort ();
    }
    return k;
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
