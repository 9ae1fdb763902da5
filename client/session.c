/* session.c: sending one request as the session's identity. */
#include "session.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "names.h"
#include "ops.h"
#include "render.h"
#include "transport.h"
#include "wire.h"

int
session_exit_code (int status)
{
    switch (status) {
    case ESC_OK: return EXIT_DONE;
    case ESC_NOT_FOUND: return EXIT_NOT_FOUND;
    case ESC_PERMISSION_DENIED:
    case ESC_UNAUTHENTICATED: return EXIT_DENIED;
    case ESC_UNAVAILABLE: return EXIT_UNREACHABLE;
    case ESC_RESOURCE_EXHAUSTED: return EXIT_LIMITED;
    default: return EXIT_REFUSED;
    }
}

Esc__Reply *
session_send (const session_t *s, const keypair_t *kp, Esc__Request *req, esc_error_t *err)
{
    req->has_version = true;
    req->version = ESC_PROTOCOL_VERSION;
    transport_t *t = transport_new (s->config.endpoint, s->config.server_key, kp,
                                    s->config.timeout_ms, s->config.retries);
    esc_error_clear (err);
    Esc__Reply *reply = transport_call (t, req, err);
    transport_destroy (&t);
    if (reply && reply->status != ESC__STATUS__OK)
        esc_fail (err, (esc_status_t) reply->status, reply->reason,
                  "%s", reply->message ? reply->message : "");
    return reply;
}

/* Appends to E's message what FMT says, if it fits. */
static void
append (esc_error_t *e, const char *fmt, ...)
{
    size_t used = strlen (e->message);
    va_list ap;
    va_start (ap, fmt);
    if (used < sizeof e->message)
        vsnprintf (e->message + used, sizeof e->message - used, fmt, ap);
    va_end (ap);
}

void
session_unanswered (const session_t *s, const Esc__Request *req, esc_error_t *e)
{
    append (e, "; is escd running at %s, and is server-key the public key escd init printed?",
            s->config.endpoint);
    /* a write may or may not have been applied: its request id asks */
    if (ops_writes (req))
        append (e, " The request may have been applied: rerun with --request-id %s to get "
                "its answer", req->request_id);
}

Esc__Reply *
session_call_unless (const session_t *s, const keypair_t *kp, Esc__Request *req,
                     const char *keep, int *rc)
{
    char request_id[33];
    if (s->request_id && name_check_request_id (s->request_id) != 0) {
        fprintf (stderr, "esc: --request-id takes " NAME_REQUEST_ID_RULE "\n");
        *rc = EXIT_USAGE;
        return NULL;
    }
    transport_request_id (request_id);
    req->request_id = s->request_id ? (char *) s->request_id : request_id;
    esc_error_t e;
    Esc__Reply *reply = session_send (s, kp, req, &e);
    if (e.status == ESC_UNAVAILABLE && !reply)
        session_unanswered (s, req, &e);
    *rc = session_exit_code (e.status);
    if (e.status == ESC_OK || (reply && keep && e.reason && strcmp (e.reason, keep) == 0))
        return reply;
    render_error (&e, s->json);
    /* a local error before anything was sent is a usage error */
    if (!reply && e.status == ESC_INVALID_ARGUMENT)
        *rc = EXIT_USAGE;
    esc__reply__free_unpacked (reply, NULL);
    return NULL;
}

Esc__Reply *
session_call (const session_t *s, const keypair_t *kp, Esc__Request *req, int *rc)
{
    return session_call_unless (s, kp, req, NULL, rc);
}
