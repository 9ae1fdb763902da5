/* migrate.c: applies embedded migrations once each, in order, under a lock,
 * and readies the role escd serves as. */
#include "migrate.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Any constant: the advisory lock that serialises migrators. */
#define MIGRATE_LOCK "7770001"

/* Fills ERR from the failed result R ("WHAT: the server's message"), clears
 * R, and returns -1. */
static int
result_fail (PGconn *conn, PGresult *r, const char *reason, const char *what, esc_error_t *err)
{
    char msg[300];
    snprintf (msg, sizeof msg, "%s", PQresultErrorMessage (r));
    msg[strcspn (msg, "\n")] = '\0';
    PQclear (r);
    return esc_fail (err, PQstatus (conn) == CONNECTION_OK ? ESC_INTERNAL : ESC_UNAVAILABLE,
                     reason, "%s: %s", what, msg);
}

/* Runs SQL (no parameters, maybe several statements). */
static int
exec_simple (PGconn *conn, const char *sql, const char *what, esc_error_t *err)
{
    PGresult *r = PQexec (conn, sql);
    ExecStatusType st = PQresultStatus (r);
    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK)
        return result_fail (conn, r, "MIGRATION_FAILED", what, err);
    PQclear (r);
    return 0;
}

/* True when VERSION is recorded as applied; -1 on error. */
static int
applied (PGconn *conn, int version, esc_error_t *err)
{
    char v[16];
    snprintf (v, sizeof v, "%d", version);
    const char *values[] = { v };                       /* $1 version */
    PGresult *r = PQexecParams (conn, "SELECT 1 FROM schema_migration WHERE version = $1",
                                1, NULL, values, NULL, NULL, 0);
    if (PQresultStatus (r) != PGRES_TUPLES_OK) {
        PQclear (r);
        /* no table yet: nothing is applied */
        return esc_fail (err, ESC_INTERNAL, "MIGRATION_FAILED", "cannot read schema_migration");
    }
    int found = PQntuples (r) > 0;
    PQclear (r);
    return found;
}

static int
record (PGconn *conn, const migration_t *m, esc_error_t *err)
{
    char v[16];
    snprintf (v, sizeof v, "%d", m->version);
    const char *values[] = { v, m->name };              /* $1 version, $2 file name */
    PGresult *r = PQexecParams (conn,
        "INSERT INTO schema_migration (version, name) VALUES ($1, $2)",
        2, NULL, values, NULL, NULL, 0);
    int ok = PQresultStatus (r) == PGRES_COMMAND_OK;
    PQclear (r);
    return ok ? 0 : esc_fail (err, ESC_INTERNAL, "MIGRATION_FAILED",
                              "%s: cannot record it as applied", m->name);
}

static int
apply_locked (PGconn *conn, esc_error_t *err)
{
    if (exec_simple (conn,
            "CREATE TABLE IF NOT EXISTS schema_migration ("
            "    version    integer PRIMARY KEY,"
            "    name       text NOT NULL,"
            "    applied_at timestamptz NOT NULL DEFAULT now())",
            "schema_migration", err))
        return -1;
    int count = 0;
    for (size_t i = 0; i < migration_count; i++) {
        const migration_t *m = &migrations[i];
        int done = applied (conn, m->version, err);
        if (done < 0)
            return -1;
        if (done)
            continue;
        if (exec_simple (conn, "BEGIN", m->name, err))
            return -1;
        if (exec_simple (conn, m->sql, m->name, err) || record (conn, m, err)
            || exec_simple (conn, "COMMIT", m->name, err)) {
            PQclear (PQexec (conn, "ROLLBACK"));
            return -1;
        }
        count++;
    }
    return count;
}

/* Runs SQL with the parameters VALUES; the first row's first value, copied
 * into OUT (when given), or "" for no row. -1 with ERR naming WHAT. */
static int
exec_params (PGconn *conn, const char *sql, int n, const char *const *values, char *out,
             size_t len, const char *what, esc_error_t *err)
{
    PGresult *r = PQexecParams (conn, sql, n, NULL, values, NULL, NULL, 0);
    ExecStatusType st = PQresultStatus (r);
    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK)
        return result_fail (conn, r, "APP_ROLE_FAILED", what, err);
    if (out)
        snprintf (out, len, "%s", PQntuples (r) > 0 ? PQgetvalue (r, 0, 0) : "");
    PQclear (r);
    return 0;
}

/* Creates the login role NAME unless it exists; *CREATED says which. Another
 * escd init may be creating it at the same moment (roles belong to the
 * cluster, the migration lock to one database): its CREATE ROLE wins and
 * ours finds the role made. */
static int
create_role (PGconn *conn, const char *name, bool *created, esc_error_t *err)
{
    const char *values[] = { name };                    /* $1 role name */
    char found[8];
    *created = false;
    if (exec_params (conn, "SELECT 1 FROM pg_roles WHERE rolname = $1", 1, values,
                     found, sizeof found, "looking up the role", err))
        return -1;
    if (*found)
        return 0;
    char *ident = PQescapeIdentifier (conn, name, strlen (name));
    if (!ident)
        return esc_fail (err, ESC_INTERNAL, "APP_ROLE_FAILED", "cannot quote the role name");
    char sql[256];
    snprintf (sql, sizeof sql, "CREATE ROLE %s LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE"
              " NOINHERIT NOREPLICATION NOBYPASSRLS", ident);
    PQfreemem (ident);
    PGresult *r = PQexec (conn, sql);
    const char *state = PQresultErrorField (r, PG_DIAG_SQLSTATE);
    bool made_elsewhere = state && (strcmp (state, "42710") == 0      /* duplicate_object */
                                    || strcmp (state, "23505") == 0); /* unique_violation */
    *created = PQresultStatus (r) == PGRES_COMMAND_OK;
    if (!*created && !made_elsewhere)
        return result_fail (conn, r, "APP_ROLE_FAILED", "creating the role", err);
    PQclear (r);
    return 0;
}

/* Refuses a role that could do more than esc_grant_app gives it: one that
 * already existed may be anything, even the owner itself. */
static int
check_role (PGconn *conn, const char *name, esc_error_t *err)
{
    const char *values[] = { name };                    /* $1 role name */
    char problems[1024];
    if (exec_params (conn,
            "SELECT concat_ws(', ',"
            "    CASE WHEN r.rolname = current_user THEN 'the role migrations run as' END,"
            "    CASE WHEN r.rolsuper THEN 'a superuser' END,"
            "    CASE WHEN r.rolcreatedb THEN 'allowed to create databases' END,"
            "    CASE WHEN r.rolcreaterole THEN 'allowed to create roles' END,"
            "    CASE WHEN r.rolreplication THEN 'allowed to replicate' END,"
            "    CASE WHEN r.rolbypassrls THEN 'exempt from row security' END,"
            "    CASE WHEN NOT r.rolcanlogin THEN 'unable to log in' END,"
            "    (SELECT 'a member of ' || string_agg(quote_ident(b.rolname), ', ')"
            "       FROM pg_auth_members m JOIN pg_roles b ON b.oid = m.roleid"
            "      WHERE m.member = r.oid),"
            "    CASE WHEN EXISTS (SELECT 1 FROM pg_class WHERE relowner = r.oid)"
            "           OR EXISTS (SELECT 1 FROM pg_namespace WHERE nspowner = r.oid)"
            "           OR EXISTS (SELECT 1 FROM pg_proc WHERE proowner = r.oid)"
            "           OR EXISTS (SELECT 1 FROM pg_database"
            "                       WHERE datname = current_database() AND datdba = r.oid)"
            "         THEN 'the owner of objects in this database' END)"
            "  FROM pg_roles r WHERE r.rolname = $1",
            1, values, problems, sizeof problems, "checking the role", err))
        return -1;
    if (*problems)
        return esc_fail (err, ESC_FAILED_PRECONDITION, "APP_ROLE_UNSAFE",
                         "role %s is %s: escd must not serve as it; name another --app-user",
                         name, problems);
    return 0;
}

/* Sets NAME's password, sent hashed (SCRAM or MD5, as the server is set). */
static int
set_password (PGconn *conn, const char *name, const char *password, esc_error_t *err)
{
    char *hash = PQencryptPasswordConn (conn, password, name, NULL);
    if (!hash)
        return esc_fail (err, ESC_INTERNAL, "APP_ROLE_FAILED", "cannot hash the password: %s",
                         PQerrorMessage (conn));
    char *ident = PQescapeIdentifier (conn, name, strlen (name));
    char *literal = PQescapeLiteral (conn, hash, strlen (hash));
    int rc = 0;
    if (!ident || !literal)
        rc = esc_fail (err, ESC_INTERNAL, "APP_ROLE_FAILED", "cannot quote the password");
    else {
        size_t len = strlen (ident) + strlen (literal) + 32;
        char *sql = malloc (len);
        if (!sql)
            abort ();
        snprintf (sql, len, "ALTER ROLE %s PASSWORD %s", ident, literal);
        rc = exec_params (conn, sql, 0, NULL, NULL, 0, "setting the password", err);
        free (sql);
    }
    PQfreemem (ident);
    PQfreemem (literal);
    PQfreemem (hash);
    return rc;
}

static int
app_role_locked (PGconn *conn, const char *name, const char *password, bool *created,
                 esc_error_t *err)
{
    const char *values[] = { name };                    /* $1 role name */
    return create_role (conn, name, created, err) || check_role (conn, name, err)
        || (password && set_password (conn, name, password, err))
        || exec_params (conn, "SELECT esc_grant_app($1)", 1, values, NULL, 0,
                        "granting escd's privileges", err)
        ? -1 : 0;
}

/* The migration lock: escd processes migrating one database take turns. */
static int
lock (PGconn *conn, esc_error_t *err)
{
    return exec_simple (conn, "SELECT pg_advisory_lock(" MIGRATE_LOCK ")", "migration lock", err);
}

static void
unlock (PGconn *conn)
{
    PQclear (PQexec (conn, "SELECT pg_advisory_unlock(" MIGRATE_LOCK ")"));
}

int
migrate_apply (PGconn *conn, esc_error_t *err)
{
    if (lock (conn, err))
        return -1;
    int count = apply_locked (conn, err);
    unlock (conn);
    return count;
}

int
migrate_app_role (PGconn *conn, const char *name, const char *password, bool *created,
                  esc_error_t *err)
{
    /* under the lock too: concurrent GRANTs on one table would collide
     * ("tuple concurrently updated") */
    if (lock (conn, err))
        return -1;
    int rc = app_role_locked (conn, name, password, created, err);
    unlock (conn);
    return rc;
}

int
migrate_pending (PGconn *conn, esc_error_t *err)
{
    PGresult *r = PQexec (conn, "SELECT to_regclass('schema_migration') IS NOT NULL AS present");
    bool present = PQresultStatus (r) == PGRES_TUPLES_OK && PQgetvalue (r, 0, 0)[0] == 't';
    int ok = PQresultStatus (r) == PGRES_TUPLES_OK;
    PQclear (r);
    if (!ok)
        return esc_fail (err, ESC_UNAVAILABLE, "DATABASE_UNAVAILABLE", "cannot read the schema");
    if (!present)
        return (int) migration_count;
    int pending = 0;
    for (size_t i = 0; i < migration_count; i++) {
        int done = applied (conn, migrations[i].version, err);
        if (done < 0)
            return -1;
        pending += !done;
    }
    return pending;
}
