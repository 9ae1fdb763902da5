/* watch.c: esc watch, the decision feed's subscriber. See watch.h. */
#include "watch.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <zmq.h>

#include "colour.h"
#include "json.h"
#include "proc.h"
#include "render.h"
#include "transport.h"
#include "wire.h"

#define CATCH_UP_PAGE 1000

/* ==== Deciding what to show (no I/O) ===================================== */

static bool
type_matches (const char *pattern, const char *type)
{
    size_t n = strlen (pattern);
    if (n > 0 && (pattern[n - 1] == '*' || pattern[n - 1] == '.')) {
        size_t prefix = pattern[n - 1] == '*' ? n - 1 : n;
        return strncmp (pattern, type, prefix) == 0;
    }
    return strcmp (pattern, type) == 0;
}

bool
watch_filter_match (const watch_filter_t *f, const Esc__Event *e)
{
    if (f->quarter && (!e->quarter || strcmp (f->quarter, e->quarter) != 0))
        return false;
    if (f->account && (!e->account || strcmp (f->account, e->account) != 0))
        return false;
    if (f->type && (!e->type || !type_matches (f->type, e->type)))
        return false;
    return true;
}

watch_step_t
watch_step (int64_t cursor, int64_t seq)
{
    if (seq <= cursor)
        return WATCH_DUPLICATE;
    return seq == cursor + 1 ? WATCH_NEXT : WATCH_GAP;
}

/* ==== The watcher ======================================================== */

typedef struct {
    const session_t *s;
    watch_filter_t filter;
    const char *exec;           /* --exec CMD */
    const char *state;          /* --state FILE */
    int64_t retries;            /* --exec-tries: tries before giving up */
    int64_t queue;              /* --queue: feed messages buffered; 0: default */
    transport_t *t;
    int64_t cursor;             /* every event up to here is handled */
    int64_t saved;              /* the cursor the state file holds */
    bool waiting;               /* said that escd is unreachable */
    bool colour;                /* overrides in red (colour.h) */
} watcher_t;

/* Exit codes of a watcher that must stop. */
enum { GO_ON = -1 };

/* Sleeps MS milliseconds unless asked to stop. */
static void
pause_ms (long ms)
{
    struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
    while (!proc_stopping () && nanosleep (&ts, &ts) != 0 && errno == EINTR)
        ;
}

/* ---- The state file: the cursor, written atomically ---------------------*/

static int
load_state (const char *path, int64_t *cursor)
{
    FILE *f = fopen (path, "r");
    if (!f)
        return errno == ENOENT ? 0 : -1;
    long long v;
    int ok = fscanf (f, "%lld", &v) == 1 && v >= 0;
    fclose (f);
    if (!ok)
        return -1;
    *cursor = v;
    return 1;
}

static void
save_state (watcher_t *w)
{
    if (!w->state || w->saved == w->cursor)
        return;
    char tmp[4200];
    snprintf (tmp, sizeof tmp, "%s.tmp", w->state);
    /* written, flushed to disk, then renamed over the old one: a crash
     * leaves the old number or the new, never an empty file */
    FILE *f = fopen (tmp, "w");
    if (!f || fprintf (f, "%lld\n", (long long) w->cursor) < 0 || fflush (f) != 0
        || fsync (fileno (f)) != 0 || fclose (f) != 0 || rename (tmp, w->state) != 0) {
        fprintf (stderr, "esc watch: cannot write %s: %s\n", w->state, strerror (errno));
        return;
    }
    w->saved = w->cursor;
}

/* ---- Delivering one event ----------------------------------------------*/

extern char **environ;

/* The environment of an --exec command: ours, and the event's seq and type.
 * Built before fork: a child of a threaded process may only exec. */
static char **
exec_environment (const Esc__Event *e, char *seq, size_t seqlen, char *type, size_t typelen)
{
    size_t n = 0;
    while (environ[n])
        n++;
    char **env = calloc (n + 3, sizeof *env);
    if (!env)
        abort ();
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (strncmp (environ[i], "ESC_EVENT_SEQ=", 14) != 0
            && strncmp (environ[i], "ESC_EVENT_TYPE=", 15) != 0)
            env[k++] = environ[i];
    snprintf (seq, seqlen, "ESC_EVENT_SEQ=%lld", (long long) e->seq);
    snprintf (type, typelen, "ESC_EVENT_TYPE=%s", e->type ? e->type : "");
    env[k++] = seq;
    env[k++] = type;
    env[k] = NULL;
    return env;
}

/* Runs the --exec command once with JSON on its standard input. Returns its
 * exit status (127 when it could not start). A stop asked meanwhile is
 * passed on to the command's process group, and then waited for. */
static int
exec_once (const char *cmd, const Esc__Event *e, const char *json)
{
    char seq[48], type[160];
    char **env = exec_environment (e, seq, sizeof seq, type, sizeof type);
    int fds[2];
    if (pipe (fds) != 0) {
        free (env);
        return 127;
    }
    pid_t pid = fork ();
    if (pid < 0) {
        close (fds[0]);
        close (fds[1]);
        free (env);
        return 127;
    }
    if (pid == 0) {
        setpgid (0, 0);
        signal (SIGPIPE, SIG_DFL);
        dup2 (fds[0], STDIN_FILENO);
        close (fds[0]);
        close (fds[1]);
        char *const argv[] = { "sh", "-c", (char *) cmd, NULL };
        execve ("/bin/sh", argv, env);
        _exit (127);
    }
    free (env);
    close (fds[0]);
    size_t len = strlen (json), off = 0;
    bool stop_passed = false;
    while (off < len) {         /* a command that ignores its input: fine */
        ssize_t n = write (fds[1], json + off, len - off);
        if (n < 0 && errno == EINTR && !proc_stopping ())
            continue;
        if (n <= 0)
            break;
        off += (size_t) n;
    }
    if (off == len && write (fds[1], "\n", 1) < 0) {
        /* the command closed its input early; its exit status decides */
    }
    close (fds[1]);
    int status;
    while (waitpid (pid, &status, 0) < 0) {
        if (errno != EINTR)
            return 127;
        if (proc_stopping () && !stop_passed) {
            kill (-pid, SIGTERM);
            stop_passed = true;
        }
    }
    return WIFEXITED (status) ? WEXITSTATUS (status) : 128 + WTERMSIG (status);
}

/* Hands E to --exec, retrying with backoff. Returns GO_ON when it was
 * delivered, EXIT_DONE when a stop was asked before it was, or EXIT_REFUSED
 * (reported) when the last try failed. */
static int
exec_event (watcher_t *w, const Esc__Event *e, const char *json)
{
    long backoff = 500;
    int status = 0;
    for (int64_t attempt = 1; attempt <= w->retries; attempt++) {
        if (proc_stopping ())
            return EXIT_DONE;
        status = exec_once (w->exec, e, json);
        if (status == 0)
            return GO_ON;
        if (proc_stopping ())
            return EXIT_DONE;           /* stopped mid-command: not delivered */
        if (attempt < w->retries) {
            fprintf (stderr, "esc watch: event %lld: '%s' exited %d (try %lld of %lld); "
                     "again in %.1f s\n", (long long) e->seq, w->exec, status,
                     (long long) attempt, (long long) w->retries, backoff / 1000.0);
            pause_ms (backoff);
            backoff = backoff * 2 < 8000 ? backoff * 2 : 8000;
        }
    }
    fprintf (stderr, "esc: EXEC_FAILED: event %lld: '%s' failed %lld time%s (last exit %d); "
             "it was not delivered\n", (long long) e->seq, w->exec, (long long) w->retries,
             w->retries == 1 ? "" : "s", status);
    return EXIT_REFUSED;
}

/* Handles event E, the one after the cursor: shows it (or hands it to
 * --exec) when it passes the filters, then moves the cursor past it.
 * Returns GO_ON, or the exit code when the watcher must stop. */
static int
handle (watcher_t *w, const Esc__Event *e)
{
    if (watch_filter_match (&w->filter, e)) {
        json_t j;
        json_init (&j);
        if (w->exec || w->s->json)
            render_event_json (&j, e);
        int rc = GO_ON;
        if (w->exec)
            rc = exec_event (w, e, json_text (&j));
        else {
            if (w->s->json)
                printf ("%s\n", json_text (&j));
            else
                render_event_line (stdout, e, w->colour);
            if (fflush (stdout) != 0)
                rc = EXIT_DONE;         /* the reader went away: so do we */
        }
        json_release (&j);
        if (rc != GO_ON)
            return rc;
        w->cursor = e->seq;
        save_state (w);         /* delivered: a restart resumes after it */
        return GO_ON;
    }
    w->cursor = e->seq;         /* saved lazily: nothing was delivered */
    return GO_ON;
}

/* ---- Catching up from the request endpoint ------------------------------*/

/* Asks escd for the events after the cursor (LIMIT of them). Returns the
 * reply, or NULL with ERR. */
static Esc__Reply *
fetch (watcher_t *w, int64_t limit, esc_error_t *err)
{
    char id[33];
    transport_request_id (id);
    Esc__EventsSince since = ESC__EVENTS_SINCE__INIT;
    since.has_since = since.has_limit = true;
    since.since = w->cursor;
    since.limit = limit;
    Esc__Request req = ESC__REQUEST__INIT;
    req.request_id = id;
    req.has_version = true;
    req.version = ESC_PROTOCOL_VERSION;
    req.op_case = ESC__REQUEST__OP_EVENTS_SINCE;
    req.events_since = &since;
    Esc__Reply *reply = transport_call (w->t, &req, err);
    if (reply && (reply->status != ESC__STATUS__OK
                  || reply->result_case != ESC__REPLY__RESULT_EVENTS)) {
        /* ERR outlives the reply: its reason is copied (err->reason is
         * never freed, so one buffer for the watch's one thread) */
        static char reason[48];
        snprintf (reason, sizeof reason, "%s", reply->reason ? reply->reason : "BAD_REPLY");
        esc_fail (err, (esc_status_t) reply->status, reason,
                  "%s", reply->message ? reply->message : "no events in the reply");
        esc__reply__free_unpacked (reply, NULL);
        reply = NULL;
    }
    return reply;
}

/* Fetches pages until the cursor reaches the head of the log, handling
 * each event. An unreachable escd is waited for (a restart is not the end
 * of a watch). With HEAD_ONLY the cursor jumps to the head unhandled.
 * Returns GO_ON, or an exit code. */
static int
catch_up (watcher_t *w, bool head_only)
{
    long backoff = 200;
    while (!proc_stopping ()) {
        esc_error_t err;
        esc_error_clear (&err);
        Esc__Reply *reply = fetch (w, head_only ? 0 : CATCH_UP_PAGE, &err);
        if (!reply) {
            if (err.status == ESC_UNAUTHENTICATED || err.status == ESC_PERMISSION_DENIED
                || err.status == ESC_INVALID_ARGUMENT) {
                fprintf (stderr, "esc: %s: %s\n", err.reason, err.message);
                return err.status == ESC_INVALID_ARGUMENT ? EXIT_USAGE : EXIT_DENIED;
            }
            if (!w->waiting)
                fprintf (stderr, "esc watch: waiting for escd (%s: %s)\n", err.reason, err.message);
            w->waiting = true;
            pause_ms (backoff);
            backoff = backoff * 2 < 2000 ? backoff * 2 : 2000;
            continue;
        }
        if (w->waiting)
            fprintf (stderr, "esc watch: escd answers again; catching up from event %lld\n",
                     (long long) w->cursor);
        w->waiting = false;
        const Esc__EventList *page = reply->events;
        int rc = GO_ON;
        if (head_only)
            w->cursor = page->last_seq;
        if (page->last_seq < w->cursor) {
            /* the events past the log's end are gone, and new ones will
             * take their numbers: going on would skip those silently */
            long long head = page->last_seq, at = w->cursor;
            if (w->state)
                fprintf (stderr, "esc: LOG_BEHIND: the event log ends at %lld but this watcher "
                         "is at %lld: the database was restored from a backup or failed over "
                         "to a copy without events %lld to %lld (or %s is of another "
                         "database), and new events will reuse those numbers. To follow the "
                         "log from its end: remove %s, then esc watch --since %lld\n",
                         head, at, head + 1, at, w->state, w->state, head);
            else
                fprintf (stderr, "esc: LOG_BEHIND: the event log ends at %lld but this watcher "
                         "is at %lld: the database was restored from a backup or failed over "
                         "to a copy without events %lld to %lld (or --since named events it "
                         "never had), and new events will reuse those numbers. To follow the "
                         "log from its end: esc watch --since %lld\n",
                         head, at, head + 1, at, head);
            esc__reply__free_unpacked (reply, NULL);
            return EXIT_REFUSED;
        }
        for (size_t i = 0; i < page->n_events && rc == GO_ON; i++)
            if (watch_step (w->cursor, page->events[i]->seq) == WATCH_NEXT)
                rc = handle (w, page->events[i]);
        bool done = head_only || page->scanned_to >= page->last_seq;
        if (rc == GO_ON && page->scanned_to > w->cursor)
            w->cursor = page->scanned_to;       /* a page of filtered-out events */
        esc__reply__free_unpacked (reply, NULL);
        save_state (w);
        if (rc != GO_ON)
            return rc;
        if (done)
            return GO_ON;
    }
    return GO_ON;
}

/* ---- Following the feed -------------------------------------------------*/

/* Reads one feed message and acts on it. Returns GO_ON or an exit code. */
static int
on_message (watcher_t *w)
{
    zmq_msg_t topic, payload;
    zmq_msg_init (&topic);
    zmq_msg_init (&payload);
    int rc = GO_ON;
    if (zmq_msg_recv (&topic, transport_feed (w->t), 0) < 0)
        goto done;
    if (!zmq_msg_more (&topic) || zmq_msg_recv (&payload, transport_feed (w->t), 0) < 0)
        goto done;
    while (zmq_msg_more (&payload)) {            /* a longer message: keep the second frame */
        zmq_msg_t extra;
        zmq_msg_init (&extra);
        int got = zmq_msg_recv (&extra, transport_feed (w->t), 0);
        bool more = got >= 0 && zmq_msg_more (&extra);
        zmq_msg_close (&extra);
        if (!more)
            break;
    }
    size_t tlen = zmq_msg_size (&topic);
    const char *t = zmq_msg_data (&topic);
    const uint8_t *data = zmq_msg_data (&payload);
    size_t len = zmq_msg_size (&payload);
    if (tlen == strlen (ESC_FEED_TOPIC_EVENT) && memcmp (t, ESC_FEED_TOPIC_EVENT, tlen) == 0) {
        Esc__Event *e = esc__event__unpack (NULL, len, data);
        if (!e || !e->has_seq) {
            esc__event__free_unpacked (e, NULL);
            goto done;
        }
        switch (watch_step (w->cursor, e->seq)) {
        case WATCH_DUPLICATE:
            break;
        case WATCH_GAP:
            fprintf (stderr, "esc watch: events %lld to %lld did not come on the feed; "
                     "fetching them\n", (long long) w->cursor + 1, (long long) e->seq - 1);
            rc = catch_up (w, false);           /* it also covers E */
            if (rc != GO_ON || watch_step (w->cursor, e->seq) != WATCH_NEXT)
                break;
            /* the log stopped just short of E */
            __attribute__ ((fallthrough));
        case WATCH_NEXT:
            rc = handle (w, e);
            break;
        }
        esc__event__free_unpacked (e, NULL);
    }
    else if (tlen == strlen (ESC_FEED_TOPIC_HEARTBEAT)
             && memcmp (t, ESC_FEED_TOPIC_HEARTBEAT, tlen) == 0) {
        Esc__Heartbeat *hb = esc__heartbeat__unpack (NULL, len, data);
        if (hb && hb->has_last_seq && hb->last_seq > w->cursor) {
            fprintf (stderr, "esc watch: the feed is at event %lld, this watcher at %lld; "
                     "fetching the rest\n", (long long) hb->last_seq, (long long) w->cursor);
            rc = catch_up (w, false);           /* we missed the tail */
        }
        else if (hb && hb->has_last_seq && hb->last_seq < w->cursor)
            /* the feed is behind us: an escd still catching up, or a
             * database that went back in time (restored, failed over),
             * whose new events would look like duplicates. The log
             * tells them apart: LOG_BEHIND, or nothing to fetch. */
            rc = catch_up (w, false);
        esc__heartbeat__free_unpacked (hb, NULL);
        save_state (w);
    }
    else if (tlen == strlen (ESC_FEED_TOPIC_ERROR)
             && memcmp (t, ESC_FEED_TOPIC_ERROR, tlen) == 0) {
        /* escd ends this subscription, and says why */
        Esc__Reply *r = esc__reply__unpack (NULL, len, data);
        int status = r ? (int) r->status : ESC_INTERNAL;
        fprintf (stderr, "esc: %s: the feed ended this subscription: %s\n",
                 r && r->reason ? r->reason : "FEED_ERROR",
                 r && r->message ? r->message : "no reason given");
        esc__reply__free_unpacked (r, NULL);
        rc = session_exit_code (status);
    }
done:
    zmq_msg_close (&topic);
    zmq_msg_close (&payload);
    return rc;
}

/* Subscribes, catches up, then follows until stopped. */
static int
follow (watcher_t *w, bool from_head)
{
    esc_error_t err;
    esc_error_clear (&err);
    /* subscribe first: what commits during the catch-up arrives on the feed */
    if (transport_subscribe (w->t, w->s->config.feed, (int) w->queue, &err)) {
        fprintf (stderr, "esc: %s: %s\n", err.reason, err.message);
        return EXIT_USAGE;
    }
    int rc = catch_up (w, from_head);
    double heard = proc_now_ms ();
    while (rc == GO_ON && !proc_stopping ()) {
        long wait = (long) (heard + ESC_FEED_SILENCE_MS - proc_now_ms ());
        zmq_pollitem_t items[] = {
            { transport_feed (w->t), 0, ZMQ_POLLIN, 0 },
            { transport_feed_monitor (w->t), 0, ZMQ_POLLIN, 0 },
        };
        int n = zmq_poll (items, items[1].socket ? 2 : 1, wait > 0 ? wait : 0);
        if (n < 0 && errno != EINTR)
            break;
        if (n > 0 && (items[0].revents & ZMQ_POLLIN)) {
            rc = on_message (w);
            heard = proc_now_ms ();     /* after: a catch-up or --exec takes time */
        }
        if (n > 0 && items[1].socket && (items[1].revents & ZMQ_POLLIN)
            && transport_feed_trouble (w->t, &err)) {
            fprintf (stderr, "esc: %s: %s\n", err.reason, err.message);
            return EXIT_DENIED;
        }
        /* a poll that slept through a pause of this process returns 0 late:
         * one more short look before calling the feed silent */
        if (n == 0 && proc_now_ms () - heard >= ESC_FEED_SILENCE_MS && !proc_stopping ()
            && zmq_poll (items, 1, 250) == 0) {
            /* no event and no heartbeat: the feed is cut off, or escd is
             * gone; a fresh subscription and a catch-up cover both */
            fprintf (stderr, "esc watch: no word from the feed for %.1f s; reconnecting\n",
                     ESC_FEED_SILENCE_MS / 1000.0);
            if (transport_subscribe (w->t, w->s->config.feed, (int) w->queue, &err) != 0) {
                fprintf (stderr, "esc: %s: %s\n", err.reason, err.message);
                return EXIT_USAGE;
            }
            rc = catch_up (w, false);
            heard = proc_now_ms ();
        }
    }
    save_state (w);
    return rc == GO_ON ? EXIT_DONE : rc;
}

int
watch_run (const session_t *s, const args_t *a, const char *user, const keypair_t *kp)
{
    (void) user;
    watcher_t w = {
        .s = s,
        .filter = { .quarter = args_text (a, "quarter"), .type = args_text (a, "type"),
                    .account = args_text (a, "account") },
        .exec = args_text (a, "exec"),
        .state = args_text (a, "state"),
        .retries = 5,
        .colour = colour_wanted (stdout),
    };
    if (args_int (a, "exec-tries", &w.retries) && (w.retries < 1 || w.retries > 100)) {
        fprintf (stderr, "esc watch: --exec-tries takes 1 to 100\n");
        return EXIT_USAGE;
    }
    if (args_int (a, "queue", &w.queue) && (w.queue < 1 || w.queue > 1000000)) {
        fprintf (stderr, "esc watch: --queue takes 1 to 1000000\n");
        return EXIT_USAGE;
    }
    int64_t since;
    bool has_since = args_int (a, "since", &since);
    if (has_since && since < 0) {
        fprintf (stderr, "esc watch: --since takes a sequence number, 0 or more\n");
        return EXIT_USAGE;
    }
    /* a state file, once written, is where a restarted watcher resumes */
    int loaded = w.state ? load_state (w.state, &w.cursor) : 0;
    if (loaded < 0) {
        fprintf (stderr, "esc watch: %s does not hold a sequence number\n", w.state);
        return EXIT_USAGE;
    }
    if (!loaded && has_since)
        w.cursor = since;
    w.saved = w.cursor;

    proc_trap_stop ();

    w.t = transport_new (s->config.endpoint, s->config.server_key, kp, s->config.timeout_ms,
                         s->config.retries);
    int rc = follow (&w, !loaded && !has_since);
    transport_destroy (&w.t);
    return rc;
}
