/* config.c: client settings from file, environment and defaults. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int
config_parse_timeout (const char *s, int *ms)
{
    if (!s || !*s)
        return -1;
    char *end;
    errno = 0;
    double seconds = strtod (s, &end);
    if (errno || *end || !(seconds > 0) || seconds > 3600)
        return -1;
    *ms = (int) (seconds * 1000 + 0.5);
    return *ms > 0 ? 0 : -1;
}

int
config_parse_retries (const char *s, int *retries)
{
    if (!s || !*s)
        return -1;
    char *end;
    long n = strtol (s, &end, 10);
    if (*end || n < 0 || n > 10)
        return -1;
    *retries = (int) n;
    return 0;
}

static void
copy (char *dst, size_t len, const char *src)
{
    snprintf (dst, len, "%s", src);
}

/* Applies one "key = value" setting. */
static int
apply (config_t *c, const char *key, const char *value)
{
    if (strcmp (key, "endpoint") == 0)
        copy (c->endpoint, sizeof c->endpoint, value);
    else if (strcmp (key, "feed") == 0)
        copy (c->feed, sizeof c->feed, value);
    else if (strcmp (key, "server-key") == 0 || strcmp (key, "server_key") == 0)
        copy (c->server_key, sizeof c->server_key, value);
    else if (strcmp (key, "user") == 0)
        copy (c->user, sizeof c->user, value);
    else if (strcmp (key, "timeout") == 0)
        return config_parse_timeout (value, &c->timeout_ms);
    else if (strcmp (key, "retries") == 0)
        return config_parse_retries (value, &c->retries);
    else
        return -1;
    return 0;
}

static int
read_file (config_t *c, const char *path, char *err, size_t errlen)
{
    FILE *f = fopen (path, "r");
    if (!f)
        return 0;               /* no file: defaults */
    char line[1024];
    int lineno = 0, rc = 0;
    while (fgets (line, sizeof line, f)) {
        lineno++;
        char key[64], value[600];
        /* a comment is a whole line: Z85 keys may hold '#' */
        size_t lead = strspn (line, " \t\r\n");
        if (line[lead] == '\0' || line[lead] == '#')
            continue;
        if (sscanf (line, " %63[a-z_-] = %599s", key, value) != 2 || apply (c, key, value)) {
            snprintf (err, errlen, "%s:%d: expected 'key = value' with a known key "
                      "(endpoint, feed, server-key, user, timeout, retries)", path, lineno);
            rc = -1;
            break;
        }
    }
    fclose (f);
    return rc;
}

int
config_load (config_t *c, char *err, size_t errlen)
{
    memset (c, 0, sizeof *c);
    copy (c->endpoint, sizeof c->endpoint, DEFAULT_ENDPOINT);
    copy (c->feed, sizeof c->feed, DEFAULT_FEED);
    c->timeout_ms = DEFAULT_TIMEOUT_MS;
    c->retries = DEFAULT_RETRIES;

    const char *home = getenv ("ESC_HOME");
    if (home && *home)
        copy (c->home, sizeof c->home, home);
    else
        snprintf (c->home, sizeof c->home, "%s/.config/esc",
                  getenv ("HOME") ? getenv ("HOME") : ".");

    char path[1100];
    snprintf (path, sizeof path, "%s/config", c->home);
    if (read_file (c, path, err, errlen))
        return -1;

    static const struct { const char *env, *key; } vars[] = {
        { "ESC_ENDPOINT", "endpoint" }, { "ESC_FEED", "feed" },
        { "ESC_SERVER_KEY", "server-key" }, { "ESC_USER", "user" },
        { "ESC_TIMEOUT", "timeout" }, { "ESC_RETRIES", "retries" },
    };
    for (size_t i = 0; i < sizeof vars / sizeof vars[0]; i++) {
        const char *v = getenv (vars[i].env);
        if (v && *v && apply (c, vars[i].key, v)) {
            snprintf (err, errlen, "%s: not a valid value", vars[i].env);
            return -1;
        }
    }
    return 0;
}

const char *
config_key_path (const config_t *c, const char *name, char *buf, size_t len)
{
    snprintf (buf, len, "%s/keys/%s.key", c->home, name);
    return buf;
}
