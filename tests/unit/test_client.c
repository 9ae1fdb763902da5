/* test_client.c: esc's parsing of its command line, its help, man page
 * and shell completion, its settings and CRM exports, and what its text
 * views make of hostile text. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "args.h"
#include "commands.h"
#include "complete.h"
#include "help.h"
#include "names.h"
#include "config.h"
#include "csv.h"
#include "import.h"
#include "server_status.h"
#include "render.h"
#include "report.h"
#include "watch.h"

static const opt_spec_t specs[] = {
    { "hours", ARG_INT, "N", "" },
    { "viable", ARG_YESNO, "yes|no", "" },
    { "displaces", ARG_LIST, "RID,...", "" },
    { "note", ARG_TEXT, "T", "" },
    { "mine", ARG_FLAG, NULL, "" },
    { NULL, 0, NULL, NULL },
};

static int
parse (args_t *a, arena_t *m, char *err, int n, ...)
{
    char *argv[16];
    va_list ap;
    va_start (ap, n);
    for (int i = 0; i < n; i++)
        argv[i] = va_arg (ap, char *);
    va_end (ap);
    return args_parse (a, m, specs, 1, 1, n, argv, err, 256);
}

static void
test_args_good (void **state)
{
    (void) state;
    arena_t *m = arena_new ();
    args_t a;
    char err[256];
    assert_int_equal (parse (&a, m, err, 9, "7", "--hours", "40", "--viable=yes",
                             "--displaces", "3,4", "--displaces", "5", "--mine"), 0);
    assert_string_equal (a.operands[0], "7");
    int64_t hours;
    bool viable;
    assert_true (args_int (&a, "hours", &hours));
    assert_int_equal (hours, 40);
    assert_true (args_yesno (&a, "viable", &viable));
    assert_true (viable);
    size_t n;
    char **items = args_list (&a, m, "displaces", &n);
    assert_int_equal (n, 3);
    assert_string_equal (items[0], "3");
    assert_string_equal (items[2], "5");
    assert_true (args_flag (&a, "mine"));
    assert_null (args_text (&a, "note"));
    assert_int_equal (parse (&a, m, err, 3, "--note", "--", "7"), 0);   /* a value may look odd */
    assert_string_equal (args_text (&a, "note"), "--");
    arena_destroy (&m);
}

static void
test_args_bad (void **state)
{
    (void) state;
    arena_t *m = arena_new ();
    args_t a;
    char err[256];
    assert_int_equal (parse (&a, m, err, 3, "7", "--hours", "forty"), -1);
    assert_non_null (strstr (err, "--hours"));
    assert_int_equal (parse (&a, m, err, 3, "7", "--viable", "maybe"), -1);
    assert_non_null (strstr (err, "yes or no"));
    assert_int_equal (parse (&a, m, err, 2, "7", "--colour"), -1);
    assert_non_null (strstr (err, "unknown option '--colour'"));
    assert_int_equal (parse (&a, m, err, 2, "7", "--hours"), -1);
    assert_non_null (strstr (err, "needs a value"));
    assert_int_equal (parse (&a, m, err, 2, "7", "8"), -1);
    assert_non_null (strstr (err, "unexpected argument '8'"));
    assert_int_equal (parse (&a, m, err, 1, "--mine"), -1);
    assert_non_null (strstr (err, "missing argument"));
    assert_int_equal (parse (&a, m, err, 2, "7", "--hour"), -1);
    assert_non_null (strstr (err, "unknown option '--hour'; did you mean --hours?"));
    assert_int_equal (parse (&a, m, err, 5, "7", "--hours", "1", "--hours", "2"), -1);
    assert_non_null (strstr (err, "twice"));
    assert_int_equal (parse (&a, m, err, 2, "7", "--mine=yes"), -1);
    assert_int_equal (parse (&a, m, err, 3, "7", "--hours", "99999999999999999999"), -1);
    arena_destroy (&m);
}

static void
test_config (void **state)
{
    (void) state;
    char dir[] = "/tmp/esc-home-XXXXXX", path[64], err[256];
    assert_non_null (mkdtemp (dir));
    snprintf (path, sizeof path, "%s/config", dir);
    FILE *f = fopen (path, "w");
    fputs ("# esc settings\nendpoint = tcp://10.0.0.1:7770\n"
           "server-key = 00-#G93V{/i6P(br9J*CAcD++JfxZ7SirUy-llPZ\n\nuser = alice\n"
           "timeout = 2.5\n", f);
    fclose (f);
    setenv ("ESC_HOME", dir, 1);
    unsetenv ("ESC_ENDPOINT");
    unsetenv ("ESC_USER");
    unsetenv ("ESC_SERVER_KEY");
    unsetenv ("ESC_TIMEOUT");
    config_t c;
    assert_int_equal (config_load (&c, err, sizeof err), 0);
    assert_string_equal (c.endpoint, "tcp://10.0.0.1:7770");
    /* '#' inside a value is not a comment */
    assert_string_equal (c.server_key, "00-#G93V{/i6P(br9J*CAcD++JfxZ7SirUy-llPZ");
    assert_string_equal (c.user, "alice");
    assert_int_equal (c.timeout_ms, 2500);
    assert_string_equal (c.feed, DEFAULT_FEED);

    setenv ("ESC_ENDPOINT", "tcp://127.0.0.1:9", 1);
    setenv ("ESC_USER", "bob", 1);
    assert_int_equal (config_load (&c, err, sizeof err), 0);
    assert_string_equal (c.endpoint, "tcp://127.0.0.1:9");
    assert_string_equal (c.user, "bob");
    char key[1200];
    config_key_path (&c, "bob", key, sizeof key);
    assert_non_null (strstr (key, "/keys/bob.key"));

    setenv ("ESC_TIMEOUT", "soon", 1);
    assert_int_equal (config_load (&c, err, sizeof err), -1);
    assert_non_null (strstr (err, "ESC_TIMEOUT"));
    unsetenv ("ESC_TIMEOUT");

    f = fopen (path, "w");
    fputs ("colour = blue\n", f);
    fclose (f);
    assert_int_equal (config_load (&c, err, sizeof err), -1);
    assert_non_null (strstr (err, "config:1"));
    unlink (path);
    assert_int_equal (config_load (&c, err, sizeof err), 0);   /* no file: defaults */
    assert_string_equal (c.endpoint, "tcp://127.0.0.1:9");
    rmdir (dir);
    unsetenv ("ESC_ENDPOINT");
    unsetenv ("ESC_USER");
}

static void
test_timeout (void **state)
{
    (void) state;
    int ms;
    assert_int_equal (config_parse_timeout ("5", &ms), 0);
    assert_int_equal (ms, 5000);
    assert_int_equal (config_parse_timeout ("0.2", &ms), 0);
    assert_int_equal (ms, 200);
    assert_int_equal (config_parse_timeout ("0", &ms), -1);
    assert_int_equal (config_parse_timeout ("-1", &ms), -1);
    assert_int_equal (config_parse_timeout ("1e9", &ms), -1);
    assert_int_equal (config_parse_timeout ("nan", &ms), -1);
    assert_int_equal (config_parse_timeout ("", &ms), -1);
}

/* The watcher's sequencing: next, duplicate or gap. */
static void
test_watch_step (void **state)
{
    (void) state;
    assert_int_equal (watch_step (0, 1), WATCH_NEXT);
    assert_int_equal (watch_step (41, 42), WATCH_NEXT);
    assert_int_equal (watch_step (42, 42), WATCH_DUPLICATE);
    assert_int_equal (watch_step (42, 7), WATCH_DUPLICATE);
    assert_int_equal (watch_step (42, 44), WATCH_GAP);
    assert_int_equal (watch_step (0, 1000), WATCH_GAP);
}

static void
test_watch_filter (void **state)
{
    (void) state;
    Esc__Event e = ESC__EVENT__INIT;
    e.type = "escalation.approved";
    e.quarter = "2026Q4";
    e.account = "Acme";
    watch_filter_t any = { 0 };
    assert_true (watch_filter_match (&any, &e));
    watch_filter_t f = { .quarter = "2026Q4", .type = "escalation.approved", .account = "Acme" };
    assert_true (watch_filter_match (&f, &e));
    f.type = "escalation.*";
    assert_true (watch_filter_match (&f, &e));
    f.type = "escalation.";
    assert_true (watch_filter_match (&f, &e));
    f.type = "escalation";
    assert_false (watch_filter_match (&f, &e));
    f.type = "quarter.*";
    assert_false (watch_filter_match (&f, &e));
    f.type = NULL;
    f.quarter = "2027Q1";
    assert_false (watch_filter_match (&f, &e));
    f.quarter = NULL;
    f.account = "Globex";
    assert_false (watch_filter_match (&f, &e));
    /* an event without an account never matches an account filter */
    e.account = NULL;
    f.account = "Acme";
    assert_false (watch_filter_match (&f, &e));
    watch_filter_t star = { .type = "*" };
    assert_true (watch_filter_match (&star, &e));
}

static void
test_csv_parse (void **state)
{
    (void) state;
    arena_t *a = arena_new ();
    const char text[] = "\xEF\xBB\xBFname,arr\r\n\"Hooli, Inc.\",\"1,000\"\r\n\n"
                        "\"say \"\"hi\"\"\",\"two\nlines\"\nlast,";
    csv_record_t *r;
    size_t n;
    char err[128];
    assert_int_equal (csv_parse (a, text, sizeof text - 1, &r, &n, err, sizeof err), 0);
    assert_int_equal (n, 4);
    assert_string_equal (r[0].fields[0], "name");               /* BOM skipped */
    assert_string_equal (r[1].fields[0], "Hooli, Inc.");
    assert_string_equal (r[1].fields[1], "1,000");
    assert_int_equal (r[1].line, 2);
    assert_string_equal (r[2].fields[0], "say \"hi\"");
    assert_string_equal (r[2].fields[1], "two\nlines");
    assert_int_equal (r[2].line, 4);                             /* after a blank line */
    assert_int_equal (r[3].line, 6);
    assert_int_equal (r[3].n, 2);
    assert_string_equal (r[3].fields[1], "");
    assert_int_equal (csv_parse (a, "a,\"b\n", 6, &r, &n, err, sizeof err), -1);
    assert_non_null (strstr (err, "line 1: a quoted field never ends"));
    assert_int_equal (csv_parse (a, "x\n\"b\"c\n", 7, &r, &n, err, sizeof err), -1);
    assert_non_null (strstr (err, "line 2: text after a closing quote"));
    assert_int_equal (csv_parse (a, "", 0, &r, &n, err, sizeof err), 0);
    assert_int_equal (n, 0);
    arena_destroy (&a);
}

static void
test_csv_write (void **state)
{
    (void) state;
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream (&buf, &len);
    csv_field (f, "plain", false);
    csv_field (f, "with, comma", false);
    csv_field (f, "a \"quote\"", false);
    csv_field (f, NULL, false);
    csv_field (f, "=HYPERLINK(\"x\")", false);
    csv_field (f, "@SUM(A1)", true);
    fclose (f);
    assert_string_equal (buf, "plain,\"with, comma\",\"a \"\"quote\"\"\",,"
                              "\"'=HYPERLINK(\"\"x\"\")\",\"'@SUM(A1)\"\r\n");
    free (buf);
}

static void
test_import_values (void **state)
{
    (void) state;
    assert_int_equal (import_column ("Account Name"), 'n');
    assert_int_equal (import_column ("COMPANY"), 'n');
    assert_int_equal (import_column ("ARR (USD)"), 'a');
    assert_int_equal (import_column ("annual_recurring_revenue"), 'a');
    assert_int_equal (import_column ("Contract End Date"), 'r');
    assert_int_equal (import_column ("Owner"), 0);
    char date[11];
    assert_int_equal (import_date ("2031-03-31", date), 0);
    assert_string_equal (date, "2031-03-31");
    assert_int_equal (import_date ("3/31/2031", date), 0);
    assert_string_equal (date, "2031-03-31");
    assert_int_equal (import_date ("", date), 0);
    assert_string_equal (date, "");
    assert_int_equal (import_date ("soon", date), -1);
    assert_int_equal (import_date ("2031-03-31T00:00", date), -1);
    assert_int_equal (import_date (" 2031-03-31 ", date), 0);
    assert_string_equal (date, "2031-03-31");
    assert_int_equal (import_date ("1/2/26", date), -1);         /* which century? */
    assert_int_equal (import_date ("31/12/2031", date), -1);     /* day first */
    assert_int_equal (import_date ("2031-13-01", date), -1);
}

/* Every form of amount import.h names: read, ambiguous, or not one. */
static void
test_import_amounts (void **state)
{
    (void) state;
    enum { AMBIGUOUS = IMPORT_AMBIGUOUS, NOT = IMPORT_NOT_AMOUNT };
    static const struct {
        const char *text;
        int rc;
        int64_t arr;
    } amounts[] = {
        { "1250", 0, 1250 },
        { "$1,200,000.00", 0, 1200000 },
        { "1,250,000", 0, 1250000 },            /* two commas: only thousands */
        { "1 200 000", 0, 1200000 },
        { "1 250", 0, 1250 },                   /* a space never marks decimals */
        { "1250.50", 0, 1251 },                 /* cents rounded */
        { "12.5", 0, 13 },
        { "12.49", 0, 12 },
        { "12.5000", 0, 13 },                   /* four decimals are no thousands */
        { "85,000.00", 0, 85000 },              /* with cents: the comma groups */
        { "1,250.000", 0, 1250 },               /* a comma and a point: thousands, decimals */
        { "1 250.500", 0, 1251 },
        { " 85,000,000 ", 0, 85000000 },
        { "\u20ac 900", 0, 900 },
        { "900 \u20ac", 0, 900 },
        { "\u00a375", 0, 75 },
        { "-5", 0, -5 },                        /* escd refuses it, naming arr */
        { "-$1,000.00", 0, -1000 },
        /* one comma or point before exactly three digits: which is it? */
        { "12.500 \u20ac", AMBIGUOUS, 0 },     /* 12500 in Germany, 12.5 in the US */
        { "\u20ac1.250", AMBIGUOUS, 0 },
        { "1.250 \u20ac", AMBIGUOUS, 0 },
        { "12.500", AMBIGUOUS, 0 },
        { "1,250", 0, 1250 },                   /* a comma groups thousands, as README says */
        { "$250,000", 0, 250000 },
        { " 85,000 ", 0, 85000 },
        { "-$1,000", 0, -1000 },
        { "0.125", AMBIGUOUS, 0 },
        /* European and malformed forms: not amounts */
        { "1.250,00", NOT, 0 },
        { "1.250.000", NOT, 0 },
        { "1.234,56", NOT, 0 },
        { "1 234,56", NOT, 0 },
        { "12,5", NOT, 0 },
        { "12,50", NOT, 0 },
        { "1,2345", NOT, 0 },
        { "1234,567", NOT, 0 },
        { "1,234 567", NOT, 0 },
        { "1,25,000", NOT, 0 },
        { "1.2.3", NOT, 0 },
        { "12.", NOT, 0 },
        { "$", NOT, 0 },
        { "", NOT, 0 },
        { "lots", NOT, 0 },
        { "12 500 EUR", NOT, 0 },
        { "99999999999999999999999999999999", NOT, 0 },
    };
    for (size_t i = 0; i < sizeof amounts / sizeof amounts[0]; i++) {
        int64_t arr = -42;
        int rc = import_arr (amounts[i].text, &arr);
        if (rc != amounts[i].rc || (rc == 0 && arr != amounts[i].arr))
            fail_msg ("import_arr (\"%s\"): %d, %lld; expected %d, %lld", amounts[i].text, rc,
                      (long long) arr, amounts[i].rc, (long long) amounts[i].arr);
        if (rc != 0 && arr != -42)
            fail_msg ("import_arr (\"%s\") wrote an amount it refused", amounts[i].text);
    }
}

/* Parses TEXT as a CRM export and turns it into IMP's rows and PROBLEMS;
 * what went to the errors is in *ERRS (free it). */
static int
rows_of (arena_t *a, const char *text, Esc__AccountImport *imp, import_problems_t *problems,
         char **errs)
{
    csv_record_t *records;
    size_t n, len = 0;
    char err[128];
    assert_int_equal (csv_parse (a, text, strlen (text), &records, &n, err, sizeof err), 0);
    FILE *f = open_memstream (errs, &len);
    esc__account_import__init (imp);
    int rc = import_rows (a, "crm.csv", records, n, imp, problems, f);
    fclose (f);
    return rc;
}

/* What import_show_problems writes of P: the text into *TEXT, the JSON
 * document (with JSON) into *DOC (free both). */
static void
shown (const import_problems_t *p, bool json, char **text, char **doc)
{
    size_t tlen = 0, dlen = 0;
    FILE *t = open_memstream (text, &tlen), *d = open_memstream (doc, &dlen);
    import_show_problems (p, json, d, t);
    fclose (t);
    fclose (d);
}

/* The header decides what a row gives: no renewal column, or an empty
 * cell, leaves the date out, for escd to keep the one it has. */
static void
test_import_rows (void **state)
{
    (void) state;
    arena_t *a = arena_new ();
    Esc__AccountImport imp;
    import_problems_t problems;
    char *errs, *text, *doc;

    /* no renewal column */
    assert_int_equal (rows_of (a, "Company,ARR (USD),Owner\n"
                                  "\"  Acme  \",\"$1,200,000.00\",sam\n"
                                  "Globex\u00a0,5000,\n", &imp, &problems, &errs), 0);
    assert_string_equal (errs, "");
    free (errs);
    assert_int_equal (problems.n, 0);
    assert_int_equal (problems.rows, 2);
    assert_int_equal (imp.n_rows, 2);
    assert_string_equal (imp.rows[0]->name, "Acme");            /* trimmed */
    assert_int_equal (imp.rows[0]->line, 2);
    assert_true (imp.rows[0]->has_arr);
    assert_int_equal (imp.rows[0]->arr, 1200000);
    assert_null (imp.rows[0]->renewal_on);
    assert_string_equal (imp.rows[1]->name, "Globex");
    assert_null (imp.rows[1]->renewal_on);

    /* a renewal column: an empty cell, or a short row, gives no date */
    assert_int_equal (rows_of (a, "name,arr,renewal date\n"
                                  "Acme,100,2031-03-31\n"
                                  "Globex,200,\n"
                                  "Initech,300\n"
                                  "Hooli,400,  \n", &imp, &problems, &errs), 0);
    free (errs);
    assert_int_equal (problems.n, 0);
    assert_int_equal (imp.n_rows, 4);
    assert_string_equal (imp.rows[0]->renewal_on, "2031-03-31");
    assert_null (imp.rows[1]->renewal_on);
    assert_null (imp.rows[2]->renewal_on);
    assert_null (imp.rows[3]->renewal_on);

    /* amounts and dates esc cannot read are problems of their lines; each
     * such row stays, without its ARR (any escd refuses it) and without
     * the date it could not read, for escd to check its name */
    assert_int_equal (rows_of (a, "name,arr,renewal\n"
                                  "Fine,\"1,250,000\",\n"
                                  "Euro,12.500 \u20ac,\n"
                                  "Euro Two,\u20ac1.250,soon\n"
                                  "Comma,\"1,250\",\n"
                                  "Empty,,\n"
                                  "Words,lots,\n"
                                  "Late,7,someday\n", &imp, &problems, &errs), 0);
    assert_string_equal (errs, "");
    free (errs);
    assert_int_equal (imp.n_rows, 7);
    assert_int_equal (problems.n, 6);
    assert_true (imp.rows[0]->has_arr);
    assert_int_equal (imp.rows[0]->arr, 1250000);
    assert_false (imp.rows[1]->has_arr);
    assert_string_equal (imp.rows[2]->name, "Euro Two");
    assert_false (imp.rows[2]->has_arr);
    assert_null (imp.rows[2]->renewal_on);
    assert_true (imp.rows[3]->has_arr);
    assert_int_equal (imp.rows[3]->arr, 1250);
    /* a readable ARR goes too when the row's date is wrong */
    assert_false (imp.rows[6]->has_arr);
    assert_null (imp.rows[6]->renewal_on);
    import_merge (a, &problems, NULL);
    assert_int_equal (problems.bad_rows, 5);
    assert_int_equal (problems.unseen, 0);
    shown (&problems, false, &text, &doc);
    assert_string_equal (text,
        "esc: IMPORT_REJECTED: 5 of 7 rows are wrong; nothing was imported:\n"
        "    line 3: ARR '12.500 \u20ac' is ambiguous: its '.' may group thousands or mark "
        "decimals; write it without (1250) or with cents (1,250.00)\n"
        "    line 4: ARR '\u20ac1.250' is ambiguous: its '.' may group thousands or mark "
        "decimals; write it without (1250) or with cents (1,250.00)\n"
        "    line 4: renewal date 'soon' is not YYYY-MM-DD or MM/DD/YYYY\n"
        "    line 6: ARR is missing\n"
        "    line 7: ARR 'lots' is not an amount (like 1200000, $1,200,000.00)\n"
        "    line 8: renewal date 'someday' is not YYYY-MM-DD or MM/DD/YYYY\n");
    assert_string_equal (doc, "");
    free (text);
    free (doc);

    /* the name and ARR columns are required; the header alone is no import */
    assert_int_equal (rows_of (a, "name,renewal\nAcme,2031-01-01\n", &imp, &problems, &errs), -1);
    assert_non_null (strstr (errs, "crm.csv: the header names no ARR column"));
    free (errs);
    assert_int_equal (rows_of (a, "owner,arr\nsam,5\n", &imp, &problems, &errs), -1);
    assert_non_null (strstr (errs, "the header names no account name column"));
    free (errs);
    assert_int_equal (rows_of (a, "name,arr\n", &imp, &problems, &errs), -1);
    assert_non_null (strstr (errs, "crm.csv holds no accounts under a header"));
    free (errs);
    arena_destroy (&a);
}

/* What esc found and what escd found make one list, by line. escd's word
 * on the ARR of a row esc found wrong is about the ARR esc left out, and is
 * dropped; its count, which holds esc's rows too, is the count. */
static void
test_import_merge (void **state)
{
    (void) state;
    arena_t *a = arena_new ();
    Esc__AccountImport imp;
    import_problems_t problems;
    char *errs, *text, *doc;
    assert_int_equal (rows_of (a, "name,arr\n"
                                  "Acme,1\n"
                                  "Globex,abc\n"
                                  "Bad\x1b,3\n"
                                  "Hooli,x\n", &imp, &problems, &errs), 0);
    free (errs);
    assert_int_equal (problems.n, 2);

    /* escd: line 3's name (a twin, say), line 4's name, and line 5's
     * missing ARR (the row esc sent without one) */
    Esc__RowProblem p3 = ESC__ROW_PROBLEM__INIT, p4 = ESC__ROW_PROBLEM__INIT,
                    p5 = ESC__ROW_PROBLEM__INIT;
    Esc__RowProblem *listed[] = { &p3, &p4, &p5 };
    p3.has_line = p4.has_line = p5.has_line = true;
    p3.line = 3;
    p3.field = "name";
    p3.message = "account 'Globex' exists already as 'GLOBEX'";
    p4.line = 4;
    p4.field = "name";
    p4.message = "name holds U+001B (control) at byte 4";
    p5.line = 5;
    p5.field = "arr";
    p5.message = "arr is missing";
    Esc__ImportResult res = ESC__IMPORT_RESULT__INIT;
    res.problems = listed;
    res.n_problems = 3;
    res.has_bad_rows = true;
    res.bad_rows = 3;
    import_merge (a, &problems, &res);
    assert_int_equal (problems.n, 4);
    assert_int_equal (problems.bad_rows, 3);
    assert_int_equal (problems.unseen, 0);
    shown (&problems, true, &text, &doc);
    assert_string_equal (text,
        "esc: IMPORT_REJECTED: 3 of 4 rows are wrong; nothing was imported:\n"
        "    line 3: account 'Globex' exists already as 'GLOBEX'\n"
        "    line 3: ARR 'abc' is not an amount (like 1200000, $1,200,000.00)\n"
        "    line 4: name holds U+001B (control) at byte 4\n"
        "    line 5: ARR 'x' is not an amount (like 1200000, $1,200,000.00)\n");
    assert_non_null (strstr (doc, "\"reason\":\"IMPORT_REJECTED\""));
    assert_non_null (strstr (doc, "\"rows\":4,\"bad_rows\":3,\"problems\":[{\"line\":3,"
                                  "\"field\":\"name\""));
    assert_null (strstr (doc, "arr is missing"));
    free (text);
    free (doc);

    /* one bad row of one: the nouns agree */
    assert_int_equal (rows_of (a, "name,arr\nAcme,abc\n", &imp, &problems, &errs), 0);
    free (errs);
    import_merge (a, &problems, NULL);
    shown (&problems, false, &text, &doc);
    assert_string_equal (text,
        "esc: IMPORT_REJECTED: 1 of 1 row is wrong; nothing was imported:\n"
        "    line 2: ARR 'abc' is not an amount (like 1200000, $1,200,000.00)\n");
    free (text);
    free (doc);

    /* escd named the first of many: the count is its, the rest unseen */
    assert_int_equal (rows_of (a, "name,arr\nAcme,abc\n", &imp, &problems, &errs), 0);
    free (errs);
    problems.rows = 3000;
    res.n_problems = 2;         /* lines 3 and 4 */
    res.bad_rows = 1250;
    import_merge (a, &problems, &res);
    assert_int_equal (problems.bad_rows, 1250);
    assert_int_equal (problems.unseen, 1247);
    shown (&problems, false, &text, &doc);
    assert_non_null (strstr (text, "IMPORT_REJECTED: 1,250 of 3,000 rows are wrong;"));
    assert_non_null (strstr (text, "    line 4: name holds"));
    assert_non_null (strstr (text, "    ... and 1,247 more rows (escd names the first rows it "
                                   "finds wrong; fix those, and import again)\n"));
    free (text);
    free (doc);
    arena_destroy (&a);
}

/* More bad rows than are shown: the first IMPORT_SHOWN rows, each with all
 * its problems, then how many more; --json lists them all. */
static void
test_import_shown (void **state)
{
    (void) state;
    arena_t *a = arena_new ();
    import_problems_t p = { 0 };
    p.n = 2 * (IMPORT_SHOWN + 5);
    p.list = arena_alloc (a, p.n * sizeof *p.list);
    for (size_t i = 0; i < p.n; i++)
        p.list[i] = (import_problem_t) { (int64_t) (i / 2 + 2), i % 2 ? "renewal_on" : "arr",
                                         i % 2 ? "a date" : "an amount" };
    p.rows = 1000;
    p.bad_rows = IMPORT_SHOWN + 5;
    char *text, *doc;
    shown (&p, true, &text, &doc);
    char last[64], cut[64];
    snprintf (last, sizeof last, "    line %d: a date\n", IMPORT_SHOWN + 1);
    snprintf (cut, sizeof cut, "    line %d:", IMPORT_SHOWN + 2);
    assert_non_null (strstr (text, last));
    assert_null (strstr (text, cut));
    assert_non_null (strstr (text, "\n    ... and 5 more rows\n"));
    size_t objects = 0;
    for (const char *q = doc; (q = strstr (q, "{\"line\":")); q++)
        objects++;
    assert_int_equal (objects, p.n);
    free (text);
    free (doc);
    arena_destroy (&a);
}

/* esc status: a key's fingerprint, escd's age for people. */
static void
test_status_pieces (void **state)
{
    (void) state;
    char fp[17], up[64];
    /* SHA-256 of the 32 bytes this Z85 key encodes, its first 8 bytes (as
     * Python's hashlib computes it) */
    assert_int_equal (server_status_fingerprint ("rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7", fp), 0);
    assert_int_equal (strlen (fp), 16);
    assert_string_equal (fp, "522501f4e7a63f61");
    assert_int_equal (server_status_fingerprint ("not a key", fp), -1);
    assert_string_equal (fp, "");
    server_status_uptime (42, up, sizeof up);
    assert_string_equal (up, "42 s");
    server_status_uptime (12 * 60 + 5, up, sizeof up);
    assert_string_equal (up, "12 min");
    server_status_uptime (2 * 3600 + 3 * 60, up, sizeof up);
    assert_string_equal (up, "2 h 3 min");
    server_status_uptime (3 * 86400 + 4 * 3600 + 59, up, sizeof up);
    assert_string_equal (up, "3 d 4 h");
}

/* ==== Text views of hostile text ========================================= */

/* Fails unless TEXT (what a view printed) holds no raw ESC, CR, C1 or bidi
 * override, and no line of it starts with one of BAD_STARTS (NULL-ended). */
static void
assert_no_forgery (const char *text, const char *const *bad_starts)
{
    if (strchr (text, '\x1b') || strchr (text, '\r') || strstr (text, "\xe2\x80\xae")
        || strstr (text, "\xc2\x85"))
        fail_msg ("a raw control or bidi character was printed:\n%s", text);
    for (const char *line = text; line && *line; line = strchr (line, '\n'), line = line ? line + 1 : NULL)
        for (const char *const *b = bad_starts; *b; b++)
            if (strncmp (line, *b, strlen (*b)) == 0)
                fail_msg ("a line starts with '%s':\n%s", *b, text);
}

/* What render_result prints for REPLY, in a string the caller frees: the
 * whole reply (DONE NULL) or a write's confirmation, in JSON or with only
 * ids (QUIET). */
static char *
rendered_how (const Esc__Reply *reply, const char *done, bool json, bool quiet)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *out = open_memstream (&buf, &len);
    assert_non_null (out);
    render_result (reply, &(render_how_t) { .done = done, .json = json, .quiet = quiet }, out);
    fclose (out);
    return buf;
}

static char *
rendered (const Esc__Reply *reply, const char *done, bool json)
{
    return rendered_how (reply, done, json, false);
}

static void
test_render_hostile (void **state)
{
    (void) state;
    Esc__Escalation e = ESC__ESCALATION__INIT;
    char *also[] = { "Glo\nbex" };
    e.id = 21;
    e.quarter = "2031Q1";
    e.state = "returned";
    e.account = "Ac\xe2\x80\xaeme";
    e.title = "Title\x1b[2J";
    e.problem = "It breaks.\n  approved:   token 1, by carol\n#22 carol spent token 2";
    e.solution = "a\r\n#23 evan OVERRODE";
    e.state_reason = "no\n#22 2031-01-01T00:00:00.000Z  carol spent token 2 on escalation 21";
    e.filer = "alice";
    e.filed_at = "2031-01-01T00:00:00Z";
    e.also_needed_by = also;
    e.n_also_needed_by = 1;
    e.has_hours = true;
    e.hours = 10;
    e.sized_by = "pat";
    e.sizing_note = "two weeks\n  approved:   OVERRIDE by evan: x";
    Esc__Reply reply = ESC__REPLY__INIT;
    reply.result_case = ESC__REPLY__RESULT_ESCALATION;
    reply.escalation = &e;

    static const char *const forged[] = { "  approved:", "#", NULL };
    char *detail = rendered (&reply, NULL, false);
    assert_no_forgery (detail, forged);
    /* the problem's second line continues under its value */
    if (!strstr (detail, "  problem:    It breaks.\n"
                         "              " "  approved:   token 1, by carol\n"
                         "              " "#22 carol spent token 2\n"))
        fail_msg ("problem not indented:\n%s", detail);
    if (!strstr (detail, "escalation 21: Title\\x1b[2J\n")
        || !strstr (detail, "  account:    Ac\\u202eme\n")
        || !strstr (detail, "  solution:   a\\x0d\n              #23 evan OVERRODE\n")
        || !strstr (detail, "— no\\x0a#22 2031"))
        fail_msg ("escapes missing:\n%s", detail);
    free (detail);
    char *summary = rendered (&reply, "returned", false);
    assert_no_forgery (summary, forged);
    assert_non_null (strstr (summary, "escalation 21 returned: no\\x0a#22 "));
    assert_true (strchr (summary, '\n') == summary + strlen (summary) - 1);   /* one line */
    free (summary);

    /* JSON keeps it exact */
    char *json = rendered (&reply, NULL, true);
    assert_non_null (strstr (json, "\"title\":\"Title\\u001b[2J\""));
    assert_non_null (strstr (json, "\"account\":\"Ac\xe2\x80\xaeme\""));
    assert_non_null (strstr (json, "\"problem\":\"It breaks.\\n  approved:   token 1, by carol\\n#22"));
    free (json);

    /* a table: one line a row, whatever the cells hold */
    Esc__Escalation *rows[] = { &e, &e };
    Esc__EscalationList list = ESC__ESCALATION_LIST__INIT;
    list.escalations = rows;
    list.n_escalations = 2;
    reply.result_case = ESC__REPLY__RESULT_ESCALATIONS;
    reply.escalations = &list;
    char *table = rendered (&reply, NULL, false);
    assert_no_forgery (table, forged);
    size_t lines = 0;
    for (const char *p = table; *p; p++)
        lines += *p == '\n';
    assert_int_equal (lines, 3);
    free (table);

    /* an event line: escd's summary quotes a reason typed before the check */
    Esc__Event ev = ESC__EVENT__INIT;
    ev.seq = 21;
    ev.at = "2031-01-01T00:00:00.000Z";
    ev.summary = "pat returned escalation 21 \"T\" for Acme: no\n#22 2031-01-01T00:00:00.000Z  "
                 "carol spent token 2\r\xe2\x80\xae";
    char *buf = NULL;
    size_t len = 0;
    FILE *out = open_memstream (&buf, &len);
    render_event_line (out, &ev, false);
    ev.summary = NULL;
    ev.actor = "pat\n#23";
    ev.type = "escalation.returned";
    ev.data = "{\"reason\":\"\xe2\x80\xae\"}";
    render_event_line (out, &ev, false);
    fclose (out);
    static const char *const not_events[] = { "#22", "#23", NULL };
    assert_no_forgery (buf, not_events);
    assert_string_equal (buf,
        "#21 2031-01-01T00:00:00.000Z  pat returned escalation 21 \"T\" for Acme: no\\x0a#22 "
        "2031-01-01T00:00:00.000Z  carol spent token 2\\x0d\\u202e\n"
        "#21 2031-01-01T00:00:00.000Z  pat\\x0a#23 escalation.returned {\"reason\":\"\\u202e\"}\n");
    free (buf);
}

/* The output people read: figures with thousands separators, nouns that
 * agree with their count, one confirmation style for every write, ids
 * only with --quiet, and red only where asked, reset before the newline. */
static void
test_render_style (void **state)
{
    (void) state;
    int64_t postponed[] = { 4 }, displaces[] = { 4, 5 };
    Esc__Escalation e = ESC__ESCALATION__INIT;
    e.id = 7;
    e.quarter = "2031Q1";
    e.state = "approved";
    e.account = "Acme";
    e.title = "Export";
    e.problem = "p";
    e.filer = "alice";
    e.filed_at = "2031-01-01T00:00:00Z";
    e.has_deal_value = true;
    e.deal_value = 2000000;
    e.customers = 1;
    e.renewal_arr = 1500000;
    e.has_hours = true;
    e.hours = 1234;
    e.viable = true;
    e.sized_by = "pat";
    e.displaces = displaces;
    e.n_displaces = 2;
    e.postponed = postponed;
    e.n_postponed = 1;
    e.approved_via = "token";
    e.has_token_no = true;
    e.token_no = 1;
    e.approved_by = "carol";
    e.deal = "won";
    e.has_adopters = true;
    e.adopters = 1;
    Esc__Reply reply = ESC__REPLY__INIT;
    reply.result_case = ESC__REPLY__RESULT_ESCALATION;
    reply.escalation = &e;

    char *text = rendered (&reply, NULL, false);
    static const char *const shown[] = {
        "  deal value: 2,000,000\n", "  customers:  1 (renewal ARR 1,500,000)\n",
        "  sizing:     1,234 h, viable, by pat\n", "  displaces:  roadmap items 4, 5\n",
        "  postponed:  roadmap item 4\n", "  outcome:    deal won, 1 adopter\n", NULL,
    };
    for (const char *const *want = shown; *want; want++)
        if (!strstr (text, *want))
            fail_msg ("show lacks '%s':\n%s", *want, text);
    free (text);

    static const struct { const char *done, *want; } writes[] = {
        { "filed", "escalation 7 filed\n" },
        { "sized", "escalation 7 sized: 1,234 h, viable\n" },
        { "approved", "escalation 7 approved with token 1 of 2031Q1; postponed roadmap item 4\n" },
        { "outcome recorded", "escalation 7 outcome recorded: deal won, 1 adopter\n" },
    };
    for (size_t i = 0; i < sizeof writes / sizeof writes[0]; i++) {
        text = rendered (&reply, writes[i].done, false);
        assert_string_equal (text, writes[i].want);
        free (text);
        text = rendered_how (&reply, writes[i].done, false, true);
        assert_string_equal (text, "7\n");             /* --quiet: the id alone */
        free (text);
    }

    Esc__Account acme = ESC__ACCOUNT__INIT;
    acme.name = "Acme";
    acme.arr = 500000;
    acme.renewal_on = "2027-03-31";
    Esc__Reply added = ESC__REPLY__INIT;
    added.result_case = ESC__REPLY__RESULT_ACCOUNT;
    added.account = &acme;
    text = rendered (&added, "added", false);
    assert_string_equal (text, "account Acme added: ARR 500,000, renews 2027-03-31\n");
    free (text);
    text = rendered_how (&added, "added", false, true);
    assert_string_equal (text, "Acme\n");
    free (text);

    /* a list with --quiet: one id a line, nothing else */
    Esc__Escalation *rows[] = { &e, &e };
    Esc__EscalationList list = ESC__ESCALATION_LIST__INIT;
    list.escalations = rows;
    list.n_escalations = 2;
    reply.result_case = ESC__REPLY__RESULT_ESCALATIONS;
    reply.escalations = &list;
    text = rendered_how (&reply, NULL, false, true);
    assert_string_equal (text, "7\n7\n");
    free (text);
    text = rendered (&reply, NULL, false);           /* figures flush right */
    assert_non_null (strstr (text, "ID  STATE     ACCOUNT  HOURS  CUST  TITLE\n"
                                   " 7  approved  Acme     1,234     1  Export\n"));
    free (text);

    /* a quarter over its one-off budget says so; not a terminal: no colour */
    Esc__Quarter q = ESC__QUARTER__INIT;
    q.name = "2031Q1";
    q.state = "open";
    q.starts_on = "2031-01-01";
    q.ends_on = "2031-03-31";
    q.capacity_hours = 4000;
    q.budget_pct = 10;
    q.committed_hours = 1540;
    q.tokens = 1;
    q.max_token_hours = 80;
    q.hourly_cost = 150;
    Esc__Reply quarter = ESC__REPLY__INIT;
    quarter.result_case = ESC__REPLY__RESULT_QUARTER;
    quarter.quarter = &q;
    text = rendered (&quarter, NULL, false);
    assert_non_null (strstr (text, "  capacity:   4,000 h, 0 h planned\n"));
    assert_non_null (strstr (text, "  one-offs:   1,540 h approved of a 400 h budget (10 %): "
                                   "OVER BUDGET by 1,140 h\n"));
    assert_null (strchr (text, '\033'));
    free (text);

    /* an override's event line in red, reset before its newline */
    Esc__Event ev = ESC__EVENT__INIT;
    ev.seq = 9;
    ev.at = "2031-01-01T00:00:00.000Z";
    ev.type = "escalation.overridden";
    ev.summary = "evan OVERRODE the rules";
    char *buf = NULL;
    size_t len = 0;
    FILE *out = open_memstream (&buf, &len);
    render_event_line (out, &ev, true);
    ev.type = "escalation.approved";
    render_event_line (out, &ev, true);
    fclose (out);
    assert_string_equal (buf, "\033[31m#9 2031-01-01T00:00:00.000Z  evan OVERRODE the rules\033[0m\n"
                              "#9 2031-01-01T00:00:00.000Z  evan OVERRODE the rules\n");
    free (buf);
}

/* esc account show and esc roadmap show: the record, then what concerns
 * it, each part headed with how many it holds; in JSON the wire's fields;
 * with --quiet the ids of what it lists. */
static void
test_render_details (void **state)
{
    (void) state;
    Esc__Account acme = ESC__ACCOUNT__INIT;
    acme.name = "Acme";
    acme.arr = 2000000;
    acme.renewal_on = "2027-03-31";
    Esc__Escalation e7 = ESC__ESCALATION__INIT, e8 = ESC__ESCALATION__INIT;
    e7.id = 7;
    e7.quarter = "2031Q1";
    e7.state = "sized";
    e7.account = "Acme";
    e7.title = "Export";
    e7.has_hours = true;
    e7.hours = 1234;
    e8.id = 8;
    e8.quarter = "2031Q2";
    e8.state = "filed";
    e8.account = "Initech";
    e8.title = "Bulk\x1b[2J API";
    Esc__Escalation *escalations[] = { &e8, &e7 };
    char *waiting[] = { "Acme" };
    Esc__RoadmapItem item = ESC__ROADMAP_ITEM__INIT;
    item.id = 4;
    item.quarter = "2031Q1";
    item.state = "postponed";
    item.category = "feature";
    item.hours = 1200;
    item.title = "SSO";
    item.waiting = waiting;
    item.n_waiting = 1;
    char *moved_from[] = { "2030Q4" };
    item.moved_from = moved_from;
    item.n_moved_from = 1;
    Esc__RoadmapItem *items[] = { &item };
    Esc__AccountDetail d = ESC__ACCOUNT_DETAIL__INIT;
    d.account = &acme;
    d.escalations = escalations;
    d.n_escalations = 2;
    d.escalations_total = 250;
    d.waiting_for = items;
    d.n_waiting_for = 1;
    d.waiting_for_total = 1;
    Esc__Reply reply = ESC__REPLY__INIT;
    reply.result_case = ESC__REPLY__RESULT_ACCOUNT_DETAIL;
    reply.account_detail = &d;

    char *text = rendered (&reply, NULL, false);
    assert_string_equal (text,
        "account Acme\n"
        "  ARR:        2,000,000\n"
        "  renewal:    2027-03-31\n"
        "escalations filed for it or naming it: the latest 2 of 250:\n"
        "ID  QUARTER  STATE  ACCOUNT  HOURS  TITLE\n"
        " 8  2031Q2   filed  Initech      -  Bulk\\x1b[2J API\n"
        " 7  2031Q1   sized  Acme     1,234  Export\n"
        "roadmap items it waits for (1):\n"
        "ID  QUARTER  STATE      CATEGORY  HOURS  TITLE  PLAN\n"
        " 4  2031Q1   postponed  feature   1,200  SSO    carried from 2030Q4\n");
    free (text);
    char *json = rendered (&reply, NULL, true);
    for (const char *const *want = (const char *const[]) {
             "{\"account\":{\"name\":\"Acme\",\"arr\":2000000,", "\"escalations_total\":250",
             "\"waiting_for_total\":1", "{\"id\":8,\"quarter\":\"2031Q2\"", "\"hours\":null",
             "\"title\":\"Bulk\\u001b[2J API\"", "\"waiting_for\":[{\"id\":4,", NULL };
         *want; want++)
        if (!strstr (json, *want))
            fail_msg ("account show's JSON lacks '%s':\n%s", *want, json);
    free (json);
    text = rendered_how (&reply, NULL, false, true);
    assert_string_equal (text, "8\n7\n");
    free (text);
    Esc__AccountDetail none = ESC__ACCOUNT_DETAIL__INIT;
    acme.renewal_on = NULL;
    none.account = &acme;
    reply.account_detail = &none;
    text = rendered (&reply, NULL, false);
    assert_string_equal (text,
        "account Acme\n"
        "  ARR:        2,000,000\n"
        "  renewal:    none\n"
        "escalations filed for it or naming it: none\n"
        "roadmap items it waits for: none\n");
    free (text);

    Esc__Event planned = ESC__EVENT__INIT, spent = ESC__EVENT__INIT;
    planned.seq = 3;
    planned.at = "2031-01-01T00:00:00.000Z";
    planned.type = "roadmap.added";
    planned.summary = "pat planned roadmap item 4 \"SSO\"";
    spent.seq = 9;
    spent.at = "2031-01-02T00:00:00.000Z";
    spent.type = "escalation.approved";
    spent.summary = "carol spent token 1 on escalation 7; postponed roadmap item 4";
    spent.note = "biggest\nrenewal";
    Esc__Event *history[] = { &planned, &spent };
    Esc__RoadmapDetail r = ESC__ROADMAP_DETAIL__INIT;
    r.item = &item;
    r.has_postponed_by = true;
    r.postponed_by = 7;
    r.history = history;
    r.n_history = 2;
    r.history_total = 2;
    reply.result_case = ESC__REPLY__RESULT_ROADMAP_DETAIL;
    reply.roadmap_detail = &r;
    text = rendered (&reply, NULL, false);
    assert_string_equal (text,
        "roadmap item 4: SSO\n"
        "  state:      postponed by escalation 7\n"
        "  quarter:    2031Q1\n"
        "  category:   feature\n"
        "  hours:      1,200\n"
        "  waiting:    Acme\n"
        "  plan:       carried from 2030Q4\n"
        "history (2):\n"
        "#3 2031-01-01T00:00:00.000Z  pat planned roadmap item 4 \"SSO\"\n"
        "#9 2031-01-02T00:00:00.000Z  carol spent token 1 on escalation 7; postponed roadmap item 4\n"
        "    note: biggest\n"
        "          renewal\n");
    free (text);
    json = rendered (&reply, NULL, true);
    for (const char *const *want = (const char *const[]) {
             "{\"item\":{\"id\":4,", "\"postponed_by\":7", "\"history_total\":2",
             "\"history\":[{\"seq\":3,", NULL };
         *want; want++)
        if (!strstr (json, *want))
            fail_msg ("roadmap show's JSON lacks '%s':\n%s", *want, json);
    free (json);
    text = rendered_how (&reply, NULL, false, true);
    assert_string_equal (text, "3\n9\n");
    free (text);
    r.has_postponed_by = false;
    item.state = "planned";
    item.n_waiting = 0;
    item.n_moved_from = 0;
    r.n_history = 1;
    r.history_total = 12000;
    text = rendered (&reply, NULL, false);
    for (const char *const *want = (const char *const[]) {
             "  state:      planned\n", "  waiting:    nobody named\n",
             "history: the last 1 of 12,000:\n#3 ", NULL };
         *want; want++)
        if (!strstr (text, *want))
            fail_msg ("roadmap show lacks '%s':\n%s", *want, text);
    assert_null (strstr (text, "plan:"));               /* nothing to say: no line */
    free (text);
}

/* A command's grammar as the table gives it: what esc checks alone, and
 * the one spelling it sends. */
static const char *const formats[] = { "text", "json", "html", "csv", NULL };
static const opt_spec_t rich[] = {
    { "category", ARG_TEXT, "C", "", .required = true, .values = name_categories },
    { "role", ARG_LIST, "R[,R]", "", .values = name_roles },
    { "arr", ARG_AMOUNT, "N", "" },
    { "hours", ARG_INT, "N", "" },
    { "needed-by", ARG_DATE, "DATE", "" },
    { "viable", ARG_YESNO, "yes|no", "" },
    { "quarter", ARG_TEXT, "Q", "", .names = ARG_NAMES_QUARTER },
    { "format", ARG_TEXT, "F", "", .values = formats, .conflicts = "json" },
    { "key", ARG_TEXT, "PUB", "", .conflicts = "new" },
    { "new", ARG_FLAG, NULL, "" },
    { NULL, 0, NULL, NULL },
};
static const opt_spec_t some_globals[] = {
    { "json", ARG_FLAG, NULL, "" },
    { "server-key", ARG_TEXT, "KEY", "" },
    { NULL, 0, NULL, NULL },
};

/* Parses the NULL-terminated words against RICH, with --json given when
 * JSON; 0 or -1 with ERR. */
static int
parse_rich (args_t *a, arena_t *m, char *err, bool json, ...)
{
    char *argv[16];
    int n = 0;
    va_list ap;
    va_start (ap, json);
    for (char *w; (w = va_arg (ap, char *));)
        argv[n++] = w;
    va_end (ap);
    static const char *const json_given[] = { "json", NULL };
    args_grammar_t g = { .specs = rich, .min = 1, .max = 1, .operands = "ID",
                         .globals = some_globals, .globals_given = json ? json_given : NULL };
    return args_parse_grammar (a, m, &g, n, argv, err, 512);
}

static void
test_args_table (void **state)
{
    (void) state;
    arena_t *m = arena_new ();
    args_t a;
    char err[512];
    int64_t v;
    bool yes;
    /* in any case, sent in the table's spelling; amounts and dates as an import reads them */
    assert_int_equal (parse_rich (&a, m, err, false, "7", "--category", "Maintenance",
                                  "--role", "Sales,PM", "--arr", "$2,000,000", "--hours", "4,000",
                                  "--needed-by", "06/30/2027", "--viable", "YES",
                                  "--quarter", "2027q1", NULL), 0);
    assert_string_equal (args_text (&a, "category"), "maintenance");
    assert_string_equal (args_text (&a, "role"), "sales,pm");
    assert_true (args_int (&a, "arr", &v));
    assert_int_equal (v, 2000000);
    assert_true (args_int (&a, "hours", &v));
    assert_int_equal (v, 4000);
    assert_string_equal (args_text (&a, "needed-by"), "2027-06-30");
    assert_true (args_yesno (&a, "viable", &yes));
    assert_true (yes);
    assert_string_equal (args_text (&a, "quarter"), "2027Q1");
    assert_int_equal (parse_rich (&a, m, err, false, "7", "--category", "ility", "--arr", "2000000",
                                  "--needed-by", "2027-02-28", NULL), 0);
    assert_true (args_int (&a, "arr", &v));
    assert_int_equal (v, 2000000);
    assert_string_equal (args_text (&a, "needed-by"), "2027-02-28");

    static const struct { const char *option, *value, *says; } bad[] = {
        { "--category", "ilities",
          "--category must be one of feature, ility, maintenance, discovery (not 'ilities')" },
        { "--role", "sales,ceo", "--role must be one of sales, pm, cro, exec, admin (not 'ceo')" },
        { "--needed-by", "2027-02-30", "--needed-by 2027-02-30 does not exist" },
        { "--needed-by", "02/30/2027", "--needed-by 2027-02-30 does not exist" },
        { "--needed-by", "soon", "--needed-by takes a date YYYY-MM-DD or MM/DD/YYYY, not 'soon'" },
        { "--needed-by", "1/2/27", "--needed-by takes a date" },
        { "--arr", "lots", "--arr takes an amount like 2000000, 2,000,000 or $2,000,000, not 'lots'" },
        { "--arr", "12.500", "--arr '12.500' is ambiguous" },
        { "--hours", "4,00", "--hours takes a whole number, not '4,00'" },
        { "--hours", "$40", "--hours takes a whole number, not '$40'" },
        { "--viable", "Maybe", "--viable takes yes or no, not 'Maybe'" },
        { "--format", "pdf", "--format must be one of text, json, html, csv (not 'pdf')" },
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_int_equal (parse_rich (&a, m, err, false, "7", "--category", "feature",
                                      bad[i].option, bad[i].value, NULL), -1);
        if (!strstr (err, bad[i].says))
            fail_msg ("%s %s: '%s', expected '%s'", bad[i].option, bad[i].value, err, bad[i].says);
    }
    /* a required option, an operand, by name */
    assert_int_equal (parse_rich (&a, m, err, false, "7", NULL), -1);
    assert_string_equal (err, "--category is required");
    assert_int_equal (parse_rich (&a, m, err, false, "--category", "feature", NULL), -1);
    assert_string_equal (err, "missing ID");
    /* options that contradict each other; an enumerated value that agrees */
    assert_int_equal (parse_rich (&a, m, err, true, "7", "--category", "feature",
                                  "--format", "CSV", NULL), -1);
    assert_string_equal (err, "--format csv and --json cannot go together: give one of them");
    assert_int_equal (parse_rich (&a, m, err, true, "7", "--category", "feature",
                                  "--format", "json", NULL), 0);
    assert_int_equal (parse_rich (&a, m, err, false, "7", "--category", "feature",
                                  "--format", "csv", NULL), 0);
    assert_int_equal (parse_rich (&a, m, err, false, "7", "--category", "feature",
                                  "--key", "K", "--new", NULL), -1);
    assert_string_equal (err, "--key K and --new cannot go together: give one of them");
    /* did you mean: the command's options and the global ones */
    assert_int_equal (parse_rich (&a, m, err, false, "7", "--categroy", "x", NULL), -1);
    assert_string_equal (err, "unknown option '--categroy'; did you mean --category?");
    assert_int_equal (parse_rich (&a, m, err, false, "7", "--server-ky", "x", NULL), -1);
    assert_string_equal (err, "unknown option '--server-ky'; did you mean --server-key?");
    assert_int_equal (parse_rich (&a, m, err, false, "7", "--colour", "x", NULL), -1);
    assert_string_equal (err, "unknown option '--colour'");
    arena_destroy (&m);
}

/* The table itself: every command's options fit the parser, the short
 * usage names commands that exist, groups and suggestions. */
static void
test_command_table (void **state)
{
    (void) state;
    size_t n;
    const command_t *all = commands_all (&n);
    assert_true (n > 20);
    for (size_t i = 0; i < n; i++) {
        int k = 0;
        for (; all[i].options[k].name; k++)
            assert_non_null (all[i].options[k].help);
        if (k > ARGS_MAX_OPTIONS)
            fail_msg ("esc %s has %d options; args.h holds %d", all[i].name, k, ARGS_MAX_OPTIONS);
        assert_true (all[i].max_operands <= ARGS_MAX_OPERANDS);
    }
    assert_true (commands_is_group ("quarter"));
    assert_true (commands_is_group ("account"));
    assert_true (commands_is_group ("roadmap"));
    assert_true (commands_is_group ("user"));
    assert_false (commands_is_group ("file"));
    assert_false (commands_is_group ("quart"));
    assert_string_equal (commands_suggest (NULL, "quater"), "quarter");
    assert_string_equal (commands_suggest (NULL, "lst"), "list");
    assert_string_equal (commands_suggest (NULL, "hlep"), "help");
    assert_string_equal (commands_suggest ("quarter", "opne"), "open");
    assert_string_equal (commands_suggest ("account", "imp"), "import");
    assert_null (commands_suggest (NULL, "frobnicate"));
    int words;
    char *show[] = { "show", "7" }, *close[] = { "quarter", "close" };
    assert_int_equal (commands_operand_names (commands_find (2, show, &words), 0),
                      ARG_NAMES_ESCALATION);
    assert_int_equal (commands_operand_names (commands_find (2, close, &words), 0),
                      ARG_NAMES_QUARTER);
    assert_int_equal (words, 2);
}

/* Runs a help writer into a string (free it). */
static char *
written (void (*write) (FILE *), const char *group, const command_t *cmd)
{
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream (&text, &len);
    if (write)
        write (f);
    else if (group)
        help_group (group, f);
    else
        help_command (cmd, f);
    fclose (f);
    return text;
}

static int
lines (const char *text)
{
    int n = 0;
    for (; *text; text++)
        n += *text == '\n';
    return n;
}

static void
test_help (void **state)
{
    (void) state;
    char *text = written (help_short, NULL, NULL);
    assert_true (lines (text) <= 15);
    assert_non_null (strstr (text, "usage: esc"));
    assert_non_null (strstr (text, "  file "));
    assert_non_null (strstr (text, "  report "));
    assert_non_null (strstr (text, "'esc help'"));
    free (text);
    text = written (NULL, "quarter", NULL);
    for (const char *c = "open\0close\0show\0list\0"; *c; c += strlen (c) + 1) {
        char want[32];
        snprintf (want, sizeof want, "\n  %s ", c);
        if (!strstr (text, want))
            fail_msg ("esc quarter does not list %s:\n%s", c, text);
    }
    assert_null (strstr (text, "file"));
    free (text);
    int words;
    char *open[] = { "quarter", "open" }, *deliver[] = { "deliver" };
    text = written (NULL, NULL, commands_find (2, open, &words));
    assert_non_null (strstr (text, "usage: esc quarter open Q --capacity-hours N [OPTIONS]\n"));
    assert_non_null (strstr (text, "--capacity-hours N"));
    assert_non_null (strstr (text, "(required)"));
    free (text);
    char synopsis[256];
    help_synopsis (commands_find (1, deliver, &words), synopsis, sizeof synopsis);
    assert_string_equal (synopsis, "deliver ID --actual-hours N");
    text = written (help_full, NULL, NULL);
    size_t n;
    const command_t *all = commands_all (&n);
    for (size_t i = 0; i < n; i++)
        if (!strstr (text, all[i].name))
            fail_msg ("esc --help does not list %s", all[i].name);
    free (text);
}

/* The man page names every command and option of the tables. */
static void
test_man_page (void **state)
{
    (void) state;
    char *text = written (help_man, NULL, NULL);
    assert_non_null (strstr (text, ".TH ESC 1 "));
    size_t n;
    const command_t *all = commands_all (&n);
    for (size_t i = 0; i < n; i++) {
        char want[128];
        snprintf (want, sizeof want, "\\fBesc\\fR \\fB%.*s\\fR", (int) strcspn (all[i].name, " "),
                  all[i].name);
        if (!strstr (text, want))
            fail_msg ("the man page has no %s", want);
        for (const opt_spec_t *o = all[i].options; o->name; o++) {
            /* \fB\-\-needed\-by\fR: roff's minus signs */
            size_t k = (size_t) snprintf (want, sizeof want, "\\fB\\-\\-");
            for (const char *c = o->name; *c; c++)
                k += (size_t) (*c == '-' ? snprintf (want + k, sizeof want - k, "\\-")
                                         : snprintf (want + k, sizeof want - k, "%c", *c));
            snprintf (want + k, sizeof want - k, "\\fR");
            if (!strstr (text, want))
                fail_msg ("the man page has no %s", want);
        }
    }
    for (const char *l = text; *l; l = strchr (l, '\n') + 1) {
        if (*l == '\'')
            fail_msg ("a line starts a roff request with ': %.40s", l);
        if (!strchr (l, '\n'))
            break;
    }
    free (text);
}

/* Runs esc __complete on the NULL-terminated words; the candidates, one a
 * line, in a string (free it), the status in *RC. */
static char *
completed (int *rc, ...)
{
    char *argv[16];
    int n = 0;
    va_list ap;
    va_start (ap, rc);
    for (char *w; (w = va_arg (ap, char *));)
        argv[n++] = w;
    va_end (ap);
    session_t s = { 0 };
    snprintf (s.config.home, sizeof s.config.home, "/nonexistent/esc-home");
    s.config.timeout_ms = 500;
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream (&text, &len);
    *rc = complete_run (&s, n, argv, f);
    fclose (f);
    return text;
}

static void
test_complete (void **state)
{
    (void) state;
    static const struct { const char *words[6]; const char *want; int rc; } cases[] = {
        { { "qu" }, "quarter\n", COMPLETE_DONE },
        { { "s" }, "size\nspend\nstop\nsupport\nshow\nstatus\n", COMPLETE_DONE },
        { { "he" }, "help\n", COMPLETE_DONE },
        { { "quarter", "" }, "open\nclose\nreopen\ncommit\nshow\nlist\n", COMPLETE_DONE },
        { { "quarter", "c" }, "close\ncommit\n", COMPLETE_DONE },
        { { "help", "acc" }, "account\n", COMPLETE_DONE },
        { { "help", "account", "i" }, "import\n", COMPLETE_DONE },
        { { "roadmap", "add", "--category", "" }, "feature\nility\nmaintenance\ndiscovery\n",
          COMPLETE_DONE },
        { { "roadmap", "add", "--category", "M" }, "maintenance\n", COMPLETE_DONE },
        { { "roadmap", "add", "--category=", "" }, "", COMPLETE_DONE },
        { { "roadmap", "add", "--category=f" }, "--category=feature\n", COMPLETE_DONE },
        { { "user", "add", "x", "--role=pm,s" }, "--role=pm,sales\n", COMPLETE_DONE },
        { { "--timeout=1", "--state=" }, "", COMPLETE_DONE },
        { { "roadmap", "add", "--category", "=", "d" }, "discovery\n", COMPLETE_DONE },
        { { "list", "--state", "app" }, "approved\n", COMPLETE_DONE },
        { { "list", "--state", "filed,si" }, "filed,sized\n", COMPLETE_DONE },
        { { "list", "--sort", "" }, "id\nhours\narr\ndeal\nneeded-by\nfiled\n", COMPLETE_DONE },
        { { "list", "--sort", "N" }, "needed-by\n", COMPLETE_DONE },
        { { "list", "--sort", "deal", "--cu" }, "--cursor\n", COMPLETE_DONE },
        { { "account", "s" }, "set\nshow\n", COMPLETE_DONE },
        { { "roadmap", "" }, "add\nset\nshow\ndone\nmove\nlist\n", COMPLETE_DONE },
        { { "roadmap", "show", "" }, "", COMPLETE_DONE },       /* no identity: escd not asked */
        { { "outcome", "3", "--deal", "" }, "won\nlost\n", COMPLETE_DONE },
        { { "size", "3", "--viable", "" }, "yes\nno\n", COMPLETE_DONE },
        { { "report", "--format", "" }, "text\njson\nhtml\ncsv\n", COMPLETE_DONE },
        { { "user", "add", "dana", "--role", "sales,c" }, "sales,cro\n", COMPLETE_DONE },
        { { "size", "3", "--hours", "4", "--d" }, "--displaces\n", COMPLETE_DONE },
        { { "deliver", "3", "--actual-hours", "4", "--" }, "--as\n--json\n--quiet\n--endpoint\n--feed\n"
          "--server-key\n--timeout\n--retries\n--request-id\n--help\n--version\n", COMPLETE_DONE },
        { { "--js" }, "--json\n", COMPLETE_DONE },
        { { "--as", "pat", "--json", "rep" }, "report\n", COMPLETE_DONE },
        { { "account", "import", "" }, "", COMPLETE_FILES },
        { { "watch", "--state", "" }, "", COMPLETE_FILES },
        { { "show", "" }, "", COMPLETE_DONE },                  /* no identity: escd not asked */
        { { "show", "3", "" }, "", COMPLETE_DONE },
        { { "frobnicate", "" }, "", COMPLETE_DONE },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int rc;
        const char *const *w = cases[i].words;
        char *got = completed (&rc, w[0], w[1], w[2], w[3], w[4], w[5], NULL);
        if (strcmp (got, cases[i].want) != 0 || rc != cases[i].rc)
            fail_msg ("case %zu (%s %s %s ...): got '%s' (%d), expected '%s' (%d)", i, w[0],
                      w[1] ? w[1] : "", w[2] ? w[2] : "", got, rc, cases[i].want, cases[i].rc);
        free (got);
    }
}

int
main (void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test (test_args_good),
        cmocka_unit_test (test_args_bad),
        cmocka_unit_test (test_args_table),
        cmocka_unit_test (test_command_table),
        cmocka_unit_test (test_help),
        cmocka_unit_test (test_man_page),
        cmocka_unit_test (test_complete),
        cmocka_unit_test (test_config),
        cmocka_unit_test (test_timeout),
        cmocka_unit_test (test_watch_step),
        cmocka_unit_test (test_watch_filter),
        cmocka_unit_test (test_csv_parse),
        cmocka_unit_test (test_csv_write),
        cmocka_unit_test (test_import_values),
        cmocka_unit_test (test_import_amounts),
        cmocka_unit_test (test_import_rows),
        cmocka_unit_test (test_import_merge),
        cmocka_unit_test (test_import_shown),
        cmocka_unit_test (test_status_pieces),
        cmocka_unit_test (test_render_hostile),
        cmocka_unit_test (test_render_style),
        cmocka_unit_test (test_render_details),
    };
    return cmocka_run_group_tests (tests, NULL, NULL);
}
