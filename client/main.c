/* main.c: esc, the escalation desk's command line.
 *
 *   esc [--as USER] [--json] [--endpoint URL] [--server-key KEY]
 *       [--feed URL[,URL]] [--timeout SECONDS] [--retries N] [--request-id ID]
 *       COMMAND [ARGS]
 *
 * Global options may stand anywhere before a "--". The commands are in
 * commands.c; settings in config.c. */
#include <stdio.h>
#include <string.h>

#include "commands.h"

/* Takes the global options out of ARGV (anywhere before "--"), leaving the
 * command and its arguments in order. Returns the new argc, or -1. */
static int
take_globals (int argc, char **argv, session_t *s, bool *help)
{
    int out = 0;
    bool done = false;
    for (int i = 0; i < argc; i++) {
        const char *w = argv[i];
        const char *value = NULL;
        static const char *const with_value[] = {
            "--as", "--endpoint", "--server-key", "--timeout", "--request-id", "--feed",
            "--retries",
        };
        if (!done && strcmp (w, "--") == 0)
            done = true;
        if (done) {
            argv[out++] = argv[i];
            continue;
        }
        if (strcmp (w, "--json") == 0) {
            s->json = true;
            continue;
        }
        if (strcmp (w, "--help") == 0 || strcmp (w, "-h") == 0) {
            *help = true;
            continue;
        }
        size_t k;
        for (k = 0; k < sizeof with_value / sizeof *with_value; k++) {
            size_t n = strlen (with_value[k]);
            if (strncmp (w, with_value[k], n) == 0 && (w[n] == '\0' || w[n] == '='))
                break;
        }
        if (k == sizeof with_value / sizeof *with_value) {
            argv[out++] = argv[i];
            continue;
        }
        const char *eq = strchr (w, '=');
        if (eq)
            value = eq + 1;
        else if (i + 1 < argc)
            value = argv[++i];
        else {
            fprintf (stderr, "esc: %s needs a value\n", with_value[k]);
            return -1;
        }
        switch (k) {
        case 0: s->as = value; break;
        case 1: snprintf (s->config.endpoint, sizeof s->config.endpoint, "%s", value); break;
        case 2: snprintf (s->config.server_key, sizeof s->config.server_key, "%s", value); break;
        case 3:
            if (config_parse_timeout (value, &s->config.timeout_ms) != 0) {
                fprintf (stderr, "esc: --timeout takes seconds (0 < s <= 3600), not '%s'\n", value);
                return -1;
            }
            break;
        case 4: s->request_id = value; break;
        case 5: snprintf (s->config.feed, sizeof s->config.feed, "%s", value); break;
        case 6:
            if (config_parse_retries (value, &s->config.retries) != 0) {
                fprintf (stderr, "esc: --retries takes 0 to 10, not '%s'\n", value);
                return -1;
            }
            break;
        }
    }
    return out;
}

int
main (int argc, char **argv)
{
    session_t s = { 0 };
    char err[600];
    if (config_load (&s.config, err, sizeof err) != 0) {
        fprintf (stderr, "esc: %s\n", err);
        return EXIT_USAGE;
    }
    bool help = false;
    int n = take_globals (argc - 1, argv + 1, &s, &help);
    if (n < 0)
        return EXIT_USAGE;
    if (n == 0) {
        commands_usage (help ? stdout : stderr);
        return help ? EXIT_DONE : EXIT_USAGE;
    }
    int words;
    const command_t *cmd = commands_find (n, argv + 1, &words);
    if (!cmd) {
        fprintf (stderr, "esc: unknown command '%s'\n", argv[1]);
        commands_usage (stderr);
        return EXIT_USAGE;
    }
    if (help) {
        commands_help (cmd, stdout);
        return EXIT_DONE;
    }
    return commands_run (cmd, &s, n - words, argv + 1 + words);
}
