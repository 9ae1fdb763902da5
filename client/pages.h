/* pages.h: a long list from escd, a page at a time.
 *
 * escd answers a list of escalations (esc list, esc report --format csv) a
 * page at a time: at most a page's LIMIT escalations after a place in the
 * list's order (in id order an id, AFTER; in any order a CURSOR, text escd
 * made), the count of all that match, and where the next page starts when
 * more follow. A pager asks for one page, or with ALL for every page in
 * turn, each its own request, and hands each page on as it comes: nothing
 * holds more than a page. */
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
    int64_t next_after;         /* its AFTER (in id order) */
    const char *next_cursor;    /* its CURSOR (the reply's), or NULL */
} page_t;

/* Where a page starts: after the id AFTER (0: the first), or, when CURSOR
 * is not NULL, after that cursor's place. */
typedef struct {
    int64_t after;
    const char *cursor;
} page_start_t;

typedef struct {
    /* fills REQ (its operation: the envelope is the session's) for the page
     * starting AT; M is an arena for what it allocates */
    void (*ask) (void *arg, const page_start_t *at, Esc__Request *req, arena_t *m);
    /* finds the page in REPLY; false when it holds none */
    bool (*take) (const Esc__Reply *reply, page_t *page);
    /* hands a page on: FIRST and LAST say where it stands. Returns the exit
     * code to stop with, or -1 to go on */
    int (*each) (void *arg, const page_t *page, bool first, bool last);
    void *arg;
} pager_t;

/* Asks for the page starting FROM, and with ALL for each next one (after
 * the cursor of the page before when escd gives one, else its AFTER).
 * Returns esc's exit code. */
int pages_run (const session_t *s, const keypair_t *kp, const pager_t *p, page_start_t from,
               bool all);

#endif
