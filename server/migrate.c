/* migrate.c: applies embedded migrations once each, in order, under a lock. */
#include "migrate.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

/* Any constant: the advisory lock that serialises migrators. */
#define MIGRATE_LOCK "7770001"

/* Runs SQL (no parameters, maybe several statements). */
static int
exec_simple (PGconn *conn, const char *sql, const char *what, esc_error_t *err)
{
    PGresult *r = PQexec (conn, sql);
    ExecStatusType st = PQresultStatus (r);
    if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK) {
        PQclear (r);
        return 0;
    }
    char msg[300];
    snprintf (msg, sizeof msg, "%s", PQresultErrorMessage (r));
    msg[strcspn (msg, "\n")] = '\0';
    PQclear (r);
    return esc_fail (err, PQstatus (conn) == CONNECTION_OK ? ESC_INTERNAL : ESC_UNAVAILABLE,
                     "MIGRATION_FAILED", "%s: %s", what, msg);
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

int
migrate_apply (PGconn *conn, esc_error_t *err)
{
    if (exec_simple (conn, "SELECT pg_advisory_lock(" MIGRATE_LOCK ")", "migration lock", err))
        return -1;
    int count = apply_locked (conn, err);
    PQclear (PQexec (conn, "SELECT pg_advisory_unlock(" MIGRATE_LOCK ")"));
    return count;
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
