/* pages.h: a long list from escd, a page at a time.
 *
 * escd answers a list of escalations (esc list, esc report --format csv) a
 * page at a time: at most a page's LIMIT escalations with ids above AFTER,
 * the count of all that match, and the next page's AFTER when more follow.
 * A pager asks for one page, or with ALL for every page in turn, each its
 * own request, and hands each page on as it comes: nothing holds more
 * than a page. */
#ifndef ESC_PAGES_H
#define ESC_PAGES_H

#include <stdbool.h>
#include <stdint.h>

#include "arena.h"
#include "esc.pb-c.h"
#include "session.h"

/* One page, as escd sent it. */
typedef struct {
    Esc__Escalation **escalations;
    size_t n;
    int64_t total;              /* all that match */
    bool more;                  /* another page follows */
    int64_t next_after;         /* its AFTER */
} page_t;

typedef struct {
    /* fills REQ (its operation: the envelope is the session's) for the page
     * after AFTER; M is an arena for what it allocates */
    void (*ask) (void *arg, int64_t after, Esc__Request *req, arena_t *m);
    /* finds the page in REPLY; false when it holds none */
    bool (*take) (const Esc__Reply *reply, page_t *page);
    /* hands a page on: FIRST and LAST say where it stands. Returns the exit
     * code to stop with, or -1 to go on */
    int (*each) (void *arg, const page_t *page, bool first, bool last);
    void *arg;
} pager_t;

/* Asks for the page after AFTER, and with ALL for each next one. Returns
 * esc's exit code. */
int pages_run (const session_t *s, const keypair_t *kp, const pager_t *p, int64_t after,
               bool all);

#endif
