/* server_status.c: esc status. See server_status.h. */
#include "server_status.h"

#include <inttypes.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <zmq.h>

#include "figures.h"
#include "json.h"
#include "render.h"
#include "text.h"
#include "version.h"

int
server_status_fingerprint (const char *z85, char *out)
{
    uint8_t key[32], digest[crypto_hash_sha256_BYTES];
    out[0] = '\0';
    if (sodium_init () < 0 || !key_z85_valid (z85) || !zmq_z85_decode (key, z85))
        return -1;
    crypto_hash_sha256 (digest, key, sizeof key);
    for (int i = 0; i < 8; i++)
        snprintf (out + 2 * i, 3, "%02x", digest[i]);
    return 0;
}

void
server_status_uptime (int64_t seconds, char *out, size_t len)
{
    int64_t m = seconds / 60, h = m / 60, d = h / 24;
    if (seconds < 60)
        snprintf (out, len, "%" PRId64 " s", seconds < 0 ? 0 : seconds);
    else if (h == 0)
        snprintf (out, len, "%" PRId64 " min", m);
    else if (d == 0)
        snprintf (out, len, "%" PRId64 " h %" PRId64 " min", h, m % 60);
    else
        snprintf (out, len, "%" PRId64 " d %" PRId64 " h", d, h % 24);
}

/* What esc itself knows of whom it speaks as, and to which escd. */
typedef struct {
    char fingerprint[17];
    char key_file[1200];
    const char *endpoint;
} here_t;

static void
status_json (const here_t *h, const Esc__ServerStatus *st)
{
    json_t j;
    json_init (&j);
    json_object_begin (&j);
    json_kv_string (&j, "user", st->user);
    json_kv_strings (&j, "roles", st->roles, st->n_roles);
    json_kv_string (&j, "key_fingerprint", h->fingerprint);
    json_kv_string (&j, "key_file", h->key_file);
    json_kv_string (&j, "endpoint", h->endpoint);
    json_kv_string (&j, "version", st->version);
    json_kv_string (&j, "esc_version", ESC_VERSION);
    json_kv_string (&j, "started_at", st->started_at);
    json_kv_int (&j, "uptime_seconds", st->uptime_seconds);
    json_kv_string (&j, "now", st->now);
    json_kv_string (&j, "database_version", st->database_version);
    json_kv_int (&j, "schema_version", st->schema_version);
    json_kv_int (&j, "schema_expected", st->schema_expected);
    json_kv_int (&j, "feed_head", st->feed_head);
    /* null from an escd that does not count them */
    json_kv_opt_int (&j, "requests_served", st->has_requests_served, st->requests_served);
    json_kv_opt_int (&j, "feed_subscribers", st->has_feed_subscribers, st->feed_subscribers);
    json_kv_opt_int (&j, "database_reconnects", st->has_database_reconnects,
                     st->database_reconnects);
    json_kv_opt_int (&j, "resident_bytes", st->has_resident_bytes, st->resident_bytes);
    json_object_end (&j);
    printf ("%s\n", json_text (&j));
    json_release (&j);
}

/* "user      " : the labels' column. */
static void
label (const char *name)
{
    printf ("%-10s", name);
}

static void
status_text (const here_t *h, const Esc__ServerStatus *st)
{
    char up[64];
    label ("user");
    text_write (stdout, st->user, NULL);
    fputs (" (", stdout);
    for (size_t i = 0; i < st->n_roles; i++) {
        fputs (i ? ", " : "", stdout);
        text_write (stdout, st->roles[i], NULL);
    }
    fputs (")\n", stdout);
    label ("key");
    printf ("%s (", h->fingerprint);
    text_write (stdout, h->key_file, NULL);
    fputs (")\n", stdout);
    label ("escd");
    server_status_uptime (st->uptime_seconds, up, sizeof up);
    printf ("%s, esc ", h->endpoint);
    text_write (stdout, st->version, NULL);
    if (!st->version || strcmp (st->version, ESC_VERSION) != 0)
        printf (" (this esc is %s)", ESC_VERSION);
    printf (", up %s\n", up);
    if (st->has_requests_served || st->has_resident_bytes) {
        char n[FIGURE_SIZE];
        label ("served");
        if (st->has_requests_served)
            printf ("%s %s", figure (n, st->requests_served),
                    figure_noun (st->requests_served, "request", "requests"));
        if (st->has_resident_bytes)
            printf ("%s%.1f MiB resident", st->has_requests_served ? ", " : "",
                    (double) st->resident_bytes / (1024 * 1024));
        fputc ('\n', stdout);
    }
    label ("database");
    /* "15.4 (Debian 15.4-1)": the number says it; --json has the rest */
    char version[64];
    const char *v = st->database_version ? st->database_version : "";
    snprintf (version, sizeof version, "%.*s", (int) strcspn (v, " "), v);
    fputs ("PostgreSQL ", stdout);
    text_write (stdout, version, NULL);
    if (st->has_database_reconnects)
        printf (", %" PRId64 " %s", st->database_reconnects,
                figure_noun (st->database_reconnects, "reconnection", "reconnections"));
    printf (", schema %" PRId64 " of %" PRId64, st->schema_version, st->schema_expected);
    if (st->schema_version < st->schema_expected)
        fputs (": migrations pending (escd migrate)", stdout);
    else if (st->schema_version > st->schema_expected)
        fputs (": newer than this escd knows (upgrade escd)", stdout);
    fputc ('\n', stdout);
    label ("feed");
    printf ("head %" PRId64, st->feed_head);
    if (st->has_feed_subscribers)
        printf (", %" PRId64 " %s", st->feed_subscribers,
                figure_noun (st->feed_subscribers, "subscriber", "subscribers"));
    fputc ('\n', stdout);
}

int
server_status_run (const session_t *s, const args_t *a, const char *user, const keypair_t *kp)
{
    (void) a;
    here_t h = { .endpoint = s->config.endpoint };
    server_status_fingerprint (kp->public_key, h.fingerprint);
    config_key_path (&s->config, user, h.key_file, sizeof h.key_file);
    Esc__Empty empty = ESC__EMPTY__INIT;
    Esc__Request req = ESC__REQUEST__INIT;
    req.op_case = ESC__REQUEST__OP_STATUS;
    req.status = &empty;
    int rc;
    Esc__Reply *reply = session_call (s, kp, &req, &rc);
    if (!reply)
        return rc;
    if (reply->result_case != ESC__REPLY__RESULT_SERVER_STATUS) {
        esc_error_t e;
        esc_fail (&e, ESC_INTERNAL, "BAD_REPLY", "escd's answer to status holds no status "
                  "(a different version?)");
        render_error (&e, s->json);
        rc = EXIT_REFUSED;
    }
    else if (s->json)
        status_json (&h, reply->server_status);
    else if (!s->quiet)         /* --quiet: the exit code alone says escd answers */
        status_text (&h, reply->server_status);
    esc__reply__free_unpacked (reply, NULL);
    return rc;
}
