/* reader.c: the heavy reads' thread. See reader.h. */
#include "reader.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zmq.h>

struct reader {
    void *ctx;
    void *pair;                 /* the loop's end of the pipe */
    pthread_t thread;
    char endpoint[64];
    store_t *store;
    desk_t *desk;
    reader_work_t work;
    bool busy;
    atomic_bool stopping;       /* reader_destroy: the thread ends */
};

/* The thread: a job's address in, the same address out when done; NULL,
 * or STOPPING seen between waits of a tenth of a second, stops it (the
 * way out never hangs on one message: an ASan run once saw escd wait in
 * the join with the thread still in its receive). */
static void *
run (void *arg)
{
    reader_t *self = arg;
    void *pair = zmq_socket (self->ctx, ZMQ_PAIR);
    int wait_ms = 100;
    if (!pair || zmq_setsockopt (pair, ZMQ_RCVTIMEO, &wait_ms, sizeof wait_ms) != 0
        || zmq_connect (pair, self->endpoint) != 0)
        abort ();
    while (!atomic_load (&self->stopping)) {
        void *job = NULL;
        int n = zmq_recv (pair, &job, sizeof job, 0);
        if (n < 0 && (errno == EAGAIN || errno == EINTR))
            continue;
        if (n != (int) sizeof job || !job)
            break;
        self->work (job, self->desk, self->store);
        zmq_send (pair, &job, sizeof job, 0);
    }
    zmq_close (pair);
    return NULL;
}

reader_t *
reader_new (void *ctx, const char *url, const desk_config_t *config, reader_work_t work)
{
    static int count;
    reader_t *self = calloc (1, sizeof *self);
    if (!self)
        abort ();
    self->ctx = ctx;
    self->work = work;
    atomic_init (&self->stopping, false);
    self->store = store_new (url);
    self->desk = desk_new (self->store, config);
    snprintf (self->endpoint, sizeof self->endpoint, "inproc://escd-reader-%d", count++);
    self->pair = zmq_socket (ctx, ZMQ_PAIR);
    if (!self->pair || zmq_bind (self->pair, self->endpoint) != 0)
        goto fail;
    /* signals are the loop's: the thread starts with them blocked */
    sigset_t all, old;
    sigfillset (&all);
    pthread_sigmask (SIG_BLOCK, &all, &old);
    int rc = pthread_create (&self->thread, NULL, run, self);
    pthread_sigmask (SIG_SETMASK, &old, NULL);
    if (rc == 0)
        return self;
fail:
    if (self->pair)
        zmq_close (self->pair);
    desk_destroy (&self->desk);
    store_destroy (&self->store);
    free (self);
    return NULL;
}

void
reader_destroy (reader_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    reader_t *self = *self_p;
    void *stop = NULL;
    atomic_store (&self->stopping, true);
    zmq_send (self->pair, &stop, sizeof stop, ZMQ_DONTWAIT);
    pthread_join (self->thread, NULL);
    zmq_close (self->pair);
    desk_destroy (&self->desk);
    store_destroy (&self->store);
    free (self);
    *self_p = NULL;
}

void *reader_socket (reader_t *self) { return self->pair; }
bool reader_busy (const reader_t *self) { return self->busy; }

void
reader_post (reader_t *self, void *job)
{
    zmq_send (self->pair, &job, sizeof job, 0);
    self->busy = true;
}

void *
reader_take (reader_t *self)
{
    void *job = NULL;
    if (zmq_recv (self->pair, &job, sizeof job, ZMQ_DONTWAIT) != (int) sizeof job)
        return NULL;
    self->busy = false;
    return job;
}
