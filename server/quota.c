/* quota.c: per-user write budgets. See quota.h. */
#include "quota.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MINUTE_MS 60000.0

typedef struct {
    char user[64];
    double bytes;               /* what the user may still write */
    double at;                  /* when BYTES was worked out (ms) */
} bucket_t;

struct quota {
    int64_t rate;
    bucket_t *buckets;
    size_t n, cap;
};

quota_t *
quota_new (int64_t rate)
{
    quota_t *self = calloc (1, sizeof *self);
    if (!self)
        abort ();
    self->rate = rate > 0 ? rate : 0;
    return self;
}

void
quota_destroy (quota_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    free ((*self_p)->buckets);
    free (*self_p);
    *self_p = NULL;
}

int64_t
quota_rate (const quota_t *self)
{
    return self->rate;
}

/* B filled up to NOW at the rate, up to a minute's worth. */
static void
fill (quota_t *self, bucket_t *b, double now)
{
    b->bytes += (now - b->at) * (double) self->rate / MINUTE_MS;
    if (b->bytes >= (double) self->rate)
        b->bytes = (double) self->rate;
    b->at = now;
}

void
quota_set_rate (quota_t *self, int64_t rate, double now)
{
    rate = rate > 0 ? rate : 0;
    /* no limit until now: the buckets are stale, and a new one is full */
    if (!self->rate)
        self->n = 0;
    for (size_t i = 0; i < self->n; i++)
        fill (self, &self->buckets[i], now);
    self->rate = rate;
    for (size_t i = 0; i < self->n; i++)
        fill (self, &self->buckets[i], now);
}

/* USER's bucket filled up to NOW; a new one (full) when USER has none. A
 * full bucket of someone else is reused first: it says nothing a new one
 * would not. */
static bucket_t *
bucket (quota_t *self, const char *user, double now)
{
    bucket_t *found = NULL, *spare = NULL;
    for (size_t i = 0; i < self->n; i++) {
        bucket_t *b = &self->buckets[i];
        fill (self, b, now);
        if (strcmp (b->user, user) == 0)
            found = b;
        else if (!spare && b->bytes >= (double) self->rate)
            spare = b;
    }
    if (found)
        return found;
    if (!spare) {
        if (self->n == self->cap) {
            self->cap = self->cap ? self->cap * 2 : 16;
            self->buckets = realloc (self->buckets, self->cap * sizeof *self->buckets);
            if (!self->buckets)
                abort ();
        }
        spare = &self->buckets[self->n++];
    }
    snprintf (spare->user, sizeof spare->user, "%s", user);
    spare->bytes = (double) self->rate;
    spare->at = now;
    return spare;
}

bool
quota_allows (quota_t *self, const char *user, int64_t cost, double now, double *wait_ms)
{
    *wait_ms = 0;
    if (!self->rate)
        return true;
    bucket_t *b = bucket (self, user, now);
    /* a request larger than a minute's budget goes through on a full bucket */
    double need = (double) cost < (double) self->rate ? (double) cost : (double) self->rate;
    if (b->bytes >= need)
        return true;
    *wait_ms = (need - b->bytes) * MINUTE_MS / (double) self->rate;
    return false;
}

void
quota_charge (quota_t *self, const char *user, int64_t cost, double now)
{
    if (self->rate)
        bucket (self, user, now)->bytes -= (double) cost;
}
