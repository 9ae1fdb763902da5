/* import.c: accounts from a CRM export. See import.h. */
#include "import.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csv.h"
#include "figures.h"
#include "json.h"
#include "names.h"
#include "render.h"
#include "text.h"

char
import_column (const char *header)
{
    static const struct { const char *name; char field; } names[] = {
        { "name", 'n' }, { "account", 'n' }, { "accountname", 'n' }, { "company", 'n' },
        { "customer", 'n' }, { "customername", 'n' },
        { "arr", 'a' }, { "annualrecurringrevenue", 'a' }, { "arrusd", 'a' },
        { "renewal", 'r' }, { "renewaldate", 'r' }, { "renewalon", 'r' },
        { "contractenddate", 'r' }, { "contractend", 'r' }, { "nextrenewal", 'r' },
        { "nextrenewaldate", 'r' },
    };
    char key[64];
    size_t k = 0;
    for (const char *p = header; *p && k < sizeof key - 1; p++)
        if (isalnum ((unsigned char) *p))
            key[k++] = (char) tolower ((unsigned char) *p);
    key[k] = '\0';
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (strcmp (key, names[i].name) == 0)
            return names[i].field;
    return 0;
}

/* Past spaces and a currency sign: the dollar, the euro, the pound. */
static const char *
skip_currency (const char *s)
{
    while (*s == ' ')
        s++;
    if (*s == '$')
        s++;
    else if (strncmp (s, "\u20ac", 3) == 0)
        s += 3;
    else if (strncmp (s, "\u00a3", 2) == 0)
        s += 2;
    while (*s == ' ')
        s++;
    return s;
}

int
import_arr (const char *s, int64_t *arr)
{
    bool negative = false;
    s = skip_currency (s);
    if (*s == '-') {            /* escd says what is wrong with it */
        negative = true;
        s = skip_currency (s + 1);
    }
    if (!isdigit ((unsigned char) *s))
        return IMPORT_NOT_AMOUNT;
    /* whole units, grouped by thousands with commas or spaces, if at all:
     * "1,234,567" is a million and more, "12,5" or "1 234,56" are refused,
     * never read as another amount */
    int64_t v = 0;
    int group = 0, groups = 0, decimals = 0;
    char sep = 0;
    for (;; s++) {
        if (isdigit ((unsigned char) *s)) {
            if (v > (INT64_MAX - 9) / 10)
                return IMPORT_NOT_AMOUNT;
            v = v * 10 + (*s - '0');
            group++;
        }
        else if ((*s == ',' || *s == ' ') && isdigit ((unsigned char) s[1])) {
            if ((sep && *s != sep) || group > 3 || (sep && group != 3))
                return IMPORT_NOT_AMOUNT;
            sep = *s;
            group = 0;
            groups++;
        }
        else
            break;
    }
    if (sep && group != 3)
        return IMPORT_NOT_AMOUNT;
    if (*s == '.') {            /* cents, rounded to the nearest unit */
        if (!isdigit ((unsigned char) *++s))
            return IMPORT_NOT_AMOUNT;
        bool up = *s >= '5';
        for (; isdigit ((unsigned char) *s); s++)
            decimals++;
        v += up;
    }
    if (*skip_currency (s))     /* "900 \u20ac" */
        return IMPORT_NOT_AMOUNT;
    /* "12.500": a lone point before three digits groups thousands in much
     * of Europe and marks decimals elsewhere. (A comma groups thousands, as
     * every CRM export in dollars writes them: "$250,000".) */
    if (!sep && decimals == 3)
        return IMPORT_AMBIGUOUS;
    *arr = negative ? -v : v;
    return 0;
}

int
import_date (const char *s, char *out)
{
    char text[16], tail;
    int y, m, d;
    out[0] = '\0';
    while (*s == ' ')
        s++;
    size_t n = strlen (s);
    while (n > 0 && s[n - 1] == ' ')
        n--;
    if (n == 0)
        return 0;
    if (n >= sizeof text)
        return -1;
    memcpy (text, s, n);
    text[n] = '\0';
    if (sscanf (text, "%4d-%2d-%2d%c", &y, &m, &d, &tail) != 3
        && sscanf (text, "%2d/%2d/%4d%c", &m, &d, &y, &tail) != 3)
        return -1;
    /* four-digit years only: "1/2/26" could be 1926 or 2026 */
    if (y < 1000 || y > 9999 || m < 1 || m > 12 || d < 1 || d > 31)
        return -1;
    snprintf (out, 11, "%04d-%02d-%02d", y, m, d);
    return 0;                                   /* escd checks the calendar */
}

#define IMPORT_MAX_BYTES (64 * 1024 * 1024)

/* Reads the whole of PATH, or of standard input when PATH is "-", into the
 * arena: IMPORT_MAX_BYTES at most (EFBIG beyond). */
static char *
slurp (arena_t *a, const char *path, size_t *len)
{
    bool in = strcmp (path, "-") == 0;
    FILE *f = in ? stdin : fopen (path, "rb");
    if (!f)
        return NULL;
    size_t cap = 65536, got = 0, n;
    char *buf = malloc (cap);
    if (!buf)
        abort ();
    while (got <= IMPORT_MAX_BYTES && (n = fread (buf + got, 1, cap - got, f)) > 0)
        if ((got += n) == cap && !(buf = realloc (buf, cap *= 2)))
            abort ();
    bool failed = ferror (f);
    if (!in)
        fclose (f);
    if (failed || got > IMPORT_MAX_BYTES) {
        free (buf);
        errno = failed ? errno : EFBIG;
        return NULL;
    }
    char *text = arena_alloc (a, got + 1);
    memcpy (text, buf, got);
    free (buf);
    *len = got;
    return text;
}

/* Why the ARR cell TEXT is refused (A's), given import_arr's RC. */
static const char *
arr_refusal (arena_t *a, const char *text, int rc)
{
    if (rc == IMPORT_AMBIGUOUS)
        return arena_printf (a, "ARR '%s' is ambiguous: its '%c' may group thousands or mark "
                             "decimals; write it without (1250) or with cents (1,250.00)",
                             text, *strpbrk (text, ",."));
    if (!*skip_currency (text))
        return "ARR is missing";
    return arena_printf (a, "ARR '%s' is not an amount (like 1200000, $1,200,000.00)", text);
}

/* Field COL of REC, or "" when the record is too short or there is no such
 * column (COL < 0). */
static char *
field_of (const csv_record_t *rec, int col)
{
    return col >= 0 && (size_t) col < rec->n ? rec->fields[col] : (char *) "";
}

/* Adds a problem of row LINE to P (arena A). */
static void
add_problem (arena_t *a, import_problems_t *p, size_t *cap, int64_t line, const char *field,
             const char *message)
{
    if (p->n == *cap) {
        *cap = *cap ? *cap * 2 : 16;
        import_problem_t *grown = arena_alloc (a, *cap * sizeof *grown);
        if (p->n)
            memcpy (grown, p->list, p->n * sizeof *grown);
        p->list = grown;
    }
    p->list[p->n++] = (import_problem_t) { line, field, message };
}

int
import_rows (arena_t *a, const char *path, csv_record_t *records, size_t n,
             Esc__AccountImport *imp, import_problems_t *problems, FILE *errs)
{
    size_t cap = 0;
    memset (problems, 0, sizeof *problems);
    if (n < 2) {
        fprintf (errs, "esc: IMPORT_REJECTED: %s holds no accounts under a header\n", path);
        return -1;
    }
    /* the header: which column holds what */
    int name_col = -1, arr_col = -1, renewal_col = -1;
    for (size_t c = 0; c < records[0].n; c++)
        switch (import_column (records[0].fields[c])) {
        case 'n': if (name_col < 0) name_col = (int) c; break;
        case 'a': if (arr_col < 0) arr_col = (int) c; break;
        case 'r': if (renewal_col < 0) renewal_col = (int) c; break;
        }
    if (name_col < 0 || arr_col < 0) {
        fprintf (errs, "esc: IMPORT_REJECTED: %s: the header names no %s column "
                 "(name, account, company...; arr, annual recurring revenue...)\n",
                 path, name_col < 0 ? "account name" : "ARR");
        return -1;
    }
    imp->n_rows = n - 1;
    imp->rows = arena_alloc (a, imp->n_rows * sizeof *imp->rows);
    problems->rows = imp->n_rows;
    for (size_t i = 1; i < n; i++) {
        const csv_record_t *rec = &records[i];
        Esc__AccountRow *row = arena_alloc (a, sizeof *row);
        esc__account_row__init (row);
        imp->rows[i - 1] = row;
        row->has_line = true;
        row->line = rec->line;
        row->name = name_trim (field_of (rec, name_col));
        const char *arr = field_of (rec, arr_col), *renewal = field_of (rec, renewal_col);
        /* no date, or no column: renewal_on stays out, and escd keeps
         * a known account's date */
        char *date = arena_alloc (a, 11);
        size_t before = problems->n;
        int rc = import_arr (arr, &row->arr);
        if (rc != 0)
            add_problem (a, problems, &cap, rec->line, "arr", arr_refusal (a, arr, rc));
        if (import_date (renewal, date) != 0) {
            date[0] = '\0';
            add_problem (a, problems, &cap, rec->line, "renewal_on",
                         arena_printf (a, "renewal date '%s' is not YYYY-MM-DD or MM/DD/YYYY",
                                       renewal));
        }
        /* a row esc found wrong goes without its ARR: any escd refuses it,
         * one that knows no dry run too, and still checks its name */
        row->has_arr = problems->n == before;
        if (!row->has_arr)
            row->arr = 0;
        row->renewal_on = *date ? date : NULL;
    }
    return 0;
}

/* Where a field comes in a row, for the order of a line's problems. */
static int
field_rank (const char *field)
{
    static const char *const order[] = { "name", "arr", "renewal_on" };
    for (int i = 0; i < 3; i++)
        if (field && strcmp (field, order[i]) == 0)
            return i;
    return 3;
}

static int
compare_problems (const void *a, const void *b)
{
    const import_problem_t *x = a, *y = b;
    if (x->line != y->line)
        return (x->line > y->line) - (x->line < y->line);
    return field_rank (x->field) - field_rank (y->field);
}

/* Whether esc found row LINE wrong: LIST (N, in line order) holds it. */
static bool
esc_found (const import_problem_t *list, size_t n, int64_t line)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (list[mid].line < line)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < n && list[lo].line == line;
}

void
import_merge (arena_t *a, import_problems_t *p, const Esc__ImportResult *result)
{
    size_t n_esc = p->n, n_escd = result ? result->n_problems : 0;
    import_problem_t *all = arena_alloc (a, (n_esc + n_escd + 1) * sizeof *all);
    if (n_esc)
        memcpy (all, p->list, n_esc * sizeof *all);
    for (size_t i = 0; i < n_escd; i++) {
        const Esc__RowProblem *rp = result->problems[i];
        const char *field = rp->field ? rp->field : "";
        /* a row esc found wrong went without its ARR: escd's word on that
         * ARR is about the stand-in, not the file */
        if (strcmp (field, "arr") == 0 && esc_found (p->list, n_esc, rp->line))
            continue;
        all[p->n++] = (import_problem_t) { rp->line, field, rp->message ? rp->message : "" };
    }
    p->list = all;
    qsort (p->list, p->n, sizeof *p->list, compare_problems);
    size_t lines = 0;
    for (size_t i = 0; i < p->n; i++)
        lines += i == 0 || p->list[i].line != p->list[i - 1].line;
    /* escd counts every bad row, esc's among them (they went without an
     * ARR), but lists only its first ones: the rows beyond are unseen */
    int64_t counted = result && result->has_bad_rows ? result->bad_rows : 0;
    p->bad_rows = counted > (int64_t) lines ? (size_t) counted : lines;
    p->unseen = p->bad_rows - lines;
}

void
import_show_problems (const import_problems_t *p, bool json, FILE *out, FILE *errs)
{
    char head[160];
    snprintf (head, sizeof head, "%s of %s %s %s wrong; nothing was imported",
              render_figure ((int64_t) p->bad_rows), render_figure ((int64_t) p->rows),
              figure_noun ((int64_t) p->rows, "row", "rows"),
              figure_noun ((int64_t) p->bad_rows, "is", "are"));
    fprintf (errs, "esc: IMPORT_REJECTED: %s:\n", head);
    /* the first IMPORT_SHOWN problems, and the rest of the last line's */
    size_t shown = 0, lines = 0;
    for (; shown < p->n; shown++) {
        bool new_line = shown == 0 || p->list[shown].line != p->list[shown - 1].line;
        if (new_line && lines >= IMPORT_SHOWN)
            break;
        lines += new_line;
        fprintf (errs, "    line %lld: ", (long long) p->list[shown].line);
        text_write (errs, p->list[shown].message, "      ");
        fputc ('\n', errs);
    }
    size_t more = p->bad_rows - lines;
    if (more)
        fprintf (errs, "    ... and %s more %s%s\n", render_figure ((int64_t) more),
                 figure_noun ((int64_t) more, "row", "rows"),
                 p->unseen ? " (escd names the first rows it finds wrong; fix those, and "
                             "import again)" : "");
    if (!json)
        return;
    json_t j;
    json_init (&j);
    json_object_begin (&j);
    json_key (&j, "error");
    json_object_begin (&j);
    json_kv_string (&j, "status", esc_status_name (ESC_INVALID_ARGUMENT));
    json_kv_string (&j, "reason", "IMPORT_REJECTED");
    json_kv_string (&j, "message", head);
    json_kv_int (&j, "rows", (int64_t) p->rows);
    json_kv_int (&j, "bad_rows", (int64_t) p->bad_rows);
    json_key (&j, "problems");
    json_array_begin (&j);
    for (size_t i = 0; i < p->n; i++) {
        json_object_begin (&j);
        json_kv_int (&j, "line", p->list[i].line);
        json_kv_string (&j, "field", p->list[i].field);
        json_kv_string (&j, "message", p->list[i].message);
        json_object_end (&j);
    }
    json_array_end (&j);
    json_object_end (&j);
    json_object_end (&j);
    fprintf (out, "%s\n", json_text (&j));
    json_release (&j);
}

int
import_run (const session_t *s, const args_t *a, const char *user, const keypair_t *kp)
{
    (void) user;
    const char *path = a->operands[0];
    arena_t *m = arena_new ();
    char err[512];
    int rc = EXIT_REFUSED;
    size_t len, n;
    csv_record_t *records;
    char *text = slurp (m, path, &len);
    if (strcmp (path, "-") == 0)
        path = "standard input";
    if (!text) {
        fprintf (stderr, "esc account import: cannot read %s: %s\n", path, strerror (errno));
        rc = EXIT_USAGE;
        goto done;
    }
    if (csv_parse (m, text, len, &records, &n, err, sizeof err) != 0) {
        fprintf (stderr, "esc: IMPORT_REJECTED: %s: %s; nothing was imported\n", path, err);
        goto done;
    }
    Esc__AccountImport imp = ESC__ACCOUNT_IMPORT__INIT;
    import_problems_t problems;
    if (import_rows (m, path, records, n, &imp, &problems, stderr) != 0)
        goto done;
    /* rows esc cannot read: escd checks the rest, importing nothing, so
     * that one run names every bad row */
    imp.has_dry_run = imp.dry_run = problems.n > 0;
    Esc__Request req = ESC__REQUEST__INIT;
    req.op_case = ESC__REQUEST__OP_ACCOUNT_IMPORT;
    req.account_import = &imp;
    Esc__Reply *reply = session_call_unless (s, kp, &req, "IMPORT_REJECTED", &rc);
    const Esc__ImportResult *res = reply && reply->result_case == ESC__REPLY__RESULT_IMPORT_RESULT
                                 ? reply->import_result : NULL;
    if (!reply) {
        /* escd's error is shown: esc's own problems wait for an escd that
         * checks the rest, or the count of bad rows would be half of it */
    }
    else if (!res) {
        /* refused without its rows, or an answer without a result */
        esc_error_t e;
        if (reply->status == ESC__STATUS__OK)
            esc_fail (&e, ESC_INTERNAL, "BAD_REPLY", "escd's answer to the import holds no "
                      "result (a different version?)");
        else
            esc_fail (&e, (esc_status_t) reply->status, reply->reason, "%s",
                      reply->message ? reply->message : "");
        render_error (&e, s->json);
        rc = session_exit_code (e.status);
    }
    else if (reply->status == ESC__STATUS__OK && !imp.dry_run) {
        if (s->json)
            printf ("{\"added\":%lld,\"updated\":%lld}\n", (long long) res->added,
                    (long long) res->updated);
        else if (s->quiet)
            /* the names of what was made or changed, one a line */
            for (size_t i = 0; i < imp.n_rows; i++) {
                text_write (stdout, imp.rows[i]->name, NULL);
                fputc ('\n', stdout);
            }
        else {
            int64_t all = res->added + res->updated;
            printf ("%s %s imported: %s new, %s updated\n", render_figure (all),
                    figure_noun (all, "account", "accounts"), render_figure (res->added),
                    render_figure (res->updated));
        }
    }
    else {
        /* esc's problems, escd's, or both: one list */
        import_merge (m, &problems, reply->status == ESC__STATUS__OK ? NULL : res);
        import_show_problems (&problems, s->json, stdout, stderr);
        rc = EXIT_REFUSED;
    }
    esc__reply__free_unpacked (reply, NULL);
done:
    arena_destroy (&m);
    return rc;
}
