/* watch.h: esc watch, the decision feed's subscriber.
 *
 * The ZeroMQ guide's Clone pattern: subscribe first, then catch up from the
 * request endpoint, then follow the feed. Every event carries its global,
 * gap-free sequence number, so the watcher drops what it already has,
 * notices what it missed (a jump in the sequence, a heartbeat ahead of it,
 * or a silent feed) and fetches it, and so survives a slow consumer, an
 * escd restart or a move to another escd without losing or repeating an
 * event. Filters apply after sequencing, so a filtered watcher never sees
 * a false gap. */
#ifndef ESC_WATCH_H
#define ESC_WATCH_H

#include <stdbool.h>
#include <stdint.h>

#include "args.h"
#include "commands.h"
#include "esc.pb-c.h"
#include "keys.h"

/* What a watcher shows: events matching every filter given (NULL: any).
 * TYPE matches exactly, or as a prefix when it ends with '*' or '.'. */
typedef struct {
    const char *quarter;
    const char *type;
    const char *account;
} watch_filter_t;

bool watch_filter_match (const watch_filter_t *f, const Esc__Event *e);

/* What to do with event SEQ when everything up to CURSOR is handled. */
typedef enum {
    WATCH_NEXT,                 /* seq == cursor + 1: handle it */
    WATCH_DUPLICATE,            /* seq <= cursor: already handled, drop it */
    WATCH_GAP,                  /* seq > cursor + 1: fetch what is missing first */
} watch_step_t;

watch_step_t watch_step (int64_t cursor, int64_t seq);

/* esc watch [--since SEQ] [--quarter Q] [--type T] [--account A] [--exec CMD]
 * [--exec-tries N] [--state FILE] [--queue N]: follows the feed until SIGINT or SIGTERM
 * (exit 0). Exits 4 when the key is refused, 1 when --exec kept failing,
 * 2 for a bad state file. Speaks as USER, with KP. */
int watch_run (const session_t *s, const args_t *a, const char *user, const keypair_t *kp);

#endif
