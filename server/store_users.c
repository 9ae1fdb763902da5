/* store_users.c: users, their roles and keys. See store.h. */
#include "store_impl.h"

/* ==== Users ============================================================== */

int
store_identify (store_t *self, const char *key, char *name, size_t len, role_set_t *roles,
                esc_error_t *err)
{
    params_t p = { 0 };
    params_text (&p, key);                              /* $1 Z85 public key */
    PGresult *r = store_exec (self,
        "SELECT u.name, r.role::text AS role"
        "  FROM app_user u LEFT JOIN user_role r ON r.user_name = u.name"
        " WHERE u.public_key = $1 AND u.revoked_at IS NULL", &p, err);
    if (!r)
        return -1;
    *roles = 0;
    snprintf (name, len, "%s", PQntuples (r) > 0 ? row_text (r, 0, "name") : "");
    for (int i = 0; i < PQntuples (r); i++) {
        role_t role;
        if (!row_null (r, i, "role") && role_parse (row_text (r, i, "role"), &role) == 0)
            *roles |= role;
    }
    PQclear (r);
    return 0;
}

int
store_user_by_key (store_t *self, const char *key, char *name, size_t len, esc_error_t *err)
{
    params_t p = { 0 };
    params_text (&p, key);                              /* $1 Z85 public key */
    PGresult *r = store_exec (self,
        "SELECT name FROM app_user WHERE public_key = $1 AND revoked_at IS NULL", &p, err);
    if (!r)
        return -1;
    snprintf (name, len, "%s", PQntuples (r) == 1 ? row_text (r, 0, "name") : "");
    PQclear (r);
    return 0;
}

int
store_user_keys (store_t *self, void (*each) (void *arg, const char *key, const char *name),
                 void *arg, esc_error_t *err)
{
    PGresult *r = store_exec (self,
        "SELECT name, public_key FROM app_user WHERE revoked_at IS NULL", NULL, err);
    if (!r)
        return -1;
    for (int i = 0; i < PQntuples (r); i++)
        each (arg, row_text (r, i, "public_key"), row_text (r, i, "name"));
    PQclear (r);
    return 0;
}

int
store_user_insert (store_t *self, const char *name, role_set_t roles, const char *key,
                   const char *team, esc_error_t *err)
{
    params_t p = { 0 };
    params_text (&p, name);                             /* $1 name */
    params_text (&p, key);                              /* $2 public key */
    params_text (&p, team);                             /* $3 team or NULL */
    if (store_run (self, "INSERT INTO app_user (name, public_key, team) VALUES ($1, $2, $3)",
                   &p, err)) {
        if (store_violated (self, "23505"))
            return esc_fail (err, ESC_ALREADY_EXISTS, "USER_EXISTS",
                             "a user named %s or holding that key already exists", name);
        return -1;
    }
    for (int i = 0; i < ROLE_COUNT; i++) {
        if (!(roles & (1u << i)))
            continue;
        params_t q = { 0 };
        params_text (&q, name);                         /* $1 user name */
        params_text (&q, role_name (1u << i));          /* $2 role */
        if (store_run (self, "INSERT INTO user_role (user_name, role) VALUES ($1, $2)", &q, err))
            return -1;
    }
    return 0;
}

int
store_user_facts (store_t *self, const char *name, const char *actor, user_facts_t *out,
                  esc_error_t *err)
{
    params_t p = { 0 };
    params_text (&p, name);                             /* $1 the user */
    PGresult *r = store_exec_one (self,
        "SELECT u.revoked_at IS NOT NULL AS revoked,"
        "       EXISTS (SELECT 1 FROM user_role WHERE user_name = u.name AND role = 'admin') AS admin,"
        "       (SELECT count(*) FROM app_user a JOIN user_role ar ON ar.user_name = a.name"
        "         WHERE ar.role = 'admin' AND a.revoked_at IS NULL) AS active_admins"
        "  FROM app_user u WHERE u.name = $1 FOR UPDATE OF u", &p, err,
        "USER_NOT_FOUND", "user %s does not exist", name);
    if (!r)
        return -1;
    out->revoked = row_bool (r, 0, "revoked");
    out->admin = row_bool (r, 0, "admin");
    out->active_admins = row_int (r, 0, "active_admins");
    out->is_actor = strcmp (name, actor) == 0;
    PQclear (r);
    return 0;
}

int
store_user_revoke (store_t *self, const char *name, const char *actor, esc_error_t *err)
{
    params_t p = { 0 };
    params_text (&p, name);                             /* $1 the user */
    params_text (&p, actor);                            /* $2 revoked by */
    if (store_run (self, "UPDATE app_user SET revoked_at = now(), revoked_by = $2 WHERE name = $1",
             &p, err)) {
        if (store_violated (self, "23514"))       /* keep_an_admin, in the database */
            return esc_fail (err, ESC_FAILED_PRECONDITION, "LAST_ADMIN",
                             "the last active admin cannot be revoked");
        return -1;
    }
    return 0;
}

int
store_user_set_key (store_t *self, const char *name, const char *key, esc_error_t *err)
{
    params_t p = { 0 };
    params_text (&p, name);                             /* $1 the user */
    params_text (&p, key);                              /* $2 new public key */
    if (store_run (self, "UPDATE app_user SET public_key = $2 WHERE name = $1", &p, err)) {
        if (store_violated (self, "23505"))
            return esc_fail (err, ESC_ALREADY_EXISTS, "KEY_IN_USE",
                             "that public key belongs to a user already");
        return -1;
    }
    return 0;
}

int
store_user_team (store_t *self, arena_t *a, const char *name, char **team, esc_error_t *err)
{
    params_t p = { 0 };
    params_text (&p, name);                             /* $1 user */
    PGresult *r = store_exec_one (self, "SELECT team FROM app_user WHERE name = $1 FOR UPDATE",
                                  &p, err, "USER_NOT_FOUND", "user %s does not exist", name);
    if (!r)
        return -1;
    *team = store_dup_text (a, r, 0, "team");
    PQclear (r);
    return 0;
}

int
store_user_set_team (store_t *self, const char *name, const char *team, esc_error_t *err)
{
    params_t p = { 0 };
    params_text (&p, name);                             /* $1 user */
    params_text (&p, team);                             /* $2 team or NULL */
    return store_run (self, "UPDATE app_user SET team = $2 WHERE name = $1", &p, err);
}

int
store_user_list (store_t *self, arena_t *a, const char *name, Esc__UserList **out,
                 esc_error_t *err)
{
    params_t p = { 0 };
    params_text (&p, name);                             /* $1 one user, or NULL: all */
    PGresult *r = store_exec (self,
        "SELECT u.name, u.public_key, u.team,"
        "       to_char(u.revoked_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"') AS revoked_at,"
        "       string_agg(ur.role::text, ',' ORDER BY ur.role) AS roles"
        "  FROM app_user u LEFT JOIN user_role ur ON ur.user_name = u.name"
        " WHERE $1::text IS NULL OR u.name = $1"
        " GROUP BY u.name ORDER BY u.name", &p, err);
    if (!r)
        return -1;
    Esc__UserList *list = arena_alloc (a, sizeof *list);
    esc__user_list__init (list);
    list->n_users = (size_t) PQntuples (r);
    ALLOC_MESSAGES (a, Esc__User, esc__user__init, list->n_users, list->users);
    for (size_t i = 0; i < list->n_users; i++) {
        Esc__User *u = list->users[i];
        u->name = store_dup_text (a, r, (int) i, "name");
        u->public_key = store_dup_text (a, r, (int) i, "public_key");
        u->revoked_at = store_dup_text (a, r, (int) i, "revoked_at");
        u->team = store_dup_text (a, r, (int) i, "team");
        u->n_roles = store_split_texts (a, row_text (r, (int) i, "roles"), ',', &u->roles);
    }
    PQclear (r);
    *out = list;
    return 0;
}
