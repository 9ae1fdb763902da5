/* validate.c: the envelope, strings, and each operation's fields. */
#include "validate.h"

#include <stdbool.h>
#include <string.h>

#include "keys.h"
#include "listing.h"
#include "names.h"
#include "text.h"

/* ==== Small checks ======================================================= */

static bool
blank (const char *s)
{
    for (; s && *s; s++)
        if (*s != ' ' && *s != '\t' && *s != '\n' && *s != '\r')
            return false;
    return true;
}

/* ==== Field checks, each naming the field ================================ */

typedef enum { OPTIONAL, REQUIRED } need_t;

/* Free text: required or not, at most MAX bytes, and only the code points
 * a field of kind LINES may hold (text.h): no control characters, bidi
 * overrides or separators, and line breaks and tabs only in the fields
 * that may span lines. The refusal names the field, the code point and
 * its byte (counted from 1), so that the filer can find it. */
static int
check_text (const char *field, const char *s, size_t max, need_t need,
            text_lines_t lines, esc_error_t *err)
{
    if (!s || blank (s)) {
        if (need == REQUIRED)
            return esc_fail (err, ESC_INVALID_ARGUMENT, "MISSING_ARGUMENT",
                             "%s is required", field);
        return 0;
    }
    if (strlen (s) > max)
        return esc_fail (err, ESC_INVALID_ARGUMENT, "FIELD_TOO_LONG",
                         "%s is longer than %zu bytes", field, max);
    uint32_t cp;
    size_t at;
    if (!text_find_unsafe (s, lines, &cp, &at))
        return 0;
    const char *tail = lines == TEXT_SINGLE_LINE
        ? "; only problem, solution and notes may span lines" : "";
    if (text_classify (cp) == TEXT_PLAIN)       /* not UTF-8: check_string missed it */
        return esc_fail (err, ESC_INVALID_ARGUMENT, "INVALID_UTF8",
                         "%s is not valid UTF-8 at byte %zu", field, at + 1);
    return esc_fail (err, ESC_INVALID_ARGUMENT, "INVALID_TEXT", "%s holds U+%04X (%s) at byte %zu%s",
                     field, (unsigned) cp, text_class_name (text_classify (cp)), at + 1, tail);
}

static int
check_number (const char *field, bool has, int64_t v, int64_t lo, int64_t hi,
              need_t need, esc_error_t *err)
{
    if (!has)
        return need == REQUIRED
            ? esc_fail (err, ESC_INVALID_ARGUMENT, "MISSING_ARGUMENT", "%s is required", field)
            : 0;
    if (v < lo || v > hi)
        return esc_fail (err, ESC_INVALID_ARGUMENT, "OUT_OF_RANGE",
                         "%s must be between %lld and %lld (got %lld)", field,
                         (long long) lo, (long long) hi, (long long) v);
    return 0;
}

#define ID_MAX 9007199254740991LL       /* 2^53 - 1: exact in any JSON reader */

static int
check_id (const char *field, bool has, int64_t v, esc_error_t *err)
{
    return check_number (field, has, v, 1, ID_MAX, REQUIRED, err);
}

static int
check_date (const char *field, const char *s, need_t need, esc_error_t *err)
{
    if (!s || !*s)
        return need == REQUIRED
            ? esc_fail (err, ESC_INVALID_ARGUMENT, "MISSING_ARGUMENT", "%s is required", field)
            : 0;
    switch (name_date_check (s)) {
    case 0:
        return 0;
    case NAME_DATE_NONEXISTENT:
        return esc_fail (err, ESC_INVALID_ARGUMENT, "INVALID_DATE",
                         "%s %s does not exist", field, s);
    default:
        return esc_fail (err, ESC_INVALID_ARGUMENT, "INVALID_DATE",
                         "%s must be a date YYYY-MM-DD (not '%.40s')", field, s);
    }
}

static int
check_quarter (const char *field, const char *s, need_t need, esc_error_t *err)
{
    if (!s || !*s)
        return need == REQUIRED
            ? esc_fail (err, ESC_INVALID_ARGUMENT, "MISSING_ARGUMENT", "%s is required", field)
            : 0;
    if (name_check_quarter (s) != 0)
        return esc_fail (err, ESC_INVALID_ARGUMENT, "INVALID_QUARTER",
                         "%s must name a quarter like 2026Q4 (not '%.40s')", field, s);
    return 0;
}

/* A page of a list: LIMIT escalations after id AFTER. */
static int
check_page (bool has_limit, int64_t limit, bool has_after, int64_t after, esc_error_t *err)
{
    return check_number ("limit", has_limit, limit, 1, LIMIT_PAGE, OPTIONAL, err)
        || check_number ("after", has_after, after, 0, ID_MAX, OPTIONAL, err) ? -1 : 0;
}

static int
check_list_size (const char *field, size_t n, esc_error_t *err)
{
    if (n > LIMIT_LIST)
        return esc_fail (err, ESC_INVALID_ARGUMENT, "FIELD_TOO_LONG",
                         "%s names more than %d entries", field, LIMIT_LIST);
    return 0;
}

static int
check_account_names (const char *field, char **names, size_t n, esc_error_t *err)
{
    if (check_list_size (field, n, err))
        return -1;
    for (size_t i = 0; i < n; i++)
        if (check_text (field, names[i], LIMIT_NAME, REQUIRED, TEXT_SINGLE_LINE, err))
            return -1;
    return 0;
}

/* A value of an enumeration (names.h), required or not; the refusal lists
 * the values it may take. (validate_unpack has put it in lower case.) */
static int
check_one_of (const char *field, const char *s, const char *const *allowed, need_t need,
              esc_error_t *err)
{
    char values[200];
    if (!s || !*s)
        return need == REQUIRED
            ? esc_fail (err, ESC_INVALID_ARGUMENT, "MISSING_ARGUMENT", "%s is required", field)
            : 0;
    if (name_one_of (s, allowed) >= 0)
        return 0;
    return esc_fail (err, ESC_INVALID_ARGUMENT, "INVALID_ARGUMENT", "%s must be one of %s (not '%.40s')",
                     field, name_values_text (allowed, values, sizeof values), s);
}

static int
check_user_name (const char *s, esc_error_t *err)
{
    if (!s || name_check_user (s) != 0)
        return esc_fail (err, ESC_INVALID_ARGUMENT, "INVALID_ARGUMENT",
                         "name must be 1 to 32 of a-z 0-9 _ . - starting with a letter");
    return 0;
}

static int
check_public_key (const char *s, esc_error_t *err)
{
    if (!key_z85_valid (s))
        return esc_fail (err, ESC_INVALID_ARGUMENT, "INVALID_KEY",
                         "public_key must be a CURVE public key in Z85 (40 characters)");
    return 0;
}

/* ==== Every string of any message ======================================== */

typedef int (*string_fn) (const char *field, char *value, void *arg);

/* Calls EACH with every string of MSG, however deep, and its field's name;
 * stops at the first non-zero return and returns it. The strings are the
 * decoder's own (malloc'd), so EACH may change them in place. */
static int
each_string (ProtobufCMessage *msg, string_fn each, void *arg)
{
    const ProtobufCMessageDescriptor *d = msg->descriptor;
    for (unsigned i = 0; i < d->n_fields; i++) {
        const ProtobufCFieldDescriptor *f = &d->fields[i];
        char *base = (char *) msg;
        if (f->type != PROTOBUF_C_TYPE_STRING && f->type != PROTOBUF_C_TYPE_MESSAGE)
            continue;
        size_t n = 1;
        void **items = (void **) (base + f->offset);
        if (f->label == PROTOBUF_C_LABEL_REPEATED) {
            n = *(const size_t *) (base + f->quantifier_offset);
            items = *(void ***) (base + f->offset);
        }
        else if ((f->flags & PROTOBUF_C_FIELD_FLAG_ONEOF)
                 && *(const uint32_t *) (base + f->quantifier_offset) != f->id)
            continue;
        for (size_t k = 0; k < n; k++) {
            int rc = !items[k] ? 0
                   : f->type == PROTOBUF_C_TYPE_MESSAGE ? each_string (items[k], each, arg)
                   : each (f->name, items[k], arg);
            if (rc)
                return rc;
        }
    }
    return 0;
}

typedef struct {
    int (*each) (const char *field, const char *value, void *arg);
    void *arg;
} read_only_t;

static int
read_only (const char *field, char *value, void *arg)
{
    const read_only_t *r = arg;
    return r->each (field, value, r->arg);
}

int
validate_each_string (const ProtobufCMessage *msg,
                      int (*each) (const char *field, const char *value, void *arg), void *arg)
{
    read_only_t r = { each, arg };
    return each_string ((ProtobufCMessage *) msg, read_only, &r);
}

/* Every string, however deep, must be well-formed UTF-8 no longer than
 * LIMIT_TEXT. */
static int
check_string (const char *field, const char *value, void *err)
{
    size_t len = strlen (value);
    if (len > LIMIT_TEXT)
        return esc_fail (err, ESC_INVALID_ARGUMENT, "FIELD_TOO_LONG",
                         "%s is longer than %d bytes", field, LIMIT_TEXT);
    if (!esc_utf8_valid (value, len))
        return esc_fail (err, ESC_INVALID_ARGUMENT, "INVALID_UTF8",
                         "%s is not valid UTF-8", field);
    return 0;
}

int
validate_account_name (const char *name, esc_error_t *err)
{
    return check_text ("name", name, LIMIT_NAME, REQUIRED, TEXT_SINGLE_LINE, err);
}

int
validate_team (const char *team, esc_error_t *err)
{
    return check_text ("team", team, LIMIT_NAME, team ? REQUIRED : OPTIONAL, TEXT_SINGLE_LINE,
                       err);
}

/* An account's fields, in order: the name of the first one wrong (ERR
 * saying how), or NULL when all are right. */
static const char *
account_fault (const char *name, bool has_arr, int64_t arr, const char *renewal_on,
               esc_error_t *err)
{
    return validate_account_name (name, err) ? "name"
         : check_number ("arr", has_arr, arr, 0, LIMIT_MONEY, REQUIRED, err) ? "arr"
         : check_date ("renewal_on", renewal_on, OPTIONAL, err) ? "renewal_on" : NULL;
}

static int
check_account (const char *name, bool has_arr, int64_t arr, const char *renewal_on,
               esc_error_t *err)
{
    return account_fault (name, has_arr, arr, renewal_on, err) ? -1 : 0;
}

int
validate_account_row (const Esc__AccountRow *row, const char **field, esc_error_t *err)
{
    *field = account_fault (row->name, row->has_arr, row->arr, row->renewal_on, err);
    return *field ? -1 : 0;
}

/* ==== Each operation ===================================================== */

static int
check_quarter_open (const Esc__QuarterOpen *m, esc_error_t *err)
{
    if (check_quarter ("quarter", m->quarter, REQUIRED, err)
        || check_date ("starts_on", m->starts_on, OPTIONAL, err)
        || check_date ("ends_on", m->ends_on, OPTIONAL, err)
        || check_number ("capacity_hours", m->has_capacity_hours, m->capacity_hours, 1, 10000000, REQUIRED, err)
        || check_number ("budget_pct", m->has_budget_pct, m->budget_pct, 0, 100, OPTIONAL, err)
        || check_number ("tokens", m->has_tokens, m->tokens, 0, 1000, OPTIONAL, err)
        || check_number ("max_token_hours", m->has_max_token_hours, m->max_token_hours, 1, LIMIT_HOURS, OPTIONAL, err)
        || check_number ("hourly_cost", m->has_hourly_cost, m->hourly_cost, 0, 1000000, OPTIONAL, err)
        || check_number ("relief_standard_pct", m->has_relief_standard_pct,
                         m->relief_standard_pct, 0, 100, OPTIONAL, err)
        || check_number ("relief_oneoff_pct", m->has_relief_oneoff_pct, m->relief_oneoff_pct,
                         -100, 100, OPTIONAL, err))
        return -1;
    if (!m->starts_on != !m->ends_on)
        return esc_fail (err, ESC_INVALID_ARGUMENT, "INVALID_DATE",
                         "starts_on and ends_on go together");
    if (m->starts_on && strcmp (m->starts_on, m->ends_on) > 0)
        return esc_fail (err, ESC_INVALID_ARGUMENT, "INVALID_DATE",
                         "ends_on is before starts_on");
    return 0;
}

static int
check_file (const Esc__File *m, esc_error_t *err)
{
    if (check_quarter ("quarter", m->quarter, OPTIONAL, err)
        || check_text ("account", m->account, LIMIT_NAME, REQUIRED, TEXT_SINGLE_LINE, err)
        || check_text ("title", m->title, LIMIT_NAME, REQUIRED, TEXT_SINGLE_LINE, err))
        return -1;
    if (!m->problem || blank (m->problem))
        return esc_fail (err, ESC_INVALID_ARGUMENT, "MISSING_ARGUMENT",
                         "problem is required: state the customer's problem, not only a solution");
    return check_text ("problem", m->problem, LIMIT_TEXT, REQUIRED, TEXT_MULTI_LINE, err)
        || check_text ("solution", m->solution, LIMIT_TEXT, OPTIONAL, TEXT_MULTI_LINE, err)
        || check_number ("deal_value", m->has_deal_value, m->deal_value, 0, LIMIT_MONEY, OPTIONAL, err)
        || check_date ("needed_by", m->needed_by, OPTIONAL, err)
        || check_account_names ("also_needed_by", m->also_needed_by, m->n_also_needed_by, err)
        || check_number ("claimed_hours", m->has_claimed_hours, m->claimed_hours, 1, LIMIT_HOURS,
                         OPTIONAL, err)
        ? -1 : 0;
}

static int
check_refile (const Esc__Refile *m, esc_error_t *err)
{
    if (check_id ("id", m->has_id, m->id, err))
        return -1;
    if (m->title && check_text ("title", m->title, LIMIT_NAME, REQUIRED, TEXT_SINGLE_LINE, err))
        return -1;
    if (m->problem && blank (m->problem))
        return esc_fail (err, ESC_INVALID_ARGUMENT, "MISSING_ARGUMENT",
                         "problem cannot be emptied: state the customer's problem");
    return check_text ("problem", m->problem, LIMIT_TEXT, OPTIONAL, TEXT_MULTI_LINE, err)
        || check_text ("solution", m->solution, LIMIT_TEXT, OPTIONAL, TEXT_MULTI_LINE, err)
        || check_number ("deal_value", m->has_deal_value, m->deal_value, 0, LIMIT_MONEY, OPTIONAL, err)
        || check_date ("needed_by", m->needed_by, OPTIONAL, err)
        || check_text ("answer", m->answer, LIMIT_TEXT, OPTIONAL, TEXT_SINGLE_LINE, err)
        ? -1 : 0;
}

/* A clear flag beside a value for the same field: which is meant? */
static int
check_not_both (const char *field, bool given, bool clear, esc_error_t *err)
{
    if (given && clear)
        return esc_fail (err, ESC_INVALID_ARGUMENT, "INVALID_ARGUMENT",
                         "%s is given and cleared at once: give a value, or clear it, not both",
                         field);
    return 0;
}

/* A correction that names nothing to change is a request without its
 * point: FIELDS lists what it could have named. */
static int
check_something (bool any, const char *op, const char *fields, esc_error_t *err)
{
    if (!any)
        return esc_fail (err, ESC_INVALID_ARGUMENT, "MISSING_ARGUMENT",
                         "%s needs something to change: %s", op, fields);
    return 0;
}

static int
check_size (const Esc__Size *m, esc_error_t *err)
{
    /* hours and viable: a first sizing needs both, a re-size keeps what
     * it is not given (the workflow knows which this is) */
    if (check_id ("id", m->has_id, m->id, err)
        || check_number ("hours", m->has_hours, m->hours, 1, LIMIT_HOURS, OPTIONAL, err)
        || check_list_size ("displaces", m->n_displaces, err)
        || check_text ("note", m->note, LIMIT_TEXT, OPTIONAL, TEXT_MULTI_LINE, err)
        || check_not_both ("displaces", m->n_displaces > 0, m->has_clear_displaces && m->clear_displaces, err)
        || check_not_both ("note", m->note && *m->note, m->has_clear_note && m->clear_note, err))
        return -1;
    for (size_t i = 0; i < m->n_displaces; i++)
        if (check_id ("displaces", true, m->displaces[i], err))
            return -1;
    return 0;
}

static int
check_edit (const Esc__Edit *m, esc_error_t *err)
{
    bool clear_solution = m->has_clear_solution && m->clear_solution;
    bool clear_needed_by = m->has_clear_needed_by && m->clear_needed_by;
    bool clear_also = m->has_clear_also_needed_by && m->clear_also_needed_by;
    if (check_id ("id", m->has_id, m->id, err))
        return -1;
    if (m->title && check_text ("title", m->title, LIMIT_NAME, REQUIRED, TEXT_SINGLE_LINE, err))
        return -1;
    if (m->problem && blank (m->problem))
        return esc_fail (err, ESC_INVALID_ARGUMENT, "MISSING_ARGUMENT",
                         "problem cannot be emptied: state the customer's problem");
    return check_text ("problem", m->problem, LIMIT_TEXT, OPTIONAL, TEXT_MULTI_LINE, err)
        || check_text ("solution", m->solution, LIMIT_TEXT, OPTIONAL, TEXT_MULTI_LINE, err)
        || check_number ("deal_value", m->has_deal_value, m->deal_value, 0, LIMIT_MONEY, OPTIONAL, err)
        || check_date ("needed_by", m->needed_by, OPTIONAL, err)
        || check_account_names ("also_needed_by", m->also_needed_by, m->n_also_needed_by, err)
        || check_number ("claimed_hours", m->has_claimed_hours, m->claimed_hours, 1, LIMIT_HOURS,
                         OPTIONAL, err)
        || check_not_both ("solution", !blank (m->solution), clear_solution, err)
        || check_not_both ("needed_by", m->needed_by && *m->needed_by, clear_needed_by, err)
        || check_not_both ("also_needed_by", m->n_also_needed_by > 0, clear_also, err)
        || check_something (m->title || m->problem || !blank (m->solution) || m->has_deal_value
                            || (m->needed_by && *m->needed_by) || m->n_also_needed_by
                            || clear_solution || clear_needed_by || clear_also
                            || m->has_claimed_hours, "edit",
                            "title, problem, solution, deal_value, needed_by, also_needed_by "
                            "or claimed_hours",
                            err)
        ? -1 : 0;
}

static int
check_account_set (const Esc__AccountSet *m, esc_error_t *err)
{
    bool clear = m->has_clear_renewal && m->clear_renewal;
    if (validate_account_name (m->name, err)
        || check_number ("arr", m->has_arr, m->arr, 0, LIMIT_MONEY, OPTIONAL, err)
        || check_date ("renewal_on", m->renewal_on, OPTIONAL, err)
        || check_not_both ("renewal_on", m->renewal_on && *m->renewal_on, clear, err))
        return -1;
    if (m->rename && check_text ("rename", m->rename, LIMIT_NAME, REQUIRED, TEXT_SINGLE_LINE, err))
        return -1;
    return check_something (m->has_arr || (m->renewal_on && *m->renewal_on) || m->rename || clear,
                            "account set", "arr, renewal_on, clear_renewal or rename", err);
}

static int
check_roadmap_set (const Esc__RoadmapSet *m, esc_error_t *err)
{
    bool clear = m->has_clear_waiting && m->clear_waiting;
    if (check_id ("id", m->has_id, m->id, err)
        || (m->title && check_text ("title", m->title, LIMIT_NAME, REQUIRED, TEXT_SINGLE_LINE, err))
        || (m->category && check_one_of ("category", m->category, name_categories, OPTIONAL, err))
        || check_number ("hours", m->has_hours, m->hours, 1, LIMIT_HOURS, OPTIONAL, err)
        || check_account_names ("waiting", m->waiting, m->n_waiting, err)
        || check_not_both ("waiting", m->n_waiting > 0, clear, err))
        return -1;
    return check_something (m->title || m->category || m->has_hours || m->n_waiting || clear,
                            "roadmap set", "title, category, hours, waiting or clear_waiting", err);
}

static int
check_stop (const Esc__Stop *m, esc_error_t *err)
{
    /* a first stop needs both; a correction keeps what it is not given */
    return check_id ("id", m->has_id, m->id, err)
        || check_text ("reason", m->reason, LIMIT_TEXT, OPTIONAL, TEXT_SINGLE_LINE, err)
        || check_number ("actual_hours", m->has_actual_hours, m->actual_hours, 0, LIMIT_HOURS,
                         OPTIONAL, err) ? -1 : 0;
}

/* A list's filter and page: the states (STATE one more of them), the order
 * and where the page starts. A cursor is escd's own text come back from a
 * client, and checked as anything else a client sends (listing.h). AFTER
 * pages the id order alone; a page starts after AFTER or after CURSOR, and
 * a cursor goes on in its own order. */
static int
check_list (const Esc__ListFilter *m, esc_error_t *err)
{
    if (check_quarter ("quarter", m->quarter, OPTIONAL, err)
        || check_text ("account", m->account, LIMIT_NAME, OPTIONAL, TEXT_SINGLE_LINE, err)
        || check_page (m->has_limit, m->limit, m->has_after, m->after, err)
        || check_one_of ("state", m->state, name_states, OPTIONAL, err)
        || check_list_size ("states", m->n_states, err)
        || check_one_of ("sort", m->sort, name_sorts, OPTIONAL, err))
        return -1;
    for (size_t i = 0; i < m->n_states; i++)
        if (check_one_of ("states", m->states[i], name_states, REQUIRED, err))
            return -1;
    list_sort_t sort = LIST_SORT_ID;
    bool sorted = m->sort && *m->sort && listing_sort_parse (m->sort, &sort) == 0;
    if (m->cursor && *m->cursor) {
        list_cursor_t at;
        if (listing_cursor_parse (m->cursor, &at, err))
            return -1;
        if (m->has_after)
            return esc_fail (err, ESC_INVALID_ARGUMENT, "INVALID_ARGUMENT",
                             "after and cursor both say where the page starts: give one");
        if (sorted && at.sort != sort)
            return esc_fail (err, ESC_INVALID_ARGUMENT, "INVALID_ARGUMENT",
                             "the cursor goes on in the %s order, not the %s order",
                             listing_sort_name (at.sort), listing_sort_name (sort));
    }
    else if (m->has_after && sort != LIST_SORT_ID)
        return esc_fail (err, ESC_INVALID_ARGUMENT, "INVALID_ARGUMENT",
                         "after pages the id order; a page in the %s order starts after a "
                         "cursor (a reply's next_cursor)", listing_sort_name (sort));
    return 0;
}

static int
check_support (const Esc__Support *m, esc_error_t *err)
{
    return check_id ("id", m->has_id, m->id, err)
        || check_number ("hours", m->has_hours, m->hours, 1, LIMIT_HOURS, REQUIRED, err)
        || check_quarter ("quarter", m->quarter, OPTIONAL, err)
        || check_text ("note", m->note, LIMIT_TEXT, OPTIONAL, TEXT_MULTI_LINE, err) ? -1 : 0;
}

static int
check_op (const Esc__Request *r, esc_error_t *err)
{
    switch (r->op_case) {
    case ESC__REQUEST__OP_QUARTER_OPEN:
        return check_quarter_open (r->quarter_open, err);
    case ESC__REQUEST__OP_QUARTER_CLOSE:
        return check_quarter ("quarter", r->quarter_close->quarter, REQUIRED, err);
    case ESC__REQUEST__OP_QUARTER_SHOW:
        return check_quarter ("quarter", r->quarter_show->quarter, OPTIONAL, err);
    case ESC__REQUEST__OP_ROADMAP_LIST:
        return check_quarter ("quarter", r->roadmap_list->quarter, OPTIONAL, err);
    case ESC__REQUEST__OP_QUARTER_LIST:
    case ESC__REQUEST__OP_ACCOUNT_LIST:
    case ESC__REQUEST__OP_USER_LIST:
    case ESC__REQUEST__OP_STATUS:
        return 0;
    case ESC__REQUEST__OP_ACCOUNT_ADD: {
        const Esc__AccountAdd *m = r->account_add;
        return check_account (m->name, m->has_arr, m->arr, m->renewal_on, err);
    }
    case ESC__REQUEST__OP_REPORT: {
        const Esc__ReportRequest *m = r->report;
        if (check_quarter ("quarter", m->quarter, OPTIONAL, err)
            || check_page (m->has_limit, m->limit, m->has_after, m->after, err))
            return -1;
        if (m->month && *m->month && name_check_month (m->month) != 0)
            return esc_fail (err, ESC_INVALID_ARGUMENT, "INVALID_ARGUMENT",
                             "month must be YYYY-MM");
        return 0;
    }
    case ESC__REQUEST__OP_ACCOUNT_IMPORT: {
        /* the rows' values are checked one by one by the desk, which
         * names every bad row at once */
        const Esc__AccountImport *m = r->account_import;
        if (m->n_rows == 0)
            return esc_fail (err, ESC_INVALID_ARGUMENT, "MISSING_ARGUMENT", "no accounts to import");
        if (m->n_rows > LIMIT_IMPORT)
            return esc_fail (err, ESC_INVALID_ARGUMENT, "FIELD_TOO_LONG",
                             "an import holds at most %d accounts", LIMIT_IMPORT);
        return 0;
    }
    case ESC__REQUEST__OP_ROADMAP_ADD: {
        const Esc__RoadmapAdd *m = r->roadmap_add;
        return check_quarter ("quarter", m->quarter, OPTIONAL, err)
            || check_text ("title", m->title, LIMIT_NAME, REQUIRED, TEXT_SINGLE_LINE, err)
            || check_one_of ("category", m->category, name_categories, REQUIRED, err)
            || check_number ("hours", m->has_hours, m->hours, 1, LIMIT_HOURS, REQUIRED, err)
            || check_account_names ("waiting", m->waiting, m->n_waiting, err) ? -1 : 0;
    }
    case ESC__REQUEST__OP_FILE:
        return check_file (r->file, err);
    case ESC__REQUEST__OP_SIZE:
        return check_size (r->size, err);
    case ESC__REQUEST__OP_EDIT:
        return check_edit (r->edit, err);
    case ESC__REQUEST__OP_ACCOUNT_SET:
        return check_account_set (r->account_set, err);
    case ESC__REQUEST__OP_ROADMAP_SET:
        return check_roadmap_set (r->roadmap_set, err);
    case ESC__REQUEST__OP_STOP:
        return check_stop (r->stop, err);
    case ESC__REQUEST__OP_SUPPORT:
        return check_support (r->support, err);
    case ESC__REQUEST__OP_QUARTER_COMMIT:
        return check_quarter ("quarter", r->quarter_commit->quarter, REQUIRED, err);
    case ESC__REQUEST__OP_ROADMAP_DONE:
        return check_id ("id", r->roadmap_done->has_id, r->roadmap_done->id, err)
            || check_number ("actual_hours", r->roadmap_done->has_actual_hours,
                             r->roadmap_done->actual_hours, 1, LIMIT_HOURS, OPTIONAL, err) ? -1 : 0;
    case ESC__REQUEST__OP_ROADMAP_MOVE:
        return check_id ("id", r->roadmap_move->has_id, r->roadmap_move->id, err)
            || check_quarter ("quarter", r->roadmap_move->quarter, REQUIRED, err) ? -1 : 0;
    case ESC__REQUEST__OP_QUARTER_REOPEN:
        return check_quarter ("quarter", r->quarter_reopen->quarter, REQUIRED, err);
    case ESC__REQUEST__OP_RETURN_ESCALATION:
    case ESC__REQUEST__OP_DECLINE:
    case ESC__REQUEST__OP_OVERRIDE: {
        const Esc__WithReason *m = r->op_case == ESC__REQUEST__OP_RETURN_ESCALATION
            ? r->return_escalation
            : r->op_case == ESC__REQUEST__OP_DECLINE ? r->decline : r->override;
        return check_id ("id", m->has_id, m->id, err)
            || check_text ("reason", m->reason, LIMIT_TEXT, REQUIRED, TEXT_SINGLE_LINE, err)
            ? -1 : 0;
    }
    case ESC__REQUEST__OP_REFILE:
        return check_refile (r->refile, err);
    case ESC__REQUEST__OP_WITHDRAW:
        return check_id ("id", r->withdraw->has_id, r->withdraw->id, err);
    case ESC__REQUEST__OP_UNMERGE:
        return check_id ("id", r->unmerge->has_id, r->unmerge->id, err);
    case ESC__REQUEST__OP_SHOW:
        return check_id ("id", r->show->has_id, r->show->id, err);
    case ESC__REQUEST__OP_HISTORY:
        return check_id ("id", r->history->has_id, r->history->id, err);
    case ESC__REQUEST__OP_SPEND:
        return check_id ("id", r->spend->has_id, r->spend->id, err)
            || check_text ("note", r->spend->note, LIMIT_TEXT, OPTIONAL, TEXT_MULTI_LINE, err)
            ? -1 : 0;
    case ESC__REQUEST__OP_DELIVER:
        return check_id ("id", r->deliver->has_id, r->deliver->id, err)
            || check_number ("actual_hours", r->deliver->has_actual_hours,
                             r->deliver->actual_hours, 1, LIMIT_HOURS, REQUIRED, err) ? -1 : 0;
    case ESC__REQUEST__OP_OUTCOME:
        return check_id ("id", r->outcome->has_id, r->outcome->id, err)
            || check_one_of ("deal", r->outcome->deal, name_deals, REQUIRED, err)
            || check_number ("adopters", r->outcome->has_adopters, r->outcome->adopters,
                             0, 1000000000, OPTIONAL, err) ? -1 : 0;
    case ESC__REQUEST__OP_MERGE:
        return check_id ("id", r->merge->has_id, r->merge->id, err)
            || check_id ("into", r->merge->has_into, r->merge->into, err) ? -1 : 0;
    case ESC__REQUEST__OP_LIST:
        return check_list (r->list, err);
    case ESC__REQUEST__OP_ACCOUNT_SHOW:
        return validate_account_name (r->account_show->name, err);
    case ESC__REQUEST__OP_ROADMAP_SHOW:
        return check_id ("id", r->roadmap_show->has_id, r->roadmap_show->id, err);
    case ESC__REQUEST__OP_USER_REVOKE:
        return check_user_name (r->user_revoke->name, err);
    case ESC__REQUEST__OP_USER_KEY:
        return check_user_name (r->user_key->name, err)
            || check_public_key (r->user_key->public_key, err) ? -1 : 0;
    case ESC__REQUEST__OP_USER_ADD: {
        const Esc__UserAdd *m = r->user_add;
        if (check_user_name (m->name, err))
            return -1;
        if (m->n_roles == 0)
            return esc_fail (err, ESC_INVALID_ARGUMENT, "MISSING_ARGUMENT", "roles is required");
        if (check_list_size ("roles", m->n_roles, err))
            return -1;
        for (size_t i = 0; i < m->n_roles; i++)
            if (check_one_of ("role", m->roles[i], name_roles, REQUIRED, err))
                return -1;
        return check_public_key (m->public_key, err) || validate_team (m->team, err) ? -1 : 0;
    }
    case ESC__REQUEST__OP_PARTNER_ADD:
        return check_text ("name", r->partner_add->name, LIMIT_NAME, REQUIRED, TEXT_SINGLE_LINE, err);
    case ESC__REQUEST__OP_PARTNER_LIST:
        return 0;
    case ESC__REQUEST__OP_REFER:
        return check_id ("id", r->refer->has_id, r->refer->id, err)
            || check_text ("partner", r->refer->partner, LIMIT_NAME, REQUIRED, TEXT_SINGLE_LINE, err)
            || check_text ("note", r->refer->note, LIMIT_TEXT, OPTIONAL, TEXT_MULTI_LINE, err)
            ? -1 : 0;
    case ESC__REQUEST__OP_USER_SET: {
        const Esc__UserSet *m = r->user_set;
        bool clear = m->has_clear_team && m->clear_team;
        return check_user_name (m->name, err)
            || validate_team (m->team, err)
            || check_not_both ("team", m->team != NULL, clear, err)
            || check_something (m->team || clear, "user set", "team or clear_team", err) ? -1 : 0;
    }
    case ESC__REQUEST__OP_EVENTS_SINCE:
        return check_number ("since", r->events_since->has_since, r->events_since->since,
                             0, ID_MAX, REQUIRED, err)
            || check_number ("limit", r->events_since->has_limit, r->events_since->limit,
                             0, LIMIT_EVENTS, OPTIONAL, err) ? -1 : 0;
    case ESC__REQUEST__OP__NOT_SET:
    default:
        return esc_fail (err, ESC_INVALID_ARGUMENT, "UNKNOWN_OPERATION",
                         "the request carries no operation this server knows");
    }
}

/* ==== The envelope ======================================================= */

static const struct {
    Esc__Request__OpCase wire;
    op_t op;
} op_map[] = {
    { ESC__REQUEST__OP_QUARTER_OPEN, OP_QUARTER_OPEN },
    { ESC__REQUEST__OP_QUARTER_CLOSE, OP_QUARTER_CLOSE },
    { ESC__REQUEST__OP_QUARTER_SHOW, OP_QUARTER_SHOW },
    { ESC__REQUEST__OP_QUARTER_LIST, OP_QUARTER_LIST },
    { ESC__REQUEST__OP_ACCOUNT_ADD, OP_ACCOUNT_ADD },
    { ESC__REQUEST__OP_ACCOUNT_LIST, OP_ACCOUNT_LIST },
    { ESC__REQUEST__OP_ROADMAP_ADD, OP_ROADMAP_ADD },
    { ESC__REQUEST__OP_ROADMAP_LIST, OP_ROADMAP_LIST },
    { ESC__REQUEST__OP_FILE, OP_FILE },
    { ESC__REQUEST__OP_SIZE, OP_SIZE },
    { ESC__REQUEST__OP_RETURN_ESCALATION, OP_RETURN },
    { ESC__REQUEST__OP_REFILE, OP_REFILE },
    { ESC__REQUEST__OP_DECLINE, OP_DECLINE },
    { ESC__REQUEST__OP_WITHDRAW, OP_WITHDRAW },
    { ESC__REQUEST__OP_SPEND, OP_SPEND },
    { ESC__REQUEST__OP_OVERRIDE, OP_OVERRIDE },
    { ESC__REQUEST__OP_DELIVER, OP_DELIVER },
    { ESC__REQUEST__OP_OUTCOME, OP_OUTCOME },
    { ESC__REQUEST__OP_MERGE, OP_MERGE },
    { ESC__REQUEST__OP_UNMERGE, OP_UNMERGE },
    { ESC__REQUEST__OP_LIST, OP_LIST },
    { ESC__REQUEST__OP_SHOW, OP_SHOW },
    { ESC__REQUEST__OP_HISTORY, OP_HISTORY },
    { ESC__REQUEST__OP_USER_ADD, OP_USER_ADD },
    { ESC__REQUEST__OP_USER_LIST, OP_USER_LIST },
    { ESC__REQUEST__OP_EVENTS_SINCE, OP_EVENTS_SINCE },
    { ESC__REQUEST__OP_USER_REVOKE, OP_USER_REVOKE },
    { ESC__REQUEST__OP_USER_KEY, OP_USER_KEY },
    { ESC__REQUEST__OP_REPORT, OP_REPORT },
    { ESC__REQUEST__OP_ACCOUNT_IMPORT, OP_ACCOUNT_IMPORT },
    { ESC__REQUEST__OP_EDIT, OP_EDIT },
    { ESC__REQUEST__OP_ACCOUNT_SET, OP_ACCOUNT_SET },
    { ESC__REQUEST__OP_ROADMAP_SET, OP_ROADMAP_SET },
    { ESC__REQUEST__OP_STOP, OP_STOP },
    { ESC__REQUEST__OP_QUARTER_REOPEN, OP_QUARTER_REOPEN },
    { ESC__REQUEST__OP_STATUS, OP_STATUS },
    { ESC__REQUEST__OP_SUPPORT, OP_SUPPORT },
    { ESC__REQUEST__OP_QUARTER_COMMIT, OP_QUARTER_COMMIT },
    { ESC__REQUEST__OP_ROADMAP_DONE, OP_ROADMAP_DONE },
    { ESC__REQUEST__OP_ROADMAP_MOVE, OP_ROADMAP_MOVE },
    { ESC__REQUEST__OP_USER_SET, OP_USER_SET },
    { ESC__REQUEST__OP_PARTNER_ADD, OP_PARTNER_ADD },
    { ESC__REQUEST__OP_PARTNER_LIST, OP_PARTNER_LIST },
    { ESC__REQUEST__OP_REFER, OP_REFER },
    { ESC__REQUEST__OP_ACCOUNT_SHOW, OP_ACCOUNT_SHOW },
    { ESC__REQUEST__OP_ROADMAP_SHOW, OP_ROADMAP_SHOW },
};

op_t
validate_op (const Esc__Request *req)
{
    for (size_t i = 0; i < sizeof op_map / sizeof op_map[0]; i++)
        if (op_map[i].wire == req->op_case)
            return op_map[i].op;
    return OP_COUNT;
}

int
validate_decoded (const Esc__Request *req, op_t *op, esc_error_t *err)
{
    *op = validate_op (req);
    if (!req->has_version || req->version != ESC_PROTOCOL_VERSION)
        return esc_fail (err, ESC_INVALID_ARGUMENT, "UNSUPPORTED_VERSION",
                         "this server speaks protocol version %d", ESC_PROTOCOL_VERSION);
    if (name_check_request_id (req->request_id) != 0)
        return esc_fail (err, ESC_INVALID_ARGUMENT, "INVALID_REQUEST_ID",
                         "request_id must be " NAME_REQUEST_ID_RULE);
    if (*op == OP_COUNT)
        return esc_fail (err, ESC_INVALID_ARGUMENT, "UNKNOWN_OPERATION",
                         "the request carries no operation this server knows");
    if (validate_each_string (&req->base, check_string, err))
        return -1;
    return check_op (req, err);
}

/* ==== Account names, trimmed ============================================ */

static void
trim_all (char **names, size_t n)
{
    for (size_t i = 0; i < n; i++)
        name_trim (names[i]);
}

/* Every account name REQ carries loses the whitespace around it, before
 * anything checks it: " Acme " is Acme wherever it arrives, whatever the
 * client did (and a name of whitespace alone is missing). */
static void
trim_account_names (Esc__Request *req)
{
    switch (req->op_case) {
    case ESC__REQUEST__OP_ACCOUNT_ADD:
        name_trim (req->account_add->name);
        break;
    case ESC__REQUEST__OP_ACCOUNT_IMPORT:
        for (size_t i = 0; i < req->account_import->n_rows; i++)
            if (req->account_import->rows[i])
                name_trim (req->account_import->rows[i]->name);
        break;
    case ESC__REQUEST__OP_FILE:
        name_trim (req->file->account);
        trim_all (req->file->also_needed_by, req->file->n_also_needed_by);
        break;
    case ESC__REQUEST__OP_ROADMAP_ADD:
        trim_all (req->roadmap_add->waiting, req->roadmap_add->n_waiting);
        break;
    case ESC__REQUEST__OP_LIST:
        name_trim (req->list->account);
        break;
    case ESC__REQUEST__OP_EDIT:
        trim_all (req->edit->also_needed_by, req->edit->n_also_needed_by);
        break;
    case ESC__REQUEST__OP_ACCOUNT_SET:
        name_trim (req->account_set->name);
        name_trim (req->account_set->rename);
        break;
    case ESC__REQUEST__OP_ROADMAP_SET:
        trim_all (req->roadmap_set->waiting, req->roadmap_set->n_waiting);
        break;
    case ESC__REQUEST__OP_ACCOUNT_SHOW:
        name_trim (req->account_show->name);
        break;
    default:
        break;
    }
}

/* ==== Names typed in any case =========================================== */

/* The fields whose values people may type in any case, by name in any
 * message of a request (so that an operation added later is covered too):
 * a quarter's name is stored 2026Q4, the enumerations of names.h in lower
 * case. */
static const struct {
    const char *field;
    char *(*normalise) (char *value);
} any_case[] = {
    { "quarter", name_quarter_case },
    { "category", name_lower },
    { "deal", name_lower },
    { "state", name_lower },
    { "states", name_lower },
    { "sort", name_lower },
    { "roles", name_lower },
};

static int
normalise_case (const char *field, char *value, void *arg)
{
    (void) arg;
    for (size_t i = 0; i < sizeof any_case / sizeof any_case[0]; i++)
        if (strcmp (field, any_case[i].field) == 0)
            any_case[i].normalise (value);
    return 0;
}

/* ==== The request ======================================================== */

Esc__Request *
validate_unpack (const uint8_t *data, size_t len, esc_error_t *err)
{
    if (len > ESC_MAX_MESSAGE) {
        esc_fail (err, ESC_INVALID_ARGUMENT, "MESSAGE_TOO_LARGE",
                  "a request may hold at most %d bytes", ESC_MAX_MESSAGE);
        return NULL;
    }
    Esc__Request *req = esc__request__unpack (NULL, len, data);
    if (!req)
        esc_fail (err, ESC_INVALID_ARGUMENT, "BAD_REQUEST",
                  "the request is not a valid esc.Request message");
    else {
        trim_account_names (req);
        each_string (&req->base, normalise_case, NULL);
    }
    return req;
}

Esc__Request *
validate_request (const uint8_t *data, size_t len, op_t *op, esc_error_t *err)
{
    *op = OP_COUNT;
    Esc__Request *req = validate_unpack (data, len, err);
    if (req && validate_decoded (req, op, err) != 0) {
        esc__request__free_unpacked (req, NULL);
        return NULL;
    }
    return req;
}
