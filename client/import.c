/* import.c: accounts from a CRM export. See import.h. */
#include "import.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csv.h"
#include "names.h"
#include "render.h"

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

int
import_rows (arena_t *a, const char *path, csv_record_t *records, size_t n,
             Esc__AccountImport *imp, FILE *errs)
{
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
    size_t bad = 0;
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
        const char *why = NULL;
        int rc = import_arr (arr, &row->arr);
        if (rc != 0)
            why = arr_refusal (a, arr, rc);
        else if (import_date (renewal, date) != 0)
            why = arena_printf (a, "renewal date '%s' is not YYYY-MM-DD or MM/DD/YYYY", renewal);
        row->has_arr = true;
        row->renewal_on = *date ? date : NULL;
        if (why) {
            if (bad++ == 0)
                fprintf (errs, "esc: IMPORT_REJECTED: nothing was imported:\n");
            fprintf (errs, "  line %lld: %s\n", (long long) rec->line, why);
        }
    }
    return bad ? -1 : 0;
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
    if (import_rows (m, path, records, n, &imp, stderr) != 0)
        goto done;
    Esc__Request req = ESC__REQUEST__INIT;
    req.op_case = ESC__REQUEST__OP_ACCOUNT_IMPORT;
    req.account_import = &imp;
    Esc__Reply *reply = session_call (s, kp, &req, &rc);
    if (reply) {
        const Esc__ImportResult *res = reply->import_result;
        if (s->json)
            printf ("{\"added\":%lld,\"updated\":%lld}\n", (long long) res->added,
                    (long long) res->updated);
        else {
            long long all = (long long) (res->added + res->updated);
            printf ("%lld account%s imported: %lld new, %lld updated\n", all, all == 1 ? "" : "s",
                    (long long) res->added, (long long) res->updated);
        }
    }
    esc__reply__free_unpacked (reply, NULL);
done:
    arena_destroy (&m);
    return rc;
}
