/* desk_status.c: escd about itself and the caller, for esc status: who the
 * connection's key belongs to and their roles, escd's version and age, the
 * schema the database has against the one this escd carries, the head
 * of the event log, and what escd counts of itself (requests answered,
 * feed subscribers, database reconnections, resident memory: the
 * essentials of its metrics). A light read: nothing here grows with the
 * data. */
#include <stdio.h>
#include <time.h>

#include "desk_handlers.h"
#include "migrate.h"
#include "proc.h"
#include "version.h"

/* SECONDS since the epoch as ISO 8601 UTC (arena). */
static char *
utc_stamp (arena_t *a, int64_t seconds)
{
    char buf[32];
    struct tm tm;
    time_t t = (time_t) seconds;
    gmtime_r (&t, &tm);
    strftime (buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return arena_strdup (a, buf);
}

int
desk_status (desk_call_t *c, esc_error_t *err)
{
    database_facts_t db;
    int64_t head;
    if (store_database_facts (c->store, c->arena, &db, err)
        || store_last_seq (c->store, &head, err))
        return -1;
    Esc__ServerStatus *st = arena_alloc (c->arena, sizeof *st);
    esc__server_status__init (st);
    st->user = (char *) c->actor;
    st->roles = arena_alloc (c->arena, ROLE_COUNT * sizeof *st->roles);
    for (int i = 0; i < ROLE_COUNT; i++)
        if (c->roles & (1u << i))
            st->roles[st->n_roles++] = (char *) role_name ((role_t) (1u << i));
    st->version = ESC_VERSION;
    int64_t now = (int64_t) time (NULL);
    st->started_at = utc_stamp (c->arena, c->started_at);
    st->now = utc_stamp (c->arena, now);
    st->has_uptime_seconds = true;
    st->uptime_seconds = now > c->started_at ? now - c->started_at : 0;
    st->has_schema_version = st->has_schema_expected = st->has_feed_head = true;
    st->schema_version = db.schema_version;
    st->schema_expected = migration_count ? migrations[migration_count - 1].version : 0;
    st->database_version = (char *) db.server_version;
    st->feed_head = head;
    if (c->metrics) {
        const metrics_state_t *m = metrics_state (c->metrics);
        int64_t resident, size;
        st->has_requests_served = true;
        st->requests_served = (int64_t) metrics_requests (c->metrics);
        st->has_feed_subscribers = m->feed_subscribers >= 0;
        st->feed_subscribers = m->feed_subscribers;
        /* the store's own count: this request may have just reconnected */
        st->has_database_reconnects = true;
        st->database_reconnects = store_reconnects (c->store);
        st->has_resident_bytes = proc_memory (&resident, &size) == 0;
        st->resident_bytes = resident;
    }
    c->reply->result_case = ESC__REPLY__RESULT_SERVER_STATUS;
    c->reply->server_status = st;
    return 0;
}
