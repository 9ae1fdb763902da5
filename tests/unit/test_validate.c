/* test_validate.c: every request is checked before anything acts on it.
 *
 * Builds requests as a client would (and as a hostile one might), packs
 * them, and checks that validate_request accepts the good ones and refuses
 * the bad ones with the reason and the field named. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "desk.h"
#include "listing.h"
#include "names.h"
#include "ops.h"
#include "validate.h"

/* Packs REQ and validates the bytes. Returns 0 or -1 with ERR; *OP set. */
static int
check (Esc__Request *req, op_t *op, esc_error_t *err)
{
    size_t len = esc__request__get_packed_size (req);
    uint8_t *buf = malloc (len + 1);
    esc__request__pack (req, buf);
    esc_error_clear (err);
    Esc__Request *back = validate_request (buf, len, op, err);
    free (buf);
    if (!back)
        return -1;
    esc__request__free_unpacked (back, NULL);
    return 0;
}

static void
envelope (Esc__Request *req)
{
    esc__request__init (req);
    req->request_id = "0123456789abcdef";
    req->has_version = true;
    req->version = ESC_PROTOCOL_VERSION;
}

static void
assert_refused (int rc, const esc_error_t *err, const char *reason, const char *mentions)
{
    assert_int_equal (rc, -1);
    assert_string_equal (err->reason, reason);
    if (mentions && !strstr (err->message, mentions))
        fail_msg ("message '%s' does not mention '%s'", err->message, mentions);
}

/* A filing with everything right, to spoil one field at a time. */
static void
good_file (Esc__Request *req, Esc__File *f)
{
    envelope (req);
    esc__file__init (f);
    f->account = "Acme";
    f->title = "Custom export";
    f->problem = "Finance cannot reconcile invoices";
    req->op_case = ESC__REQUEST__OP_FILE;
    req->file = f;
}

static void
test_good_file (void **state)
{
    (void) state;
    Esc__Request req;
    Esc__File f;
    good_file (&req, &f);
    op_t op;
    esc_error_t err;
    assert_int_equal (check (&req, &op, &err), 0);
    assert_int_equal (op, OP_FILE);
}

static void
test_problem_required (void **state)
{
    (void) state;
    Esc__Request req;
    Esc__File f;
    op_t op;
    esc_error_t err;
    good_file (&req, &f);
    f.problem = NULL;
    assert_refused (check (&req, &op, &err), &err, "MISSING_ARGUMENT", "problem");
    f.problem = "  \n\t ";
    assert_refused (check (&req, &op, &err), &err, "MISSING_ARGUMENT", "problem");
    good_file (&req, &f);
    f.title = "";
    assert_refused (check (&req, &op, &err), &err, "MISSING_ARGUMENT", "title");
}

static void
test_strings (void **state)
{
    (void) state;
    Esc__Request req;
    Esc__File f;
    op_t op;
    esc_error_t err;
    good_file (&req, &f);
    f.problem = "caf\xc3";                      /* cut in the middle of é */
    assert_refused (check (&req, &op, &err), &err, "INVALID_UTF8", "problem");
    f.problem = "\xed\xa0\x80";                 /* a UTF-16 surrogate */
    assert_refused (check (&req, &op, &err), &err, "INVALID_UTF8", "problem");
    f.problem = "\xc0\xaf";                     /* an overlong '/' */
    assert_refused (check (&req, &op, &err), &err, "INVALID_UTF8", "problem");
    f.problem = "Ça coûte 3 € — 日本語 ok";
    assert_int_equal (check (&req, &op, &err), 0);

    char *big = malloc (LIMIT_TEXT + 2);
    memset (big, 'x', LIMIT_TEXT + 1);
    big[LIMIT_TEXT + 1] = '\0';
    f.problem = big;
    assert_refused (check (&req, &op, &err), &err, "FIELD_TOO_LONG", "problem");
    big[LIMIT_TEXT] = '\0';
    assert_int_equal (check (&req, &op, &err), 0);
    f.problem = "fine";
    big[LIMIT_NAME + 1] = '\0';
    f.title = big;
    assert_refused (check (&req, &op, &err), &err, "FIELD_TOO_LONG", "title");
    f.title = "two\nlines";
    assert_refused (check (&req, &op, &err), &err, "INVALID_TEXT", "title");
    f.title = "ok";
    f.problem = "bell\a";
    assert_refused (check (&req, &op, &err), &err, "INVALID_TEXT", "problem");
    free (big);
}

static void
test_numbers (void **state)
{
    (void) state;
    Esc__Request req;
    Esc__Size s;
    op_t op;
    esc_error_t err;
    envelope (&req);
    esc__size__init (&s);
    req.op_case = ESC__REQUEST__OP_SIZE;
    req.size = &s;
    s.has_id = s.has_hours = s.has_viable = true;
    s.id = 7;
    s.hours = 40;
    s.viable = true;
    assert_int_equal (check (&req, &op, &err), 0);
    s.hours = 0;
    assert_refused (check (&req, &op, &err), &err, "OUT_OF_RANGE", "hours");
    s.hours = -5;
    assert_refused (check (&req, &op, &err), &err, "OUT_OF_RANGE", "hours");
    s.hours = INT64_MAX;
    assert_refused (check (&req, &op, &err), &err, "OUT_OF_RANGE", "hours");
    s.hours = LIMIT_HOURS;
    assert_int_equal (check (&req, &op, &err), 0);
    /* hours and viable: a first sizing needs them, a re-size keeps them;
     * the workflow knows which (test_workflow's test_first_time_needs) */
    s.has_viable = false;
    assert_int_equal (check (&req, &op, &err), 0);
    s.has_viable = true;
    s.id = -1;
    assert_refused (check (&req, &op, &err), &err, "OUT_OF_RANGE", "id");
    s.id = 7;
    int64_t displaces[] = { 1, 0 };
    s.displaces = displaces;
    s.n_displaces = 2;
    assert_refused (check (&req, &op, &err), &err, "OUT_OF_RANGE", "displaces");
    s.has_hours = false;
    s.n_displaces = 0;
    assert_int_equal (check (&req, &op, &err), 0);
    /* displacing some and none at once, a note and none */
    s.displaces = displaces;
    s.n_displaces = 1;
    s.has_clear_displaces = s.clear_displaces = true;
    assert_refused (check (&req, &op, &err), &err, "INVALID_ARGUMENT", "displaces");
    s.n_displaces = 0;
    assert_int_equal (check (&req, &op, &err), 0);
    s.note = "two weeks";
    s.has_clear_note = s.clear_note = true;
    assert_refused (check (&req, &op, &err), &err, "INVALID_ARGUMENT", "note");
    s.note = NULL;
    assert_int_equal (check (&req, &op, &err), 0);
}

static void
test_quarter_open (void **state)
{
    (void) state;
    Esc__Request req;
    Esc__QuarterOpen q;
    op_t op;
    esc_error_t err;
    envelope (&req);
    esc__quarter_open__init (&q);
    req.op_case = ESC__REQUEST__OP_QUARTER_OPEN;
    req.quarter_open = &q;
    q.quarter = "2026Q4";
    q.has_capacity_hours = true;
    q.capacity_hours = 4000;
    assert_int_equal (check (&req, &op, &err), 0);
    q.quarter = "2026Q5";
    assert_refused (check (&req, &op, &err), &err, "INVALID_QUARTER", "quarter");
    q.quarter = "2026Q4";
    q.has_budget_pct = true;
    q.budget_pct = 101;
    assert_refused (check (&req, &op, &err), &err, "OUT_OF_RANGE", "budget_pct");
    q.budget_pct = 10;
    q.starts_on = "2026-02-30";
    q.ends_on = "2026-03-31";
    assert_refused (check (&req, &op, &err), &err, "INVALID_DATE", "starts_on");
    q.starts_on = "2026-04-01";
    assert_refused (check (&req, &op, &err), &err, "INVALID_DATE", "before");
    q.ends_on = NULL;
    assert_refused (check (&req, &op, &err), &err, "INVALID_DATE", "together");
    q.starts_on = "2024-02-29";                 /* a leap day */
    q.ends_on = "2024-03-31";
    assert_int_equal (check (&req, &op, &err), 0);
}

static void
test_user_add (void **state)
{
    (void) state;
    Esc__Request req;
    Esc__UserAdd u;
    op_t op;
    esc_error_t err;
    char *roles[] = { "sales", "ceo" };
    envelope (&req);
    esc__user_add__init (&u);
    req.op_case = ESC__REQUEST__OP_USER_ADD;
    req.user_add = &u;
    u.name = "dana";
    u.roles = roles;
    u.n_roles = 1;
    u.public_key = "rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7";
    assert_int_equal (check (&req, &op, &err), 0);
    u.n_roles = 2;
    assert_refused (check (&req, &op, &err), &err, "INVALID_ARGUMENT", "role");
    u.n_roles = 0;
    assert_refused (check (&req, &op, &err), &err, "MISSING_ARGUMENT", "roles");
    u.n_roles = 1;
    u.public_key = "short";
    assert_refused (check (&req, &op, &err), &err, "INVALID_KEY", "public_key");
    u.public_key = "rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7";
    u.name = "Dana Smith";
    assert_refused (check (&req, &op, &err), &err, "INVALID_ARGUMENT", "name");
}

static void
test_envelope (void **state)
{
    (void) state;
    Esc__Request req;
    Esc__File f;
    op_t op;
    esc_error_t err;
    good_file (&req, &f);
    req.version = 2;
    assert_refused (check (&req, &op, &err), &err, "UNSUPPORTED_VERSION", "version");
    assert_int_equal (op, OP_FILE);             /* known, for the log line */
    req.has_version = false;
    assert_refused (check (&req, &op, &err), &err, "UNSUPPORTED_VERSION", NULL);
    req.has_version = true;
    req.version = ESC_PROTOCOL_VERSION;
    req.request_id = "short";
    assert_refused (check (&req, &op, &err), &err, "INVALID_REQUEST_ID", NULL);
    req.request_id = "has spaces in it";
    assert_refused (check (&req, &op, &err), &err, "INVALID_REQUEST_ID", NULL);
    req.request_id = NULL;
    assert_refused (check (&req, &op, &err), &err, "INVALID_REQUEST_ID", NULL);
    req.request_id = "0123456789abcdef";
    req.op_case = ESC__REQUEST__OP__NOT_SET;
    assert_refused (check (&req, &op, &err), &err, "UNKNOWN_OPERATION", NULL);
    assert_int_equal (op, OP_COUNT);
}

static void
test_garbage (void **state)
{
    (void) state;
    op_t op;
    esc_error_t err;
    static const uint8_t junk[] = { 0xff, 0xff, 0xff, 0xff, 0x0f, 0x01, 0x02 };
    esc_error_clear (&err);
    assert_null (validate_request (junk, sizeof junk, &op, &err));
    assert_string_equal (err.reason, "BAD_REQUEST");
    assert_null (validate_request (junk, ESC_MAX_MESSAGE + 1, &op, &err));
    assert_string_equal (err.reason, "MESSAGE_TOO_LARGE");
    /* an empty message decodes, and names no operation */
    assert_null (validate_request (junk, 0, &op, &err));
    assert_string_equal (err.reason, "UNSUPPORTED_VERSION");
    /* a field number no version of the schema knows: an unknown operation */
    static const uint8_t future[] = { 0x0a, 0x08, '0', '1', '2', '3', '4', '5', '6', '7',
                                      0x10, 0x01, 0xfa, 0x06, 0x00 };   /* field 111 */
    assert_null (validate_request (future, sizeof future, &op, &err));
    assert_string_equal (err.reason, "UNKNOWN_OPERATION");
}

static void
test_list_filter (void **state)
{
    (void) state;
    Esc__Request req;
    Esc__ListFilter l;
    op_t op;
    esc_error_t err;
    envelope (&req);
    esc__list_filter__init (&l);
    req.op_case = ESC__REQUEST__OP_LIST;
    req.list = &l;
    assert_int_equal (check (&req, &op, &err), 0);
    l.state = "sized";
    assert_int_equal (check (&req, &op, &err), 0);
    l.state = "pending";
    assert_refused (check (&req, &op, &err), &err, "INVALID_ARGUMENT", "state");
    l.state = NULL;
    /* a page: 1 to 1000 of them, after an id */
    l.has_limit = l.has_after = true;
    l.limit = 1000;
    l.after = 0;
    assert_int_equal (check (&req, &op, &err), 0);
    l.limit = 0;
    assert_refused (check (&req, &op, &err), &err, "OUT_OF_RANGE", "limit");
    l.limit = 1001;
    assert_refused (check (&req, &op, &err), &err, "OUT_OF_RANGE", "limit");
    l.limit = 50;
    l.after = -1;
    assert_refused (check (&req, &op, &err), &err, "OUT_OF_RANGE", "after");
}

/* Packs REQ and validates the bytes as escd does: the request it acts on
 * (free it), or NULL with ERR. */
static Esc__Request *
decoded (Esc__Request *req, esc_error_t *err)
{
    size_t len = esc__request__get_packed_size (req);
    uint8_t *buf = malloc (len + 1);
    esc__request__pack (req, buf);
    op_t op;
    esc_error_clear (err);
    Esc__Request *back = validate_request (buf, len, &op, err);
    free (buf);
    return back;
}

/* A list's orders, its states as a list, and where a page starts: after an
 * id (the id order alone) or after a cursor, which goes on in its order. */
static void
test_list_orders (void **state)
{
    (void) state;
    Esc__Request req;
    Esc__ListFilter l = ESC__LIST_FILTER__INIT;
    op_t op;
    esc_error_t err;
    envelope (&req);
    req.op_case = ESC__REQUEST__OP_LIST;
    req.list = &l;
    char *states[] = { "filed", "sized" };
    l.states = states;
    l.n_states = 2;
    assert_int_equal (check (&req, &op, &err), 0);
    assert_int_equal (op, OP_LIST);
    l.state = "approved";                               /* the older field: one more */
    assert_int_equal (check (&req, &op, &err), 0);
    states[1] = "pending";
    assert_refused (check (&req, &op, &err), &err, "INVALID_ARGUMENT",
                    "states must be one of filed, sized,");
    states[1] = "sized";
    l.state = NULL;
    for (int i = 0; name_sorts[i]; i++) {
        l.sort = (char *) name_sorts[i];
        assert_int_equal (check (&req, &op, &err), 0);
    }
    l.sort = "size";
    assert_refused (check (&req, &op, &err), &err, "INVALID_ARGUMENT",
                    "sort must be one of id, hours, arr, deal, needed-by, filed (not 'size')");
    /* AFTER pages the id order only; a cursor, its own order */
    l.sort = "hours";
    l.has_after = true;
    l.after = 7;
    assert_refused (check (&req, &op, &err), &err, "INVALID_ARGUMENT", "after pages the id order");
    l.sort = "id";
    assert_int_equal (check (&req, &op, &err), 0);
    l.cursor = "id/7";
    assert_refused (check (&req, &op, &err), &err, "INVALID_ARGUMENT",
                    "after and cursor both say where the page starts");
    l.has_after = false;
    assert_int_equal (check (&req, &op, &err), 0);
    l.sort = NULL;
    l.cursor = "hours/40/7";                            /* no sort: the cursor's */
    assert_int_equal (check (&req, &op, &err), 0);
    l.sort = "hours";
    assert_int_equal (check (&req, &op, &err), 0);
    l.sort = "deal";
    assert_refused (check (&req, &op, &err), &err, "INVALID_ARGUMENT",
                    "the cursor goes on in the hours order, not the deal order");
    l.sort = NULL;
    l.cursor = "hours/forty/7";
    assert_refused (check (&req, &op, &err), &err, "INVALID_ARGUMENT", "cursor is not one escd gave");

    /* states and the order in any case, as people type them */
    char *typed[] = { "Filed", "SIZED" };
    l.states = typed;
    l.sort = "Needed-By";
    l.cursor = NULL;
    Esc__Request *back = decoded (&req, &err);
    assert_non_null (back);
    assert_string_equal (back->list->states[0], "filed");
    assert_string_equal (back->list->states[1], "sized");
    assert_string_equal (back->list->sort, "needed-by");
    esc__request__free_unpacked (back, NULL);
}

/* The orders as names.h spells them for esc are listing.h's, one for one. */
static void
test_listing_sorts (void **state)
{
    (void) state;
    int i = 0;
    for (; name_sorts[i]; i++) {
        list_sort_t sort;
        assert_int_equal (listing_sort_parse (name_sorts[i], &sort), 0);
        assert_int_equal (sort, i);
        assert_string_equal (listing_sort_name (sort), name_sorts[i]);
    }
    assert_int_equal (i, LIST_SORT_COUNT);
    list_sort_t sort;
    assert_int_equal (listing_sort_parse ("Hours", &sort), -1);     /* validated: lower case */
    assert_int_equal (listing_sort_parse ("size", &sort), -1);
    assert_int_equal (listing_sort_parse (NULL, &sort), -1);
    assert_string_equal (listing_sort_name (LIST_SORT_COUNT), "unknown");
    assert_int_equal (listing_key_kind (LIST_SORT_ID), LIST_KEY_NONE);
    assert_int_equal (listing_key_kind (LIST_SORT_DEAL), LIST_KEY_INT);
    assert_int_equal (listing_key_kind (LIST_SORT_NEEDED_BY), LIST_KEY_DATE);
    assert_int_equal (listing_key_kind (LIST_SORT_FILED), LIST_KEY_TIME);
    assert_string_equal (listing_start_key (LIST_SORT_ID), "");
    assert_string_equal (listing_start_key (LIST_SORT_FILED), "infinity");
}

/* A cursor escd makes reads back as it was made; one it did not make (any
 * part spoiled) is refused before it reaches the database. */
static void
test_listing_cursors (void **state)
{
    (void) state;
    static const struct {
        list_sort_t sort;
        const char *key, *text;
        int64_t id;
    } good[] = {
        { LIST_SORT_ID, "", "id/17", 17 },
        { LIST_SORT_HOURS, "40", "hours/40/17", 17 },
        { LIST_SORT_HOURS, "0", "hours/0/3", 3 },               /* unsized */
        { LIST_SORT_ARR, "500000", "arr/500000/9007199254740991", 9007199254740991 },
        { LIST_SORT_DEAL, "-1", "deal/-1/23", 23 },             /* no deal value */
        { LIST_SORT_NEEDED_BY, "2027-06-30", "needed-by/2027-06-30/5", 5 },
        { LIST_SORT_NEEDED_BY, "infinity", "needed-by/infinity/5", 5 },   /* none given */
        { LIST_SORT_FILED, "2026-05-04T10:11:12.345678Z",
          "filed/2026-05-04T10:11:12.345678Z/9", 9 },
    };
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
        char text[LISTING_CURSOR_MAX];
        listing_cursor_format (good[i].sort, good[i].key, good[i].id, text, sizeof text);
        assert_string_equal (text, good[i].text);
        list_cursor_t c;
        esc_error_t err;
        esc_error_clear (&err);
        if (listing_cursor_parse (text, &c, &err) != 0)
            fail_msg ("'%s' refused: %s", text, err.message);
        assert_int_equal (c.sort, good[i].sort);
        assert_string_equal (c.key, good[i].key);
        assert_int_equal (c.id, good[i].id);
    }
    char longest[LISTING_CURSOR_MAX + 8];
    memset (longest, '1', sizeof longest - 1);
    longest[sizeof longest - 1] = '\0';
    memcpy (longest, "hours/", 6);
    const char *const bad[] = {
        "", "id", "id/", "id/0", "id/-3", "id/+3", "id/017", "id/17 ", "id/9007199254740992",
        "id/17/17", "hours/17", "hours//17", "hours/4.5/17", "hours/040/17", "hours/-0/17",
        "hours/99999999999999999999/17", "deal/1/2/3", "HOURS/40/17", "size/40/17", "/40/17",
        "needed-by/2027-02-30/5", "needed-by/2027-6-30/5", "needed-by/-infinity/5",
        "needed-by/tomorrow/5", "filed/2026-05-04 10:11:12.345678Z/9",
        "filed/2026-05-04T24:00:00.000000Z/9", "filed/2026-05-04T10:11:12Z/9",
        "filed/infinity/9", "arr/500000/x", "deal/1e3/4", "arr/1;DROP TABLE escalation/4",
        longest, NULL,
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        list_cursor_t c;
        esc_error_t err;
        esc_error_clear (&err);
        if (listing_cursor_parse (bad[i], &c, &err) != -1)
            fail_msg ("cursor '%s' was taken", bad[i] ? bad[i] : "(null)");
        assert_string_equal (err.reason, "INVALID_ARGUMENT");
        assert_non_null (strstr (err.message, "cursor is not one escd gave"));
    }
}

/* esc account show NAME and esc roadmap show RID: a name (trimmed) and an id. */
static void
test_show_requests (void **state)
{
    (void) state;
    Esc__Request req, *back;
    op_t op;
    esc_error_t err;
    envelope (&req);
    Esc__AccountRef a = ESC__ACCOUNT_REF__INIT;
    req.op_case = ESC__REQUEST__OP_ACCOUNT_SHOW;
    req.account_show = &a;
    assert_refused (check (&req, &op, &err), &err, "MISSING_ARGUMENT", "name is required");
    a.name = "Ac\nme";
    assert_refused (check (&req, &op, &err), &err, "INVALID_TEXT", "name");
    a.name = " Acme\t";
    assert_non_null (back = decoded (&req, &err));
    assert_string_equal (back->account_show->name, "Acme");
    esc__request__free_unpacked (back, NULL);
    assert_int_equal (check (&req, &op, &err), 0);
    assert_int_equal (op, OP_ACCOUNT_SHOW);

    Esc__RoadmapRef r = ESC__ROADMAP_REF__INIT;
    req.op_case = ESC__REQUEST__OP_ROADMAP_SHOW;
    req.roadmap_show = &r;
    assert_refused (check (&req, &op, &err), &err, "MISSING_ARGUMENT", "id");
    r.has_id = true;
    r.id = 0;
    assert_refused (check (&req, &op, &err), &err, "OUT_OF_RANGE", "id");
    r.id = 3;
    assert_int_equal (check (&req, &op, &err), 0);
    assert_int_equal (op, OP_ROADMAP_SHOW);
}

/* Every account name a request carries arrives trimmed, wherever it is;
 * other text keeps its spaces. */
static void
test_account_names_trimmed (void **state)
{
    (void) state;
    Esc__Request req, *back;
    esc_error_t err;
    char *padded = " \t Acme\u00a0 \r\n", *names[] = { "  Globex", "Initech  " };

    Esc__AccountAdd add = ESC__ACCOUNT_ADD__INIT;
    envelope (&req);
    req.op_case = ESC__REQUEST__OP_ACCOUNT_ADD;
    req.account_add = &add;
    add.name = padded;
    add.has_arr = true;
    add.arr = 5;
    assert_non_null (back = decoded (&req, &err));
    assert_string_equal (back->account_add->name, "Acme");
    esc__request__free_unpacked (back, NULL);
    add.name = "  Acme   Corp  ";                      /* inside, spaces stay */
    assert_non_null (back = decoded (&req, &err));
    assert_string_equal (back->account_add->name, "Acme   Corp");
    esc__request__free_unpacked (back, NULL);
    add.name = " \u00a0 \t ";                          /* whitespace alone: no name */
    assert_null (decoded (&req, &err));
    assert_refused (-1, &err, "MISSING_ARGUMENT", "name is required");
    add.name = "caf\xc3\xa9\xc2\xa0";                   /* UTF-8 stays whole */
    assert_non_null (back = decoded (&req, &err));
    assert_string_equal (back->account_add->name, "caf\xc3\xa9");
    esc__request__free_unpacked (back, NULL);

    Esc__AccountRow row = ESC__ACCOUNT_ROW__INIT, *rows[] = { &row };
    Esc__AccountImport imp = ESC__ACCOUNT_IMPORT__INIT;
    req.op_case = ESC__REQUEST__OP_ACCOUNT_IMPORT;
    req.account_import = &imp;
    imp.rows = rows;
    imp.n_rows = 1;
    row.name = padded;
    assert_non_null (back = decoded (&req, &err));
    assert_string_equal (back->account_import->rows[0]->name, "Acme");
    esc__request__free_unpacked (back, NULL);

    Esc__File f;
    good_file (&req, &f);
    f.account = padded;
    f.title = "  Custom export  ";
    f.also_needed_by = names;
    f.n_also_needed_by = 2;
    assert_non_null (back = decoded (&req, &err));
    assert_string_equal (back->file->account, "Acme");
    assert_string_equal (back->file->also_needed_by[0], "Globex");
    assert_string_equal (back->file->also_needed_by[1], "Initech");
    assert_string_equal (back->file->title, "  Custom export  ");
    esc__request__free_unpacked (back, NULL);

    Esc__RoadmapAdd r = ESC__ROADMAP_ADD__INIT;
    req.op_case = ESC__REQUEST__OP_ROADMAP_ADD;
    req.roadmap_add = &r;
    r.title = "SSO";
    r.category = "feature";
    r.has_hours = true;
    r.hours = 10;
    r.waiting = names;
    r.n_waiting = 2;
    assert_non_null (back = decoded (&req, &err));
    assert_string_equal (back->roadmap_add->waiting[0], "Globex");
    assert_string_equal (back->roadmap_add->waiting[1], "Initech");
    esc__request__free_unpacked (back, NULL);

    Esc__ListFilter l = ESC__LIST_FILTER__INIT;
    req.op_case = ESC__REQUEST__OP_LIST;
    req.list = &l;
    l.account = padded;
    assert_non_null (back = decoded (&req, &err));
    assert_string_equal (back->list->account, "Acme");
    esc__request__free_unpacked (back, NULL);
}

/* ==== Free text: what no one may type ==================================== */

/* What no single-line field may hold, and what it is called in the refusal. */
static const struct {
    const char *text, *named;
} one_line_spoilers[] = {
    { "two\nlines", "U+000A (a control character) at byte 4" },
    { "carriage\rreturn", "U+000D" },
    { "a\ttab", "U+0009" },
    { "a\x1b[2Jb", "U+001B (a control character) at byte 2" },
    { "next\xc2\x85line", "U+0085" },
    { "evil\xe2\x80\xae" "cod.exe", "U+202E (a bidirectional formatting character) at byte 5" },
    { "\xe2\x81\xa6isolated", "U+2066" },
    { "line\xe2\x80\xa8separator", "U+2028 (a line separator)" },
    { "del\x7f", "U+007F" },
};

/* Each spoiler in the single-line field FIELD of REQ, set through SLOT:
 * refused as INVALID_TEXT with the field, the code point and the fields
 * that may span lines named. GOOD restores the field. */
static void
assert_one_line (Esc__Request *req, const char *field, char **slot, const char *good)
{
    op_t op;
    esc_error_t err;
    for (size_t i = 0; i < sizeof one_line_spoilers / sizeof one_line_spoilers[0]; i++) {
        *slot = (char *) one_line_spoilers[i].text;
        assert_refused (check (req, &op, &err), &err, "INVALID_TEXT", field);
        if (strncmp (err.message, field, strlen (field)) != 0
            || !strstr (err.message, one_line_spoilers[i].named)
            || !strstr (err.message, "only problem, solution and notes may span lines"))
            fail_msg ("%s: '%s'", field, err.message);
    }
    *slot = (char *) good;
    assert_int_equal (check (req, &op, &err), 0);
}

/* Multi-line field FIELD through SLOT: LF and TAB pass, CR, ESC and bidi
 * overrides do not. */
static void
assert_multi_line (Esc__Request *req, const char *field, char **slot)
{
    op_t op;
    esc_error_t err;
    *slot = "first line\n\tsecond line\n  approved:   token 1, by carol";
    assert_int_equal (check (req, &op, &err), 0);
    static const char *const spoilers[] = { "windows\r\nline", "esc\x1b[2J", "evil\xe2\x80\xaex",
                                            "nel\xc2\x85", "sep\xe2\x80\xa9" };
    for (size_t i = 0; i < sizeof spoilers / sizeof spoilers[0]; i++) {
        *slot = (char *) spoilers[i];
        assert_refused (check (req, &op, &err), &err, "INVALID_TEXT", field);
        if (strncmp (err.message, field, strlen (field)) != 0)
            fail_msg ("%s: '%s'", field, err.message);
    }
    *slot = "fine";
}

static void
test_single_line_fields (void **state)
{
    (void) state;
    Esc__Request req;
    Esc__File f;
    good_file (&req, &f);
    assert_one_line (&req, "title", &f.title, "Custom export");
    assert_one_line (&req, "account", &f.account, "Acme");
    char *also[] = { "Globex", NULL };
    f.also_needed_by = also;
    f.n_also_needed_by = 2;
    assert_one_line (&req, "also_needed_by", &also[1], "Initech");

    Esc__Refile rf;
    envelope (&req);
    esc__refile__init (&rf);
    rf.has_id = true;
    rf.id = 3;
    req.op_case = ESC__REQUEST__OP_REFILE;
    req.refile = &rf;
    assert_one_line (&req, "title", &rf.title, "New title");

    Esc__RoadmapAdd r;
    char *waiting[] = { NULL };
    envelope (&req);
    esc__roadmap_add__init (&r);
    r.title = "SSO";
    r.category = "feature";
    r.has_hours = true;
    r.hours = 100;
    r.waiting = waiting;
    r.n_waiting = 1;
    req.op_case = ESC__REQUEST__OP_ROADMAP_ADD;
    req.roadmap_add = &r;
    assert_one_line (&req, "waiting", &waiting[0], "Globex");
    assert_one_line (&req, "title", &r.title, "SSO");

    Esc__AccountAdd a;
    envelope (&req);
    esc__account_add__init (&a);
    a.name = "Acme";
    a.has_arr = true;
    a.arr = 100;
    req.op_case = ESC__REQUEST__OP_ACCOUNT_ADD;
    req.account_add = &a;
    assert_one_line (&req, "name", &a.name, "Acme");

    Esc__ListFilter l;
    envelope (&req);
    esc__list_filter__init (&l);
    req.op_case = ESC__REQUEST__OP_LIST;
    req.list = &l;
    assert_one_line (&req, "account", &l.account, "Acme");

    /* a reason: return, decline, override */
    Esc__WithReason w;
    static const Esc__Request__OpCase with_reason[] = {
        ESC__REQUEST__OP_RETURN_ESCALATION, ESC__REQUEST__OP_DECLINE, ESC__REQUEST__OP_OVERRIDE,
    };
    for (size_t i = 0; i < 3; i++) {
        envelope (&req);
        esc__with_reason__init (&w);
        w.has_id = true;
        w.id = 3;
        req.op_case = with_reason[i];
        if (i == 0)
            req.return_escalation = &w;
        else if (i == 1)
            req.decline = &w;
        else
            req.override = &w;
        assert_one_line (&req, "reason", &w.reason, "covered by the roadmap");
    }

    /* a row of an account import, checked by the desk through this */
    Esc__AccountRow row;
    esc_error_t err;
    const char *field;
    esc__account_row__init (&row);
    row.name = "Acme\x1b]0;pwned\a";
    row.has_arr = true;
    row.arr = 5;
    assert_int_equal (validate_account_row (&row, &field, &err), -1);
    assert_string_equal (err.reason, "INVALID_TEXT");
    assert_string_equal (field, "name");
    row.name = "Acme\xe2\x80\xae";
    assert_int_equal (validate_account_row (&row, &field, &err), -1);
    assert_string_equal (err.reason, "INVALID_TEXT");
    row.name = "Acme";
    assert_int_equal (validate_account_row (&row, &field, &err), 0);
    assert_null (field);
}

static void
test_multi_line_fields (void **state)
{
    (void) state;
    Esc__Request req;
    Esc__File f;
    good_file (&req, &f);
    assert_multi_line (&req, "problem", &f.problem);
    assert_multi_line (&req, "solution", &f.solution);

    Esc__Refile rf;
    envelope (&req);
    esc__refile__init (&rf);
    rf.has_id = true;
    rf.id = 3;
    req.op_case = ESC__REQUEST__OP_REFILE;
    req.refile = &rf;
    assert_multi_line (&req, "problem", &rf.problem);
    assert_multi_line (&req, "solution", &rf.solution);

    Esc__Size s;
    envelope (&req);
    esc__size__init (&s);
    s.has_id = s.has_hours = s.has_viable = true;
    s.id = 7;
    s.hours = 40;
    s.viable = true;
    req.op_case = ESC__REQUEST__OP_SIZE;
    req.size = &s;
    assert_multi_line (&req, "note", &s.note);

    Esc__Spend sp;
    envelope (&req);
    esc__spend__init (&sp);
    sp.has_id = true;
    sp.id = 7;
    req.op_case = ESC__REQUEST__OP_SPEND;
    req.spend = &sp;
    assert_multi_line (&req, "note", &sp.note);
}

/* Enumerated values, states and quarter names in any case: the request
 * escd acts on holds the one spelling; a value outside the list is
 * refused with the list. */
static void
test_any_case (void **state)
{
    (void) state;
    esc_error_t err;
    op_t op;
    Esc__Request req;
    envelope (&req);
    Esc__RoadmapAdd r = ESC__ROADMAP_ADD__INIT;
    r.title = "SSO";
    r.category = "Feature";
    r.quarter = "2026q4";
    r.has_hours = true;
    r.hours = 10;
    req.op_case = ESC__REQUEST__OP_ROADMAP_ADD;
    req.roadmap_add = &r;
    Esc__Request *back = decoded (&req, &err);
    assert_non_null (back);
    assert_string_equal (back->roadmap_add->category, "feature");
    assert_string_equal (back->roadmap_add->quarter, "2026Q4");
    assert_string_equal (back->roadmap_add->title, "SSO");             /* text keeps its case */
    esc__request__free_unpacked (back, NULL);
    r.category = "ilities";
    assert_refused (check (&req, &op, &err), &err, "INVALID_ARGUMENT",
                    "category must be one of feature, ility, maintenance, discovery (not 'ilities')");
    r.category = NULL;
    assert_refused (check (&req, &op, &err), &err, "MISSING_ARGUMENT", "category is required");

    Esc__Outcome o = ESC__OUTCOME__INIT;
    o.has_id = true;
    o.id = 1;
    o.deal = "WON";
    req.op_case = ESC__REQUEST__OP_OUTCOME;
    req.outcome = &o;
    assert_non_null (back = decoded (&req, &err));
    assert_string_equal (back->outcome->deal, "won");
    esc__request__free_unpacked (back, NULL);
    o.deal = "maybe";
    assert_refused (check (&req, &op, &err), &err, "INVALID_ARGUMENT",
                    "deal must be one of won, lost (not 'maybe')");

    Esc__ListFilter l = ESC__LIST_FILTER__INIT;
    l.state = "Approved";
    req.op_case = ESC__REQUEST__OP_LIST;
    req.list = &l;
    assert_non_null (back = decoded (&req, &err));
    assert_string_equal (back->list->state, "approved");
    esc__request__free_unpacked (back, NULL);
    l.state = "pending";
    assert_refused (check (&req, &op, &err), &err, "INVALID_ARGUMENT",
                    "state must be one of filed, sized, returned, declined, withdrawn, merged, "
                    "approved, delivered, closed, stopped, referred (not 'pending')");

    Esc__QuarterRef q = ESC__QUARTER_REF__INIT;
    q.quarter = "2027q1";
    req.op_case = ESC__REQUEST__OP_QUARTER_CLOSE;
    req.quarter_close = &q;
    assert_non_null (back = decoded (&req, &err));
    assert_string_equal (back->quarter_close->quarter, "2027Q1");
    esc__request__free_unpacked (back, NULL);
    q.quarter = "next";
    assert_refused (check (&req, &op, &err), &err, "INVALID_QUARTER", "like 2026Q4 (not 'next')");

    char *roles[] = { "Sales", "PM" };
    Esc__UserAdd u = ESC__USER_ADD__INIT;
    u.name = "dana";
    u.roles = roles;
    u.n_roles = 2;
    u.public_key = "rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7";
    req.op_case = ESC__REQUEST__OP_USER_ADD;
    req.user_add = &u;
    assert_non_null (back = decoded (&req, &err));
    assert_string_equal (back->user_add->roles[0], "sales");
    assert_string_equal (back->user_add->roles[1], "pm");
    esc__request__free_unpacked (back, NULL);
    roles[1] = "ceo";
    assert_refused (check (&req, &op, &err), &err, "INVALID_ARGUMENT",
                    "role must be one of sales, pm, cro, exec, admin (not 'ceo')");
}

/* A date that is not one, and a date that names no day, are told apart. */
static void
test_date_messages (void **state)
{
    (void) state;
    Esc__Request req;
    Esc__File f;
    op_t op;
    esc_error_t err;
    good_file (&req, &f);
    f.needed_by = "2027-02-30";
    assert_refused (check (&req, &op, &err), &err, "INVALID_DATE", "needed_by 2027-02-30 does not exist");
    f.needed_by = "06/30/2027";                 /* esc turns it into 2027-06-30; escd does not */
    assert_refused (check (&req, &op, &err), &err, "INVALID_DATE",
                    "needed_by must be a date YYYY-MM-DD (not '06/30/2027')");
    f.needed_by = "2027-06-30";
    assert_int_equal (check (&req, &op, &err), 0);
}

/* The vocabularies esc checks before sending (names.h) are the ones the
 * rules know (workflow.c): a state or role added to one and not the
 * other fails here. */
static void
test_vocabularies_agree (void **state)
{
    (void) state;
    int i = 0;
    for (; name_states[i]; i++) {
        escalation_state_t st;
        assert_int_equal (state_parse (name_states[i], &st), 0);
        assert_int_equal (st, i);
    }
    assert_int_equal (i, STATE_COUNT);
    for (i = 0; name_roles[i]; i++) {
        role_t role;
        assert_int_equal (role_parse (name_roles[i], &role), 0);
        assert_string_equal (role_name (role), name_roles[i]);
    }
    assert_int_equal (i, ROLE_COUNT);
}

/* The corrections: each names something to change, never a value and its
 * clearing at once, and checks what it names as a filing would. */
static void
test_corrections (void **state)
{
    (void) state;
    Esc__Request req;
    op_t op;
    esc_error_t err;

    Esc__Edit e;
    envelope (&req);
    esc__edit__init (&e);
    req.op_case = ESC__REQUEST__OP_EDIT;
    req.edit = &e;
    e.has_id = true;
    e.id = 7;
    assert_refused (check (&req, &op, &err), &err, "MISSING_ARGUMENT", "something to change");
    e.title = "Custom export v2";
    assert_int_equal (check (&req, &op, &err), 0);
    assert_int_equal (op, OP_EDIT);
    e.title = "  ";
    assert_refused (check (&req, &op, &err), &err, "MISSING_ARGUMENT", "title");
    e.title = NULL;
    e.problem = " \n ";
    assert_refused (check (&req, &op, &err), &err, "MISSING_ARGUMENT", "problem");
    e.problem = NULL;
    e.needed_by = "2027-02-30";
    assert_refused (check (&req, &op, &err), &err, "INVALID_DATE", "needed_by");
    e.needed_by = "2027-02-28";
    e.has_clear_needed_by = e.clear_needed_by = true;
    assert_refused (check (&req, &op, &err), &err, "INVALID_ARGUMENT", "needed_by");
    e.needed_by = NULL;
    assert_int_equal (check (&req, &op, &err), 0);      /* clearing alone is a change */
    e.has_clear_needed_by = e.clear_needed_by = false;
    e.has_deal_value = true;
    e.deal_value = -1;
    assert_refused (check (&req, &op, &err), &err, "OUT_OF_RANGE", "deal_value");
    e.deal_value = 5;
    char *also[] = { "  Globex " };
    e.also_needed_by = also;
    e.n_also_needed_by = 1;
    e.has_clear_also_needed_by = e.clear_also_needed_by = true;
    assert_refused (check (&req, &op, &err), &err, "INVALID_ARGUMENT", "also_needed_by");
    e.has_clear_also_needed_by = e.clear_also_needed_by = false;
    assert_int_equal (check (&req, &op, &err), 0);
    e.solution = "x";
    e.has_clear_solution = e.clear_solution = true;
    assert_refused (check (&req, &op, &err), &err, "INVALID_ARGUMENT", "solution");
    e.solution = NULL;
    e.has_id = false;
    assert_refused (check (&req, &op, &err), &err, "MISSING_ARGUMENT", "id");

    Esc__AccountSet a;
    envelope (&req);
    esc__account_set__init (&a);
    req.op_case = ESC__REQUEST__OP_ACCOUNT_SET;
    req.account_set = &a;
    a.name = "Acme";
    assert_refused (check (&req, &op, &err), &err, "MISSING_ARGUMENT", "something to change");
    a.rename = "";
    assert_refused (check (&req, &op, &err), &err, "MISSING_ARGUMENT", "rename");
    a.rename = "Acme\x1b[2J";
    assert_refused (check (&req, &op, &err), &err, "INVALID_TEXT", "rename");
    a.rename = "Acme Corp";
    assert_int_equal (check (&req, &op, &err), 0);
    assert_int_equal (op, OP_ACCOUNT_SET);
    a.has_arr = true;
    a.arr = -1;
    assert_refused (check (&req, &op, &err), &err, "OUT_OF_RANGE", "arr");
    a.arr = 10;
    a.renewal_on = "2027-01-01";
    a.has_clear_renewal = a.clear_renewal = true;
    assert_refused (check (&req, &op, &err), &err, "INVALID_ARGUMENT", "renewal_on");
    a.renewal_on = NULL;
    assert_int_equal (check (&req, &op, &err), 0);
    a.name = NULL;
    assert_refused (check (&req, &op, &err), &err, "MISSING_ARGUMENT", "name");

    Esc__RoadmapSet r;
    envelope (&req);
    esc__roadmap_set__init (&r);
    req.op_case = ESC__REQUEST__OP_ROADMAP_SET;
    req.roadmap_set = &r;
    r.has_id = true;
    r.id = 3;
    assert_refused (check (&req, &op, &err), &err, "MISSING_ARGUMENT", "something to change");
    r.category = "ilities";
    assert_refused (check (&req, &op, &err), &err, "INVALID_ARGUMENT", "category");
    r.category = "ility";
    assert_int_equal (check (&req, &op, &err), 0);
    assert_int_equal (op, OP_ROADMAP_SET);
    r.has_hours = true;
    r.hours = 0;
    assert_refused (check (&req, &op, &err), &err, "OUT_OF_RANGE", "hours");
    r.hours = 10;
    r.has_clear_waiting = r.clear_waiting = true;
    assert_int_equal (check (&req, &op, &err), 0);

    Esc__Stop st;
    envelope (&req);
    esc__stop__init (&st);
    req.op_case = ESC__REQUEST__OP_STOP;
    req.stop = &st;
    st.has_id = true;
    st.id = 7;
    assert_int_equal (check (&req, &op, &err), 0);      /* the workflow asks for more */
    assert_int_equal (op, OP_STOP);
    st.has_actual_hours = true;
    st.actual_hours = 0;                                /* stopped before it started */
    assert_int_equal (check (&req, &op, &err), 0);
    st.actual_hours = -1;
    assert_refused (check (&req, &op, &err), &err, "OUT_OF_RANGE", "actual_hours");
    st.actual_hours = LIMIT_HOURS + 1;
    assert_refused (check (&req, &op, &err), &err, "OUT_OF_RANGE", "actual_hours");
    st.actual_hours = 12;
    assert_one_line (&req, "reason", &st.reason, "the customer churned");

    Esc__QuarterRef q;
    envelope (&req);
    esc__quarter_ref__init (&q);
    req.op_case = ESC__REQUEST__OP_QUARTER_REOPEN;
    req.quarter_reopen = &q;
    assert_refused (check (&req, &op, &err), &err, "MISSING_ARGUMENT", "quarter");
    q.quarter = "2026Q5";
    assert_refused (check (&req, &op, &err), &err, "INVALID_QUARTER", "quarter");
    q.quarter = "2026Q4";
    assert_int_equal (check (&req, &op, &err), 0);
    assert_int_equal (op, OP_QUARTER_REOPEN);

    /* a refile's answer is one line, like the reason it answers */
    Esc__Refile rf;
    envelope (&req);
    esc__refile__init (&rf);
    rf.has_id = true;
    rf.id = 3;
    req.op_case = ESC__REQUEST__OP_REFILE;
    req.refile = &rf;
    assert_one_line (&req, "answer", &rf.answer, "The Q3 revenue report");
}

/* Whether a request writes is known on both sides of the wire: escd's
 * workflow table and desk (what takes the sequence lock and is answered
 * once), and esc's ops_writes (whether an unanswered request is worth a
 * rerun under its request id). They agree for every operation the wire
 * has, walked from the schema itself, so that none is missed; and an
 * import's dry run is a read on both. */
static void
test_writes_agree (void **state)
{
    (void) state;
    const ProtobufCMessageDescriptor *d = &esc__request__descriptor;
    int ops = 0;
    for (unsigned i = 0; i < d->n_fields; i++) {
        const ProtobufCFieldDescriptor *f = &d->fields[i];
        if (!(f->flags & PROTOBUF_C_FIELD_FLAG_ONEOF))
            continue;
        Esc__Request req;
        esc__request__init (&req);
        req.op_case = (Esc__Request__OpCase) f->id;
        op_t op = validate_op (&req);
        if (op == OP_COUNT)
            fail_msg ("escd knows no operation for the wire's %s", f->name);
        if (workflow_changes_state (op) != ops_writes (&req))
            fail_msg ("%s: escd says it %s, ops_writes the opposite", f->name,
                      workflow_changes_state (op) ? "writes" : "reads");
        ops++;
    }
    assert_int_equal (ops, OP_COUNT);

    Esc__AccountRow row = ESC__ACCOUNT_ROW__INIT, *rows[] = { &row };
    row.name = "Acme";
    row.has_arr = true;
    row.arr = 5;
    Esc__AccountImport imp = ESC__ACCOUNT_IMPORT__INIT;
    imp.rows = rows;
    imp.n_rows = 1;
    Esc__Request req;
    envelope (&req);
    req.op_case = ESC__REQUEST__OP_ACCOUNT_IMPORT;
    req.account_import = &imp;
    for (int dry = 0; dry < 2; dry++) {
        imp.has_dry_run = imp.dry_run = dry;
        size_t len = esc__request__get_packed_size (&req);
        uint8_t *buf = malloc (len);
        esc__request__pack (&req, buf);
        desk_request_t r;
        desk_decode (buf, len, &r);
        assert_true (r.valid);
        assert_int_equal (desk_request_writes (&r), !dry);
        assert_int_equal (ops_writes (&req), !dry);
        assert_int_equal (ops_dry_run (&req), dry);
        desk_request_release (&r);
        free (buf);
    }
}

/* status carries nothing, and anyone may send it (test_workflow). */
static void
test_status (void **state)
{
    (void) state;
    Esc__Request req;
    Esc__Empty empty = ESC__EMPTY__INIT;
    esc_error_t err;
    op_t op;
    envelope (&req);
    req.op_case = ESC__REQUEST__OP_STATUS;
    req.status = &empty;
    assert_int_equal (check (&req, &op, &err), 0);
    assert_int_equal (op, OP_STATUS);
    assert_string_equal (op_name (op), "status");
}

int
main (void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test (test_good_file),
        cmocka_unit_test (test_problem_required),
        cmocka_unit_test (test_strings),
        cmocka_unit_test (test_numbers),
        cmocka_unit_test (test_quarter_open),
        cmocka_unit_test (test_user_add),
        cmocka_unit_test (test_envelope),
        cmocka_unit_test (test_garbage),
        cmocka_unit_test (test_list_filter),
        cmocka_unit_test (test_list_orders),
        cmocka_unit_test (test_listing_sorts),
        cmocka_unit_test (test_listing_cursors),
        cmocka_unit_test (test_show_requests),
        cmocka_unit_test (test_account_names_trimmed),
        cmocka_unit_test (test_single_line_fields),
        cmocka_unit_test (test_multi_line_fields),
        cmocka_unit_test (test_any_case),
        cmocka_unit_test (test_date_messages),
        cmocka_unit_test (test_vocabularies_agree),
        cmocka_unit_test (test_corrections),
        cmocka_unit_test (test_writes_agree),
        cmocka_unit_test (test_status),
    };
    return cmocka_run_group_tests (tests, NULL, NULL);
}
