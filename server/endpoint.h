/* endpoint.h: escd's network face: the request ROUTER, the feed's PUB and
 * the loop that serves them.
 *
 * One thread, one database connection. The loop waits on the ROUTER, the
 * ZAP handler and the database's socket (LISTEN). When requests arrive it
 * takes all that are waiting (up to a batch), answers them in one
 * transaction (each in its own savepoint, so each stands or falls alone),
 * commits once, and only then sends the replies: an acknowledged write is a
 * committed write. Then the feed publishes what committed, here or, woken
 * by NOTIFY, on another escd. SIGTERM and SIGINT finish the batch in hand,
 * then stop. */
#ifndef ESC_ENDPOINT_H
#define ESC_ENDPOINT_H

#include "keys.h"

typedef struct {
    const char *db_url;         /* NULL: the PG* variables */
    const char *bind;           /* request endpoint, tcp://127.0.0.1:7770 */
    const char *feed;           /* feed endpoint, tcp://127.0.0.1:7771 */
    keypair_t server_key;       /* the server's CURVE keypair */
    int batch_max;              /* requests per transaction, >= 1 */
    int feed_hwm;               /* events queued per subscriber; 0: default */
} endpoint_config_t;

/* Serves until SIGTERM or SIGINT. Returns 0 after a clean stop, or 1 with
 * the reason on stderr when it could not start. */
int endpoint_run (const endpoint_config_t *config);

#endif
