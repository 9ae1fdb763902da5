/* test_shown.c: the cache of escalations as shown at one event head. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "shown.h"

static Esc__Escalation
escalation (int64_t id, char *title)
{
    Esc__Escalation e = ESC__ESCALATION__INIT;
    e.has_id = true;
    e.id = id;
    e.title = title;
    e.state = "filed";
    return e;
}

/* What was put at a head comes back at that head, whole. */
static void
test_same_head (void **state)
{
    (void) state;
    shown_t *s = shown_new ();
    arena_t *a = arena_new ();
    shown_at (s, 7);
    assert_null (shown_get (s, a, 3));
    Esc__Escalation e = escalation (3, "Custom export");
    shown_put (s, 3, &e);
    shown_at (s, 7);
    Esc__Escalation *got = shown_get (s, a, 3);
    assert_non_null (got);
    assert_int_equal (got->id, 3);
    assert_string_equal (got->title, "Custom export");
    assert_string_equal (got->state, "filed");
    /* another id in the same slot is not this one */
    assert_null (shown_get (s, a, 3 + SHOWN_SLOTS));
    arena_destroy (&a);
    shown_destroy (&s);
    assert_null (s);
}

/* A new head forgets everything: something changed. */
static void
test_new_head_forgets (void **state)
{
    (void) state;
    shown_t *s = shown_new ();
    arena_t *a = arena_new ();
    shown_at (s, 7);
    Esc__Escalation e = escalation (3, "Custom export");
    shown_put (s, 3, &e);
    shown_at (s, 8);
    assert_null (shown_get (s, a, 3));
    arena_destroy (&a);
    shown_destroy (&s);
}

/* Bounded: an entry too large is not kept, nor anything past the bytes
 * the cache may hold; a slot's new entry replaces its old one. */
static void
test_bounded (void **state)
{
    (void) state;
    shown_t *s = shown_new ();
    arena_t *a = arena_new ();
    shown_at (s, 1);
    static char big[SHOWN_ENTRY_MAX + 1];
    memset (big, 'x', sizeof big - 1);
    Esc__Escalation e = escalation (1, big);
    shown_put (s, 1, &e);
    assert_null (shown_get (s, a, 1));
    /* entries of nearly SHOWN_ENTRY_MAX each until the cache is full */
    static char fill[SHOWN_ENTRY_MAX - 64];
    memset (fill, 'y', sizeof fill - 1);
    int64_t kept = 0;
    for (int64_t id = 1; id <= SHOWN_SLOTS; id++) {
        Esc__Escalation f = escalation (id, fill);
        shown_put (s, id, &f);
        kept += shown_get (s, a, id) != NULL;
    }
    assert_true (kept > 0);
    assert_true (kept * (int64_t) (sizeof fill) <= SHOWN_BYTES_MAX);
    assert_null (shown_get (s, a, SHOWN_SLOTS));
    /* replacing an entry in its slot frees its bytes for the new one */
    Esc__Escalation small = escalation (1, "small");
    shown_put (s, 1, &small);
    assert_string_equal (shown_get (s, a, 1)->title, "small");
    arena_destroy (&a);
    shown_destroy (&s);
}

int
main (void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test (test_same_head),
        cmocka_unit_test (test_new_head_forgets),
        cmocka_unit_test (test_bounded),
    };
    return cmocka_run_group_tests (tests, NULL, NULL);
}
