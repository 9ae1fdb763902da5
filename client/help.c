/* help.c: esc's usage texts and its man page, from its tables. See help.h. */
#include "help.h"

#include <string.h>

#include "man.h"
#include "names.h"
#include "version.h"

/* The commands a bare 'esc' shows: the day-to-day ones, in the order of a
 * quarter (the unit tests check each is in the table). */
static const char *const common_commands[] = {
    "file", "size", "spend", "list", "show", "report", "watch", NULL,
};

static const char exit_codes[] =
    "Exit codes: 0 done, 1 refused, 2 usage, 3 not found, 4 permission denied,\n"
    "5 unreachable, 6 rate-limited (escd asks you to slow down; try again later).\n";

/* "--name VALUE", or "--name" for a flag, into BUF. */
static char *
option_head (const opt_spec_t *o, char *buf, size_t len)
{
    snprintf (buf, len, "--%s%s%s", o->name, o->value_name ? " " : "",
              o->value_name ? o->value_name : "");
    return buf;
}

/* O's help, with what the table says besides: the values it may take,
 * and whether it is required. */
static char *
option_help (const opt_spec_t *o, char *buf, size_t len)
{
    char list[200], values[256] = "";
    if (o->values)
        snprintf (values, sizeof values, " (one of: %s)",
                  name_values_text (o->values, list, sizeof list));
    snprintf (buf, len, "%s%s%s", o->help, values, o->required ? " (required)" : "");
    return buf;
}

char *
help_synopsis (const command_t *cmd, char *buf, size_t len)
{
    size_t used = (size_t) snprintf (buf, len, "%s%s%s", cmd->name, *cmd->synopsis ? " " : "",
                                     cmd->synopsis);
    bool optional = false;
    char head[128];
    for (const opt_spec_t *o = cmd->options; o->name; o++) {
        if (!o->required) {
            optional = true;
            continue;
        }
        if (used < len)
            used += (size_t) snprintf (buf + used, len - used, " %s", option_head (o, head, sizeof head));
    }
    if (optional && used < len)
        snprintf (buf + used, len - used, " [OPTIONS]");
    return buf;
}

/* "  HEAD  summary", HEAD padded to WIDTH, or on a line of its own when
 * longer. */
static void
row (FILE *out, const char *head, int width, const char *text)
{
    if ((int) strlen (head) > width)
        fprintf (out, "  %s\n  %-*s %s\n", head, width, "", text);
    else
        fprintf (out, "  %-*s %s\n", width, head, text);
}

void
help_short (FILE *out)
{
    size_t n;
    const command_t *all = commands_all (&n);
    fputs ("usage: esc [--as USER] [--json] COMMAND [ARGS]\n\ncommon commands:\n", out);
    for (const char *const *c = common_commands; *c; c++)
        for (size_t i = 0; i < n; i++)
            if (strcmp (all[i].name, *c) == 0) {
                char head[64];
                snprintf (head, sizeof head, "%s %s", all[i].name, all[i].synopsis);
                row (out, head, 10, all[i].summary);
            }
    fputs ("\n'esc help' lists every command and option, 'esc help COMMAND' shows one\n"
           "(and 'man esc' the manual).\n", out);
}

void
help_full (FILE *out)
{
    size_t n;
    const command_t *all = commands_all (&n);
    char head[128];
    fputs ("usage: esc [OPTIONS] COMMAND [ARGS]\n\noptions, before or after the command:\n", out);
    for (const opt_spec_t *o = commands_globals; o->name; o++)
        row (out, option_head (o, head, sizeof head), 22, o->help);
    fputs ("\ncommands:\n", out);
    for (size_t i = 0; i < n; i++) {
        snprintf (head, sizeof head, "%s %s", all[i].name, all[i].synopsis);
        row (out, head, 22, all[i].summary);
    }
    fputs ("\n'esc help COMMAND' (or 'esc COMMAND --help') shows a command's options.\n", out);
    fputs (exit_codes, out);
}

void
help_group (const char *group, FILE *out)
{
    size_t n, len = strlen (group);
    const command_t *all = commands_all (&n);
    fprintf (out, "usage: esc %s COMMAND [ARGS]\n\ncommands:\n", group);
    for (size_t i = 0; i < n; i++) {
        if (strncmp (all[i].name, group, len) != 0 || all[i].name[len] != ' ')
            continue;
        char head[64];
        snprintf (head, sizeof head, "%s %s", all[i].name + len + 1, all[i].synopsis);
        row (out, head, 14, all[i].summary);
    }
    fprintf (out, "\n'esc help %s COMMAND' shows a command's options.\n", group);
}

void
help_command (const command_t *cmd, FILE *out)
{
    char synopsis[512], head[128], text[512];
    fprintf (out, "usage: esc %s\n\n%s\n", help_synopsis (cmd, synopsis, sizeof synopsis),
             cmd->summary);
    if (cmd->options[0].name)
        fputs ("\noptions:\n", out);
    for (const opt_spec_t *o = cmd->options; o->name; o++)
        row (out, option_head (o, head, sizeof head), 26, option_help (o, text, sizeof text));
    fputs ("\nand the global options ('esc help').\n", out);
}

/* ==== The man page ======================================================= */

static const char *const environment[][2] = {
    { "ESC_HOME", "where the settings and keys live (default ~/.config/esc)" },
    { "ESC_ENDPOINT", "escd's request endpoint, as --endpoint" },
    { "ESC_FEED", "escd's decision feed, as --feed" },
    { "ESC_SERVER_KEY", "escd's public key, as --server-key" },
    { "ESC_USER", "the identity to speak as, as --as" },
    { "ESC_TIMEOUT", "seconds a request may take, as --timeout" },
    { "ESC_RETRIES", "tries after the first, as --retries" },
    { "NO_COLOR", "when set, no colour even on a terminal" },
};

void
help_man (FILE *out)
{
    size_t n;
    const command_t *all = commands_all (&n);
    char tag[640], text[512];
    man_begin (out, "esc", 1, "esc " ESC_VERSION, "esc manual");
    man_section (out, "NAME");
    fputs ("esc \\- the sales-escalation desk's command line\n", out);
    man_section (out, "SYNOPSIS");
    man_synopsis (out, "esc [OPTIONS] COMMAND [ARGS]");
    man_synopsis (out, "esc --help | esc help [COMMAND] | esc --version");
    man_section (out, "DESCRIPTION");
    man_text (out,
        "esc speaks to escd, the escalation desk's server, for everyone: sales files "
        "escalations, a PM sizes them and names the planned work each would displace, "
        "the CRO spends the quarter's token on one, an executive may override, and "
        "everyone may list, show, report and watch. Every command sends one request "
        "and shows the answer; with --json, one JSON document.\n");
    man_paragraph (out,
        "Errors go to standard error as 'esc: REASON: message', naming the rule that "
        "refused. Options are checked before anything is sent: an unknown command or "
        "option is answered with the nearest known one, a required option missing is "
        "named by its flag, an enumerated value outside its list is refused with the "
        "list (values are taken in any case), a date must exist (YYYY-MM-DD or "
        "MM/DD/YYYY), and an amount may be grouped (2,000,000 or $2,000,000).");
    man_section (out, "OPTIONS");
    man_paragraph (out, "These go before or after the command, anywhere before a --.");
    for (const opt_spec_t *o = commands_globals; o->name; o++)
        man_item (out, option_head (o, tag, sizeof tag), o->help);
    man_section (out, "COMMANDS");
    for (size_t i = 0; i < n; i++) {
        snprintf (tag, sizeof tag, "esc %s", help_synopsis (&all[i], text, sizeof text));
        man_item (out, tag, all[i].summary);
        if (!all[i].options[0].name)
            continue;
        man_indent (out);
        for (const opt_spec_t *o = all[i].options; o->name; o++)
            man_item (out, option_head (o, tag, sizeof tag), option_help (o, text, sizeof text));
        man_outdent (out);
    }
    man_section (out, "EXIT STATUS");
    man_item (out, "0", "done");
    man_item (out, "1", "refused by a rule (the reason names it)");
    man_item (out, "2", "a usage error: esc found it before sending anything");
    man_item (out, "3", "not found: a quarter, account, escalation, roadmap item or user");
    man_item (out, "4", "permission denied, or the key is not (or no longer) admitted");
    man_item (out, "5", "escd is unreachable or did not answer in time");
    man_item (out, "6", "a limit of escd's (its write rate, its queue): try again later");
    man_section (out, "ENVIRONMENT");
    for (size_t i = 0; i < sizeof environment / sizeof environment[0]; i++)
        man_item (out, environment[i][0], environment[i][1]);
    man_section (out, "FILES");
    man_item (out, "$ESC_HOME/config",
              "settings, lines of 'key = value': endpoint, feed, server-key, user, timeout, "
              "retries; the environment overrides them, and the options the environment");
    man_item (out, "$ESC_HOME/keys/NAME.key", "NAME's CURVE keypair, made by esc keygen NAME");
    man_section (out, "EXAMPLES");
    fputs (".nf\n", out);
    man_words (out,
        "esc --as pat quarter open 2026Q4 --capacity-hours 4000\n"
        "esc --as alice account add Acme --arr 500,000 --renewal 03/31/2027\n"
        "esc --as alice file --account Acme --title \"Custom export\" \\\n"
        "    --problem \"Finance cannot reconcile\"\n"
        "esc --as pat size 1 --hours 40 --viable yes\n"
        "esc --as carol spend 1\n"
        "esc --as evan report --format html > 2026Q4.html\n");
    fputs (".fi\n", out);
    man_section (out, "SEE ALSO");
    fputs ("\\fBescd\\fR(8)\n", out);
}
