/* list.c: esc list. See list.h. */
#include "list.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "json.h"
#include "pages.h"
#include "figures.h"
#include "render.h"

typedef struct {
    const session_t *s;
    const args_t *a;
    int64_t limit;
    int64_t shown;              /* escalations printed so far */
} listing_t;

static void
ask (void *arg, int64_t after, Esc__Request *req, arena_t *m)
{
    const listing_t *l = arg;
    Esc__ListFilter *f = arena_alloc (m, sizeof *f);
    esc__list_filter__init (f);
    f->quarter = (char *) args_text (l->a, "quarter");
    f->state = (char *) args_text (l->a, "state");
    f->account = (char *) args_text (l->a, "account");
    f->has_mine = true;
    f->mine = args_flag (l->a, "mine");
    f->has_after = after > 0;
    f->after = after;
    f->has_limit = l->limit > 0;
    f->limit = l->limit;
    req->op_case = ESC__REQUEST__OP_LIST;
    req->list = f;
}

static bool
take (const Esc__Reply *reply, page_t *page)
{
    const Esc__EscalationList *l = reply->escalations;
    if (reply->result_case != ESC__REPLY__RESULT_ESCALATIONS || !l)
        return false;
    *page = (page_t) { .escalations = l->escalations, .n = l->n_escalations,
                       .total = l->has_total ? l->total : (int64_t) l->n_escalations,
                       .more = l->has_next_after, .next_after = l->next_after };
    return true;
}

static int
each (void *arg, const page_t *page, bool first, bool last)
{
    listing_t *l = arg;
    if (l->s->json) {
        if (first)
            printf ("{\"total\":%" PRId64 ",\"escalations\":[", page->total);
        for (size_t i = 0; i < page->n; i++) {
            json_t j;
            json_init (&j);
            render_escalation_json (&j, page->escalations[i]);
            printf ("%s%s", l->shown + (int64_t) i ? "," : "", json_text (&j));
            json_release (&j);
        }
    }
    else if (l->s->quiet) {
        for (size_t i = 0; i < page->n; i++)
            printf ("%" PRId64 "\n", page->escalations[i]->id);
    }
    else {
        Esc__EscalationList rows = ESC__ESCALATION_LIST__INIT;
        rows.escalations = page->escalations;
        rows.n_escalations = page->n;
        if (page->n || first)
            render_escalation_rows (stdout, &rows, !first);
    }
    l->shown += (int64_t) page->n;
    if (!last)
        return fflush (stdout) == 0 ? -1 : EXIT_DONE;   /* the reader went away */
    bool more = page->more;
    if (l->s->json) {
        if (more)
            printf ("],\"next_after\":%" PRId64 "}\n", page->next_after);
        else
            printf ("],\"next_after\":null}\n");
    }
    else if (more)
        /* with --quiet, only ids on standard output: the hint goes aside */
        fprintf (l->s->quiet ? stderr : stdout,
                 "%s of %s escalations; the next page: esc list --after %" PRId64
                 " (or --all for every page)\n", render_figure (l->shown),
                 render_figure (page->total), page->next_after);
    else if (!l->s->quiet)
        printf ("%s %s\n", render_figure (page->total),
                figure_noun (page->total, "escalation", "escalations"));
    return EXIT_DONE;
}

int
list_run (const session_t *s, const args_t *a, const char *user, const keypair_t *kp)
{
    (void) user;
    listing_t l = { .s = s, .a = a };
    int64_t after = 0;
    bool all = args_flag (a, "all");
    if (args_int (a, "limit", &l.limit) && (l.limit < 1 || l.limit > 1000)) {
        fprintf (stderr, "esc list: --limit takes 1 to 1000 (or --all for every page)\n");
        return EXIT_USAGE;
    }
    if (args_int (a, "after", &after) && after < 0) {
        fprintf (stderr, "esc list: --after takes an escalation id\n");
        return EXIT_USAGE;
    }
    if (all && !l.limit)
        l.limit = 1000;         /* every page: as few requests as escd allows */
    pager_t p = { .ask = ask, .take = take, .each = each, .arg = &l };
    return pages_run (s, kp, &p, after, all);
}
