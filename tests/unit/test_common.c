/* test_common.c: the code esc and escd share: JSON, UTF-8, arena, keys,
 * names, and the classifier and writer of user text. */
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

#include "arena.h"
#include "figures.h"
#include "json.h"
#include "keys.h"
#include "names.h"
#include "man.h"
#include "status.h"
#include "suggest.h"
#include "text.h"

static void
test_json_document (void **state)
{
    (void) state;
    json_t j;
    json_init (&j);
    json_object_begin (&j);
    json_kv_int (&j, "id", 42);
    json_kv_string (&j, "title", "say \"hi\"\\\n\tnow\x01");
    json_kv_string (&j, "none", NULL);
    json_kv_bool (&j, "viable", true);
    json_key (&j, "displaces");
    json_array_begin (&j);
    json_int (&j, 1);
    json_int (&j, -2);
    json_array_begin (&j);
    json_array_end (&j);
    json_array_end (&j);
    json_key (&j, "data");
    json_raw (&j, "{\"a\": 1}");
    json_key (&j, "empty");
    json_raw (&j, "");
    json_kv_string (&j, "utf8", "日本");
    json_object_end (&j);
    assert_string_equal (json_text (&j),
        "{\"id\":42,\"title\":\"say \\\"hi\\\"\\\\\\n\\tnow\\u0001\",\"none\":null,"
        "\"viable\":true,\"displaces\":[1,-2,[]],\"data\":{\"a\": 1},\"empty\":null,"
        "\"utf8\":\"日本\"}");
    json_release (&j);
    json_init (&j);
    json_array_begin (&j);
    for (int i = 0; i < 1000; i++)
        json_int (&j, INT64_MIN);
    json_array_end (&j);
    assert_int_equal (strlen (json_text (&j)), 2 + 1000 * 20 + 999);
    json_release (&j);
    /* escapes first, last, back to back and alone; a long plain run */
    json_init (&j);
    json_array_begin (&j);
    json_string (&j, "\"a\x7f\r\n");
    json_string (&j, "\\");
    json_string (&j, "");
    char plain[3000];
    memset (plain, 'x', sizeof plain - 1);
    plain[sizeof plain - 1] = '\0';
    json_string (&j, plain);
    json_array_end (&j);
    assert_int_equal (strncmp (json_text (&j), "[\"\\\"a\\u007f\\r\\n\",\"\\\\\",\"\",\"x", 27),
                      0);
    assert_int_equal (strlen (json_text (&j)), 26 + 2999 + 2);
    json_release (&j);
    /* bytes in hex, and more than one chunk of them */
    json_init (&j);
    json_object_begin (&j);
    json_kv_hex (&j, "d", (const uint8_t *) "\x00\xab\xff", 3);
    uint8_t bytes[300];
    for (size_t i = 0; i < sizeof bytes; i++)
        bytes[i] = (uint8_t) i;
    json_kv_hex (&j, "long", bytes, sizeof bytes);
    json_kv_hex (&j, "none", bytes, 0);
    json_object_end (&j);
    const char *text = json_text (&j);
    assert_int_equal (strncmp (text, "{\"d\":\"00abff\",\"long\":\"000102", 25), 0);
    assert_int_equal (strncmp (text + 22 + 2 * 128, "8081", 4), 0);
    assert_int_equal (strncmp (text + 22 + 2 * 299, "2b\",\"none\":\"\"}", 14), 0);
    assert_int_equal (strlen (text), 22 + 600 + 12);
    json_release (&j);
}

static void
test_utf8 (void **state)
{
    (void) state;
    static const struct { const char *s; bool ok; } cases[] = {
        { "", true }, { "plain", true }, { "é", true }, { "€", true }, { "😀", true },
        { "\xc3", false }, { "\xc3\x28", false }, { "\xa0", false },
        { "\xe2\x82", false }, { "\xf0\x9f\x98", false },
        { "\xc0\x80", false },                  /* overlong NUL */
        { "\xe0\x80\xaf", false },              /* overlong '/' */
        { "\xed\xa0\x80", false },              /* surrogate */
        { "\xf4\x90\x80\x80", false },          /* above U+10FFFF */
        { "\xf8\x88\x80\x80\x80", false },      /* 5-byte form */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        assert_int_equal (esc_utf8_valid (cases[i].s, strlen (cases[i].s)), cases[i].ok);
    assert_false (esc_utf8_valid ("a\0b", 3));   /* embedded NUL */
}

static void
test_arena (void **state)
{
    (void) state;
    arena_t *a = arena_new ();
    char *s = arena_strdup (a, "hello");
    assert_string_equal (s, "hello");
    assert_null (arena_strdup (a, NULL));
    assert_string_equal (arena_printf (a, "%d-%s", 7, "x"), "7-x");
    for (int i = 0; i < 1000; i++) {
        uint64_t *p = arena_alloc (a, 24);
        assert_int_equal ((uintptr_t) p % _Alignof (max_align_t), 0);
        assert_int_equal (p[0] | p[1] | p[2], 0);
        p[0] = p[1] = p[2] = ~0ull;
    }
    void *big = arena_alloc (a, 100000);
    memset (big, 1, 100000);
    arena_destroy (&a);
    assert_null (a);
    arena_destroy (&a);                         /* a no-op */
}

static void
test_keys (void **state)
{
    (void) state;
    char dir[] = "/tmp/esc-keys-XXXXXX", path[64], err[256];
    assert_non_null (mkdtemp (dir));
    snprintf (path, sizeof path, "%s/alice.key", dir);
    keypair_t kp, back;
    assert_int_equal (keypair_generate (&kp), 0);
    assert_true (key_z85_valid (kp.public_key));
    assert_true (key_z85_valid (kp.secret_key));
    assert_int_equal (keypair_save (&kp, path, "alice", err, sizeof err), 0);
    struct stat st;
    assert_int_equal (stat (path, &st), 0);
    assert_int_equal (st.st_mode & 0777, 0600);
    assert_int_equal (keypair_save (&kp, path, "alice", err, sizeof err), -1);
    assert_non_null (strstr (err, "already exists"));
    assert_int_equal (keypair_load (&back, path, err, sizeof err), 0);
    assert_string_equal (back.public_key, kp.public_key);
    assert_string_equal (back.secret_key, kp.secret_key);
    /* other lines are ignored: esc user key --new records its request id */
    FILE *f = fopen (path, "a");
    fputs ("request-id = 0123456789abcdef0123456789abcdef\n", f);
    fclose (f);
    assert_int_equal (keypair_load (&back, path, err, sizeof err), 0);
    assert_string_equal (back.public_key, kp.public_key);
    assert_string_equal (back.secret_key, kp.secret_key);

    f = fopen (path, "w");
    fputs ("public-key = nonsense\n", f);
    fclose (f);
    assert_int_equal (keypair_load (&back, path, err, sizeof err), -1);
    assert_non_null (strstr (err, "not a key file"));
    unlink (path);
    assert_int_equal (keypair_load (&back, path, err, sizeof err), -1);
    rmdir (dir);

    assert_false (key_z85_valid (NULL));
    assert_false (key_z85_valid ("too short"));
    assert_false (key_z85_valid ("~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~"));  /* not Z85 */
}

static void
test_names (void **state)
{
    (void) state;
    assert_int_equal (name_check_quarter ("2026Q4"), 0);
    assert_int_equal (name_check_quarter ("2026Q0"), -1);
    assert_int_equal (name_check_quarter ("2026q4"), -1);
    assert_int_equal (name_check_quarter ("26Q4"), -1);
    assert_int_equal (name_check_quarter (NULL), -1);
    assert_int_equal (name_check_quarter ("0000Q1"), -1);
    assert_int_equal (name_check_quarter ("1899Q4"), -1);
    assert_int_equal (name_check_quarter ("1900Q1"), 0);
    assert_int_equal (name_check_request_id ("0123456789abcdef"), 0);
    assert_int_equal (name_check_request_id ("retry-0000001_X"), 0);
    assert_int_equal (name_check_request_id ("short"), -1);
    assert_int_equal (name_check_request_id ("has space"), -1);
    assert_int_equal (name_check_request_id (NULL), -1);
    /* printable ASCII without spaces, as the proto says: a UUID, a URN */
    assert_int_equal (name_check_request_id ("urn:uuid:1b4e28ba-2fa1-11d2"), 0);
    assert_int_equal (name_check_request_id ("a.b/c+d=e~f!{}"), 0);
    assert_int_equal (name_check_request_id ("tab\there0"), -1);
    assert_int_equal (name_check_request_id ("caf\xc3\xa9" "-00000"), -1);
    assert_int_equal (name_check_request_id ("del\x7f" "0000"), -1);
    assert_int_equal (name_check_request_id ("0123456789012345678901234567890123456789012345678901234567890123"), 0);
    assert_int_equal (name_check_request_id ("01234567890123456789012345678901234567890123456789012345678901234"), -1);
    assert_int_equal (name_check_date ("2026-12-31"), 0);
    assert_int_equal (name_check_date ("2024-02-29"), 0);
    assert_int_equal (name_check_date ("2100-02-29"), -1);
    assert_int_equal (name_check_date ("2000-02-29"), 0);
    assert_int_equal (name_check_date ("2026-13-01"), -1);
    assert_int_equal (name_check_date ("2026-04-31"), -1);
    assert_int_equal (name_check_date ("2026-4-30"), -1);
    assert_int_equal (name_check_date ("1899-01-01"), -1);
    assert_int_equal (name_check_user ("alice"), 0);
    assert_int_equal (name_check_user ("a.b-c_9"), 0);
    assert_int_equal (name_check_user ("Alice"), -1);
    assert_int_equal (name_check_user ("9lives"), -1);
    assert_int_equal (name_check_user (""), -1);
    assert_int_equal (name_check_user ("../etc"), -1);
    assert_int_equal (name_check_user ("abcdefghijklmnopqrstuvwxyz0123456"), -1);
    static const struct { const char *in, *out; } trims[] = {
        { "  Acme  ", "Acme" },
        { "\t\r\n\u00a0Acme\u00a0\n", "Acme" },
        { "Acme  Corp", "Acme  Corp" },                 /* inside stays */
        { "Acme", "Acme" },
        { " \u00a0 ", "" },
        { "", "" },
        { "caf\xc3\xa9 ", "caf\xc3\xa9" },
        { "\u2003Acme", "\u2003Acme" },   /* an em space is not in the set */
        { "\xc2", "\xc2" },                             /* a cut character stays cut */
    };
    for (size_t i = 0; i < sizeof trims / sizeof trims[0]; i++) {
        char buf[32];
        strcpy (buf, trims[i].in);
        assert_ptr_equal (name_trim (buf), buf);
        assert_string_equal (buf, trims[i].out);
    }
    assert_null (name_trim (NULL));
}

static void
test_status (void **state)
{
    (void) state;
    esc_error_t err;
    assert_int_equal (esc_fail (&err, ESC_NOT_FOUND, "X_NOT_FOUND", "x %d", 3), -1);
    assert_int_equal (err.status, ESC_NOT_FOUND);
    assert_string_equal (err.message, "x 3");
    esc_error_clear (&err);
    assert_int_equal (err.status, ESC_OK);
    assert_null (err.reason);
    assert_string_equal (esc_status_name (ESC_UNAVAILABLE), "UNAVAILABLE");
    assert_string_equal (esc_status_name (99), "UNKNOWN");
}

/* JSON keeps text exact: every control character escaped, DEL too, and
 * bidirectional characters and separators passed through as they are. */
static void
test_json_text_exact (void **state)
{
    (void) state;
    json_t j;
    json_init (&j);
    json_string (&j, "a\x7f" "b\x1b[2J\r\n\xe2\x80\xae" "c\xe2\x81\xa6\xe2\x80\xa8\xc2\x85");
    assert_string_equal (json_text (&j),
        "\"a\\u007fb\\u001b[2J\\r\\n\xe2\x80\xae" "c\xe2\x81\xa6\xe2\x80\xa8\xc2\x85\"");
    json_release (&j);
}

static void
test_text_classify (void **state)
{
    (void) state;
    for (uint32_t cp = 0; cp < 0x20; cp++)
        assert_int_equal (text_classify (cp), TEXT_CONTROL);
    for (uint32_t cp = 0x7f; cp <= 0x9f; cp++)
        assert_int_equal (text_classify (cp), TEXT_CONTROL);
    for (uint32_t cp = 0x202a; cp <= 0x202e; cp++)
        assert_int_equal (text_classify (cp), TEXT_BIDI);
    for (uint32_t cp = 0x2066; cp <= 0x2069; cp++)
        assert_int_equal (text_classify (cp), TEXT_BIDI);
    assert_int_equal (text_classify (0x2028), TEXT_SEPARATOR);
    assert_int_equal (text_classify (0x2029), TEXT_SEPARATOR);
    static const uint32_t plain[] = { ' ', '~', 0xa0, 0xe9, 0x2027, 0x202f, 0x2065, 0x206a,
                                      0x65e5, 0x1f600, 0x10ffff };
    for (size_t i = 0; i < sizeof plain / sizeof plain[0]; i++)
        assert_int_equal (text_classify (plain[i]), TEXT_PLAIN);

    /* LF and TAB only in multi-line fields; CR, ESC and the rest in none */
    assert_false (text_allowed ('\n', TEXT_SINGLE_LINE));
    assert_true (text_allowed ('\n', TEXT_MULTI_LINE));
    assert_false (text_allowed ('\t', TEXT_SINGLE_LINE));
    assert_true (text_allowed ('\t', TEXT_MULTI_LINE));
    static const uint32_t never[] = { 0, '\r', 0x1b, 0x7f, 0x85, 0x9b, 0x202e, 0x2066, 0x2028 };
    for (size_t i = 0; i < sizeof never / sizeof never[0]; i++) {
        assert_false (text_allowed (never[i], TEXT_SINGLE_LINE));
        assert_false (text_allowed (never[i], TEXT_MULTI_LINE));
    }
    assert_true (text_allowed (0xe9, TEXT_SINGLE_LINE));
    assert_string_equal (text_class_name (TEXT_CONTROL), "a control character");

    uint32_t cp;
    size_t at;
    assert_false (text_find_unsafe (NULL, TEXT_SINGLE_LINE, &cp, &at));
    assert_false (text_find_unsafe ("Ça coûte 3 € — 日本 😀", TEXT_SINGLE_LINE, &cp, &at));
    assert_true (text_find_unsafe ("ab\ncd", TEXT_SINGLE_LINE, &cp, &at));
    assert_int_equal (cp, '\n');
    assert_int_equal (at, 2);
    assert_false (text_find_unsafe ("ab\n\tcd", TEXT_MULTI_LINE, &cp, &at));
    assert_true (text_find_unsafe ("ab\r\ncd", TEXT_MULTI_LINE, &cp, &at));
    assert_int_equal (cp, '\r');
    assert_true (text_find_unsafe ("é\xe2\x80\xae" "x", TEXT_MULTI_LINE, &cp, &at));
    assert_int_equal (cp, 0x202e);
    assert_int_equal (at, 2);
    assert_true (text_find_unsafe ("a\xc2\x85", TEXT_SINGLE_LINE, &cp, &at));
    assert_int_equal (cp, 0x85);
    assert_true (text_find_unsafe ("ok\xff", TEXT_MULTI_LINE, &cp, &at));   /* not UTF-8 */
    assert_int_equal (cp, 0xff);
    assert_int_equal (at, 2);
    assert_int_equal (text_classify (cp), TEXT_PLAIN);

    /* the decoder stops at its bound and at a NUL */
    assert_int_equal (text_decode ("\xe2\x82\xac", 3, &cp), 3);
    assert_int_equal (cp, 0x20ac);
    assert_int_equal (text_decode ("\xe2\x82\xac", 2, &cp), 0);
    assert_int_equal (text_decode ("\xe2\0", 5, &cp), 0);
    assert_int_equal (text_decode ("", 1, &cp), 0);
    assert_int_equal (text_decode ("a", 0, &cp), 0);
}

/* What text_shown makes of S, compared with WANT. */
static void
assert_shown (const char *s, const char *indent, const char *want)
{
    char *got = text_shown (s, indent);
    if (strcmp (got, want) != 0)
        fail_msg ("shown as '%s', expected '%s'", got, want);
    free (got);
}

static void
test_text_write (void **state)
{
    (void) state;
    assert_shown (NULL, NULL, "");
    assert_shown ("Ça coûte 3 € — 日本 😀", NULL, "Ça coûte 3 € — 日本 😀");
    /* each unsafe class, on one line */
    assert_shown ("a\x1b[2Jb", NULL, "a\\x1b[2Jb");
    assert_shown ("x\r\ny\tz\x7f", NULL, "x\\x0d\\x0ay\\x09z\\x7f");
    assert_shown ("\x01\x1f", NULL, "\\x01\\x1f");
    assert_shown ("nel\xc2\x85" "csi\xc2\x9b", NULL, "nel\\u0085csi\\u009b");
    assert_shown ("\xe2\x80\xae" "evil\xe2\x80\xac", NULL, "\\u202eevil\\u202c");
    assert_shown ("\xe2\x81\xa6iso\xe2\x81\xa9", NULL, "\\u2066iso\\u2069");
    assert_shown ("line\xe2\x80\xa8para\xe2\x80\xa9", NULL, "line\\u2028para\\u2029");
    assert_shown ("reason\n#22 carol spent token 2", NULL, "reason\\x0a#22 carol spent token 2");
    /* multi-line: LF and TAB kept, every continuation under the value */
    assert_shown ("first\n  approved:   token 1, by carol", "    ",
                  "first\n      approved:   token 1, by carol");
    assert_shown ("a\tb\n\nc\n", "  ", "a\tb\n  \n  c\n  ");
    assert_shown ("a\r\nb\x1b" "c\xe2\x80\xae", "  ", "a\\x0d\n  b\\x1bc\\u202e");
    /* bytes that are not UTF-8, as old rows may hold them */
    assert_shown ("caf\xc3", NULL, "caf\\xc3");
    assert_shown ("\xff\xfe ok", NULL, "\\xff\\xfe ok");
    assert_shown ("\xe2\x80x", NULL, "\\xe2\\x80x");
    assert_shown ("\xc0\xaf", NULL, "\\xc0\\xaf");              /* overlong '/' */
    assert_shown ("\xed\xa0\x80", NULL, "\\xed\\xa0\\x80");     /* a surrogate */
    assert_shown ("\xf4\x90\x80\x80", NULL, "\\xf4\\x90\\x80\\x80");
    assert_shown ("\xc3\n", "  ", "\\xc3\n  ");

    /* whatever it is given, no line starts at column 0 but the first, and
     * no raw control byte but LF (and TAB in multi-line text) comes out */
    char all[256 * 2 + 1];
    size_t n = 0;
    for (int b = 255; b >= 1; b--) {
        all[n++] = (char) b;
        if (b % 7 == 0)
            all[n++] = '\n';
    }
    all[n] = '\0';
    for (int multi = 0; multi < 2; multi++) {
        char *got = text_shown (all, multi ? "   " : NULL);
        for (const char *p = got; *p; p++) {
            unsigned char c = (unsigned char) *p;
            if (c < 0x20 && !(multi && (c == '\n' || c == '\t')))
                fail_msg ("raw byte 0x%02x shown", c);
            if (c == 0x7f || c == 0x9b)
                fail_msg ("raw byte 0x%02x shown", c);
            if (c == '\n' && strncmp (p + 1, "   ", 3) != 0)
                fail_msg ("a continuation line is not indented: '%.20s'", p + 1);
        }
        free (got);
    }
}

/* A date that is not shaped like one, and one that names no day. */
static void
test_dates (void **state)
{
    (void) state;
    assert_int_equal (name_date_check ("2027-02-28"), 0);
    assert_int_equal (name_date_check ("2028-02-29"), 0);
    assert_int_equal (name_date_check ("2027-02-30"), NAME_DATE_NONEXISTENT);
    assert_int_equal (name_date_check ("2027-02-29"), NAME_DATE_NONEXISTENT);
    assert_int_equal (name_date_check ("2027-13-01"), NAME_DATE_NONEXISTENT);
    assert_int_equal (name_date_check ("2027-00-10"), NAME_DATE_NONEXISTENT);
    assert_int_equal (name_date_check ("2027-06-00"), NAME_DATE_NONEXISTENT);
    assert_int_equal (name_date_check ("2027-6-30"), NAME_DATE_MALFORMED);
    assert_int_equal (name_date_check ("06/30/2027"), NAME_DATE_MALFORMED);
    assert_int_equal (name_date_check ("soon"), NAME_DATE_MALFORMED);
    assert_int_equal (name_date_check ("1899-12-31"), NAME_DATE_MALFORMED);
    assert_int_equal (name_date_check (NULL), NAME_DATE_MALFORMED);
}

/* The wire's enumerations: matched in any case, listed for people. */
static void
test_enumerations (void **state)
{
    (void) state;
    assert_int_equal (name_one_of ("feature", name_categories), 0);
    assert_int_equal (name_one_of ("DISCOVERY", name_categories), 3);
    assert_int_equal (name_one_of ("Ility", name_categories), 1);
    assert_int_equal (name_one_of ("ilities", name_categories), -1);
    assert_int_equal (name_one_of ("", name_categories), -1);
    assert_int_equal (name_one_of (NULL, name_categories), -1);
    assert_int_equal (name_one_of ("Won", name_deals), 0);
    assert_int_equal (name_one_of ("PM", name_roles), 1);
    assert_int_equal (name_one_of ("Closed", name_states), 8);
    char buf[128];
    assert_string_equal (name_values_text (name_categories, buf, sizeof buf),
                         "feature, ility, maintenance, discovery");
    assert_string_equal (name_values_text (name_deals, buf, 6), "won, ");   /* cut, ended */
    char word[] = "FeAtUrE 2026Q4";
    assert_string_equal (name_lower (word), "feature 2026q4");
    assert_null (name_lower (NULL));
    char quarter[] = "2026q4", other[] = "quarter";
    assert_string_equal (name_quarter_case (quarter), "2026Q4");
    assert_string_equal (name_quarter_case (other), "quarter");
    assert_null (name_quarter_case (NULL));
}

/* Did you mean: a unique prefix, else the nearest within two edits. */
static void
test_suggest (void **state)
{
    (void) state;
    static const char *const words[] = { "quarter", "account", "roadmap", "file", "size",
                                         "show", "list", "spend", NULL, "history" };
    size_t n = sizeof words / sizeof words[0];
    assert_int_equal (suggest_distance ("kitten", "sitting"), 3);
    assert_int_equal (suggest_distance ("", "abc"), 3);
    assert_int_equal (suggest_distance ("LIST", "list"), 0);
    assert_string_equal (suggest_word ("quater", words, n), "quarter");
    assert_string_equal (suggest_word ("acount", words, n), "account");
    assert_string_equal (suggest_word ("lsit", words, n), "list");       /* two edits */
    assert_string_equal (suggest_word ("hist", words, n), "history");    /* a prefix */
    assert_string_equal (suggest_word ("List", words, n), "list");
    assert_string_equal (suggest_word ("sh", words, n), "show");         /* only show begins sh */
    assert_string_equal (suggest_word ("sie", words, n), "size");
    assert_null (suggest_word ("s", words, n));                          /* many begin s */
    assert_null (suggest_word ("frobnicate", words, n));
    assert_null (suggest_word ("x", words, n));
    assert_null (suggest_word ("", words, n));
    assert_null (suggest_word ("list", words, n));                       /* nothing to fix */
}

/* Roff that cannot be misread: escapes, and no line starting a request. */
static void
test_man (void **state)
{
    (void) state;
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream (&text, &len);
    man_begin (f, "esc", 1, "esc 0.1.0", "User Commands");
    man_section (f, "NAME");
    man_paragraph (f, ".start \\ and 'quote");
    man_item (f, "quarter open Q --capacity-hours N [--tokens N]", "open a quarter");
    fclose (f);
    assert_non_null (strstr (text, ".TH ESC 1 \"\" \"esc 0.1.0\" \"User Commands\"\n"));
    assert_non_null (strstr (text, ".SH \"NAME\"\n"));
    assert_non_null (strstr (text, "\\&.start \\e and 'quote\n"));
    assert_non_null (strstr (text, "\\fBquarter\\fR \\fBopen\\fR \\fIQ\\fR "
                                   "\\fB\\-\\-capacity\\-hours\\fR \\fIN\\fR \\fI[\\-\\-tokens\\fR"));
    free (text);
}

/* Figures group their digits by three, whatever their sign or size, and
 * nouns agree with their count. */
static void
test_figures (void **state)
{
    (void) state;
    static const struct { int64_t v; const char *want; } cases[] = {
        { 0, "0" }, { 7, "7" }, { 999, "999" }, { 1000, "1,000" }, { -1000, "-1,000" },
        { 2000000, "2,000,000" }, { 123456, "123,456" }, { -12, "-12" },
        { INT64_MAX, "9,223,372,036,854,775,807" }, { INT64_MIN, "-9,223,372,036,854,775,808" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char buf[FIGURE_SIZE];
        assert_string_equal (figure (buf, cases[i].v), cases[i].want);
    }
    assert_string_equal (figure_noun (1, "adopter", "adopters"), "adopter");
    assert_string_equal (figure_noun (0, "adopter", "adopters"), "adopters");
    assert_string_equal (figure_noun (2, "item", "items"), "items");
}

int
main (void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test (test_json_document),
        cmocka_unit_test (test_utf8),
        cmocka_unit_test (test_arena),
        cmocka_unit_test (test_keys),
        cmocka_unit_test (test_names),
        cmocka_unit_test (test_dates),
        cmocka_unit_test (test_enumerations),
        cmocka_unit_test (test_suggest),
        cmocka_unit_test (test_man),
        cmocka_unit_test (test_status),
        cmocka_unit_test (test_json_text_exact),
        cmocka_unit_test (test_text_classify),
        cmocka_unit_test (test_text_write),
        cmocka_unit_test (test_figures),
    };
    return cmocka_run_group_tests (tests, NULL, NULL);
}
