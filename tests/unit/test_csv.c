/* test_csv.c: the separator of a CRM export, and ;-separated files read
 * like comma-separated ones. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <cmocka.h>

#include "arena.h"
#include "csv.h"

static void
test_separator (void **state)
{
    (void) state;
    assert_int_equal (csv_separator ("name,arr\n", 9), ',');
    assert_int_equal (csv_separator ("name;arr;renewal\n", 17), ';');
    /* quoted text does not count; only the first line does */
    const char *quoted = "\"a;b;c\",arr\nx;y;z;w\n";
    assert_int_equal (csv_separator (quoted, strlen (quoted)), ',');
    const char *euro = "Account;ARR (EUR);Contract End Date\r\nAcme;\"1.250,00\";31/12/2031\r\n";
    assert_int_equal (csv_separator (euro, strlen (euro)), ';');
    assert_int_equal (csv_separator ("", 0), ',');
}

static void
test_semicolons (void **state)
{
    (void) state;
    arena_t *a = arena_new ();
    const char text[] = "name;arr\r\n\"Acme; Inc\";1200000\r\n\r\nGlobex;\"1,5\"\r\n";
    csv_record_t *r;
    size_t n;
    char err[128];
    assert_int_equal (csv_parse (a, text, sizeof text - 1, &r, &n, err, sizeof err), 0);
    assert_int_equal (n, 3);
    assert_string_equal (r[1].fields[0], "Acme; Inc");
    assert_string_equal (r[1].fields[1], "1200000");
    assert_int_equal (r[2].n, 2);
    assert_string_equal (r[2].fields[1], "1,5");      /* a comma is text here */
    assert_int_equal (r[2].line, 4);
    arena_destroy (&a);
}

int
main (void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test (test_separator),
        cmocka_unit_test (test_semicolons),
    };
    return cmocka_run_group_tests (tests, NULL, NULL);
}
