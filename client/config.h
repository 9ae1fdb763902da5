/* config.h: where esc finds its server and its identity.
 *
 * Settings come from $ESC_HOME/config (default ~/.config/esc/config), lines
 * of "key = value" (endpoint, feed, server-key, user, timeout, retries),
 * overridden by ESC_ENDPOINT, ESC_FEED, ESC_SERVER_KEY, ESC_USER,
 * ESC_TIMEOUT and ESC_RETRIES,
 * overridden by the command-line flags. Keypairs live in $ESC_HOME/keys,
 * one NAME.key per identity. */
#ifndef ESC_CONFIG_H
#define ESC_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

#define DEFAULT_ENDPOINT "tcp://127.0.0.1:7770"
#define DEFAULT_FEED "tcp://127.0.0.1:7771"
#define DEFAULT_TIMEOUT_MS 5000
#define DEFAULT_RETRIES 2

typedef struct {
    char home[1024];
    char endpoint[512];
    char feed[512];
    char server_key[64];
    char user[64];
    int timeout_ms;             /* for a whole request, all tries */
    int retries;                /* tries after the first */
} config_t;

/* Loads defaults, the config file and the environment. Returns 0, or -1
 * with a message in ERR (a malformed config file). */
int config_load (config_t *c, char *err, size_t errlen);

/* The path of NAME's key file into BUF. */
const char *config_key_path (const config_t *c, const char *name, char *buf, size_t len);

/* Parses a timeout in seconds ("5", "0.5") into milliseconds; 0 or -1. */
int config_parse_timeout (const char *s, int *ms);
/* Parses a number of retries, 0 to 10; 0 or -1. */
int config_parse_retries (const char *s, int *retries);

#endif
