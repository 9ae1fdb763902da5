/* ops.h: what esc and escd both need to know of a request's operation.
 *
 * Whether a request changes state decides, at escd, whether it takes the
 * sequence lock, is logged under its request id and answered once (a
 * retry with the same id gets the first answer), and at esc, whether a
 * request that got no answer is worth rerunning with --request-id to learn
 * what became of it. A read has nothing to learn: it is simply asked again.
 * escd's workflow table says it per operation (workflow_changes_state);
 * this is the same answer for a whole request, which also knows a dry run
 * (an import that only checks its rows). The unit tests hold the two to
 * agree for every operation of the wire. */
#ifndef ESC_OPS_H
#define ESC_OPS_H

#include <stdbool.h>

#include "esc.pb-c.h"

/* True when REQ is an account import that only checks its rows. */
bool ops_dry_run (const Esc__Request *req);

/* True when REQ changes state: every operation but the reads (the lists,
 * show, history, account show, roadmap show, report, the feed's catch-up,
 * status) and a dry run. An
 * operation this build does not know counts as a write: the cautious
 * answer, since a write's retry advice is harmless for a read. */
bool ops_writes (const Esc__Request *req);

#endif
