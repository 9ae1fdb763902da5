/* main.c: escd, the escalation desk server.
 *
 *   escd init [--db URL] [--home DIR] [--app-user NAME] [--app-password-file FILE]
 *                                           migrate; ready the app role; create the server key
 *   escd migrate [--db URL] [--app-user NAME] [--app-password-file FILE]
 *                                           apply pending migrations; ready the app role
 *   escd user add NAME --role R[,R] --key PUB [--db URL]
 *   escd run [--db URL] [--home DIR] [--bind EP] [--feed EP] [--batch N]
 *            [--feed-hwm N] [--feed-per-user N] [--feed-max N]
 *            [--write-rate KIB] [--request-log-days N] [--max-memory MIB]
 *            [--log-rate N]
 *
 * Everything here is argument handling; the work is in endpoint.c (serving),
 * migrate.c and store.c. */
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
#include "migrate.h"
#include "store.h"
#include "names.h"
#include "workflow.h"

#define DEFAULT_BIND "tcp://127.0.0.1:7770"
#define DEFAULT_FEED "tcp://127.0.0.1:7771"
#define DEFAULT_APP_USER "escd_app"

static const char usage_text[] =
    "usage: escd COMMAND [OPTIONS]\n"
    "\n"
    "  init [--db URL] [--home DIR] [--app-user NAME] [--app-password-file FILE]\n"
    "                                   migrate (as in escd migrate), create the server\n"
    "                                   keypair in DIR if absent, print its public key\n"
    "  migrate [--db URL] [--app-user NAME] [--app-password-file FILE]\n"
    "                                   apply pending migrations, then create the login\n"
    "                                   role NAME if absent (default " DEFAULT_APP_USER "; no\n"
    "                                   superuser, no DDL, no password unless FILE holds\n"
    "                                   one), grant it what escd run needs and no more,\n"
    "                                   and print the URL escd run should connect with\n"
    "  user add NAME --role R[,R] --key PUB [--db URL]\n"
    "                                   register a user straight in the database\n"
    "                                   (the first admin); roles: sales pm cro exec admin\n"
    "  run [--db URL] [--home DIR] [--bind EP] [--feed EP] [OPTIONS]\n"
    "                                   serve requests on EP (default " DEFAULT_BIND ")\n"
    "                                   and the decision feed on --feed EP\n"
    "                                   (default " DEFAULT_FEED ")\n"
    "      --batch N                    requests answered per commit (default 64)\n"
    "      --feed-hwm N                 events queued per watcher (default 1000; a\n"
    "                                   slower one catches up)\n"
    "      --feed-per-user N            feed connections of one user (default 16)\n"
    "      --feed-max N                 feed connections in all (default 10000)\n"
    "      --write-rate KIB             KiB one user may make escd write a minute\n"
    "                                   (default 2048; 0: no limit); past it, writes\n"
    "                                   are refused RATE_LIMITED\n"
    "      --request-log-days N         days a write's answer is kept for retries\n"
    "                                   (default 7; 0: for good)\n"
    "      --max-memory MIB             memory escd may have in use; past it, it cuts\n"
    "                                   the connection that sent the most, one every\n"
    "                                   tenth of a second while over it\n"
    "      --log-rate N                 request lines one user may put in the log\n"
    "                                   a minute (default 600; 0: no limit); the rest\n"
    "                                   are counted and summed up once a minute\n"
    "                                   (default 512; 0: never)\n"
    "\n"
    "The database is --db URL, else the PG* environment variables. init and\n"
    "migrate connect as the owner of the schema; run connects as the app role\n"
    "(a URL with user=NAME), which may not alter the schema or rewrite the event\n"
    "log. DIR holds server.key; default $ESCD_HOME, else ~/.local/share/escd.\n";

typedef struct {
    const char *db, *home, *bind, *feed, *role, *key;
    const char *app_user, *app_password_file;   /* init and migrate */
    int batch;
    int feed_hwm, feed_per_user, feed_max;
    int64_t write_rate_kib;
    int request_log_days;
    int64_t max_memory_mib;
    int64_t log_rate;
    bool help;
    int positional;             /* index of the first operand in argv */
} options_t;

static int
usage (int rc)
{
    fputs (usage_text, rc ? stderr : stdout);
    return rc;
}

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

/* Parses the options of every command (each uses the ones it needs). */
static int
parse (int argc, char **argv, options_t *o)
{
    static const struct option longopts[] = {
        { "db", required_argument, NULL, 'd' },
        { "home", required_argument, NULL, 'h' },
        { "bind", required_argument, NULL, 'b' },
        { "feed", required_argument, NULL, 'f' },
        { "role", required_argument, NULL, 'r' },
        { "key", required_argument, NULL, 'k' },
        { "batch", required_argument, NULL, 'n' },
        { "feed-hwm", required_argument, NULL, 'w' },
        { "feed-per-user", required_argument, NULL, 'u' },
        { "feed-max", required_argument, NULL, 'm' },
        { "write-rate", required_argument, NULL, 'R' },
        { "request-log-days", required_argument, NULL, 'L' },
        { "max-memory", required_argument, NULL, 'M' },
        { "log-rate", required_argument, NULL, 'G' },
        { "app-user", required_argument, NULL, 'a' },
        { "app-password-file", required_argument, NULL, 'p' },
        { "help", no_argument, NULL, 'H' },
        { NULL, 0, NULL, 0 },
    };
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
    while ((c = getopt_long (argc, argv, "", longopts, NULL)) != -1) {
        switch (c) {
        case 'd': o->db = optarg; break;
        case 'h': o->home = optarg; break;
        case 'b': o->bind = optarg; break;
        case 'f': o->feed = optarg; break;
        case 'r': o->role = optarg; break;
        case 'k': o->key = optarg; break;
        case 'H': o->help = true; break;
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
        default: return -1;
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
    if (o->positional + 2 != argc || strcmp (argv[o->positional], "add") != 0)
        return usage (2);
    const char *name = argv[o->positional + 1];
    if (name_check_user (name) != 0) {
        fprintf (stderr, "escd: a user name is 1 to 32 of a-z 0-9 _ . - starting with a letter\n");
        return 2;
    }
    if (!o->role || role_set_parse (o->role, &roles) != 0) {
        fprintf (stderr, "escd: --role takes roles from sales, pm, cro, exec, admin\n");
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
          || store_user_insert (store, name, roles, o->key, &err)
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

int
main (int argc, char **argv)
{
    if (argc < 2)
        return usage (2);
    const char *command = argv[1];
    if (strcmp (command, "--help") == 0 || strcmp (command, "help") == 0)
        return usage (0);
    options_t o;
    if (parse (argc - 1, argv + 1, &o) != 0)
        return usage (2);
    if (o.help)
        return usage (0);
    o.positional += 1;              /* from argv + 1's numbering to argv's */
    if (strcmp (command, "init") == 0 && o.positional == argc)
        return cmd_init (&o);
    if (strcmp (command, "migrate") == 0 && o.positional == argc)
        return prepare_database (&o);
    if (strcmp (command, "user") == 0)
        return cmd_user_add (argc, argv, &o);
    if (strcmp (command, "run") == 0 && o.positional == argc)
        return cmd_run (&o);
    return usage (2);
}
