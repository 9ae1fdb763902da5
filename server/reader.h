/* reader.h: a thread of escd's own for the heavy reads.
 *
 * A page of a thousand escalations, a report over a big quarter or a long
 * catch-up of the feed takes escd tens or hundreds of milliseconds. Run on
 * the loop's thread, each would hold up every other request for as long.
 * The reader runs them beside the loop, on a database connection of its
 * own, one at a time: the loop hands it a job (a pointer it will not
 * touch meanwhile) and takes it back done. */
#ifndef ESC_READER_H
#define ESC_READER_H

#include <stdbool.h>

#include "desk.h"
#include "store.h"

typedef struct reader reader_t;

/* What the reader does with each JOB, on its own desk and store. */
typedef void (*reader_work_t) (void *job, desk_t *desk, store_t *store);

/* A reader thread in CTX with a connection to the database URL (NULL or
 * "": the PG* variables), doing WORK. NULL when it cannot start. */
reader_t *reader_new (void *ctx, const char *url, const desk_config_t *config, reader_work_t work);
/* Stops the thread (after the job in hand) and frees it. */
void reader_destroy (reader_t **self_p);

/* The socket to poll for finished jobs. */
void *reader_socket (reader_t *self);
/* True while a job is out. */
bool reader_busy (const reader_t *self);
/* Hands JOB over; the reader must not be busy. */
void reader_post (reader_t *self, void *job);
/* The finished job, or NULL when none is back yet (never blocks). */
void *reader_take (reader_t *self);

#endif
