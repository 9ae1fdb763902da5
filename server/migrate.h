/* migrate.h: applying sql/ migrations to a database.
 *
 * The migrations are embedded in escd at build time (sql/embed.cmake). Each
 * is applied once, in version order, in its own transaction together with
 * its row in schema_migration, all under an advisory lock: two escd
 * processes migrating at once apply each migration exactly once, and a
 * second run applies nothing. The role escd serves as is readied here too,
 * after the migrations, by the owner that ran them. */
#ifndef ESC_MIGRATE_H
#define ESC_MIGRATE_H

#include <libpq-fe.h>
#include <stdbool.h>
#include <stddef.h>

#include "status.h"

typedef struct {
    int version;
    const char *name;           /* 001_people.sql */
    const char *sql;
} migration_t;

extern const migration_t migrations[];
extern const size_t migration_count;

/* Applies the pending migrations. Returns the number applied (0 when the
 * database is up to date), or -1 with ERR naming the migration that failed;
 * a failed migration leaves no trace. */
int migrate_apply (PGconn *conn, esc_error_t *err);

/* Readies NAME, the login role escd serves as, in a migrated database:
 * creates it if absent (LOGIN, no superuser, no CREATEDB or CREATEROLE,
 * NOINHERIT, no password), refuses one that could do more (a superuser, a
 * member of another role, an owner of anything here, the migrating role
 * itself), sets PASSWORD when given (NULL leaves it), and grants it what
 * `escd run` needs and nothing more (esc_grant_app, sql/014_app_role.sql).
 * *CREATED says whether this call made the role. Safe to run again, and
 * beside another escd doing the same. 0, or -1 with ERR. */
int migrate_app_role (PGconn *conn, const char *name, const char *password, bool *created,
                      esc_error_t *err);

/* The number of migrations not yet applied, or -1 with ERR. */
int migrate_pending (PGconn *conn, esc_error_t *err);

#endif
