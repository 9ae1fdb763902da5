/* endpoint.h: escd's network face: the request ROUTER, the feed's ROUTER,
 * the metrics' HTTP socket and the loop that serves them.
 *
 * One loop on one thread with one database connection, and a reader
 * thread with another for the heavy reads (reader.h). The loop waits on
 * the ROUTER, the feed, the ZAP handler, the guard's monitors, the reader
 * and the database's socket (LISTEN). When requests arrive it takes those
 * waiting (up to a batch, each user at most a small share of it: the rest
 * of a user's requests wait for the next batch), answers the light reads
 * in one read-only snapshot, hands the heavy ones to the reader, and
 * answers the writes in one transaction (each request in its own
 * savepoint, so each stands or falls alone), committed once before their
 * replies go: an acknowledged write is a committed write. Then the feed publishes what committed, here or,
 * woken by NOTIFY, on another escd. Once a minute escd prunes its request
 * log. With --metrics it serves GET /metrics to Prometheus from the same
 * loop (metrics.h, http.h). SIGTERM and SIGINT finish the requests in
 * hand, then stop. SIGHUP asks the caller for the settings anew (reload)
 * and applies those that can change while escd serves. */
#ifndef ESC_ENDPOINT_H
#define ESC_ENDPOINT_H

#include <stdint.h>

#include "keys.h"

typedef struct endpoint_config endpoint_config_t;

/* Fills NEXT with the settings to serve with from now on (NEXT holds the
 * present ones when called). Returns 0, or -1 having logged why (escd goes
 * on as it was). */
typedef int (*endpoint_reload_t) (void *arg, endpoint_config_t *next);

/* What escd serves with. On SIGHUP the fields marked "live" take the
 * values RELOAD gives at once; the others are read once, at the start. */
struct endpoint_config {
    const char *db_url;         /* NULL: the PG* variables */
    const char *bind;           /* request endpoint, tcp://127.0.0.1:7770 */
    const char *feed;           /* feed endpoint, tcp://127.0.0.1:7771 */
    const char *metrics;        /* the metrics' HTTP endpoint, tcp://127.0.0.1:9770;
                                   NULL: none */
    keypair_t server_key;       /* the server's CURVE keypair */
    int batch_max;              /* live: requests per transaction, >= 1 */
    int feed_hwm;               /* events queued per subscriber; 0: default */
    int feed_per_user;          /* live: feed subscriptions of one user; 0: default */
    int feed_max;               /* live: feed subscriptions in all; 0: default */
    int64_t write_rate;         /* live: bytes one user may write a minute; 0: no limit */
    int request_log_days;       /* live: days the request log keeps an answer; 0: for good */
    int64_t max_memory;         /* live: bytes in use past which a connection is cut;
                                   0: never */
    int64_t log_rate;           /* live: log lines a minute per user; 0: no limit */
    endpoint_reload_t reload;   /* on SIGHUP; NULL: SIGHUP changes nothing */
    void *reload_arg;
};

/* Serves until SIGTERM or SIGINT. Returns 0 after a clean stop, or 1 with
 * the reason on stderr when it could not start. */
int endpoint_run (const endpoint_config_t *config);

#endif
