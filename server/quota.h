/* quota.h: how much one user may make escd write, per minute.
 *
 * Each user has a bucket of bytes that fills at RATE bytes a minute up to
 * RATE (a minute's worth may come at once). A state-changing request is
 * let through only while its user's bucket holds what it is about to
 * write (its request and a reply, estimated before, charged exactly
 * after); otherwise it is refused RATE_LIMITED and writes nothing. The
 * buckets live in this escd's memory: several escd on one database each
 * allow their own. Buckets of users who have not written for a while are
 * forgotten (they would be full again anyway), so the table stays as small
 * as the set of users writing now. */
#ifndef ESC_QUOTA_H
#define ESC_QUOTA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct quota quota_t;

/* A quota of RATE bytes a minute per user; RATE 0 means no limit. */
quota_t *quota_new (int64_t rate);
void quota_destroy (quota_t **self_p);

/* Whether USER may write COST bytes now (NOW in ms, monotonic); when not,
 * *WAIT_MS says how long until they may. Takes nothing. */
bool quota_allows (quota_t *self, const char *user, int64_t cost, double now, double *wait_ms);
/* Takes COST bytes from USER's bucket (it may go below zero: the next
 * write waits the longer). */
void quota_charge (quota_t *self, const char *user, int64_t cost, double now);
/* The rate, bytes a minute (0: no limit). */
int64_t quota_rate (const quota_t *self);
/* Makes the rate RATE from NOW on (0: no limit): what each bucket filled
 * until NOW it filled at the old rate; a bucket holds at most a minute of
 * the new one. */
void quota_set_rate (quota_t *self, int64_t rate, double now);

#endif
