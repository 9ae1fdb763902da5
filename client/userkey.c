/* userkey.c: esc user key ME --new, the switch to a key made here. See
 * userkey.h. */
#include "userkey.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "json.h"
#include "names.h"
#include "render.h"
#include "transport.h"

/* The files of one user's switch. */
typedef struct {
    char key[1200];             /* ME.key */
    char next[1300];            /* ME.key.new */
    char old[1300];             /* ME.key.old */
} key_files_t;

/* The key being switched to, and the request id it is sent under. */
typedef struct {
    keypair_t kp;
    char request_id[65];
    bool earlier;               /* made by an earlier run */
} new_key_t;

/* What escd says of a key, asked as that key. */
typedef enum {
    KEY_ACTIVE,                 /* escd answered: it holds the key */
    KEY_REFUSED,                /* escd refused the key */
    KEY_UNKNOWN,                /* no answer (ERR says why) */
} key_standing_t;

/* ==== ME.key.new ========================================================= */

#define REQUEST_ID_FIELD "request-id"

/* Appends the request id line to the key file PATH. Returns 0, or -1 with
 * ERR. */
static int
record_request_id (const char *path, const char *request_id, char *err, size_t len)
{
    FILE *f = fopen (path, "a");
    bool written = f && fprintf (f, REQUEST_ID_FIELD " = %s\n", request_id) > 0;
    if (!f || fclose (f) != 0 || !written) {
        snprintf (err, len, "%s: %s", path, strerror (errno));
        return -1;
    }
    return 0;
}

/* The request id recorded in the key file PATH into BUF (65 bytes), or ""
 * when it records none (a run that stopped between making the file and
 * recording its id). */
static void
recorded_request_id (const char *path, char *buf)
{
    buf[0] = '\0';
    FILE *f = fopen (path, "r");
    char line[256];
    while (f && fgets (line, sizeof line, f)) {
        char field[32], value[65];
        if (sscanf (line, " %31[a-z-] = %64s", field, value) == 2
            && strcmp (field, REQUEST_ID_FIELD) == 0 && name_check_request_id (value) == 0)
            memcpy (buf, value, strlen (value) + 1);
    }
    if (f)
        fclose (f);
}

/* Makes ME.key.new (F->next) for NAME, to be sent under REQUEST_ID, or
 * reads the one an earlier run made (its recorded id wins: the same
 * request again is answered once). Returns 0, or -1 with ERR. */
static int
new_key_open (const key_files_t *f, const char *name, const char *request_id, new_key_t *nk,
              char *err, size_t len)
{
    memset (nk, 0, sizeof *nk);
    if (access (f->next, F_OK) == 0) {
        nk->earlier = true;
        if (keypair_load (&nk->kp, f->next, err, len) != 0)
            return -1;
        recorded_request_id (f->next, nk->request_id);
        if (nk->request_id[0])
            return 0;
        snprintf (nk->request_id, sizeof nk->request_id, "%s", request_id);
        return record_request_id (f->next, nk->request_id, err, len);
    }
    if (keypair_generate (&nk->kp) != 0) {
        snprintf (err, len, "this libzmq has no CURVE support");
        return -1;
    }
    snprintf (nk->request_id, sizeof nk->request_id, "%s", request_id);
    if (keypair_save (&nk->kp, f->next, name, err, len) != 0)
        return -1;
    if (record_request_id (f->next, nk->request_id, err, len) != 0) {
        unlink (f->next);       /* never sent: nobody holds it */
        return -1;
    }
    return 0;
}

/* ==== Asking escd ======================================================== */

/* Whether ERR (with REPLY, or without one) says escd refused the key it
 * was sent with: a refusal at the handshake or, on a connection already
 * open, a reply saying UNAUTHENTICATED. A failed handshake for another
 * reason (the wrong server key) says nothing about the key. */
static bool
key_refused (const Esc__Reply *reply, const esc_error_t *err)
{
    return err->status == ESC_UNAUTHENTICATED
        && (reply || !err->reason || strcmp (err->reason, "HANDSHAKE_FAILED") != 0);
}

/* Whether escd, having answered with STATUS, certainly did not take the
 * key: the request itself was refused, and a repeat gets the same. */
static bool
refused_for_good (esc_status_t status)
{
    switch (status) {
    case ESC_INVALID_ARGUMENT:
    case ESC_NOT_FOUND:
    case ESC_ALREADY_EXISTS:
    case ESC_PERMISSION_DENIED:
    case ESC_FAILED_PRECONDITION:
        return true;
    default:
        return false;
    }
}

/* Asks escd, speaking as KP, for the head of its log (the cheapest read):
 * an answer means escd holds KP. Unless KEY_ACTIVE, ERR says why. */
static key_standing_t
key_standing (const session_t *s, const keypair_t *kp, esc_error_t *err)
{
    char request_id[33];
    transport_request_id (request_id);
    Esc__EventsSince head = ESC__EVENTS_SINCE__INIT;
    head.has_since = head.has_limit = true;     /* since 0, limit 0 */
    Esc__Request req = ESC__REQUEST__INIT;
    req.request_id = request_id;
    req.op_case = ESC__REQUEST__OP_EVENTS_SINCE;
    req.events_since = &head;
    Esc__Reply *reply = session_send (s, kp, &req, err);
    key_standing_t standing = err->status == ESC_OK ? KEY_ACTIVE
                            : key_refused (reply, err) ? KEY_REFUSED : KEY_UNKNOWN;
    if (reply && err->reason)
        err->reason = esc_status_name (err->status);    /* not into the freed reply */
    esc__reply__free_unpacked (reply, NULL);
    return standing;
}

/* ==== Outcomes =========================================================== */

/* Makes the new key ME.key, the old one ME.key.old. ME.key exists at every
 * step (a hard link keeps the old key, then a rename replaces it), so an
 * interrupted switch leaves a usable identity, and a rerun finishes it.
 * Returns the exit code. */
static int
switch_files (const key_files_t *f)
{
    /* where hard links are not to be had, a rename keeps the old key too */
    if ((unlink (f->old) != 0 && errno != ENOENT)
        || (link (f->key, f->old) != 0 && rename (f->key, f->old) != 0)
        || rename (f->next, f->key) != 0) {
        fprintf (stderr, "esc: escd holds the key in %s, but it could not replace %s: %s; "
                 "run the same command again to finish the switch\n",
                 f->next, f->key, strerror (errno));
        return EXIT_REFUSED;
    }
    return EXIT_DONE;
}

/* Switches the files once escd took the key without an answer to show
 * (an earlier try's answer was lost), and says so: in JSON as the user's
 * name and new key. Returns the exit code. */
static int
switch_unanswered (const session_t *s, const char *user, const new_key_t *nk,
                   const key_files_t *f)
{
    int rc = switch_files (f);
    if (rc != EXIT_DONE)
        return rc;
    if (!s->json) {
        printf ("%s now speaks with the key %s (the old one is in %s)\n",
                user, nk->kp.public_key, f->old);
        return rc;
    }
    json_t j;
    json_init (&j);
    json_object_begin (&j);
    json_kv_string (&j, "name", user);
    json_kv_string (&j, "public_key", nk->kp.public_key);
    json_object_end (&j);
    printf ("%s\n", json_text (&j));
    json_release (&j);
    return rc;
}

/* Shows ERR, an undecided outcome, and keeps ME.key.new, saying what a
 * rerun does. Returns the exit code. */
static int
kept (const session_t *s, const char *user, const key_files_t *f, const esc_error_t *err)
{
    /* INVALID_ARGUMENT without an answer is esc's own (a bad endpoint) */
    bool local = err->status == ESC_INVALID_ARGUMENT;
    render_error (err, s->json);
    if (local)
        fprintf (stderr, "esc: nothing reached escd; %s is kept for the next "
                 "'esc user key %s --new'\n", f->next, user);
    else
        fprintf (stderr, "esc: escd may or may not hold the new key; %s is kept: run "
                 "'esc user key %s --new' again to finish the switch\n", f->next, user);
    return local ? EXIT_USAGE : session_exit_code (err->status);
}

/* ==== The switch ========================================================= */

/* A switch begun by an earlier run (NK->earlier): whether it is done
 * already (here or at escd). Returns -1 when the UserKey request is still
 * to be sent, else the exit code. */
static int
resume (const session_t *s, const char *user, const keypair_t *current, const new_key_t *nk,
        const key_files_t *f)
{
    if (strcmp (nk->kp.public_key, current->public_key) == 0) {
        /* a copy of the key already switched to: nothing is lost */
        unlink (f->next);
        fprintf (stderr, "esc: %s already holds the key in %s: the switch was done; "
                 "removed the copy\n", f->key, f->next);
        return EXIT_DONE;
    }
    if (s->request_id && strcmp (s->request_id, nk->request_id) != 0)
        fprintf (stderr, "esc: --request-id %s ignored: the switch keeps its own, %s\n",
                 s->request_id, nk->request_id);
    fprintf (stderr, "esc: finishing the switch to the key in %s (request id %s)\n",
             f->next, nk->request_id);
    esc_error_t e;
    switch (key_standing (s, &nk->kp, &e)) {
    case KEY_ACTIVE:
        fprintf (stderr, "esc: escd holds the new key already\n");
        return switch_unanswered (s, user, nk, f);
    case KEY_REFUSED:
        return -1;              /* not yet: ask for it, as before */
    default:
        return kept (s, user, f, &e);
    }
}

int
userkey_switch (const session_t *s, const char *user, const keypair_t *current)
{
    key_files_t f;
    char err[1500], fresh_id[33];
    config_key_path (&s->config, user, f.key, sizeof f.key);
    snprintf (f.next, sizeof f.next, "%s.new", f.key);
    snprintf (f.old, sizeof f.old, "%s.old", f.key);
    if (s->request_id && name_check_request_id (s->request_id) != 0) {
        fprintf (stderr, "esc: --request-id takes " NAME_REQUEST_ID_RULE "\n");
        return EXIT_USAGE;
    }
    transport_request_id (fresh_id);
    new_key_t nk;
    if (new_key_open (&f, user, s->request_id ? s->request_id : fresh_id, &nk,
                      err, sizeof err) != 0) {
        fprintf (stderr, "esc: cannot %s the new key: %s\n", nk.earlier ? "read" : "make", err);
        if (nk.earlier)
            fprintf (stderr, "esc: %s is left from an earlier 'user key %s --new'; escd may "
                     "hold the key in it, so it is not touched\n", f.next, user);
        return EXIT_REFUSED;
    }
    int rc = nk.earlier ? resume (s, user, current, &nk, &f) : -1;
    if (rc >= 0)
        return rc;

    Esc__UserKey m = ESC__USER_KEY__INIT;
    m.name = (char *) user;
    m.public_key = nk.kp.public_key;
    Esc__Request req = ESC__REQUEST__INIT;
    req.request_id = nk.request_id;
    req.op_case = ESC__REQUEST__OP_USER_KEY;
    req.user_key = &m;
    esc_error_t e;
    Esc__Reply *reply = session_send (s, current, &req, &e);
    if (e.status == ESC_OK) {
        rc = switch_files (&f);
        if (rc == EXIT_DONE)
            render_result (reply, &(render_how_t) { .done = "given a new key", .json = s->json,
                                                    .quiet = s->quiet }, stdout);
    } else if (key_refused (reply, &e)) {
        /* the old key is refused: replaced by this very request (its answer
         * lost), or revoked, or replaced by an admin; the new key tells */
        esc_error_t probe;
        key_standing_t standing = key_standing (s, &nk.kp, &probe);
        render_error (&e, s->json && standing == KEY_REFUSED);
        if (standing == KEY_ACTIVE) {
            fprintf (stderr, "esc: but escd holds the new key: an earlier try went through\n");
            rc = switch_unanswered (s, user, &nk, &f);
        } else if (standing == KEY_REFUSED) {
            fprintf (stderr, "esc: escd admits neither %s's key nor the new one in %s "
                     "(revoked? given another key by an admin?); both are kept\n",
                     user, f.next);
            rc = EXIT_DENIED;
        } else {
            rc = kept (s, user, &f, &probe);
        }
    } else if (reply && refused_for_good (e.status)) {
        render_error (&e, s->json);
        unlink (f.next);        /* escd did not take it, and a repeat is refused too */
        rc = session_exit_code (e.status);
    } else if (!reply && e.status == ESC_INVALID_ARGUMENT && !nk.earlier) {
        render_error (&e, s->json);
        unlink (f.next);        /* esc's own error: nothing was sent */
        rc = EXIT_USAGE;
    } else {
        rc = kept (s, user, &f, &e);    /* no answer, or escd busy: undecided */
    }
    esc__reply__free_unpacked (reply, NULL);
    return rc;
}
