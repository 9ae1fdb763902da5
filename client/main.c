/* main.c: esc, the escalation desk's command line.
 *
 *   esc [OPTIONS] COMMAND [ARGS]        a command (commands.c)
 *   esc                                 a short usage (exit 2)
 *   esc --help | esc help [COMMAND]     every command, or one (a group's
 *                                       commands for 'quarter', 'account',
 *                                       'roadmap', 'user')
 *   esc --version
 *   esc __complete WORDS...             shell completion (complete.h)
 *   esc __man                           the man page esc(1), in roff
 *
 * The global options (commands_globals) may stand anywhere before a "--".
 * A word that names no command, or an option none takes, is answered with
 * the nearest that does, and exit 2. Everything else is in commands.c
 * (the tables and running a command), help.c and complete.c. */
#include <stdio.h>
#include <string.h>

#include "commands.h"
#include "complete.h"
#include "help.h"
#include "version.h"

typedef struct {
    bool help;
    bool version;
} asked_t;

/* Takes the global options out of ARGV (anywhere before "--"), leaving the
 * command and its arguments in order. Returns the new argc, or -1. */
static int
take_globals (int argc, char **argv, session_t *s, asked_t *asked)
{
    int out = 0;
    bool done = false;
    for (int i = 0; i < argc; i++) {
        const char *w = argv[i];
        if (!done && strcmp (w, "--") == 0)
            done = true;
        if (!done && strcmp (w, "-h") == 0) {
            asked->help = true;
            continue;
        }
        const char *eq = strchr (w, '=');
        size_t len = eq ? (size_t) (eq - w - 2) : strlen (w) - 2;
        const opt_spec_t *o = !done && strncmp (w, "--", 2) == 0 && w[2]
                            ? args_find (commands_globals, w + 2, len) : NULL;
        if (!o) {
            argv[out++] = argv[i];
            continue;
        }
        const char *value = NULL;
        if (o->kind == ARG_FLAG && eq) {
            fprintf (stderr, "esc: --%s takes no value\n", o->name);
            return -1;
        }
        if (o->kind != ARG_FLAG) {
            if (eq)
                value = eq + 1;
            else if (i + 1 < argc)
                value = argv[++i];
            else {
                fprintf (stderr, "esc: --%s needs a value (%s)\n", o->name, o->value_name);
                return -1;
            }
        }
        char err[256];
        if (strcmp (o->name, "help") == 0)
            asked->help = true;
        else if (strcmp (o->name, "version") == 0)
            asked->version = true;
        else if (commands_apply_global (s, o->name, value, err, sizeof err) != 0) {
            fprintf (stderr, "esc: %s\n", err);
            return -1;
        }
    }
    return out;
}

/* WORD names no command (after GROUP's, when GROUP is not NULL): says so,
 * with the nearest that does. Returns the exit code. */
static int
unknown (const char *group, const char *word)
{
    if (!group && strncmp (word, "--", 2) == 0) {
        const char *near = args_suggest (NULL, commands_globals, word + 2);
        fprintf (stderr, "esc: unknown option '%s'%s%s%s\n", word,
                 near ? "; did you mean --" : "", near ? near : "", near ? "?" : "");
        fputs ("'esc help' lists every command and option\n", stderr);
        return EXIT_USAGE;
    }
    const char *near = commands_suggest (group, word);
    fprintf (stderr, "esc: unknown command '%s%s%s'", group ? group : "", group ? " " : "", word);
    if (near)
        fprintf (stderr, "; did you mean '%s%s%s'?", group ? group : "", group ? " " : "", near);
    fprintf (stderr, "\n'esc help%s%s' lists %s\n", group ? " " : "", group ? group : "",
             group ? "its commands" : "every command");
    return EXIT_USAGE;
}

/* Runs the command WORDS name, or shows the help asked for. */
static int
dispatch (const session_t *s, int n, char **words, bool help)
{
    if (n == 0) {
        if (help) {
            help_full (stdout);
            return EXIT_DONE;
        }
        help_short (stderr);
        return EXIT_USAGE;
    }
    int used;
    const command_t *cmd = commands_find (n, words, &used);
    if (cmd && help) {
        help_command (cmd, stdout);
        return EXIT_DONE;
    }
    if (cmd)
        return commands_run (cmd, s, n - used, words + used);
    if (!commands_is_group (words[0]))
        return unknown (NULL, words[0]);
    if (n > 1 && strncmp (words[1], "-", 1) != 0)
        return unknown (words[0], words[1]);
    help_group (words[0], help ? stdout : stderr);
    return help ? EXIT_DONE : EXIT_USAGE;
}

int
main (int argc, char **argv)
{
    session_t s = { 0 };
    char err[600];
    bool configured = config_load (&s.config, err, sizeof err) == 0;
    if (argc >= 2 && strcmp (argv[1], "__man") == 0) {
        help_man (stdout);
        return EXIT_DONE;
    }
    if (argc >= 2 && strcmp (argv[1], "__complete") == 0)
        return complete_run (&s, argc - 2, argv + 2, stdout);
    asked_t asked = { 0 };
    int n = take_globals (argc - 1, argv + 1, &s, &asked);
    if (n < 0)
        return EXIT_USAGE;
    if (asked.version) {
        printf ("esc %s\n", ESC_VERSION);
        return EXIT_DONE;
    }
    char **words = argv + 1;
    if (n > 0 && strcmp (words[0], "help") == 0) {
        asked.help = true;
        words++;
        n--;
    }
    if (!configured && !asked.help) {
        fprintf (stderr, "esc: %s\n", err);
        return EXIT_USAGE;
    }
    return dispatch (&s, n, words, asked.help);
}
