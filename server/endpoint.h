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
 * hand, then stop. */
#ifndef ESC_ENDPOINT_H
#define ESC_ENDPOINT_H

#include <stdint.h>

#include "keys.h"

typedef struct {
    const char *db_url;         /* NULL: the PG* variables */
    const char *bind;           /* request endpoint, tcp://127.0.0.1:7770 */
    const char *feed;           /* feed endpoint, tcp://127.0.0.1:7771 */
    const char *metrics;        /* the metrics' HTTP endpoint, tcp://127.0.0.1:9770;
                                   NULL: none */
    keypair_t server_key;       /* the server's CURVE keypair */
    int batch_max;              /* requests per transaction, >= 1 */
    int feed_hwm;               /* events queued per subscriber; 0: default */
    int feed_per_user;          /* feed subscriptions of one user; 0: default */
    int feed_max;               /* feed subscriptions in all; 0: default */
    int64_t write_rate;         /* bytes one user may write a minute; 0: no limit */
    int request_log_days;       /* days the request log keeps an answer; 0: for good */
    int64_t max_memory;         /* bytes in use past which a connection is cut; 0: never */
    int64_t log_rate;           /* log lines a minute per user; 0: no limit */
} endpoint_config_t;

/* Serves until SIGTERM or SIGINT. Returns 0 after a clean stop, or 1 with
 * the reason on stderr when it could not start. */
int endpoint_run (const endpoint_config_t *config);

#endif
