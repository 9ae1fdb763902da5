/* render.c: text and JSON views of replies. */
#include "render.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "colour.h"
#include "figures.h"
#include "text.h"

/* ==== JSON =============================================================== */

void
render_escalation_json (json_t *j, const Esc__Escalation *e)
{
    json_object_begin (j);
    json_kv_int (j, "id", e->id);
    json_kv_string (j, "quarter", e->quarter);
    json_kv_string (j, "state", e->state);
    json_kv_string (j, "account", e->account);
    json_kv_string (j, "title", e->title);
    json_kv_string (j, "problem", e->problem);
    json_kv_string (j, "solution", e->solution);
    json_kv_opt_int (j, "deal_value", e->has_deal_value, e->deal_value);
    json_kv_string (j, "needed_by", e->needed_by);
    json_kv_strings (j, "also_needed_by", e->also_needed_by, e->n_also_needed_by);
    json_kv_int (j, "customers", e->customers);
    json_kv_int (j, "renewal_arr", e->renewal_arr);
    json_kv_string (j, "filer", e->filer);
    json_kv_string (j, "filed_at", e->filed_at);
    json_kv_opt_int (j, "hours", e->has_hours, e->hours);
    json_kv_opt_bool (j, "viable", e->has_viable, e->viable);
    json_kv_ints (j, "displaces", e->displaces, e->n_displaces);
    json_kv_string (j, "sized_by", e->sized_by);
    json_kv_string (j, "sizing_note", e->sizing_note);
    json_kv_string (j, "approved_via", e->approved_via);
    json_kv_opt_int (j, "token", e->has_token_no, e->token_no);
    json_kv_string (j, "approved_by", e->approved_by);
    json_kv_string (j, "override_reason", e->override_reason);
    json_kv_ints (j, "postponed", e->postponed, e->n_postponed);
    json_kv_string (j, "state_reason", e->state_reason);
    json_kv_opt_int (j, "merged_into", e->has_merged_into, e->merged_into);
    json_kv_ints (j, "merged", e->merged, e->n_merged);
    json_kv_opt_int (j, "actual_hours", e->has_actual_hours, e->actual_hours);
    json_kv_string (j, "deal", e->deal);
    json_kv_opt_int (j, "adopters", e->has_adopters, e->adopters);
    json_kv_string (j, "spend_note", e->spend_note);
    json_kv_string (j, "refile_question", e->refile_question);
    json_kv_string (j, "refile_answer", e->refile_answer);
    json_kv_opt_int (j, "claimed_hours", e->has_claimed_hours, e->claimed_hours);
    json_kv_opt_int (j, "support_hours", e->has_support_hours, e->support_hours);
    json_kv_string (j, "partner", e->partner);
    json_kv_string (j, "referral_note", e->referral_note);
    json_object_end (j);
}

static void
quarter_json (json_t *j, const Esc__Quarter *q)
{
    json_object_begin (j);
    json_kv_string (j, "name", q->name);
    json_kv_string (j, "state", q->state);
    json_kv_string (j, "starts_on", q->starts_on);
    json_kv_string (j, "ends_on", q->ends_on);
    json_kv_int (j, "capacity_hours", q->capacity_hours);
    json_kv_int (j, "budget_pct", q->budget_pct);
    json_kv_int (j, "budget_hours", q->capacity_hours * q->budget_pct / 100);
    json_kv_int (j, "tokens", q->tokens);
    json_kv_int (j, "tokens_spent", q->tokens_spent);
    json_kv_int (j, "max_token_hours", q->max_token_hours);
    json_kv_int (j, "hourly_cost", q->hourly_cost);
    json_kv_int (j, "committed_hours", q->committed_hours);
    json_kv_int (j, "support_hours", q->support_hours);
    json_kv_string (j, "plan_committed_at", q->plan_committed_at);
    json_kv_int (j, "relief_standard_pct", q->relief_standard_pct);
    json_kv_int (j, "relief_oneoff_pct", q->relief_oneoff_pct);
    json_kv_int (j, "planned_hours", q->planned_hours);
    json_object_end (j);
}

static void
account_json (json_t *j, const Esc__Account *a)
{
    json_object_begin (j);
    json_kv_string (j, "name", a->name);
    json_kv_int (j, "arr", a->arr);
    json_kv_string (j, "renewal_on", a->renewal_on);
    json_object_end (j);
}

static void
roadmap_json (json_t *j, const Esc__RoadmapItem *r)
{
    json_object_begin (j);
    json_kv_int (j, "id", r->id);
    json_kv_string (j, "quarter", r->quarter);
    json_kv_string (j, "title", r->title);
    json_kv_string (j, "category", r->category);
    json_kv_int (j, "hours", r->hours);
    json_kv_string (j, "state", r->state);
    json_kv_strings (j, "waiting", r->waiting, r->n_waiting);
    json_kv_opt_int (j, "actual_hours", r->has_actual_hours, r->actual_hours);
    json_kv_opt_bool (j, "added_after_commit", r->has_added_after_commit, r->added_after_commit);
    json_kv_strings (j, "moved_from", r->moved_from, r->n_moved_from);
    json_object_end (j);
}

static void
partner_json (json_t *j, const Esc__Partner *p)
{
    json_object_begin (j);
    json_kv_string (j, "name", p->name);
    json_kv_string (j, "added_by", p->added_by);
    json_kv_string (j, "added_at", p->added_at);
    json_kv_int (j, "referred", p->referred);
    json_object_end (j);
}

static void
user_json (json_t *j, const Esc__User *u)
{
    json_object_begin (j);
    json_kv_string (j, "name", u->name);
    json_kv_strings (j, "roles", u->roles, u->n_roles);
    json_kv_string (j, "public_key", u->public_key);
    json_kv_string (j, "revoked_at", u->revoked_at);
    json_kv_string (j, "team", u->team);
    json_object_end (j);
}

void
render_event_json (json_t *j, const Esc__Event *e)
{
    json_object_begin (j);
    json_kv_int (j, "seq", e->seq);
    json_kv_string (j, "type", e->type);
    json_kv_string (j, "at", e->at);
    json_kv_string (j, "actor", e->actor);
    json_kv_string (j, "quarter", e->quarter);
    json_kv_opt_int (j, "escalation", e->has_escalation_id, e->escalation_id);
    json_kv_string (j, "account", e->account);
    json_kv_string (j, "summary", e->summary);
    json_key (j, "data");
    json_raw (j, e->data);
    json_object_end (j);
}

/* An escalation as a row of an account's detail: what escd sends of it. */
static void
escalation_row_json (json_t *j, const Esc__Escalation *e)
{
    json_object_begin (j);
    json_kv_int (j, "id", e->id);
    json_kv_string (j, "quarter", e->quarter);
    json_kv_string (j, "state", e->state);
    json_kv_string (j, "account", e->account);
    json_kv_string (j, "title", e->title);
    json_kv_opt_int (j, "hours", e->has_hours, e->hours);
    json_kv_string (j, "filed_at", e->filed_at);
    json_object_end (j);
}

/* Writes the array of a list result; LIST and N name its members. */
#define JSON_ARRAY(j, items, n, one)            \
    do {                                        \
        json_array_begin (j);                   \
        for (size_t i_ = 0; i_ < (n); i_++)     \
            one ((j), (items)[i_]);             \
        json_array_end (j);                     \
    } while (0)

static void
account_detail_json (json_t *j, const Esc__AccountDetail *d)
{
    json_object_begin (j);
    json_key (j, "account");
    account_json (j, d->account);
    json_key (j, "escalations");
    JSON_ARRAY (j, d->escalations, d->n_escalations, escalation_row_json);
    json_kv_int (j, "escalations_total", d->escalations_total);
    json_key (j, "waiting_for");
    JSON_ARRAY (j, d->waiting_for, d->n_waiting_for, roadmap_json);
    json_kv_int (j, "waiting_for_total", d->waiting_for_total);
    json_object_end (j);
}

static void
roadmap_detail_json (json_t *j, const Esc__RoadmapDetail *d)
{
    json_object_begin (j);
    json_key (j, "item");
    roadmap_json (j, d->item);
    json_kv_opt_int (j, "postponed_by", d->has_postponed_by, d->postponed_by);
    json_key (j, "history");
    JSON_ARRAY (j, d->history, d->n_history, render_event_json);
    json_kv_int (j, "history_total", d->history_total);
    json_object_end (j);
}

static void
result_json (const Esc__Reply *r, json_t *j)
{
    switch (r->result_case) {
    case ESC__REPLY__RESULT_ESCALATION: render_escalation_json (j, r->escalation); break;
    case ESC__REPLY__RESULT_ESCALATIONS:
        JSON_ARRAY (j, r->escalations->escalations, r->escalations->n_escalations, render_escalation_json);
        break;
    case ESC__REPLY__RESULT_QUARTER: quarter_json (j, r->quarter); break;
    case ESC__REPLY__RESULT_QUARTERS:
        JSON_ARRAY (j, r->quarters->quarters, r->quarters->n_quarters, quarter_json);
        break;
    case ESC__REPLY__RESULT_ACCOUNT: account_json (j, r->account); break;
    case ESC__REPLY__RESULT_ACCOUNTS:
        JSON_ARRAY (j, r->accounts->accounts, r->accounts->n_accounts, account_json);
        break;
    case ESC__REPLY__RESULT_ROADMAP_ITEM: roadmap_json (j, r->roadmap_item); break;
    case ESC__REPLY__RESULT_ROADMAP:
        JSON_ARRAY (j, r->roadmap->items, r->roadmap->n_items, roadmap_json);
        break;
    case ESC__REPLY__RESULT_USER: user_json (j, r->user); break;
    case ESC__REPLY__RESULT_USERS:
        JSON_ARRAY (j, r->users->users, r->users->n_users, user_json);
        break;
    case ESC__REPLY__RESULT_PARTNERS:
        JSON_ARRAY (j, r->partners->partners, r->partners->n_partners, partner_json);
        break;
    case ESC__REPLY__RESULT_EVENTS:
        JSON_ARRAY (j, r->events->events, r->events->n_events, render_event_json);
        break;
    case ESC__REPLY__RESULT_ACCOUNT_DETAIL: account_detail_json (j, r->account_detail); break;
    case ESC__REPLY__RESULT_ROADMAP_DETAIL: roadmap_detail_json (j, r->roadmap_detail); break;
    default:
        json_object_begin (j);
        json_object_end (j);
    }
}

/* ==== Text ===============================================================
 *
 * Every string that came from a person (titles, names, reasons, problems,
 * and escd's event sentences that quote them) goes through text_write or
 * text_shown: control, bidi and separator characters are shown as escapes,
 * and a multi-line value continues under itself, so nothing typed can
 * start a line that looks like esc's own. */

/* The column where a record's values start: "  problem:    " is 14 wide. A
 * multi-line value's continuation lines start here too, past the labels. */
#define VALUE_INDENT "              "

const char *
render_figure (int64_t v)
{
    static char ring[8][FIGURE_SIZE];
    static unsigned next;
    return figure (ring[next++ % 8], v);
}

/* Text someone typed, on one line. */
static void
put (FILE *out, const char *s)
{
    text_write (out, s, NULL);
}

/* Starts a record's "  label:    " line; its value follows at VALUE_INDENT. */
static void
label (FILE *out, const char *name)
{
    fprintf (out, "  %-11s ", name);
}

/* Display width of UTF-8 text, in code points. */
static size_t
width (const char *s)
{
    size_t n = 0;
    for (; s && *s; s++)
        n += ((unsigned char) *s & 0xC0) != 0x80;
    return n;
}

/* Prints S in a column of W code points: cut (with "…") or padded, on the
 * right when RIGHT (a figure). */
static void
cell (FILE *out, const char *s, size_t w, bool last, bool right)
{
    s = s ? s : "";
    size_t n = width (s);
    if (right && n < w)
        fprintf (out, "%*s", (int) (w - n), "");
    if (n > w) {
        size_t cps = 0;
        const char *p = s;
        while (*p && cps < w - 1) {
            p++;
            while ((*p & 0xC0) == 0x80)
                p++;
            cps++;
        }
        fprintf (out, "%.*s…", (int) (p - s), s);
        n = w;
    }
    else
        fputs (s, out);
    if (!last)
        fprintf (out, "%*s", (int) ((right ? 0 : w - n) + 2), "");
}

/* A table's shape: its column heads, and which columns hold figures (bit
 * C of RIGHT: set flush right). */
typedef struct {
    int cols;
    const char *const *heads;
    unsigned right;
} table_shape_t;

/* A table: the heads (unless HEADLESS, for a later page of one), then ROWS
 * rows of the shape's columns. The last column is never cut; the others
 * fit their widest cell up to 40. */
static void
table_page (FILE *out, const table_shape_t *t, char ***rows, size_t n, bool headless)
{
    size_t w[8] = { 0 };
    for (int c = 0; c < t->cols; c++) {
        w[c] = width (t->heads[c]);
        for (size_t r = 0; r < n; r++)
            if (width (rows[r][c]) > w[c])
                w[c] = width (rows[r][c]);
        if (c < t->cols - 1 && w[c] > 40)
            w[c] = 40;
    }
    for (int c = 0; c < t->cols && !headless; c++)
        cell (out, t->heads[c], w[c], c == t->cols - 1, t->right >> c & 1);
    if (!headless)
        fputc ('\n', out);
    for (size_t r = 0; r < n; r++) {
        for (int c = 0; c < t->cols; c++)
            cell (out, rows[r][c], w[c], c == t->cols - 1, t->right >> c & 1);
        fputc ('\n', out);
    }
}

/* Space for a table's cells, freed by table_free. */
static char ***
table_new (size_t n, int cols)
{
    char ***rows = calloc (n ? n : 1, sizeof *rows);
    for (size_t r = 0; r < n; r++)
        rows[r] = calloc ((size_t) cols, sizeof **rows);
    return rows;
}

/* Prints the table and frees its cells. */
static void
table_done (FILE *out, const table_shape_t *t, char ***rows, size_t n, bool headless)
{
    table_page (out, t, rows, n, headless);
    for (size_t r = 0; r < n; r++) {
        for (int c = 0; c < t->cols; c++)
            free (rows[r][c]);
        free (rows[r]);
    }
    free (rows);
}

static char *
fmt_id (int64_t v)
{
    char *s;
    return asprintf (&s, "%" PRId64, v) < 0 ? NULL : s;
}

static char *
fmt_figure (int64_t v)
{
    return strdup (render_figure (v));
}

/* A table cell of typed text: on one line, whatever it holds. */
static char *
fmt_text (const char *v)
{
    return text_shown (v, NULL);
}

/* "roadmap item 4" or "roadmap items 4, 5". */
static void
items_text (FILE *out, const char *noun_one, const char *noun_many, const int64_t *v, size_t n)
{
    fputs (figure_noun ((int64_t) n, noun_one, noun_many), out);
    for (size_t i = 0; i < n; i++)
        fprintf (out, "%s%" PRId64, i ? ", " : " ", v[i]);
}

static void
escalation_detail (FILE *out, const Esc__Escalation *e)
{
    fprintf (out, "escalation %" PRId64 ": ", e->id);
    put (out, e->title);
    fputc ('\n', out);
    label (out, "state:");
    put (out, e->state);
    if (e->state_reason) {
        fputs (" — ", out);
        put (out, e->state_reason);
    }
    fputc ('\n', out);
    label (out, "quarter:");
    put (out, e->quarter);
    fputc ('\n', out);
    label (out, "account:");
    put (out, e->account);
    fputc ('\n', out);
    label (out, "filed by:");
    put (out, e->filer);
    fputs (" at ", out);
    put (out, e->filed_at);
    fputc ('\n', out);
    label (out, "problem:");
    text_write (out, e->problem, VALUE_INDENT);
    fputc ('\n', out);
    if (e->solution) {
        label (out, "solution:");
        text_write (out, e->solution, VALUE_INDENT);
        fputc ('\n', out);
    }
    if (e->has_deal_value)
        fprintf (out, "  deal value: %s\n", render_figure (e->deal_value));
    if (e->has_claimed_hours)
        fprintf (out, "  claimed:    %s h, by its filer\n", render_figure (e->claimed_hours));
    if (e->needed_by) {
        label (out, "needed by:");
        put (out, e->needed_by);
        fputc ('\n', out);
    }
    fprintf (out, "  customers:  %s (renewal ARR %s)", render_figure (e->customers),
             render_figure (e->renewal_arr));
    for (size_t i = 0; i < e->n_also_needed_by; i++) {
        fputs (i ? ", " : "; also ", out);
        put (out, e->also_needed_by[i]);
    }
    fputc ('\n', out);
    if (e->has_hours) {
        fprintf (out, "  sizing:     %s h, %s, by ", render_figure (e->hours),
                 e->viable ? "viable" : "not viable");
        put (out, e->sized_by);
        if (e->sizing_note) {
            fputs (" (", out);
            text_write (out, e->sizing_note, VALUE_INDENT);
            fputc (')', out);
        }
        fputc ('\n', out);
    }
    if (e->n_displaces) {
        fputs ("  displaces:  ", out);
        items_text (out, "roadmap item", "roadmap items", e->displaces, e->n_displaces);
        fputc ('\n', out);
    }
    if (e->approved_via) {
        if (e->has_token_no)
            fprintf (out, "  approved:   token %" PRId64 ", by ", e->token_no);
        else
            fputs ("  approved:   OVERRIDE by ", out);
        put (out, e->approved_by);
        if (!e->has_token_no) {
            fputs (": ", out);
            put (out, e->override_reason);
        }
        fputc ('\n', out);
    }
    if (e->spend_note) {
        label (out, "note:");
        text_write (out, e->spend_note, VALUE_INDENT);
        fputc ('\n', out);
    }
    if (e->n_postponed) {
        fputs ("  postponed:  ", out);
        items_text (out, "roadmap item", "roadmap items", e->postponed, e->n_postponed);
        fputc ('\n', out);
    }
    if (e->has_merged_into)
        fprintf (out, "  merged into escalation %" PRId64 "\n", e->merged_into);
    if (e->n_merged) {
        fputs ("  duplicates: ", out);
        items_text (out, "escalation", "escalations", e->merged, e->n_merged);
        fputc ('\n', out);
    }
    if (e->refile_question) {
        label (out, "asked:");
        put (out, e->refile_question);
        fputc ('\n', out);
        label (out, "answer:");
        put (out, e->refile_answer ? e->refile_answer : "(none: refiled without one)");
        fputc ('\n', out);
    }
    if (e->has_actual_hours && strcmp (e->state, "stopped") == 0)
        fprintf (out, "  stopped:    after %s h spent\n", render_figure (e->actual_hours));
    else if (e->has_actual_hours)
        fprintf (out, "  delivered:  %s h actual\n", render_figure (e->actual_hours));
    if (e->partner) {
        label (out, "referred:");
        fputs ("to partner ", out);
        put (out, e->partner);
        fputc ('\n', out);
        if (e->referral_note) {
            label (out, "note:");
            text_write (out, e->referral_note, VALUE_INDENT);
            fputc ('\n', out);
        }
    }
    if (e->has_support_hours && e->support_hours > 0)
        fprintf (out, "  support:    %s h since delivery\n", render_figure (e->support_hours));
    if (e->deal) {
        fputs ("  outcome:    deal ", out);
        put (out, e->deal);
        if (e->has_adopters)
            fprintf (out, ", %s %s", render_figure (e->adopters),
                     figure_noun (e->adopters, "adopter", "adopters"));
        fputc ('\n', out);
    }
}

/* The confirmation of a write on an escalation: "escalation 7 sized: 40 h,
 * viable", the detail that matters for what was DONE. */
static void
escalation_done (FILE *out, const Esc__Escalation *e, const char *done)
{
    fprintf (out, "escalation %" PRId64 " %s", e->id, done);
    if (strcmp (done, "sized") == 0)
        fprintf (out, ": %s h, %s", render_figure (e->hours), e->viable ? "viable" : "not viable");
    else if (strcmp (done, "approved") == 0 && e->has_token_no) {
        fprintf (out, " with token %" PRId64 " of ", e->token_no);
        put (out, e->quarter);
    }
    else if (strcmp (done, "approved") == 0) {
        fputs (" by OVERRIDE (", out);
        put (out, e->approved_by);
        fputc (')', out);
    }
    else if ((strcmp (done, "returned") == 0 || strcmp (done, "declined") == 0) && e->state_reason) {
        fputs (": ", out);
        put (out, e->state_reason);
    }
    else if (strcmp (done, "delivered") == 0 && e->has_actual_hours)
        fprintf (out, ": %s h actual", render_figure (e->actual_hours));
    else if (strcmp (done, "referred") == 0 && e->partner) {
        fputs (" to partner ", out);
        put (out, e->partner);
    }
    else if (strcmp (done, "supported") == 0 && e->has_support_hours)
        fprintf (out, ": %s h of support so far", render_figure (e->support_hours));
    else if (strcmp (done, "stopped") == 0 && e->has_actual_hours)
        fprintf (out, " after %s h", render_figure (e->actual_hours));
    else if (strcmp (done, "merged") == 0 && e->has_merged_into)
        fprintf (out, " into escalation %" PRId64, e->merged_into);
    else if (strcmp (done, "unmerged") == 0) {
        fputs (": ", out);
        put (out, e->state);
        fputs (" again", out);
    }
    else if (strcmp (done, "outcome recorded") == 0 && e->deal) {
        fputs (": deal ", out);
        put (out, e->deal);
        if (e->has_adopters)
            fprintf (out, ", %s %s", render_figure (e->adopters),
                     figure_noun (e->adopters, "adopter", "adopters"));
    }
    if (e->n_postponed && strcmp (done, "approved") == 0) {
        fputs ("; postponed ", out);
        items_text (out, "roadmap item", "roadmap items", e->postponed, e->n_postponed);
    }
    fputc ('\n', out);
}

void
render_escalation_rows (FILE *out, const Esc__EscalationList *l, bool headless)
{
    static const char *const heads[] = { "ID", "STATE", "ACCOUNT", "HOURS", "CUST", "TITLE" };
    static const table_shape_t shape = { 6, heads, 1u << 0 | 1u << 3 | 1u << 4 };
    char ***rows = table_new (l->n_escalations, 6);
    for (size_t i = 0; i < l->n_escalations; i++) {
        const Esc__Escalation *e = l->escalations[i];
        rows[i][0] = fmt_id (e->id);
        rows[i][1] = fmt_text (e->state);
        rows[i][2] = fmt_text (e->account);
        rows[i][3] = e->has_hours ? fmt_figure (e->hours) : fmt_text ("-");
        rows[i][4] = fmt_figure (e->customers);
        rows[i][5] = fmt_text (e->title);
    }
    table_done (out, &shape, rows, l->n_escalations, headless);
}

/* A quarter's one-offs beyond its budget, in red on a terminal. */
static void
quarter_detail (FILE *out, const Esc__Quarter *q, bool colour)
{
    int64_t budget = q->capacity_hours * q->budget_pct / 100;
    bool over = q->committed_hours > budget;
    fprintf (out, "quarter %s (%s): %s to %s\n", q->name, q->state, q->starts_on, q->ends_on);
    fprintf (out, "  capacity:   %s h, %s h planned\n", render_figure (q->capacity_hours),
             render_figure (q->planned_hours));
    if (q->plan_committed_at)
        fprintf (out, "  plan:       committed %s: the baseline\n", q->plan_committed_at);
    else
        fputs ("  plan:       not committed yet (esc quarter commit)\n", out);
    fprintf (out, "  one-offs:   %s%s h approved of a %s h budget (%" PRId64 " %%)",
             paint (colour && over, COLOUR_RED), render_figure (q->committed_hours),
             render_figure (budget), q->budget_pct);
    if (q->support_hours)
        fprintf (out, ", %s h of it support of past one-offs", render_figure (q->support_hours));
    if (over)
        fprintf (out, ": OVER BUDGET by %s h", render_figure (q->committed_hours - budget));
    fprintf (out, "%s\n", paint (colour && over, COLOUR_RESET));
    fprintf (out, "  tokens:     %s of %s left, each up to %s h\n",
             render_figure (q->tokens - q->tokens_spent), render_figure (q->tokens),
             render_figure (q->max_token_hours));
    fprintf (out, "  hour cost:  %s\n", render_figure (q->hourly_cost));
    fprintf (out, "  relief:     %" PRId64 " %% on won deal value, %" PRId64 " %% on one-offs' cost\n",
             q->relief_standard_pct, q->relief_oneoff_pct);
}

static void
quarter_table (FILE *out, const Esc__QuarterList *l)
{
    static const char *const heads[] = { "QUARTER", "STATE", "CAPACITY", "ONE-OFF H", "TOKENS LEFT", "DATES" };
    static const table_shape_t shape = { 6, heads, 1u << 2 | 1u << 3 | 1u << 4 };
    char ***rows = table_new (l->n_quarters, 6);
    for (size_t i = 0; i < l->n_quarters; i++) {
        const Esc__Quarter *q = l->quarters[i];
        rows[i][0] = fmt_text (q->name);
        rows[i][1] = fmt_text (q->state);
        rows[i][2] = fmt_figure (q->capacity_hours);
        rows[i][3] = fmt_figure (q->committed_hours);
        rows[i][4] = fmt_figure (q->tokens - q->tokens_spent);
        if (asprintf (&rows[i][5], "%s..%s", q->starts_on, q->ends_on) < 0)
            rows[i][5] = NULL;
    }
    table_done (out, &shape, rows, l->n_quarters, false);
}

static void
account_table (FILE *out, Esc__Account *const *accounts, size_t n)
{
    static const char *const heads[] = { "ACCOUNT", "ARR", "RENEWAL" };
    static const table_shape_t shape = { 3, heads, 1u << 1 };
    char ***rows = table_new (n, 3);
    for (size_t i = 0; i < n; i++) {
        rows[i][0] = fmt_text (accounts[i]->name);
        rows[i][1] = fmt_figure (accounts[i]->arr);
        rows[i][2] = fmt_text (accounts[i]->renewal_on ? accounts[i]->renewal_on : "-");
    }
    table_done (out, &shape, rows, n, false);
}

/* A table cell listing N typed names, each on the cell's one line. */
static char *
joined (char **v, size_t n)
{
    char *s = NULL;
    size_t len = 0;
    FILE *cell = open_memstream (&s, &len);
    if (!cell)
        return NULL;
    for (size_t i = 0; i < n; i++) {
        if (i)
            fputs (", ", cell);
        put (cell, v[i]);
    }
    fclose (cell);
    return s;
}

/* What a roadmap item's plan went through: "took 45 h; added after
 * commit; carried from 2026Q3, 2026Q4"; "-" for nothing. */
static char *
plan_note (const Esc__RoadmapItem *it)
{
    char *s = NULL;
    size_t len = 0;
    FILE *cell = open_memstream (&s, &len);
    if (!cell)
        return NULL;
    const char *sep = "";
    if (it->has_actual_hours) {
        fprintf (cell, "took %s h", render_figure (it->actual_hours));
        sep = "; ";
    }
    if (it->added_after_commit) {
        fprintf (cell, "%sadded after commit", sep);
        sep = "; ";
    }
    for (size_t i = 0; i < it->n_moved_from; i++) {
        fputs (i ? ", " : *sep ? "; carried from " : "carried from ", cell);
        put (cell, it->moved_from[i]);
    }
    if (ftell (cell) == 0)
        fputc ('-', cell);
    fclose (cell);
    return s;
}

/* Roadmap items as a table; with QUARTERS (items of several quarters) a
 * column for the quarter instead of the accounts waiting. */
static void
roadmap_table_of (FILE *out, Esc__RoadmapItem *const *items, size_t n, bool quarters)
{
    static const char *const heads[] = { "ID", "STATE", "CATEGORY", "HOURS", "TITLE", "WAITING",
                                         "PLAN" };
    static const char *const quarter_heads[] = { "ID", "QUARTER", "STATE", "CATEGORY", "HOURS",
                                                 "TITLE", "PLAN" };
    static const table_shape_t shape = { 7, heads, 1u << 0 | 1u << 3 };
    static const table_shape_t quarter_shape = { 7, quarter_heads, 1u << 0 | 1u << 4 };
    char ***rows = table_new (n, 7);
    for (size_t i = 0; i < n; i++) {
        char **row = rows[i] + quarters;
        rows[i][0] = fmt_id (items[i]->id);
        if (quarters)
            rows[i][1] = fmt_text (items[i]->quarter);
        row[1] = fmt_text (items[i]->state);
        row[2] = fmt_text (items[i]->category);
        row[3] = fmt_figure (items[i]->hours);
        row[4] = fmt_text (items[i]->title);
        if (!quarters)
            row[5] = joined (items[i]->waiting, items[i]->n_waiting);
        rows[i][6] = plan_note (items[i]);
    }
    table_done (out, quarters ? &quarter_shape : &shape, rows, n, false);
}

static void
roadmap_table (FILE *out, Esc__RoadmapItem *const *items, size_t n)
{
    roadmap_table_of (out, items, n, false);
}

static void
user_table (FILE *out, Esc__User *const *users, size_t n)
{
    static const char *const heads[] = { "USER", "ROLES", "TEAM", "REVOKED", "PUBLIC KEY" };
    static const table_shape_t shape = { 5, heads, 0 };
    char ***rows = table_new (n, 5);
    for (size_t i = 0; i < n; i++) {
        rows[i][0] = fmt_text (users[i]->name);
        rows[i][1] = joined (users[i]->roles, users[i]->n_roles);
        rows[i][2] = fmt_text (users[i]->team ? users[i]->team : "-");
        rows[i][3] = fmt_text (users[i]->revoked_at ? users[i]->revoked_at : "-");
        rows[i][4] = fmt_text (users[i]->public_key);
    }
    table_done (out, &shape, rows, n, false);
}

/* The heading of a part of a record that lists SHOWN of TOTAL things,
 * the latest (or last) first: "WHAT (2):", "WHAT: the latest 100 of 250:",
 * "WHAT: none". */
static void
part_heading (FILE *out, const char *what, size_t shown, int64_t total, const char *latest)
{
    if (total == 0)
        fprintf (out, "%s: none\n", what);
    else if (total > (int64_t) shown)
        fprintf (out, "%s: the %s %s of %s:\n", what, latest, render_figure ((int64_t) shown),
                 render_figure (total));
    else
        fprintf (out, "%s (%s):\n", what, render_figure (total));
}

/* esc account show: the account, then its escalations across quarters
 * and the roadmap items it waits for, each a table. */
static void
account_detail (FILE *out, const Esc__AccountDetail *d)
{
    static const char *const heads[] = { "ID", "QUARTER", "STATE", "ACCOUNT", "HOURS", "TITLE" };
    static const table_shape_t shape = { 6, heads, 1u << 0 | 1u << 4 };
    const Esc__Account *acc = d->account;
    fputs ("account ", out);
    put (out, acc->name);
    fputc ('\n', out);
    label (out, "ARR:");
    fprintf (out, "%s\n", render_figure (acc->arr));
    label (out, "renewal:");
    put (out, acc->renewal_on ? acc->renewal_on : "none");
    fputc ('\n', out);
    part_heading (out, "escalations filed for it or naming it", d->n_escalations,
                  d->escalations_total, "latest");
    if (d->n_escalations) {
        char ***rows = table_new (d->n_escalations, 6);
        for (size_t i = 0; i < d->n_escalations; i++) {
            const Esc__Escalation *e = d->escalations[i];
            rows[i][0] = fmt_id (e->id);
            rows[i][1] = fmt_text (e->quarter);
            rows[i][2] = fmt_text (e->state);
            rows[i][3] = fmt_text (e->account);
            rows[i][4] = e->has_hours ? fmt_figure (e->hours) : fmt_text ("-");
            rows[i][5] = fmt_text (e->title);
        }
        table_done (out, &shape, rows, d->n_escalations, false);
    }
    part_heading (out, "roadmap items it waits for", d->n_waiting_for, d->waiting_for_total,
                  "latest");
    if (d->n_waiting_for)
        roadmap_table_of (out, d->waiting_for, d->n_waiting_for, true);
}

static void event_lines (FILE *out, Esc__Event *const *events, size_t n, bool colour);

/* esc roadmap show: the item, then its history as esc history shows an
 * escalation's. */
static void
roadmap_detail (FILE *out, const Esc__RoadmapDetail *d, bool colour)
{
    const Esc__RoadmapItem *it = d->item;
    fprintf (out, "roadmap item %" PRId64 ": ", it->id);
    put (out, it->title);
    fputc ('\n', out);
    label (out, "state:");
    put (out, it->state);
    if (d->has_postponed_by)
        fprintf (out, " by escalation %" PRId64, d->postponed_by);
    fputc ('\n', out);
    label (out, "quarter:");
    put (out, it->quarter);
    fputc ('\n', out);
    label (out, "category:");
    put (out, it->category);
    fputc ('\n', out);
    label (out, "hours:");
    fprintf (out, "%s\n", render_figure (it->hours));
    label (out, "waiting:");
    if (!it->n_waiting)
        fputs ("nobody named", out);
    for (size_t i = 0; i < it->n_waiting; i++) {
        fputs (i ? ", " : "", out);
        put (out, it->waiting[i]);
    }
    fputc ('\n', out);
    char *plan = plan_note (it);
    if (plan && strcmp (plan, "-") != 0) {
        label (out, "plan:");
        fprintf (out, "%s\n", plan);
    }
    free (plan);
    part_heading (out, "history", d->n_history, d->history_total, "last");
    event_lines (out, d->history, d->n_history, colour);
}

static void
partner_table (FILE *out, Esc__Partner *const *partners, size_t n)
{
    static const char *const heads[] = { "PARTNER", "REFERRED", "ADDED BY", "ADDED AT" };
    static const table_shape_t shape = { 4, heads, 1u << 1 };
    char ***rows = table_new (n, 4);
    for (size_t i = 0; i < n; i++) {
        rows[i][0] = fmt_text (partners[i]->name);
        rows[i][1] = fmt_figure (partners[i]->referred);
        rows[i][2] = fmt_text (partners[i]->added_by);
        rows[i][3] = fmt_text (partners[i]->added_at);
    }
    table_done (out, &shape, rows, n, false);
}

/* escd's summary quotes titles, names and reasons as they were typed: on
 * one line, it can only ever be one event's line. An override is red. */
void
render_event_line (FILE *out, const Esc__Event *e, bool colour)
{
    bool red = colour && e->type && strcmp (e->type, "escalation.overridden") == 0;
    fprintf (out, "%s#%" PRId64 " ", paint (red, COLOUR_RED), e->seq);
    put (out, e->at);
    fputs ("  ", out);
    if (e->summary)
        put (out, e->summary);
    else {
        put (out, e->actor);
        fputc (' ', out);
        put (out, e->type);
        fputc (' ', out);
        put (out, e->data);
    }
    fprintf (out, "%s\n", paint (red, COLOUR_RESET));
}

/* A history: each event's line, and under it the note its actor wrote,
 * which may span lines (a spend's, a sizing's), indented under itself. */
static void
event_lines (FILE *out, Esc__Event *const *events, size_t n, bool colour)
{
    for (size_t i = 0; i < n; i++) {
        render_event_line (out, events[i], colour);
        if (events[i]->note && *events[i]->note) {
            fputs ("    note: ", out);
            text_write (out, events[i]->note, "          ");
            fputc ('\n', out);
        }
    }
}

/* The confirmation of a write on anything but an escalation: "account
 * Acme added: ARR 500,000, renews 2027-03-31". */
static void
record_done (const Esc__Reply *r, const char *done, FILE *out)
{
    switch (r->result_case) {
    case ESC__REPLY__RESULT_QUARTER: {
        const Esc__Quarter *q = r->quarter;
        if (strcmp (done, "committed") == 0) {
            fprintf (out, "quarter %s committed: its plan of %s h is the baseline from %s\n",
                     q->name, render_figure (q->planned_hours),
                     q->plan_committed_at ? q->plan_committed_at : "now");
            break;
        }
        fprintf (out, "quarter %s %s: %s to %s, %s h of capacity, %s %s\n", q->name, done,
                 q->starts_on, q->ends_on, render_figure (q->capacity_hours),
                 render_figure (q->tokens), figure_noun (q->tokens, "token", "tokens"));
        break;
    }
    case ESC__REPLY__RESULT_ACCOUNT:
        fputs ("account ", out);
        put (out, r->account->name);
        fprintf (out, " %s: ARR %s", done, render_figure (r->account->arr));
        if (r->account->renewal_on)
            fprintf (out, ", renews %s", r->account->renewal_on);
        fputc ('\n', out);
        break;
    case ESC__REPLY__RESULT_ROADMAP_ITEM: {
        const Esc__RoadmapItem *i = r->roadmap_item;
        fprintf (out, "roadmap item %" PRId64 " %s: \"", i->id, done);
        put (out, i->title);
        fputs ("\" (", out);
        put (out, i->category);
        fprintf (out, ", %s h, %s", render_figure (i->hours), i->state);
        if (strcmp (done, "done") == 0 && i->has_actual_hours)
            fprintf (out, " in %s h", render_figure (i->actual_hours));
        if (strcmp (done, "moved") == 0) {
            fputs (" in ", out);
            put (out, i->quarter);
            fprintf (out, ", carried %s %s", render_figure ((int64_t) i->n_moved_from),
                     figure_noun ((int64_t) i->n_moved_from, "time", "times"));
        }
        fputs (")\n", out);
        break;
    }
    case ESC__REPLY__RESULT_USER: {
        char *roles = joined (r->user->roles, r->user->n_roles);
        fputs ("user ", out);
        put (out, r->user->name);
        fprintf (out, " %s (%s", done, roles ? roles : "");
        if (r->user->team) {
            fputs ("; team ", out);
            put (out, r->user->team);
        }
        fputs (")\n", out);
        free (roles);
        break;
    }
    case ESC__REPLY__RESULT_PARTNERS:
        for (size_t i = 0; i < r->partners->n_partners; i++) {
            fputs ("partner ", out);
            put (out, r->partners->partners[i]->name);
            fprintf (out, " %s\n", done);
        }
        break;
    default:
        fprintf (out, "%s\n", done);
    }
}

/* With --quiet: only what names the records, one a line, for a script. */
static void
result_quiet (const Esc__Reply *r, FILE *out)
{
    switch (r->result_case) {
    case ESC__REPLY__RESULT_ESCALATION: fprintf (out, "%" PRId64 "\n", r->escalation->id); break;
    case ESC__REPLY__RESULT_ESCALATIONS:
        for (size_t i = 0; i < r->escalations->n_escalations; i++)
            fprintf (out, "%" PRId64 "\n", r->escalations->escalations[i]->id);
        break;
    case ESC__REPLY__RESULT_QUARTER: fprintf (out, "%s\n", r->quarter->name); break;
    case ESC__REPLY__RESULT_QUARTERS:
        for (size_t i = 0; i < r->quarters->n_quarters; i++)
            fprintf (out, "%s\n", r->quarters->quarters[i]->name);
        break;
    case ESC__REPLY__RESULT_ACCOUNT:
        put (out, r->account->name);
        fputc ('\n', out);
        break;
    case ESC__REPLY__RESULT_ACCOUNTS:
        for (size_t i = 0; i < r->accounts->n_accounts; i++) {
            put (out, r->accounts->accounts[i]->name);
            fputc ('\n', out);
        }
        break;
    case ESC__REPLY__RESULT_ROADMAP_ITEM: fprintf (out, "%" PRId64 "\n", r->roadmap_item->id); break;
    case ESC__REPLY__RESULT_ROADMAP:
        for (size_t i = 0; i < r->roadmap->n_items; i++)
            fprintf (out, "%" PRId64 "\n", r->roadmap->items[i]->id);
        break;
    case ESC__REPLY__RESULT_USER:
        put (out, r->user->name);
        fputc ('\n', out);
        break;
    case ESC__REPLY__RESULT_USERS:
        for (size_t i = 0; i < r->users->n_users; i++) {
            put (out, r->users->users[i]->name);
            fputc ('\n', out);
        }
        break;
    case ESC__REPLY__RESULT_PARTNERS:
        for (size_t i = 0; i < r->partners->n_partners; i++) {
            put (out, r->partners->partners[i]->name);
            fputc ('\n', out);
        }
        break;
    case ESC__REPLY__RESULT_EVENTS:
        for (size_t i = 0; i < r->events->n_events; i++)
            fprintf (out, "%" PRId64 "\n", r->events->events[i]->seq);
        break;
    /* a record with what concerns it: the ids of what it lists, as a list
     * of them would (an account's escalations, an item's events) */
    case ESC__REPLY__RESULT_ACCOUNT_DETAIL:
        for (size_t i = 0; i < r->account_detail->n_escalations; i++)
            fprintf (out, "%" PRId64 "\n", r->account_detail->escalations[i]->id);
        break;
    case ESC__REPLY__RESULT_ROADMAP_DETAIL:
        for (size_t i = 0; i < r->roadmap_detail->n_history; i++)
            fprintf (out, "%" PRId64 "\n", r->roadmap_detail->history[i]->seq);
        break;
    default: break;
    }
}

static void
result_text (const Esc__Reply *r, const char *done, FILE *out)
{
    bool colour = colour_wanted (out);
    if (done && r->result_case == ESC__REPLY__RESULT_ESCALATION) {
        escalation_done (out, r->escalation, done);
        return;
    }
    if (done) {
        record_done (r, done, out);
        return;
    }
    switch (r->result_case) {
    case ESC__REPLY__RESULT_ESCALATION: escalation_detail (out, r->escalation); break;
    case ESC__REPLY__RESULT_ESCALATIONS: render_escalation_rows (out, r->escalations, false); break;
    case ESC__REPLY__RESULT_QUARTER: quarter_detail (out, r->quarter, colour); break;
    case ESC__REPLY__RESULT_QUARTERS: quarter_table (out, r->quarters); break;
    case ESC__REPLY__RESULT_ACCOUNT: account_table (out, &r->account, 1); break;
    case ESC__REPLY__RESULT_ACCOUNTS:
        account_table (out, r->accounts->accounts, r->accounts->n_accounts);
        if (r->accounts->has_total && r->accounts->total > (int64_t) r->accounts->n_accounts)
            fprintf (out, "the first %zu of %s accounts, by name\n", r->accounts->n_accounts,
                     render_figure (r->accounts->total));
        break;
    case ESC__REPLY__RESULT_ROADMAP_ITEM: roadmap_table (out, &r->roadmap_item, 1); break;
    case ESC__REPLY__RESULT_ROADMAP: roadmap_table (out, r->roadmap->items, r->roadmap->n_items); break;
    case ESC__REPLY__RESULT_USER: user_table (out, &r->user, 1); break;
    case ESC__REPLY__RESULT_USERS: user_table (out, r->users->users, r->users->n_users); break;
    case ESC__REPLY__RESULT_PARTNERS:
        partner_table (out, r->partners->partners, r->partners->n_partners);
        break;
    case ESC__REPLY__RESULT_EVENTS:
        if (r->events->has_total && r->events->total > (int64_t) r->events->n_events)
            fprintf (out, "the last %zu of %s events:\n", r->events->n_events,
                     render_figure (r->events->total));
        event_lines (out, r->events->events, r->events->n_events, colour);
        break;
    case ESC__REPLY__RESULT_ACCOUNT_DETAIL: account_detail (out, r->account_detail); break;
    case ESC__REPLY__RESULT_ROADMAP_DETAIL: roadmap_detail (out, r->roadmap_detail, colour); break;
    default: break;
    }
}

void
render_result (const Esc__Reply *reply, const render_how_t *how, FILE *out)
{
    if (how->json) {
        json_t j;
        json_init (&j);
        result_json (reply, &j);
        fprintf (out, "%s\n", json_text (&j));
        json_release (&j);
    }
    else if (how->quiet)
        result_quiet (reply, out);
    else
        result_text (reply, how->done, out);
}

void
render_error (const esc_error_t *err, bool as_json)
{
    /* the message may quote what was typed; its own further lines (an
     * import's bad rows) are indented */
    fputs ("esc: ", stderr);
    put (stderr, err->reason ? err->reason : esc_status_name (err->status));
    fputs (": ", stderr);
    text_write (stderr, err->message, "  ");
    fputc ('\n', stderr);
    if (!as_json)
        return;
    json_t j;
    json_init (&j);
    json_object_begin (&j);
    json_key (&j, "error");
    json_object_begin (&j);
    json_kv_string (&j, "status", esc_status_name (err->status));
    json_kv_string (&j, "reason", err->reason);
    json_kv_string (&j, "message", err->message);
    json_object_end (&j);
    json_object_end (&j);
    printf ("%s\n", json_text (&j));
    json_release (&j);
}
