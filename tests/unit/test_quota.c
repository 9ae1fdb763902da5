/* test_quota.c: the per-user rate (quota.h), and a new rate set while
 * users are writing, as a SIGHUP to escd does. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "quota.h"

static void
test_rate (void **state)
{
    (void) state;
    double wait;
    quota_t *q = quota_new (60000);             /* 1000 bytes a second */
    assert_true (quota_allows (q, "alice", 60000, 0, &wait));
    quota_charge (q, "alice", 60000, 0);
    assert_false (quota_allows (q, "alice", 500, 0, &wait));
    assert_true (wait > 499 && wait < 501);
    assert_true (quota_allows (q, "bob", 500, 0, &wait));      /* each their own */
    assert_true (quota_allows (q, "alice", 500, 500, &wait));  /* it refills */
    quota_destroy (&q);
    assert_null (q);
}

static void
test_set_rate (void **state)
{
    (void) state;
    double wait;
    quota_t *q = quota_new (60000);
    quota_charge (q, "alice", 60000, 0);
    /* 30 s at the old rate filled 30000 bytes; a bucket holds a minute of
     * the new rate, 6000 */
    quota_set_rate (q, 6000, 30000);
    assert_int_equal (quota_rate (q), 6000);
    assert_true (quota_allows (q, "alice", 6000, 30000, &wait));
    quota_charge (q, "alice", 6000, 30000);
    assert_false (quota_allows (q, "alice", 100, 30000, &wait));
    assert_true (wait > 999 && wait < 1001);    /* 100 bytes at 100 a second */
    /* a raised rate fills faster from then on */
    quota_set_rate (q, 600000, 30000);
    assert_true (quota_allows (q, "alice", 10000, 31000, &wait));
    /* no limit: anything goes */
    quota_charge (q, "alice", 1000000, 31000);
    quota_set_rate (q, 0, 31000);
    assert_true (quota_allows (q, "alice", 100000000, 31000, &wait));
    assert_int_equal (wait, 0);
    /* a limit again: what was owed under the old one is forgotten */
    quota_set_rate (q, 600, 40000);
    assert_true (quota_allows (q, "alice", 600, 40000, &wait));
    quota_charge (q, "alice", 600, 40000);
    assert_false (quota_allows (q, "alice", 600, 40000, &wait));
    quota_destroy (&q);
}

int
main (void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test (test_rate),
        cmocka_unit_test (test_set_rate),
    };
    return cmocka_run_group_tests (tests, NULL, NULL);
}
