/* desk.h: the escalation desk: one request in, one reply out.
 *
 * The desk decodes and validates a request, finds who is asking by the key
 * the connection was admitted with (on every request, against the users
 * of that moment: remembered while their version stands, so that a key
 * replaced or revoked a moment ago no longer works), asks the workflow
 * whether the action may go ahead, writes what was decided through the
 * store together with one event, and packs the reply. A state-changing
 * request is answered once: its reply is logged under the user's request
 * id with a digest of its bytes, and a retry gets the logged reply back
 * without changing anything. Only what was authorised is logged, and each
 * user's writes are held to a rate (quota.h). desk_batch_begin opens the
 * transaction of a batch of requests, and the caller commits it; the desk
 * wraps each change in a savepoint so that a refused or failed request
 * leaves nothing behind. */
#ifndef ESC_DESK_H
#define ESC_DESK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "esc.pb-c.h"
#include "metrics.h"
#include "status.h"
#include "store.h"
#include "workflow.h"

typedef struct desk desk_t;

typedef struct {
    int64_t write_rate;         /* bytes a user may write a minute; 0: no limit */
    int64_t started_at;         /* when escd started, seconds since the epoch:
                                   its status says it */
    const metrics_t *metrics;   /* what escd counted, for its status; NULL:
                                   status leaves those fields out. Only the
                                   loop's desk may have it: the loop alone
                                   touches it */
} desk_config_t;

/* One request as it came in: its bytes, and what they decode to. */
typedef struct {
    const uint8_t *data;        /* the caller's, kept until answered */
    size_t len;
    Esc__Request *req;          /* NULL when it does not decode */
    op_t op;                    /* OP_COUNT when not known */
    bool valid;                 /* passed validation; else ERR says why */
    esc_error_t err;
} desk_request_t;

typedef struct {
    uint8_t *reply;             /* packed esc.Reply, malloc'd: caller frees */
    size_t reply_len;
    const char *op;             /* operation name for the log, or "?" */
    char user[64];              /* who asked, once known; "" before */
    esc_status_t status;
    char reason[48];            /* "" when OK */
    bool changed;               /* an event was written */
    bool retried;               /* answered from the request log */
    bool remembered;            /* a read answered from memory (answered.h) */
    int64_t head;               /* a read's: the event head it was answered
                                   at (-1: unknown) */
    int64_t started;            /* ... and when its snapshot began (s since
                                   the epoch, by the database's clock) */
} desk_answer_t;

desk_t *desk_new (store_t *store, const desk_config_t *config);
void desk_destroy (desk_t **self_p);
/* Holds each user's writes to RATE bytes a minute from now on (0: no
 * limit), as a reload of escd's settings asks. */
void desk_set_write_rate (desk_t *self, int64_t rate);

/* Decodes and validates DATA (LEN bytes, kept by the caller) into R. */
void desk_decode (const uint8_t *data, size_t len, desk_request_t *r);
/* Frees what desk_decode made. */
void desk_request_release (desk_request_t *r);
/* True when R is a valid request that changes state (an import's dry run
 * does not). */
bool desk_request_writes (const desk_request_t *r);

typedef struct desk_run desk_run_t;
/* Opens a transaction with BEGIN_SQL and a batch in it, in one round
 * trip: for a batch of changes (WRITES), takes the sequence lock, held to
 * commit, which serialises every writer of every escd, and looks up the
 * request log for the N changes of LOOKUPS (key and request id given;
 * the array stays the caller's until desk_batch_end); either way learns
 * whether users changed since the desk last looked (sql/023), so that the
 * keys it remembers are those of the moment the batch commits. Returns 0,
 * or -1 with ERR (the database's; a transaction may be left open, failed:
 * the caller rolls it back). */
int desk_batch_begin (desk_t *self, const char *begin_sql, bool writes,
                      batch_lookup_t *lookups, size_t n, desk_run_t *ahead, esc_error_t *err);
/* A batch of changes that desk_batch_begin may answer as it opens it, in
 * the same round trip (AHEAD; NULL: none), when all of them are filings
 * it can admit from memory: the N of KEYS, REQS and OUTS as
 * desk_answer_batch's. ANSWERED says whether it did; if not, the caller
 * answers them (desk_answer_batch). Either way the caller commits next. */
struct desk_run {
    const char **keys;
    const desk_request_t **reqs;
    desk_answer_t **outs;
    size_t n;
    bool answered;
};
/* Closes the batch: the caller committed or rolled back. */
void desk_batch_end (desk_t *self);
/* The event head the last batch saw (-1: none yet). */
int64_t desk_head (const desk_t *self);

/* Whether read R's answer may be kept and given again (answered.h). */
bool desk_read_kept (const desk_request_t *r);
/* Answers read R (sent on a connection admitted with KEY) from memory into
 * OUT, as desk_answer would, when this desk answered it, or learnt its
 * answer, at the open read batch's head (answered.h). False, OUT
 * untouched, otherwise: the caller answers it another way. */
bool desk_answer_again (desk_t *self, const char *key, const desk_request_t *r,
                        desk_answer_t *out);
/* What answers from memory stood on: the event head, the users version,
 * the time and the connection they were found at (desk_answer_kept). */
typedef struct {
    int64_t head, users_version, started, connection;
} desk_stamp_t;
/* Answers the N reads REQS (REQS[i] sent on a connection admitted with
 * KEYS[i]) from memory into OUTS, outside any batch and transaction, when
 * each was answered (or learnt) at the head the last batch of reads saw,
 * for a user the desk remembers: true, with what they stand on in *AT.
 * They may be replied to only once the database, asked after they came
 * (store_peek_post), says they stand (desk_kept_stand); else they are
 * dropped (desk_kept_drop) and answered another way. False, the OUTS it
 * filled zeroed again, when any is not so (or the last batch was one of
 * changes): the caller opens a batch. */
bool desk_answer_kept (desk_t *self, const char **keys, const desk_request_t **reqs,
                       desk_answer_t **outs, int n, desk_stamp_t *at);
/* Whether answers found at AT stand by NOW, the event head, the users
 * version and the time read after they were found, on the same
 * connection, which still takes writes. */
bool desk_kept_stand (desk_t *self, const desk_stamp_t *at, const store_head_t *now);
/* NOW, read outside any batch, says the head and users are still what the
 * desk saw: the desk's time moves on to NOW's, so that a new quarter of an
 * hour does not leave it without kept answers until a batch of light
 * reads comes (heavy reads alone are answered by the reader). */
void desk_kept_advance (desk_t *self, const store_head_t *now);
/* Frees the N answers OUTS and zeroes them. */
void desk_kept_drop (desk_answer_t **outs, int n);
/* Learns OUT, another desk's answer to read R, for desk_answer_again: kept
 * when it was answered at the head this desk's last read batch saw. */
void desk_learn (desk_t *self, const desk_request_t *r, const desk_answer_t *out);

/* Answers R, sent on a connection admitted with KEY (Z85), inside the
 * caller's open transaction and batch (a read-only one will do for a
 * request that does not write). Always produces a reply in OUT. A read
 * that fails leaves the transaction failed (store_in_failed_transaction):
 * the caller rolls back and begins again before the next request. */
void desk_answer (desk_t *self, const char *key, const desk_request_t *r, desk_answer_t *out);

/* Answers the N requests of a batch of changes, REQS[i] (sent with
 * KEYS[i]) into OUTS[i], in their order, as desk_answer would one by one:
 * a run of filings together, in a few statements for all (when one of
 * them fails, all of the run is rolled back and answered one by one). The
 * last change's log is held for the COMMIT's round trip: the caller
 * commits next, and a failure of the COMMIT is that log's too. */
void desk_answer_batch (desk_t *self, const char **keys, const desk_request_t **reqs,
                        desk_answer_t **outs, size_t n);

/* Replaces OUT's reply by an error reply for R (used when a batch fails to
 * commit, or a request never reached the desk). */
void desk_error_reply (const desk_request_t *r, const esc_error_t *err, desk_answer_t *out);

#endif
