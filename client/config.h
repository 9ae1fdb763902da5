/* config.h: where esc finds its server and its identity.
 *
 * esc's directory is $ESC_HOME, else $XDG_CONFIG_HOME/esc, else
 * ~/.config/esc. Settings come from its file "config", lines of
 * "key = value" (endpoint, feed, server-key, user, timeout, retries),
 * overridden by ESC_ENDPOINT, ESC_FEED, ESC_SERVER_KEY, ESC_USER,
 * ESC_TIMEOUT and ESC_RETRIES, overridden by the command-line flags. Each
 * setting is checked where it is read, and a bad one says what is valid.
 * Keypairs live in its keys/, one NAME.key per identity. */
#ifndef ESC_CONFIG_H
#define ESC_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

#define DEFAULT_ENDPOINT "tcp://127.0.0.1:7770"
#define DEFAULT_FEED "tcp://127.0.0.1:7771"
#define DEFAULT_TIMEOUT_MS 5000
#define DEFAULT_RETRIES 2

/* A setting: its key in the file, its environment variable, and what it
 * accepts, as a sentence. */
typedef struct {
    const char *key, *env, *rule;
} config_setting_t;

typedef struct {
    char home[1024];
    char endpoint[512];
    char feed[512];
    char server_key[64];
    char user[64];
    int timeout_ms;             /* for a whole request, all tries */
    int retries;                /* tries after the first */
    const char *source[6];      /* per setting: "file", its variable, or NULL (default) */
} config_t;

/* Loads defaults, the config file and the environment. Returns 0, or -1
 * with a message in ERR (a malformed config file). */
int config_load (config_t *c, char *err, size_t errlen);

/* The settings, in order (N of them). */
const config_setting_t *config_settings (size_t *n);
/* Whether VALUE is good for setting KEY: 0, or -1 with what is valid in WHY. */
int config_check (const char *key, const char *value, char *why, size_t len);
/* Setting KEY's value in C as text into BUF; NULL for no such setting. */
const char *config_value (const config_t *c, const char *key, char *buf, size_t len);
/* Writes KEY = VALUE into C's file (checked first; the file's other lines
 * kept). Returns 0, or -1 with ERR. */
int config_set (const config_t *c, const char *key, const char *value, char *err, size_t errlen);
/* The path of C's settings file into BUF. */
const char *config_file (const config_t *c, char *buf, size_t len);
/* mkdir -p PATH, private to its owner. Returns 0, or -1 with ERR. */
int config_make_dirs (const char *path, char *err, size_t errlen);

/* The path of NAME's key file into BUF. */
const char *config_key_path (const config_t *c, const char *name, char *buf, size_t len);

/* Parses a timeout in seconds ("5", "0.5") into milliseconds; 0 or -1. */
int config_parse_timeout (const char *s, int *ms);
/* Parses a number of retries, 0 to 10; 0 or -1. */
int config_parse_retries (const char *s, int *retries);

#endif
