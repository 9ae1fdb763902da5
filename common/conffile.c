/* conffile.c: settings files of "key = value" lines. See conffile.h. */
#include "conffile.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "suggest.h"

#define BLANKS " \t\r\v\f"

/* S without the blanks at either end, in place. */
static char *
trim (char *s)
{
    s += strspn (s, BLANKS);
    size_t n = strlen (s);
    while (n > 0 && strchr (BLANKS, s[n - 1]))
        s[--n] = '\0';
    return s;
}

/* Up to 60 bytes of S into BUF (64), each byte that is not printable ASCII
 * shown as '?': what a line said, safe to put in a message. */
static const char *
shown (const char *s, char *buf)
{
    size_t n = 0;
    for (; s[n] && n < 60; n++)
        buf[n] = s[n] >= 0x20 && s[n] < 0x7f ? s[n] : '?';
    if (s[n])
        buf[n - 1] = buf[n - 2] = buf[n - 3] = '.';
    buf[n] = '\0';
    return buf;
}

/* What to say of KEY, which names none of KEYS: the nearest, else them all. */
static void
unknown_key (const char *key, const char *const *keys, size_t n_keys, char *why, size_t len)
{
    char typed[64];
    const char *near = suggest_word (key, keys, n_keys);
    int used = snprintf (why, len, "unknown key '%s'", shown (key, typed));
    if (near) {
        snprintf (why + used, len - (size_t) used, "; did you mean %s?", near);
        return;
    }
    for (size_t i = 0; i < n_keys && used >= 0 && (size_t) used < len; i++)
        used += snprintf (why + used, len - (size_t) used, "%s%s", i ? ", " : " (the keys: ",
                          keys[i]);
    if (n_keys && used >= 0 && (size_t) used < len)
        snprintf (why + used, len - (size_t) used, ")");
}

/* The index of KEY among KEYS, or N_KEYS when it is none of them. */
static size_t
key_index (const char *key, const char *const *keys, size_t n_keys)
{
    size_t i = 0;
    while (i < n_keys && strcmp (keys[i], key) != 0)
        i++;
    return i;
}

/* Parses one line (NUL-terminated, no newline). Returns 0 (a setting taken,
 * or nothing to take), or -1 with why in WHY. SEEN holds the line each key
 * was set on (0: not yet). */
static int
parse_line (char *line, int lineno, const char *const *keys, size_t n_keys, int *seen,
            conffile_take_t take, void *arg, char *why, size_t len)
{
    char buf[64];
    line = trim (line);
    if (!*line || *line == '#')
        return 0;
    char *equals = strchr (line, '=');
    if (!equals) {
        snprintf (why, len, "expected KEY = VALUE, not '%s'", shown (line, buf));
        return -1;
    }
    *equals = '\0';
    char *key = trim (line), *value = trim (equals + 1);
    if (!*key) {
        snprintf (why, len, "expected KEY = VALUE: the line has no key before '='");
        return -1;
    }
    size_t k = key_index (key, keys, n_keys);
    if (k == n_keys) {
        unknown_key (key, keys, n_keys, why, len);
        return -1;
    }
    if (seen[k]) {
        snprintf (why, len, "%s is set on line %d already", keys[k], seen[k]);
        return -1;
    }
    if (!*value) {
        snprintf (why, len, "%s has no value (to take the default, leave the key out)",
                  keys[k]);
        return -1;
    }
    seen[k] = lineno;
    return take (arg, k, value, why, len);
}

int
conffile_parse (const char *name, char *text, const char *const *keys, size_t n_keys,
                conffile_take_t take, void *arg, char *err, size_t errlen)
{
    int *seen = calloc (n_keys + 1, sizeof *seen);
    if (!seen)
        abort ();
    char why[512];
    int lineno = 0, rc = 0;
    /* a byte-order mark, as some editors write, is no part of the first key */
    if (strncmp (text, "\xef\xbb\xbf", 3) == 0)
        text += 3;
    for (char *line = text; line && rc == 0;) {
        char *next = strchr (line, '\n');
        if (next)
            *next++ = '\0';
        lineno++;
        if (parse_line (line, lineno, keys, n_keys, seen, take, arg, why, sizeof why)) {
            snprintf (err, errlen, "%s:%d: %s", name, lineno, why);
            rc = -1;
        }
        line = next;
    }
    free (seen);
    return rc;
}

int
conffile_read (const char *path, char **text, const char *const *keys, size_t n_keys,
               conffile_take_t take, void *arg, char *err, size_t errlen)
{
    *text = NULL;
    FILE *f = fopen (path, "r");
    if (!f) {
        snprintf (err, errlen, "cannot read %s: %s", path, strerror (errno));
        return -1;
    }
    char *buf = malloc (CONFFILE_MAX + 1);
    if (!buf)
        abort ();
    size_t n = fread (buf, 1, CONFFILE_MAX + 1, f);
    int failed = ferror (f) ? errno : 0;
    fclose (f);
    if (failed || n > CONFFILE_MAX) {
        if (failed)
            snprintf (err, errlen, "cannot read %s: %s", path, strerror (failed));
        else
            snprintf (err, errlen, "%s is larger than %d bytes: not a settings file", path,
                      CONFFILE_MAX);
        free (buf);
        return -1;
    }
    buf[n] = '\0';
    const char *nul = memchr (buf, '\0', n);
    if (nul) {
        int lineno = 1;
        for (const char *c = buf; c < nul; c++)
            lineno += *c == '\n';
        snprintf (err, errlen, "%s:%d: a NUL byte: not a text file", path, lineno);
        free (buf);
        return -1;
    }
    if (conffile_parse (path, buf, keys, n_keys, take, arg, err, errlen)) {
        free (buf);
        return -1;
    }
    *text = buf;
    return 0;
}
