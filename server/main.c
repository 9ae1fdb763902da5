/* main.c: escd, the escalation desk server.
 *
 *   escd init [--db URL] [--home DIR] [--app-user NAME] [--app-password-file FILE]
 *                                           migrate; ready the app role; create the server key
 *   escd migrate [--db URL] [--app-user NAME] [--app-password-file FILE]
 *                                           apply pending migrations; ready the app role
 *   escd user add NAME --role R[,R] --key PUB [--team TEAM] [--db URL]
 *   escd run [--db URL] [--home DIR] [--bind EP] [--feed EP] [--batch N]
 *            [--feed-hwm N] [--feed-per-user N] [--feed-max N]
 *            [--write-rate KIB] [--request-log-days N] [--max-memory MIB]
 *            [--log-rate N]
 *   escd --help | escd help [COMMAND] | escd --version
 *   escd __man                              the man page escd(8), in roff
 *
 * Everything here is argument handling; the work is in endpoint.c (serving),
 * migrate.c and store.c. The tables of commands and options below are the
 * one source of the parser (getopt_long's options are made from them), the
 * usage and the man page. */
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <libpq-fe.h>

#include "endpoint.h"
#include "keys.h"
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
      "variables); init and migrate connect as the schema's owner, run as the app role" },
    { "home", 'h', "DIR", CMD_INIT | CMD_RUN, false,
      "where server.key lives (default $ESCD_HOME, else ~/.local/share/escd)" },
    { "app-user", 'a', "NAME", CMD_INIT | CMD_MIGRATE, false,
      "the login role escd run connects as (default " DEFAULT_APP_USER ")" },
    { "app-password-file", 'p', "FILE", CMD_INIT | CMD_MIGRATE, false,
      "the app role's password, on the first line of FILE (default: none)" },
    { "role", 'r', "R[,R]", CMD_USER_ADD, true, "the user's roles: sales, pm, cro, exec, admin" },
    { "key", 'k', "PUB", CMD_USER_ADD, true, "the user's CURVE public key (esc keygen prints it)" },
    { "team", 'T', "TEAM", CMD_USER_ADD, false, "a seller's team, for the report's quota credit" },
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
        "escd logs one line per request on standard error (user, operation, outcome, "
        "duration) and stops cleanly on SIGTERM.");
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
    man_section (f, "EXIT STATUS");
    man_item (f, "0", "done; for run, stopped cleanly");
    man_item (f, "1", "failed (the message says why, often as REASON: message)");
    man_item (f, "2", "a usage error");
    man_section (f, "SEE ALSO");
    fputs ("\\fBesc\\fR(1)\n", f);
}

typedef struct {
    const char *db, *home, *bind, *feed, *role, *key, *team;
    const char *app_user, *app_password_file;   /* init and migrate */
    int batch;
    int feed_hwm, feed_per_user, feed_max;
    int64_t write_rate_kib;
    int request_log_days;
    int64_t max_memory_mib;
    int64_t log_rate;
    bool help;
    bool version;
    int positional;             /* index of the first operand in argv */
} options_t;

/* OPTARG as a whole number from LO to HI into *V; else says so. */
static int
number (const char *name, const char *text, long long lo, long long hi, long long *v)
{
    char *end;
    errno = 0;
    *v = strtoll (text, &end, 10);
    if (errno || end == text || *end || *v < lo || *v > hi) {
        fprintf (stderr, "escd: --%s takes a whole number from %lld to %lld, not '%s'\n",
                 name, lo, hi, text);
        return -1;
    }
    return 0;
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

/* Parses COMMAND's options. Returns 0, or -1 having said what is wrong. */
static int
parse (int argc, char **argv, const escd_command_t *command, options_t *o)
{
    static struct option longopts[N_OPTIONS + 1];
    for (size_t i = 0; i < N_OPTIONS; i++)
        longopts[i] = (struct option) { options[i].name,
                                        options[i].value_name ? required_argument : no_argument,
                                        NULL, options[i].key };
    memset (o, 0, sizeof *o);
    o->bind = DEFAULT_BIND;
    o->feed = DEFAULT_FEED;
    o->batch = 64;
    o->write_rate_kib = 2048;
    o->request_log_days = 7;
    o->max_memory_mib = 512;
    o->log_rate = 600;
    o->app_user = DEFAULT_APP_USER;
    int c;
    long long v;
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
        switch (c) {
        case 'd': o->db = optarg; break;
        case 'h': o->home = optarg; break;
        case 'b': o->bind = optarg; break;
        case 'f': o->feed = optarg; break;
        case 'r': o->role = optarg; break;
        case 'k': o->key = optarg; break;
        case 'T': o->team = optarg; break;
        case 'H': o->help = true; break;
        case 'V': o->version = true; break;
        case 'a': o->app_user = optarg; break;
        case 'p': o->app_password_file = optarg; break;
        case 'w':
            if (number ("feed-hwm", optarg, 1, 1000000, &v))
                return -1;
            o->feed_hwm = (int) v;
            break;
        case 'u':
            if (number ("feed-per-user", optarg, 1, 1000000, &v))
                return -1;
            o->feed_per_user = (int) v;
            break;
        case 'm':
            if (number ("feed-max", optarg, 1, 1000000, &v))
                return -1;
            o->feed_max = (int) v;
            break;
        case 'n':
            if (number ("batch", optarg, 1, 256, &v))
                return -1;
            o->batch = (int) v;
            break;
        case 'R':
            if (number ("write-rate", optarg, 0, 1024 * 1024, &v))
                return -1;
            o->write_rate_kib = v;
            break;
        case 'L':
            if (number ("request-log-days", optarg, 0, 36500, &v))
                return -1;
            o->request_log_days = (int) v;
            break;
        case 'M':
            if (number ("max-memory", optarg, 0, 1024 * 1024, &v))
                return -1;
            o->max_memory_mib = v;
            break;
        case 'G':
            if (number ("log-rate", optarg, 0, 1000000, &v))
                return -1;
            o->log_rate = v;
            break;
        }
    }
    o->positional = optind;
    return 0;
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

static int
cmd_run (const options_t *o)
{
    /* a connection is a descriptor: let a thousand watchers in */
    struct rlimit rl;
    if (getrlimit (RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
        rl.rlim_cur = rl.rlim_max;
        setrlimit (RLIMIT_NOFILE, &rl);
    }
    char home[4096], path[4200], err[512];
    home_dir (o->home, home, sizeof home);
    snprintf (path, sizeof path, "%s/server.key", home);
    endpoint_config_t config = {
        .db_url = o->db, .bind = o->bind, .feed = o->feed, .batch_max = o->batch,
        .feed_hwm = o->feed_hwm, .feed_per_user = o->feed_per_user, .feed_max = o->feed_max,
        .write_rate = o->write_rate_kib * 1024, .request_log_days = o->request_log_days,
        .max_memory = o->max_memory_mib * 1024 * 1024, .log_rate = o->log_rate,
    };
    if (keypair_load (&config.server_key, path, err, sizeof err) != 0) {
        fprintf (stderr, "escd: %s (run 'escd init' first)\n", err);
        return 1;
    }
    return endpoint_run (&config);
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

int
main (int argc, char **argv)
{
    if (argc < 2)
        return usage (2);
    const char *first = argv[1];
    if (strcmp (first, "--version") == 0) {
        printf ("escd (esc %s)\n", ESC_VERSION);
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
        printf ("escd (esc %s)\n", ESC_VERSION);
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
