/* pages.c: a long list, a page at a time. See pages.h. */
#include "pages.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"

int
pages_run (const session_t *s, const keypair_t *kp, const pager_t *p, page_start_t from,
           bool all)
{
    /* the cursor outlives the reply it came in: a copy of our own */
    char *cursor = from.cursor ? strdup (from.cursor) : NULL;
    int64_t after = from.after;
    for (bool first = true;; first = false) {
        arena_t *m = arena_new ();
        Esc__Request req = ESC__REQUEST__INIT;
        page_start_t at = { after, cursor };
        p->ask (p->arg, &at, &req, m);
        int rc;
        Esc__Reply *reply = session_call (s, kp, &req, &rc);
        page_t page = { 0 };
        if (reply && !p->take (reply, &page)) {
            fprintf (stderr, "esc: BAD_REPLY: escd's answer holds no page of escalations "
                     "(a different version?)\n");
            rc = EXIT_REFUSED;
        }
        else if (reply) {
            /* a next page must move on, or the pager would ask forever */
            bool moves = page.next_cursor ? !cursor || strcmp (page.next_cursor, cursor) != 0
                                          : page.next_after > after;
            bool last = !all || !page.more || !moves;
            rc = p->each (p->arg, &page, first, last);
            if (rc < 0 && last)
                rc = EXIT_DONE;
            after = page.next_after;
            free (cursor);
            cursor = page.next_cursor ? strdup (page.next_cursor) : NULL;
        }
        esc__reply__free_unpacked (reply, NULL);
        arena_destroy (&m);
        if (rc >= 0) {
            free (cursor);
            return rc;
        }
    }
}
