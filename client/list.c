/* list.c: esc list. See list.h. */
#include "list.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "pages.h"
#include "figures.h"
#include "render.h"
#include "text.h"

typedef struct {
    const session_t *s;
    const args_t *a;
    int64_t limit;
    int64_t shown;              /* escalations printed so far */
} listing_t;

static void
ask (void *arg, const page_start_t *at, Esc__Request *req, arena_t *m)
{
    const listing_t *l = arg;
    Esc__ListFilter *f = arena_alloc (m, sizeof *f);
    esc__list_filter__init (f);
    f->quarter = (char *) args_text (l->a, "quarter");
    f->states = args_list (l->a, m, "state", &f->n_states);
    f->account = (char *) args_text (l->a, "account");
    f->has_mine = true;
    f->mine = args_flag (l->a, "mine");
    f->sort = (char *) args_text (l->a, "sort");
    /* a cursor says where a page starts in any order; AFTER, in id order */
    f->cursor = (char *) at->cursor;
    f->has_after = !at->cursor && at->after > 0;
    f->after = f->has_after ? at->after : 0;
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
                       .more = l->has_next_after || l->next_cursor,
                       .next_after = l->next_after, .next_cursor = l->next_cursor };
    return true;
}

/* The id order's next page is --after ID, as it always was; another
 * order's, --cursor C (which carries its order). */
static bool
by_id (const page_t *page)
{
    return !page->next_cursor || strncmp (page->next_cursor, "id/", 3) == 0;
}

/* The options that choose the escalations of a list, and a page's length:
 * the next page's command repeats those given, or it would page another
 * list. (--sort needs no repeating: a cursor carries its order.) */
static const char *const kept[] = { "quarter", "state", "account", "limit", NULL };

/* " --NAME VALUE" as a shell reads it: VALUE quoted ('...', a quote in it
 * as '\'') unless it is of the characters that need none. Shown as
 * text_write shows what was typed. */
static void
hint_option (FILE *out, const char *name, const char *value)
{
    static const char plain[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                "0123456789,._:/+-";
    fprintf (out, " --%s ", name);
    if (*value && strspn (value, plain) == strlen (value)) {
        text_write (out, value, NULL);
        return;
    }
    char *quoted = malloc (strlen (value) * 4 + 3), *q = quoted;
    if (!quoted)
        return;
    *q++ = '\'';
    for (const char *v = value; *v; v++) {
        if (*v == '\'')
            q = stpcpy (q, "'\\''");
        else
            *q++ = *v;
    }
    strcpy (q, "'");
    text_write (out, quoted, NULL);
    free (quoted);
}

/* "esc list --cursor C --state sized --limit 10": the next page's command. */
static void
next_page_hint (FILE *out, const listing_t *l, const page_t *page)
{
    fputs ("esc list", out);
    if (by_id (page))
        fprintf (out, " --after %" PRId64, page->next_after);
    else
        hint_option (out, "cursor", page->next_cursor);
    for (int i = 0; kept[i]; i++)
        if (args_text (l->a, kept[i]))
            hint_option (out, kept[i], args_text (l->a, kept[i]));
    if (args_flag (l->a, "mine"))
        fputs (" --mine", out);
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
        json_t j;
        json_init (&j);
        json_object_begin (&j);
        json_kv_opt_int (&j, "next_after", more && by_id (page), page->next_after);
        json_kv_string (&j, "next_cursor", more ? page->next_cursor : NULL);
        json_object_end (&j);
        /* the members after "escalations": the object's text past its '{' */
        printf ("],%s\n", json_text (&j) + 1);
        json_release (&j);
    }
    else if (more) {
        /* with --quiet, only ids on standard output: the hint goes aside */
        FILE *hint = l->s->quiet ? stderr : stdout;
        fprintf (hint, "%s of %s escalations; the next page: ", render_figure (l->shown),
                 render_figure (page->total));
        next_page_hint (hint, l, page);
        fputs (" (or --all for every page)\n", hint);
    }
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
    return pages_run (s, kp, &p, (page_start_t) { after, args_text (a, "cursor") }, all);
}
