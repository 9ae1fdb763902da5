/* test_answered.c: the cache of read answers as given at one event head. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "answered.h"

static const uint8_t *
get (answered_t *s, const char *key, size_t *len)
{
    return answered_get (s, (const uint8_t *) key, strlen (key), len);
}

static void
put (answered_t *s, const char *key, const char *answer)
{
    answered_put (s, (const uint8_t *) key, strlen (key), (const uint8_t *) answer,
                  strlen (answer));
}

/* What was put at a head comes back at that head, whole, under its key
 * alone: not under a key that is a prefix of it or that it is a prefix of. */
static void
test_same_head (void **state)
{
    (void) state;
    answered_t *s = answered_new ();
    size_t len = 0;
    answered_at (s, 7);
    assert_null (get (s, "alice\0show 3", &len));
    put (s, "alice:show 3", "escalation 3, filed");
    answered_at (s, 7);
    const uint8_t *got = get (s, "alice:show 3", &len);
    assert_non_null (got);
    assert_int_equal (len, strlen ("escalation 3, filed"));
    assert_memory_equal (got, "escalation 3, filed", len);
    assert_null (get (s, "alice:show 33", &len));
    assert_null (get (s, "alice:show ", &len));
    assert_null (get (s, "bob:show 3", &len));
    answered_destroy (&s);
    assert_null (s);
}

/* Keys whose hashes meet in one slot are all kept: an entry may take any
 * of ANSWERED_WAYS slots (4,000 keys in 16,384 slots: a slot each, by one
 * hash, would lose a tenth of them). */
static void
test_many_keys (void **state)
{
    (void) state;
    answered_t *s = answered_new ();
    size_t len;
    char key[32], answer[32];
    answered_at (s, 1);
    for (int i = 0; i < 4000; i++) {
        snprintf (key, sizeof key, "show %d", i);
        snprintf (answer, sizeof answer, "escalation %d", i);
        put (s, key, answer);
    }
    for (int i = 0; i < 4000; i++) {
        snprintf (key, sizeof key, "show %d", i);
        snprintf (answer, sizeof answer, "escalation %d", i);
        const uint8_t *got = get (s, key, &len);
        assert_non_null (got);
        assert_int_equal (len, strlen (answer));
        assert_memory_equal (got, answer, len);
    }
    answered_destroy (&s);
}

/* A new head forgets everything: something changed. */
static void
test_new_head_forgets (void **state)
{
    (void) state;
    answered_t *s = answered_new ();
    size_t len;
    answered_at (s, 7);
    put (s, "alice:show 3", "escalation 3");
    answered_at (s, 8);
    assert_null (get (s, "alice:show 3", &len));
    answered_at (s, 7);             /* back to an old head: still forgotten */
    assert_null (get (s, "alice:show 3", &len));
    answered_destroy (&s);
}

/* Bounded: an entry too large is not kept, and the cache never holds more
 * than its bytes; full, it starts afresh, so the newest entry is kept; a
 * slot's new entry replaces its old one. */
static void
test_bounded (void **state)
{
    (void) state;
    answered_t *s = answered_new ();
    size_t len;
    answered_at (s, 1);
    static char big[ANSWERED_ENTRY_MAX + 1];
    memset (big, 'x', sizeof big - 1);
    put (s, "k", big);
    assert_null (get (s, "k", &len));
    /* entries of nearly ANSWERED_ENTRY_MAX each until the cache is full */
    static char fill[ANSWERED_ENTRY_MAX - 64];
    memset (fill, 'y', sizeof fill - 1);
    char key[32];
    for (int i = 0; i < ANSWERED_SLOTS; i++) {
        snprintf (key, sizeof key, "key %d", i);
        put (s, key, fill);
    }
    int held = 0;
    for (int i = 0; i < ANSWERED_SLOTS; i++) {
        snprintf (key, sizeof key, "key %d", i);
        held += get (s, key, &len) != NULL;
    }
    assert_true (held > 0);
    assert_true ((size_t) held * sizeof fill <= ANSWERED_BYTES_MAX);
    snprintf (key, sizeof key, "key %d", ANSWERED_SLOTS - 1);
    assert_non_null (get (s, key, &len));   /* the last one put, past the bound */
    /* replacing an entry in its slot frees its bytes for the new one */
    put (s, "key 0", "small");
    const uint8_t *got = get (s, "key 0", &len);
    assert_non_null (got);
    assert_memory_equal (got, "small", 5);
    answered_destroy (&s);
}

int
main (void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test (test_same_head),
        cmocka_unit_test (test_many_keys),
        cmocka_unit_test (test_new_head_forgets),
        cmocka_unit_test (test_bounded),
    };
    return cmocka_run_group_tests (tests, NULL, NULL);
}
