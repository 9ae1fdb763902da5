/* main.c: escd, the escalation desk server.
 *
 *   escd init [--db URL] [--home DIR] [--app-user NAME] [--app-password-file FILE]
 *                                           migrate; ready the app role; create the server key
 *   escd migrate [--db URL] [--app-user NAME] [--app-password-file FILE]
 *                                           apply pending migrations; ready the app role
 *   escd user add NAME --role R[,R] --key PUB [--team TEAM] [--db URL]
 *   escd run [--db URL] [--home DIR] [--config FILE] [--bind EP] [--feed EP]
 *            [--batch N] [--feed-hwm N] [--feed-per-user N] [--feed-max N]
 *            [--write-rate KIB] [--request-log-days N] [--max-memory MIB]
 *            [--log-rate N] [--log-level LEVEL] [--metrics EP]
 *                                           serve; SIGHUP reads --config FILE again
 *   escd --help | escd help [COMMAND] | escd --version
 *   escd __man                              the man page escd(8), in roff
 *
 * Everything here is argument handling; the work is in endpoint.c (serving),
 * migrate.c and store.c. The tables of commands, options and their values
 * below are the one source of the parser (getopt_long's options are made
 * from them), of what escd run --config FILE may say, of what SIGHUP
 * changes, of the usage and of the man page. */
#include <assert.h>
#include <errno.h>
#include <getopt.h>
#include <malloc.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <libpq-fe.h>

#include "conffile.h"
#include "endpoint.h"
#include "feed.h"
#include "keys.h"
#include "logline.h"
#include "man.h"
#include "migrate.h"
#include "store.h"
#include "validate.h"
#include "names.h"
#include "suggest.h"
#include "version.h"
#include "workflow.h"

#define DEFAULT_BIND "tcp://127.0.0.1:7770"
#define DEFAULT_FEED "tcp://127.0.0.1:7771"
#define DEFAULT_APP_USER "escd_app"
/* What of the heap stays mapped while escd is busy, at most (see main). */
#define ESCD_HEAP_KEPT (8 << 20)

/* ==== The command line =================================================== */

enum { CMD_INIT = 1, CMD_MIGRATE = 2, CMD_USER_ADD = 4, CMD_RUN = 8 };
#define CMD_ALL (CMD_INIT | CMD_MIGRATE | CMD_USER_ADD | CMD_RUN)

typedef struct {
    const char *name;           /* "user add" */
    unsigned bit;
    const char *operands;
    const char *summary;
} escd_command_t;

static const escd_command_t commands[] = {
    { "init", CMD_INIT, "",
      "migrate (as escd migrate), then create the server keypair in DIR if absent and print "
      "its public key" },
    { "migrate", CMD_MIGRATE, "",
      "apply pending migrations, then create the login role NAME if absent (no superuser, no "
      "DDL, no password unless FILE holds one), grant it what escd run needs and no more, and "
      "print the URL escd run should connect with" },
    { "user add", CMD_USER_ADD, "NAME",
      "register a user straight in the database (the first admin)" },
    { "run", CMD_RUN, "",
      "serve requests on --bind EP and the decision feed on --feed EP, connected as the app "
      "role" },
};
#define N_COMMANDS (sizeof commands / sizeof commands[0])

typedef struct {
    const char *name;
    int key;                    /* getopt_long's answer */
    const char *value_name;     /* NULL: a flag */
    unsigned commands;          /* the commands that take it */
    bool required;
    const char *help;
} escd_option_t;

static const escd_option_t options[] = {
    { "db", 'd', "URL", CMD_ALL, false,
      "the database, a libpq URL or connection string (default: the PG* environment "
      "variables); init and migrate connect as the schema's owner, run as the app role. A "
      "URL may list a primary and its standbys (postgresql://h1:5432,h2:5432/esc): run "
      "uses the one that takes writes and follows a failover to it" },
    { "home", 'h', "DIR", CMD_INIT | CMD_RUN, false,
      "where server.key lives (default $ESCD_HOME, else ~/.local/share/escd)" },
    { "app-user", 'a', "NAME", CMD_INIT | CMD_MIGRATE, false,
      "the login role escd run connects as (default " DEFAULT_APP_USER ")" },
    { "app-password-file", 'p', "FILE", CMD_INIT | CMD_MIGRATE, false,
      "the app role's password, on the first line of FILE (default: none)" },
    { "role", 'r', "R[,R]", CMD_USER_ADD, true, "the user's roles: sales, pm, cro, exec, admin" },
    { "key", 'k', "PUB", CMD_USER_ADD, true, "the user's CURVE public key (esc keygen prints it)" },
    { "team", 'T', "TEAM", CMD_USER_ADD, false, "a seller's team, for the report's quota credit" },
    { "config", 'c', "FILE", CMD_RUN, false,
      "settings, one 'key = value' a line, each key an option of run's below (write-rate = "
      "1024), a line starting with # a comment; an option on the command line overrides the "
      "file. SIGHUP reads it again" },
    { "bind", 'b', "EP", CMD_RUN, false, "the request endpoint (default " DEFAULT_BIND ")" },
    { "feed", 'f', "EP", CMD_RUN, false, "the decision feed's endpoint (default " DEFAULT_FEED ")" },
    { "batch", 'n', "N", CMD_RUN, false, "requests answered per commit (default 64)" },
    { "feed-hwm", 'w', "N", CMD_RUN, false,
      "events queued per watcher (default 1000; a slower one catches up)" },
    { "feed-per-user", 'u', "N", CMD_RUN, false, "feed connections of one user (default 16)" },
    { "feed-max", 'm', "N", CMD_RUN, false, "feed connections in all (default 10000)" },
    { "write-rate", 'R', "KIB", CMD_RUN, false,
      "KiB one user may make escd write a minute (default 2048; 0: no limit); past it, writes "
      "are refused RATE_LIMITED" },
    { "request-log-days", 'L', "N", CMD_RUN, false,
      "days a write's answer is kept for retries (default 7; 0: for good)" },
    { "max-memory", 'M', "MIB", CMD_RUN, false,
      "memory escd may have in use (default 512; 0: no bound); past it, it cuts the "
      "connection that sent the most, one every tenth of a second while over it" },
    { "log-rate", 'G', "N", CMD_RUN, false,
      "request lines one user may put in the log a minute (default 600; 0: no limit); the "
      "rest are counted and summed up once a minute" },
    { "log-level", 'l', "LEVEL", CMD_RUN, false,
      "the least grave lines logged: error, warning, info (the default: a line per request "
      "besides) or debug (each batch and handshake too)" },
    { "metrics", 'P', "EP", CMD_RUN, false,
      "serve Prometheus metrics over HTTP on EP, tcp://ADDRESS:PORT such as "
      "tcp://127.0.0.1:9770, at GET /metrics (default: none)" },
    { "help", 'H', NULL, CMD_ALL, false, "this help, or a command's" },
    { "version", 'V', NULL, CMD_ALL, false, "escd's version" },
};
#define N_OPTIONS (sizeof options / sizeof options[0])

static const char usage_footer[] =
    "The database is --db URL, else the PG* environment variables. init and\n"
    "migrate connect as the owner of the schema; run connects as the app role\n"
    "(a URL with user=NAME), which may not alter the schema or rewrite the event\n"
    "log. DIR holds server.key; default $ESCD_HOME, else ~/.local/share/escd.\n"
    "Exit codes: 0 done, 1 failed, 2 usage.\n";

/* Writes TEXT to F in lines of at most WIDTH columns, each indented by
 * INDENT spaces but the first, which goes on from column AT; a bracketed
 * part ("[--feed-hwm N]") stays on one line. */
static void
wrap (FILE *f, const char *text, int at, int indent, int width)
{
    int col = at;
    bool first = true;
    for (const char *p = text; *p;) {
        p += strspn (p, " ");
        int len = 0;
        for (int depth = 0; p[len] && (depth > 0 || p[len] != ' '); len++)
            depth += (p[len] == '[') - (p[len] == ']');
        if (!len)
            break;
        if (!first && col + 1 + len > width) {
            fprintf (f, "\n%*s", indent, "");
            col = indent;
        }
        else if (!first) {
            fputc (' ', f);
            col++;
        }
        fprintf (f, "%.*s", len, p);
        col += len;
        p += len;
        first = false;
    }
    fputc ('\n', f);
}

/* "--name VALUE" into BUF. */
static char *
option_head (const escd_option_t *o, char *buf, size_t len)
{
    snprintf (buf, len, "--%s%s%s", o->name, o->value_name ? " " : "",
              o->value_name ? o->value_name : "");
    return buf;
}

/* C's synopsis: its words and operands, its options (the optional ones in
 * brackets), into BUF. */
static char *
synopsis (const escd_command_t *c, char *buf, size_t len)
{
    size_t used = (size_t) snprintf (buf, len, "%s%s%s", c->name, *c->operands ? " " : "",
                                     c->operands);
    char head[64];
    for (int pass = 0; pass < 2; pass++)    /* the required ones first */
        for (size_t i = 0; i < N_OPTIONS && used < len; i++)
            if ((options[i].commands & c->bit) && options[i].value_name     /* not --help */
                && options[i].required == (pass == 0))
                used += (size_t) snprintf (buf + used, len - used, options[i].required ? " %s"
                                           : " [%s]", option_head (&options[i], head, sizeof head));
    return buf;
}

static const char *run_options (bool live, char *buf, size_t len);

/* What SIGHUP does to escd run, into BUF. */
static const char *
sighup_text (char *buf, size_t len)
{
    char live[512], restart[256];
    snprintf (buf, len, "escd run reads --config FILE again: %s change at once, "
              "%s at a restart; escd logs each that changed, and a file that does not read "
              "changes nothing.", run_options (true, live, sizeof live),
              run_options (false, restart, sizeof restart));
    return buf;
}

/* The usage of every command (ONLY == 0), or of those in ONLY, to F. */
static void
usage_text (FILE *f, unsigned only)
{
    char line[1024], head[64];
    fputs ("usage: escd COMMAND [OPTIONS]\n\ncommands:\n", f);
    for (size_t i = 0; i < N_COMMANDS; i++) {
        if (only && !(only & commands[i].bit))
            continue;
        fputs ("  ", f);
        wrap (f, synopsis (&commands[i], line, sizeof line), 2, 6, 78);
        fputs ("      ", f);
        wrap (f, commands[i].summary, 6, 6, 78);
    }
    fputs ("\noptions:\n", f);
    for (size_t i = 0; i < N_OPTIONS; i++) {
        if (only && !(only & options[i].commands))
            continue;
        int n = fprintf (f, "  %s", option_head (&options[i], head, sizeof head));
        if (n > 24) {
            fprintf (f, "\n%*s", 25, "");
            n = 25;
        }
        else
            n += fprintf (f, "%*s", 25 - n, "");
        wrap (f, options[i].help, n, 25, 78);
    }
    fputc ('\n', f);
    fputs (usage_footer, f);
    if (!only || (only & CMD_RUN)) {
        char text[1024];
        snprintf (text, sizeof text, "On SIGHUP %s", sighup_text (line, sizeof line));
        fputc ('\n', f);
        wrap (f, text, 0, 0, 78);
    }
}

static int
usage (int rc)
{
    usage_text (rc ? stderr : stdout, 0);
    return rc;
}

/* escd(8), in man(7) roff. */
static void
man_page (FILE *f)
{
    char line[1024], head[64], text[600];
    man_begin (f, "escd", 8, "esc " ESC_VERSION, "esc manual");
    man_section (f, "NAME");
    fputs ("escd \\- the sales-escalation desk's server\n", f);
    man_section (f, "SYNOPSIS");
    for (size_t i = 0; i < N_COMMANDS; i++) {
        snprintf (text, sizeof text, "escd %s", synopsis (&commands[i], line, sizeof line));
        man_synopsis (f, text);
    }
    man_synopsis (f, "escd --help | escd help [COMMAND] | escd --version");
    man_section (f, "DESCRIPTION");
    man_text (f,
        "escd serves the escalation desk: requests from esc (and any client that speaks "
        "the protocol) arrive over ZeroMQ, CURVE-encrypted, from registered users' keys "
        "only; PostgreSQL holds everything; every decision is published, once and in "
        "order, on the decision feed. Several escd may share one database.\n");
    man_paragraph (f,
        "escd logs a line per request on standard error (user, operation, outcome, request "
        "id, duration), each line starting with an ISO 8601 time in UTC and its level. Under "
        "systemd, when standard error is the journal, it sends the journal structured "
        "entries instead, with the fields ESC_USER, ESC_OP, ESC_OUTCOME, ESC_REASON, "
        "ESC_REQUEST_ID and ESC_DURATION_MS (journalctl ESC_USER=alice).");
    man_section (f, "COMMANDS");
    for (size_t i = 0; i < N_COMMANDS; i++)
        man_item (f, synopsis (&commands[i], line, sizeof line), commands[i].summary);
    man_section (f, "OPTIONS");
    for (size_t i = 0; i < N_OPTIONS; i++) {
        size_t used = 0;
        text[0] = '\0';
        for (size_t k = 0; k < N_COMMANDS && options[i].commands != CMD_ALL; k++)
            if (options[i].commands & commands[k].bit)
                used += (size_t) snprintf (text + used, sizeof text - used, "%s%s",
                                           used ? ", " : " (", commands[k].name);
        snprintf (line, sizeof line, "%s%s%s", options[i].help, text, used ? ")" : "");
        man_item (f, option_head (&options[i], head, sizeof head), line);
    }
    man_section (f, "ENVIRONMENT");
    man_item (f, "PGHOST, PGDATABASE, PGUSER, ...",
              "the database, as for any libpq program, when --db is not given");
    man_item (f, "ESCD_HOME", "where server.key lives, when --home is not given");
    man_item (f, "NOTIFY_SOCKET, WATCHDOG_USEC, WATCHDOG_PID",
              "set by systemd (escd.service is Type=notify): escd run tells it READY=1 once "
              "it has reached the database and bound its sockets, WATCHDOG=1 every half of "
              "WATCHDOG_USEC while it serves, and STOPPING=1 as it stops");
    man_section (f, "FILES");
    man_item (f, "DIR/server.key", "escd's CURVE keypair, made by escd init");
    man_item (f, "FILE",
              "escd run --config FILE's settings: lines of key = value, the key an option's "
              "name (write-rate = 1024), each key once, blanks around key and value trimmed; a "
              "line whose first character is # is a comment (# inside a value is part of it). "
              "An option on the command line overrides the file. A bad line stops escd run "
              "with FILE:LINE: what is wrong (exit 2); on SIGHUP it is logged and the "
              "settings stay as they were.");
    man_section (f, "SIGNALS");
    man_item (f, "SIGTERM, SIGINT", "escd run answers the requests in hand, then stops");
    man_item (f, "SIGHUP", sighup_text (line, sizeof line));
    man_section (f, "EXIT STATUS");
    man_item (f, "0", "done; for run, stopped cleanly");
    man_item (f, "1", "failed (the message says why, often as REASON: message)");
    man_item (f, "2", "a usage error, or a --config FILE that does not read");
    man_section (f, "SEE ALSO");
    fputs ("\\fBesc\\fR(1)\n", f);
}

typedef struct {
    const char *db, *home, *bind, *feed, *metrics, *role, *key, *team;
    const char *config;         /* run's settings file */
    const char *app_user, *app_password_file;   /* init and migrate */
    long long batch;
    long long feed_hwm, feed_per_user, feed_max;
    long long write_rate_kib;
    long long request_log_days;
    long long max_memory_mib;
    long long log_rate;
    logline_level_t log_level;
    bool help;
    bool version;
    int positional;             /* index of the first operand in argv */
    uint64_t flagged;           /* the options (bit: index in options[]) on the command line */
} options_t;

/* ==== Option values ====================================================== */

/* Where each option's value goes in options_t, what it may be, its
 * default, and whether escd run takes a new one on SIGHUP: the one place
 * that decides what a value means, whether it comes from the command line
 * or from --config FILE. */
typedef enum { VALUE_TEXT, VALUE_NUMBER, VALUE_LEVEL, VALUE_TCP } value_kind_t;

typedef struct {
    int key;                    /* the option's, as in options[] */
    value_kind_t kind;
    size_t offset;              /* of its field in options_t */
    long long lo, hi;           /* a number's range */
    const char *fallback;       /* the default, as it would be written; NULL: none */
    bool live;                  /* a running escd takes a new value on SIGHUP */
} escd_value_t;

#define TEXT_OF(x) #x
#define TEXT(x) TEXT_OF (x)
#define TEXT_VALUE(k, field, dflt) \
    { .key = k, .kind = VALUE_TEXT, .offset = offsetof (options_t, field), .fallback = dflt }
#define NUMBER_VALUE(k, field, l, h, dflt, is_live) \
    { .key = k, .kind = VALUE_NUMBER, .offset = offsetof (options_t, field), .lo = l, .hi = h, \
      .fallback = dflt, .live = is_live }

static const escd_value_t values[] = {
    TEXT_VALUE ('d', db, NULL),
    TEXT_VALUE ('h', home, NULL),
    TEXT_VALUE ('c', config, NULL),
    TEXT_VALUE ('a', app_user, DEFAULT_APP_USER),
    TEXT_VALUE ('p', app_password_file, NULL),
    TEXT_VALUE ('r', role, NULL),
    TEXT_VALUE ('k', key, NULL),
    TEXT_VALUE ('T', team, NULL),
    TEXT_VALUE ('b', bind, DEFAULT_BIND),
    TEXT_VALUE ('f', feed, DEFAULT_FEED),
    { .key = 'P', .kind = VALUE_TCP, .offset = offsetof (options_t, metrics) },
    NUMBER_VALUE ('n', batch, 1, 256, "64", true),
    /* the socket's queues are set when it is bound */
    NUMBER_VALUE ('w', feed_hwm, 1, 1000000, TEXT (FEED_DEFAULT_HWM), false),
    NUMBER_VALUE ('u', feed_per_user, 1, 1000000, TEXT (FEED_DEFAULT_PER_USER), true),
    NUMBER_VALUE ('m', feed_max, 1, 1000000, TEXT (FEED_DEFAULT_MAX), true),
    NUMBER_VALUE ('R', write_rate_kib, 0, 1024 * 1024, "2048", true),
    NUMBER_VALUE ('L', request_log_days, 0, 36500, "7", true),
    NUMBER_VALUE ('M', max_memory_mib, 0, 1024 * 1024, "512", true),
    NUMBER_VALUE ('G', log_rate, 0, 1000000, "600", true),
    { .key = 'l', .kind = VALUE_LEVEL, .offset = offsetof (options_t, log_level),
      .fallback = "info", .live = true },
};
#define N_VALUES (sizeof values / sizeof values[0])

/* The value of the option named by getopt_long's answer KEY; NULL for a
 * flag (--help). */
static const escd_value_t *
value_of (int key)
{
    for (size_t i = 0; i < N_VALUES; i++)
        if (values[i].key == key)
            return &values[i];
    return NULL;
}

/* Sets V's field in O from TEXT. Returns 0, or -1 with what is wrong in
 * WHY ("takes a whole number from 1 to 256, not 'lots'"). */
static int
value_set (options_t *o, const escd_value_t *v, const char *text, char *why, size_t len)
{
    char *field = (char *) o + v->offset, *end;
    long long n;
    logline_level_t level;
    switch (v->kind) {
    case VALUE_TCP:
        if (strncmp (text, "tcp://", 6) != 0 || !text[6]) {
            snprintf (why, len, "takes tcp://ADDRESS:PORT, not '%.80s'", text);
            return -1;
        }
        /* fall through */
    case VALUE_TEXT:
        *(const char **) (void *) field = text;
        return 0;
    case VALUE_NUMBER:
        errno = 0;
        n = strtoll (text, &end, 10);
        if (errno || end == text || *end || n < v->lo || n > v->hi) {
            snprintf (why, len, "takes a whole number from %lld to %lld, not '%.80s'", v->lo,
                      v->hi, text);
            return -1;
        }
        *(long long *) (void *) field = n;
        return 0;
    case VALUE_LEVEL:
        if (logline_level_parse (text, &level) != 0) {
            snprintf (why, len, "takes " LOGLINE_LEVEL_NAMES ", not '%.80s'", text);
            return -1;
        }
        *(logline_level_t *) (void *) field = level;
        return 0;
    }
    return -1;
}

/* V's value in O as it would be written, into BUF. */
static const char *
value_text (const options_t *o, const escd_value_t *v, char *buf, size_t len)
{
    const char *field = (const char *) o + v->offset;
    switch (v->kind) {
    case VALUE_TEXT:
    case VALUE_TCP:
        snprintf (buf, len, "%s", *(const char *const *) (const void *) field
                  ? *(const char *const *) (const void *) field : "(none)");
        break;
    case VALUE_NUMBER:
        snprintf (buf, len, "%lld", *(const long long *) (const void *) field);
        break;
    case VALUE_LEVEL:
        snprintf (buf, len, "%s",
                  logline_level_name (*(const logline_level_t *) (const void *) field));
        break;
    }
    return buf;
}

/* Copies V's field from FROM to TO. */
static void
value_copy (options_t *to, const options_t *from, const escd_value_t *v)
{
    size_t size = v->kind == VALUE_TEXT || v->kind == VALUE_TCP ? sizeof (const char *)
                : v->kind == VALUE_NUMBER ? sizeof (long long) : sizeof (logline_level_t);
    memcpy ((char *) to + v->offset, (const char *) from + v->offset, size);
}

/* The option named by getopt_long's answer KEY. */
static const escd_option_t *
option_of (int key)
{
    for (size_t i = 0; i < N_OPTIONS; i++)
        if (options[i].key == key)
            return &options[i];
    return NULL;
}

/* Says that WORD (an option escd does not know) is unknown to COMMAND,
 * with the nearest one it knows. */
static void
unknown_option (const escd_command_t *command, const char *word)
{
    const char *names[N_OPTIONS];
    size_t n = 0;
    for (size_t i = 0; i < N_OPTIONS; i++)
        if (options[i].commands & command->bit)
            names[n++] = options[i].name;
    char typed[64];
    snprintf (typed, sizeof typed, "%.*s", (int) strcspn (word + 2, "="), word + 2);
    const char *near = strncmp (word, "--", 2) == 0 ? suggest_word (typed, names, n) : NULL;
    fprintf (stderr, "escd %s: unknown option '%s'%s%s%s\n", command->name, word,
             near ? "; did you mean --" : "", near ? near : "", near ? "?" : "");
}

/* Parses COMMAND's options over their defaults. Returns 0, or -1 having
 * said what is wrong. */
static int
parse (int argc, char **argv, const escd_command_t *command, options_t *o)
{
    _Static_assert (N_OPTIONS <= 64, "options_t.flagged has a bit per option");
    static struct option longopts[N_OPTIONS + 1];
    for (size_t i = 0; i < N_OPTIONS; i++)
        longopts[i] = (struct option) { options[i].name,
                                        options[i].value_name ? required_argument : no_argument,
                                        NULL, options[i].key };
    memset (o, 0, sizeof *o);
    char why[256];
    for (size_t i = 0; i < N_VALUES; i++)
        if (values[i].fallback && value_set (o, &values[i], values[i].fallback, why, sizeof why))
            abort ();           /* a default that is no value: a slip in the table */
    int c;
    optind = 1;
    opterr = 0;
    /* ":": a missing value is ':', an unknown option '?' */
    while ((c = getopt_long (argc, argv, ":", longopts, NULL)) != -1) {
        const escd_option_t *known = option_of (c);
        if (c == ':') {
            fprintf (stderr, "escd %s: %s needs a value\n", command->name, argv[optind - 1]);
            return -1;
        }
        if (c == '?' || !known) {
            unknown_option (command, argv[optind - 1]);
            return -1;
        }
        if (!(known->commands & command->bit)) {
            fprintf (stderr, "escd %s: --%s is not an option of escd %s\n", command->name,
                     known->name, command->name);
            return -1;
        }
        const escd_value_t *v = value_of (c);
        if (v && value_set (o, v, optarg, why, sizeof why)) {
            fprintf (stderr, "escd: --%s %s\n", known->name, why);
            return -1;
        }
        o->flagged |= UINT64_C (1) << (known - options);
        if (c == 'H')
            o->help = true;
        else if (c == 'V')
            o->version = true;
    }
    o->positional = optind;
    return 0;
}

/* ==== The settings file (escd run --config FILE) ========================= */

/* What --config FILE may set: every value of run's but config itself. */
typedef struct {
    const char *keys[N_OPTIONS];
    const escd_option_t *option[N_OPTIONS];
    size_t n;
    options_t *o;
    const char *overridden[N_OPTIONS];  /* by option index: the file's value, when the
                                           command line's stands instead */
} settings_file_t;

static void
settings_file_init (settings_file_t *f, options_t *o)
{
    memset (f, 0, sizeof *f);
    f->o = o;
    for (size_t i = 0; i < N_OPTIONS; i++)
        if ((options[i].commands & CMD_RUN) && value_of (options[i].key)
            && options[i].key != 'c') {
            f->keys[f->n] = options[i].name;
            f->option[f->n++] = &options[i];
        }
}

/* conffile's taker: the value checked as the option's would be, and kept
 * unless the option was given on the command line. */
static int
settings_take (void *arg, size_t key, const char *value, char *why, size_t len)
{
    settings_file_t *f = arg;
    const escd_option_t *opt = f->option[key];
    size_t index = (size_t) (opt - options);
    options_t scratch = *f->o;
    bool flagged = f->o->flagged & (UINT64_C (1) << index);
    char what[256];
    if (value_set (flagged ? &scratch : f->o, value_of (opt->key), value, what, sizeof what)) {
        snprintf (why, len, "%s %s", opt->name, what);
        return -1;
    }
    if (flagged)
        f->overridden[index] = value;
    return 0;
}

/* Reads O->config over O (its defaults and command line), into F; the
 * values kept point into *TEXT, which the caller frees. Returns 0, or -1
 * with "FILE:LINE: what is wrong" in ERR. */
static int
settings_read (options_t *o, settings_file_t *f, char **text, char *err, size_t len)
{
    settings_file_init (f, o);
    return conffile_read (o->config, text, f->keys, f->n, settings_take, f, err, len);
}

/* The options of run that SIGHUP changes at once (LIVE), or those that
 * take a restart, as a phrase ("batch, write-rate and log-level") into BUF. */
static const char *
run_options (bool live, char *buf, size_t len)
{
    const char *names[N_OPTIONS];
    size_t n = 0, used = 0;
    for (size_t i = 0; i < N_OPTIONS; i++) {
        const escd_value_t *v = value_of (options[i].key);
        if (v && v->live == live && (options[i].commands & CMD_RUN) && v->key != 'c')
            names[n++] = options[i].name;
    }
    buf[0] = '\0';
    for (size_t i = 0; i < n && used < len; i++)
        used += (size_t) snprintf (buf + used, len - used, "%s%s",
                                   i == 0 ? "" : i + 1 == n ? " and " : ", ", names[i]);
    return buf;
}

static void
ignore_notice (void *arg, const char *message)
{
    (void) arg, (void) message;
}

static PGconn *
connect_db (const char *url)
{
    const char *keys[] = { "dbname", "application_name", NULL };
    const char *values[] = { url, "escd", NULL };
    PGconn *conn = PQconnectdbParams (url ? keys : keys + 1, url ? values : values + 1, 1);
    if (PQstatus (conn) != CONNECTION_OK) {
        fprintf (stderr, "escd: cannot connect to the database: %s", PQerrorMessage (conn));
        PQfinish (conn);
        return NULL;
    }
    PQsetNoticeProcessor (conn, ignore_notice, NULL);  /* "already exists, skipping" */
    return conn;
}

/* 0 when NAME may name the app role: 1 to 63 of a-z 0-9 _, not starting
 * with a digit, and not pg_ (PostgreSQL's own); plain enough for a URL. */
static int
app_user_check (const char *name)
{
    size_t len = strlen (name);
    if (len < 1 || len > 63 || strncmp (name, "pg_", 3) == 0 || (name[0] >= '0' && name[0] <= '9'))
        return -1;
    return strspn (name, "abcdefghijklmnopqrstuvwxyz0123456789_") == len ? 0 : -1;
}

/* The first line of PATH, the app role's password, into BUF. */
static int
read_password (const char *path, char *buf, size_t len)
{
    FILE *f = fopen (path, "r");
    if (!f) {
        fprintf (stderr, "escd: cannot read %s: %s\n", path, strerror (errno));
        return -1;
    }
    bool got = fgets (buf, (int) len, f) != NULL;
    fclose (f);
    size_t n = got ? strcspn (buf, "\r\n") : 0;
    if (!got || n == 0 || n == len - 1) {
        fprintf (stderr, "escd: %s must hold a password of 1 to %zu bytes on its first line\n",
                 path, len - 2);
        return -1;
    }
    buf[n] = '\0';
    return 0;
}

/* Appends " KEY=VALUE" to BUF (of LEN, used up to *POS), quoting VALUE as
 * libpq reads it. -1 when it does not fit. */
static int
conninfo_add (char *buf, size_t len, size_t *pos, const char *key, const char *value)
{
    bool quote = !*value || value[strcspn (value, " \t\n\\'")] != '\0';
    int n = snprintf (buf + *pos, len - *pos, "%s%s=%s", *pos ? " " : "", key, quote ? "'" : "");
    if (n < 0 || (size_t) n >= len - *pos)
        return -1;
    *pos += (size_t) n;
    for (const char *c = value; *c; c++) {
        if (*pos + 3 >= len)
            return -1;
        if (*c == '\'' || *c == '\\')
            buf[(*pos)++] = '\\';
        buf[(*pos)++] = *c;
    }
    if (quote && *pos + 1 >= len)
        return -1;
    if (quote)
        buf[(*pos)++] = '\'';
    buf[*pos] = '\0';
    return 0;
}

/* The connection string of DB (a URL, key=value pairs, a bare database
 * name, or NULL for the PG* variables) with user=USER and no password,
 * into BUF. -1 when it does not fit. */
static int
app_url (const char *db, const char *user, char *buf, size_t len)
{
    size_t pos = 0;
    buf[0] = '\0';
    PQconninfoOption *opts = db ? PQconninfoParse (db, NULL) : NULL;
    if (db && !opts && conninfo_add (buf, len, &pos, "dbname", db))
        return -1;
    for (PQconninfoOption *o = opts; o && o->keyword; o++) {
        if (!o->val || strcmp (o->keyword, "user") == 0 || strcmp (o->keyword, "password") == 0)
            continue;
        if (conninfo_add (buf, len, &pos, o->keyword, o->val)) {
            PQconninfoFree (opts);
            return -1;
        }
    }
    PQconninfoFree (opts);
    return conninfo_add (buf, len, &pos, "user", user);
}

/* Prints S to F as a POSIX shell word, quoted when it must be. */
static void
shell_quote (FILE *f, const char *s)
{
    const char *plain = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_/.,:=@%+-";
    if (*s && s[strspn (s, plain)] == '\0') {
        fputs (s, f);
        return;
    }
    fputc ('\'', f);
    for (; *s; s++) {
        if (*s == '\'')
            fputs ("'\\''", f);
        else
            fputc (*s, f);
    }
    fputc ('\'', f);
}

/* escd migrate, and the first half of escd init: the migrations, then the
 * app role, both as the owner --db connects as; tells how escd run should
 * connect. */
static int
prepare_database (const options_t *o)
{
    char password[1024];
    if (app_user_check (o->app_user) != 0) {
        fprintf (stderr, "escd: --app-user takes 1 to 63 of a-z 0-9 _, starting with a letter"
                         " or _ (and not pg_)\n");
        return 2;
    }
    if (o->app_password_file && read_password (o->app_password_file, password, sizeof password))
        return 1;
    PGconn *conn = connect_db (o->db);
    if (!conn)
        return 1;
    esc_error_t err;
    bool created = false;
    int rc = 1, applied = migrate_apply (conn, &err);
    if (applied < 0)
        fprintf (stderr, "escd: migration failed: %s\n", err.message);
    else {
        fprintf (stderr, "escd: %d migration%s applied, database up to date\n",
                 applied, applied == 1 ? "" : "s");
        rc = migrate_app_role (conn, o->app_user, o->app_password_file ? password : NULL,
                               &created, &err);
        if (rc)
            fprintf (stderr, "escd: %s: %s\n", err.reason, err.message);
    }
    PQfinish (conn);
    if (rc)
        return 1;
    fprintf (stderr, "escd: role %s %s: it logs in, owns nothing, and holds only the grants"
                     " escd run needs\n", o->app_user, created ? "created" : "checked");
    char url[4096];
    if (app_url (o->db, o->app_user, url, sizeof url) != 0) {
        fprintf (stderr, "escd: run escd as %s: escd run --db URL, URL naming user=%s\n",
                 o->app_user, o->app_user);
        return 0;
    }
    fprintf (stderr, "escd: app URL: %s\n", url);
    fprintf (stderr, "escd: run escd as %s%s: escd run --db ", o->app_user,
             o->app_password_file ? " (its password in ~/.pgpass or PGPASSFILE)" : "");
    shell_quote (stderr, url);
    if (o->home) {
        fputs (" --home ", stderr);
        shell_quote (stderr, o->home);
    }
    fputc ('\n', stderr);
    return 0;
}

/* DIR, else $ESCD_HOME, else ~/.local/share/escd, into BUF. */
static const char *
home_dir (const char *dir, char *buf, size_t len)
{
    const char *env = getenv ("ESCD_HOME"), *home = getenv ("HOME");
    if (dir)
        snprintf (buf, len, "%s", dir);
    else if (env && *env)
        snprintf (buf, len, "%s", env);
    else
        snprintf (buf, len, "%s/.local/share/escd", home ? home : ".");
    return buf;
}

/* mkdir -p PATH, new directories private to their owner. */
static int
make_dirs (const char *path)
{
    char buf[4096];
    snprintf (buf, sizeof buf, "%s", path);
    for (char *p = buf + 1;; p++) {
        if (*p != '/' && *p != '\0')
            continue;
        char c = *p;
        *p = '\0';
        if (mkdir (buf, 0700) != 0 && errno != EEXIST)
            return -1;
        *p = c;
        if (!c)
            return 0;
    }
}

static int
cmd_init (const options_t *o)
{
    int rc = prepare_database (o);
    if (rc)
        return rc;
    char home[4096], path[4200], err[512];
    home_dir (o->home, home, sizeof home);
    if (make_dirs (home) != 0) {
        fprintf (stderr, "escd: cannot create %s: %s\n", home, strerror (errno));
        return 1;
    }
    snprintf (path, sizeof path, "%s/server.key", home);
    keypair_t kp;
    if (keypair_load (&kp, path, err, sizeof err) != 0) {
        if (keypair_generate (&kp) != 0) {
            fprintf (stderr, "escd: this libzmq has no CURVE support\n");
            return 1;
        }
        if (keypair_save (&kp, path, "escd server", err, sizeof err) != 0) {
            fprintf (stderr, "escd: %s\n", err);
            return 1;
        }
        fprintf (stderr, "escd: created the server keypair in %s\n", path);
    }
    printf ("%s\n", kp.public_key);
    return 0;
}

static int
cmd_user_add (int argc, char **argv, const options_t *o)
{
    role_set_t roles;
    char role_list[64];
    if (o->positional + 1 != argc) {
        usage_text (stderr, CMD_USER_ADD);
        return 2;
    }
    const char *name = argv[o->positional];
    if (name_check_user (name) != 0) {
        fprintf (stderr, "escd: a user name is 1 to 32 of a-z 0-9 _ . - starting with a letter\n");
        return 2;
    }
    snprintf (role_list, sizeof role_list, "%s", o->role ? o->role : "");
    if (!o->role || role_set_parse (name_lower (role_list), &roles) != 0) {
        char values[128];
        fprintf (stderr, "escd: --role takes roles from %s, not '%s'\n",
                 name_values_text (name_roles, values, sizeof values), o->role ? o->role : "");
        return 2;
    }
    esc_error_t team_err;
    if (o->team && validate_team (o->team, &team_err)) {
        fprintf (stderr, "escd: --team: %s\n", team_err.message);
        return 2;
    }
    if (!o->key || !key_z85_valid (o->key)) {
        fprintf (stderr, "escd: --key takes a CURVE public key in Z85 (see 'esc keygen')\n");
        return 2;
    }
    store_t *store = store_new (o->db);
    esc_error_t err;
    int64_t seq;
    char summary[128];
    snprintf (summary, sizeof summary, "%s was registered with escd user add", name);
    event_t event = { .type = "user.added", .actor = name, .summary = summary,
                      .data = "{\"via\":\"escd user add\"}" };
    int rc = store_connect (store, &err) || store_command (store, "BEGIN", &err)
          || store_lock_sequence (store, &err)
          || store_user_insert (store, name, roles, o->key, o->team, &err)
          || store_event_append (store, &event, &seq, &err)
          || store_command (store, "COMMIT", &err);
    if (rc)
        fprintf (stderr, "escd: %s: %s\n", err.reason ? err.reason : "ERROR", err.message);
    else
        fprintf (stderr, "escd: user %s registered\n", name);
    store_destroy (&store);
    return rc ? 1 : 0;
}

/* ==== escd run ============================================================ */

/* What escd run was given, and runs with. */
typedef struct {
    options_t given;            /* the defaults and the command line */
    options_t now;              /* and --config FILE over them, as last read */
} run_t;

/* O's settings into C, for the endpoint. */
static void
endpoint_settings (const options_t *o, endpoint_config_t *c)
{
    c->db_url = o->db;
    c->bind = o->bind;
    c->feed = o->feed;
    c->metrics = o->metrics;
    c->batch_max = (int) o->batch;
    c->feed_hwm = (int) o->feed_hwm;
    c->feed_per_user = (int) o->feed_per_user;
    c->feed_max = (int) o->feed_max;
    c->write_rate = o->write_rate_kib * 1024;
    c->request_log_days = (int) o->request_log_days;
    c->max_memory = o->max_memory_mib * 1024 * 1024;
    c->log_rate = o->log_rate;
}

/* SIGHUP (the endpoint's reload): reads --config FILE again over the
 * command line, takes the values that may change live and says, a line
 * each, what changed ("write-rate: 2048 -> 1024") or waits for a restart.
 * A file that does not read changes nothing. */
static int
reload (void *arg, endpoint_config_t *next)
{
    run_t *run = arg;
    if (!run->given.config) {
        logline (LOGLINE_WARNING, "SIGHUP: escd run was given no --config FILE to read again; "
                 "nothing changed");
        return -1;
    }
    options_t fresh = run->given;
    settings_file_t file;
    char *text, err[1024], was[256], is[256];
    if (settings_read (&fresh, &file, &text, err, sizeof err)) {
        logline (LOGLINE_ERROR, "SIGHUP: %s; the settings stay as they were", err);
        return -1;
    }
    int live = 0, later = 0;
    for (size_t i = 0; i < file.n; i++) {
        const escd_option_t *opt = file.option[i];
        const escd_value_t *v = value_of (opt->key);
        const char *overridden = file.overridden[opt - options];
        value_text (&run->now, v, was, sizeof was);
        value_text (&fresh, v, is, sizeof is);
        if (overridden && opt->key == 'd')
            logline (LOGLINE_INFO, "db: the command line's --db overrides the file's");
        else if (overridden && strcmp (overridden, is) != 0)
            logline (LOGLINE_INFO, "%s: the command line's --%s %s overrides the file's %s",
                     opt->name, opt->name, is, overridden);
        if (strcmp (was, is) == 0)
            continue;
        if (v->live) {
            /* a text would point into TEXT, freed below */
            assert (v->kind != VALUE_TEXT);
            value_copy (&run->now, &fresh, v);
            logline (LOGLINE_INFO, "%s: %s -> %s", opt->name, was, is);
            live++;
        }
        else if (opt->key == 'd')   /* a URL may hold a password: not in the log */
            logline (LOGLINE_WARNING, "db: changed; escd goes on with the database it started "
                     "with until it is restarted");
        else
            logline (LOGLINE_WARNING, "%s: %s -> %s takes a restart; escd goes on with %s",
                     opt->name, was, is, was);
        later += !v->live;
    }
    free (text);
    char restart[64] = "";
    if (later)
        snprintf (restart, sizeof restart, ", %d more at the next restart", later);
    logline (LOGLINE_INFO, "SIGHUP: read %s again: %d setting%s changed%s", run->given.config,
             live, live == 1 ? "" : "s", restart);
    logline_set_level (run->now.log_level);
    endpoint_settings (&run->now, next);
    return 0;
}

/* Loads the server's key from HOME_OPTION's server.key, or says why not.
 * Not inlined: its 9 kB of paths leave the stack before escd serves, in
 * frames below cmd_run's, for the rest of its life (the stack's pages,
 * once touched, stay resident). */
__attribute__((noinline)) static int
load_server_key (const char *home_option, keypair_t *key)
{
    char home[4096], path[4200], err[1024];
    home_dir (home_option, home, sizeof home);
    snprintf (path, sizeof path, "%s/server.key", home);
    if (keypair_load (key, path, err, sizeof err) == 0)
        return 0;
    fprintf (stderr, "escd: %s (run 'escd init' first)\n", err);
    return -1;
}

static int
cmd_run (const options_t *o)
{
    run_t run = { .given = *o, .now = *o };
    settings_file_t file;
    char *text = NULL, err[1024];
    if (o->config && settings_read (&run.now, &file, &text, err, sizeof err)) {
        fprintf (stderr, "escd: %s\n", err);
        return 2;
    }
    /* One malloc arena for all of escd's threads, set before any starts.
     * By default glibc gives each thread that allocates an arena of its
     * own (up to 8 a core), each keeping what its thread freed: libzmq's
     * two I/O threads, its reaper and the reader held 50 kB between them
     * at idle, 250 kB after a few requests. What they allocate is mostly
     * small enough for glibc's per-thread cache (tcache), which takes no
     * lock, so they seldom wait on the one arena's. */
    mallopt (M_ARENA_MAX, 1);
    /* Freed memory stays in the heap while escd is busy: by default glibc
     * gives the top of the heap back to the kernel as soon as 128 kB of it
     * is free, so a batch that built a large statement or read a large
     * result took the pages back one fault at a time, zeroed (1.3 to 3.5
     * faults a filing at 32 clients). Given back after a quiet second
     * instead (trim_when_idle in endpoint.c). Setting this also fixes
     * glibc's threshold for blocks mapped on their own at 128 kB, where it
     * starts: raised, it had large zeroed blocks of libraries come from
     * the heap, half a megabyte more resident at idle. */
    mallopt (M_TRIM_THRESHOLD, ESCD_HEAP_KEPT);
    /* a connection is a descriptor: let a thousand watchers in */
    struct rlimit rl;
    if (getrlimit (RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
        rl.rlim_cur = rl.rlim_max;
        setrlimit (RLIMIT_NOFILE, &rl);
    }
    endpoint_config_t config = { .reload = reload, .reload_arg = &run };
    endpoint_settings (&run.now, &config);
    int rc = 1;
    if (load_server_key (run.now.home, &config.server_key) == 0) {
        logline_set_level (run.now.log_level);
        rc = endpoint_run (&config);
    }
    free (text);                /* the file's values: escd has done with them */
    return rc;
}

/* "escd (esc 0.1.0, schema 22)": the version, and the newest migration
 * this escd applies (deploy/restore checks a backup's against it). */
static void
print_version (void)
{
    printf ("escd (esc %s, schema %d)\n", ESC_VERSION,
            migration_count ? migrations[migration_count - 1].version : 0);
}

/* The command ARGV names (after escd), and how many words it takes; NULL
 * when none. */
static const escd_command_t *
command_of (int argc, char **argv, int *words)
{
    for (size_t i = 0; i < N_COMMANDS; i++) {
        const char *name = commands[i].name, *space = strchr (name, ' ');
        if (!space && strcmp (argv[0], name) == 0) {
            *words = 1;
            return &commands[i];
        }
        if (space && strncmp (argv[0], name, (size_t) (space - name)) == 0
            && argv[0][space - name] == '\0' && argc > 1 && strcmp (argv[1], space + 1) == 0) {
            *words = 2;
            return &commands[i];
        }
    }
    return NULL;
}

/* Says that WORD names no command, with the nearest one. */
static int
unknown_command (const char *word)
{
    const char *names[] = { "init", "migrate", "user", "run", "help" };
    const char *near = suggest_word (word, names, sizeof names / sizeof names[0]);
    fprintf (stderr, "escd: unknown command '%s'%s%s%s\n'escd help' lists them\n", word,
             near ? "; did you mean '" : "", near ? near : "", near ? "'?" : "");
    return 2;
}

/* escd never uses GnuTLS (libpq's TLS is OpenSSL's): libpq brings it in
 * only through libldap, for LDAP lookups of connection services, and
 * libldap initialises GnuTLS itself when it is used. GnuTLS's load-time
 * initialisation (its ASN.1 trees, random generator and PKCS#11 setup,
 * 1 MB of escd's idle memory) is skipped by this hook, which GnuTLS
 * exports for the purpose; CMakeLists.txt exports it from escd. */
int _gnutls_global_init_skip (void);
__attribute__((used)) int
_gnutls_global_init_skip (void)
{
    return 1;
}

/* libzmq, as Debian builds it, initialises OpenPGM in every zmq_ctx_new
 * (and shuts it down in zmq_ctx_term) whether or not a pgm:// socket is
 * ever made: OpenPGM looks its protocol number up through NSS
 * (/etc/nsswitch.conf, /etc/protocols) and sets up its timer, random
 * numbers and logging, 200 kB of escd's idle memory for a transport escd
 * cannot use (libzmq takes pgm:// on PUB, XPUB, SUB and XSUB sockets
 * only; escd's are ROUTER, REP, PAIR and STREAM). These two stand in for OpenPGM's: escd
 * exports them (CMakeLists.txt), and the dynamic linker binds libzmq's
 * calls to the program's definitions first. A libzmq built without
 * OpenPGM never calls them. */
typedef struct pgm_error_t pgm_error_t;
bool pgm_init (pgm_error_t **error);
bool pgm_shutdown (void);
__attribute__((used)) bool
pgm_init (pgm_error_t **error)
{
    (void) error;
    return true;
}

__attribute__((used)) bool
pgm_shutdown (void)
{
    return true;
}

int
main (int argc, char **argv)
{
    if (argc < 2)
        return usage (2);
    const char *first = argv[1];
    if (strcmp (first, "--version") == 0) {
        print_version ();
        return 0;
    }
    if (strcmp (first, "__man") == 0) {
        man_page (stdout);
        return 0;
    }
    bool help = strcmp (first, "--help") == 0 || strcmp (first, "-h") == 0
             || strcmp (first, "help") == 0;
    if (help && argc == 2)
        return usage (0);
    int skip = help ? 2 : 1, words;
    const escd_command_t *command = command_of (argc - skip, argv + skip, &words);
    if (!command && strcmp (argv[skip], "user") == 0) {
        usage_text (help ? stdout : stderr, CMD_USER_ADD);     /* escd user: add */
        return help ? 0 : 2;
    }
    if (!command)
        return unknown_command (argv[skip]);
    /* the command's words are its argv[0] for getopt: escd user add NAME ... */
    int base = skip + words - 1;
    options_t o;
    if (parse (argc - base, argv + base, command, &o) != 0) {
        fprintf (stderr, "'escd help %s' shows its options\n", command->name);
        return 2;
    }
    if (o.version) {
        print_version ();
        return 0;
    }
    if (help || o.help) {
        usage_text (stdout, command->bit);
        return 0;
    }
    o.positional += base;           /* from argv + base's numbering to argv's */
    bool operands = o.positional < argc;
    switch (command->bit) {
    case CMD_INIT:
        return operands ? usage (2) : cmd_init (&o);
    case CMD_MIGRATE:
        return operands ? usage (2) : prepare_database (&o);
    case CMD_USER_ADD:
        return cmd_user_add (argc, argv, &o);
    default:
        return operands ? usage (2) : cmd_run (&o);
    }
}
