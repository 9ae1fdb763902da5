/* config.c: client settings from file, environment and defaults. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "conffile.h"
#include "keys.h"
#include "names.h"

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

/* ---- The settings, and what each accepts --------------------------------*/

/* tcp://HOST:PORT (PORT 1 to 65535), or ipc://PATH. */
static bool
endpoint_ok (const char *s, size_t len)
{
    if (len > 6 && strncmp (s, "ipc://", 6) == 0)
        return true;
    if (len < 9 || strncmp (s, "tcp://", 6) != 0)
        return false;
    const char *colon = NULL;
    for (const char *p = s + 6; p < s + len; p++)
        if (*p == ':')
            colon = p;
    if (!colon || colon == s + 6 || colon + 1 == s + len)
        return false;
    long port = 0;
    for (const char *p = colon + 1; p < s + len; p++) {
        if (*p < '0' || *p > '9')
            return false;
        port = port * 10 + (*p - '0');
        if (port > 65535)
            return false;
    }
    return port > 0;
}

/* A comma-separated list of endpoints. */
static bool
endpoints_ok (const char *s)
{
    for (const char *p = s;; p++) {
        size_t n = strcspn (p, ",");
        if (!endpoint_ok (p, n))
            return false;
        p += n;
        if (!*p)
            return true;
    }
}

static const config_setting_t settings[] = {
    { "endpoint", "ESC_ENDPOINT", "endpoint must look like tcp://HOST:PORT (or ipc://PATH), or be several separated by commas" },
    { "feed", "ESC_FEED", "feed must be endpoints like tcp://HOST:PORT, separated by commas" },
    { "server-key", "ESC_SERVER_KEY", "server-key must be the server's public key: 40 characters of Z85, as escd init prints it" },
    { "user", "ESC_USER", "user must be a user name: 1 to 32 of a-z 0-9 _ . - starting with a letter" },
    { "timeout", "ESC_TIMEOUT", "timeout must be seconds, more than 0 and at most 3600 (0.5 will do)" },
    { "retries", "ESC_RETRIES", "retries must be a whole number from 0 to 10" },
};
#define N_SETTINGS (sizeof settings / sizeof settings[0])

const config_setting_t *
config_settings (size_t *n)
{
    *n = N_SETTINGS;
    return settings;
}

/* The index of setting KEY (server_key is server-key's old spelling), or -1. */
static int
setting (const char *key)
{
    if (strcmp (key, "server_key") == 0)
        key = "server-key";
    for (size_t i = 0; i < N_SETTINGS; i++)
        if (strcmp (settings[i].key, key) == 0)
            return (int) i;
    return -1;
}

/* Applies KEY = VALUE to C. Returns 0, or -1 with why in WHY. */
static int
apply (config_t *c, const char *key, const char *value, char *why, size_t len)
{
    int k = setting (key);
    if (k < 0) {
        snprintf (why, len, "'%s' is not a setting (endpoint, feed, server-key, user, timeout, "
                  "retries)", key);
        return -1;
    }
    bool ok;
    switch (k) {
    case 0: case 1: ok = endpoints_ok (value); break;      /* each asked in turn; each followed */
    case 2: ok = key_z85_valid (value); break;
    case 3: ok = name_check_user (value) == 0; break;
    case 4: ok = config_parse_timeout (value, &c->timeout_ms) == 0; break;
    default: ok = config_parse_retries (value, &c->retries) == 0; break;
    }
    if (!ok) {
        snprintf (why, len, "%s, not '%.80s'", settings[k].rule, value);
        return -1;
    }
    char *slot[] = { c->endpoint, c->feed, c->server_key, c->user };
    size_t sizes[] = { sizeof c->endpoint, sizeof c->feed, sizeof c->server_key, sizeof c->user };
    if (k < 4 && strlen (value) >= sizes[k]) {      /* cut short, it would name another */
        snprintf (why, len, "%s holds at most %zu characters, not %zu", key, sizes[k] - 1,
                  strlen (value));
        return -1;
    }
    if (k < 4)
        copy (slot[k], sizes[k], value);
    c->source[k] = NULL;        /* the caller says where it came from */
    return 0;
}

int
config_check (const char *key, const char *value, char *why, size_t len)
{
    config_t scratch;
    memset (&scratch, 0, sizeof scratch);
    return apply (&scratch, key, value, why, len);
}

/* The keys its file may set: the settings, and server-key's old spelling. */
static const char *const file_keys[] = {
    "endpoint", "feed", "server-key", "user", "timeout", "retries", "server_key",
};

/* Takes the KEY-th of file_keys for conffile_read. */
static int
take (void *arg, size_t key, const char *value, char *why, size_t len)
{
    config_t *c = arg;
    if (apply (c, file_keys[key], value, why, len))
        return -1;
    c->source[setting (file_keys[key])] = "file";
    return 0;
}

static int
read_file (config_t *c, const char *path, char *err, size_t errlen)
{
    if (access (path, F_OK) != 0 && errno == ENOENT)
        return 0;               /* no file: defaults */
    char *text;
    int rc = conffile_read (path, &text, file_keys, sizeof file_keys / sizeof file_keys[0],
                            take, c, err, errlen);
    free (text);                /* apply copied what it keeps */
    return rc;
}

/* Where esc keeps its settings and keys: $ESC_HOME, else
 * $XDG_CONFIG_HOME/esc (an absolute path), else ~/.config/esc. */
static void
home_dir (config_t *c)
{
    const char *home = getenv ("ESC_HOME"), *xdg = getenv ("XDG_CONFIG_HOME");
    if (home && *home)
        copy (c->home, sizeof c->home, home);
    else if (xdg && xdg[0] == '/')
        snprintf (c->home, sizeof c->home, "%s/esc", xdg);
    else
        snprintf (c->home, sizeof c->home, "%s/.config/esc",
                  getenv ("HOME") ? getenv ("HOME") : ".");
}

int
config_load (config_t *c, char *err, size_t errlen)
{
    memset (c, 0, sizeof *c);
    copy (c->endpoint, sizeof c->endpoint, DEFAULT_ENDPOINT);
    copy (c->feed, sizeof c->feed, DEFAULT_FEED);
    c->timeout_ms = DEFAULT_TIMEOUT_MS;
    c->retries = DEFAULT_RETRIES;
    home_dir (c);
    char path[1100], why[300];
    config_file (c, path, sizeof path);
    if (read_file (c, path, err, errlen))
        return -1;
    for (size_t i = 0; i < N_SETTINGS; i++) {
        const char *v = getenv (settings[i].env);
        if (!v || !*v)
            continue;
        if (apply (c, settings[i].key, v, why, sizeof why)) {
            snprintf (err, errlen, "%s: %s", settings[i].env, why);
            return -1;
        }
        c->source[i] = settings[i].env;
    }
    return 0;
}

const char *
config_file (const config_t *c, char *buf, size_t len)
{
    snprintf (buf, len, "%s/config", c->home);
    return buf;
}

const char *
config_value (const config_t *c, const char *key, char *buf, size_t len)
{
    switch (setting (key)) {
    case 0: snprintf (buf, len, "%s", c->endpoint); break;
    case 1: snprintf (buf, len, "%s", c->feed); break;
    case 2: snprintf (buf, len, "%s", c->server_key); break;
    case 3: snprintf (buf, len, "%s", c->user); break;
    case 4: snprintf (buf, len, "%g", c->timeout_ms / 1000.0); break;
    case 5: snprintf (buf, len, "%d", c->retries); break;
    default: return NULL;
    }
    return buf;
}

int
config_set (const config_t *c, const char *key, const char *value, char *err, size_t errlen)
{
    char why[300], path[1100], tmp[1200], line[1024];
    if (config_check (key, value, why, sizeof why)) {
        snprintf (err, errlen, "%s", why);
        return -1;
    }
    if (config_make_dirs (c->home, err, errlen))
        return -1;
    config_file (c, path, sizeof path);
    snprintf (tmp, sizeof tmp, "%s.tmp", path);
    FILE *in = fopen (path, "r"), *out = fopen (tmp, "w");
    if (!out) {
        snprintf (err, errlen, "cannot write %s: %s", tmp, strerror (errno));
        if (in)
            fclose (in);
        return -1;
    }
    const char *name = settings[setting (key)].key;
    bool done = false;
    /* the file's other lines stay as they are; KEY's line is replaced */
    while (in && fgets (line, sizeof line, in)) {
        char k[64];
        if (sscanf (line, " %63[a-z_-] =", k) == 1 && setting (k) == setting (key)) {
            if (!done)
                fprintf (out, "%s = %s\n", name, value);
            done = true;
        }
        else
            fputs (line, out);
    }
    if (!done)
        fprintf (out, "%s = %s\n", name, value);
    if (in)
        fclose (in);
    if (fclose (out) != 0 || rename (tmp, path) != 0) {
        snprintf (err, errlen, "cannot write %s: %s", path, strerror (errno));
        return -1;
    }
    return 0;
}

int
config_make_dirs (const char *path, char *err, size_t errlen)
{
    char buf[1200];
    snprintf (buf, sizeof buf, "%s", path);
    for (char *p = buf + 1;; p++) {
        if (*p != '/' && *p != '\0')
            continue;
        char c = *p;
        *p = '\0';
        if (mkdir (buf, 0700) != 0 && errno != EEXIST) {
            snprintf (err, errlen, "cannot create %s: %s", buf, strerror (errno));
            return -1;
        }
        *p = c;
        if (!c)
            return 0;
    }
}

const char *
config_key_path (const config_t *c, const char *name, char *buf, size_t len)
{
    snprintf (buf, len, "%s/keys/%s.key", c->home, name);
    return buf;
}
