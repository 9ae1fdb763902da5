/* commands.c: the tables of esc's global options and commands, and what
 * each command sends. See commands.h. */
#include "commands.h"

#include <errno.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "args.h"
#include "help.h"
#include "arena.h"
#include "esc.pb-c.h"
#include "keys.h"
#include "names.h"
#include "render.h"
#include "text.h"
#include "transport.h"
#include "import.h"
#include "list.h"
#include "userkey.h"
#include "report.h"
#include "server_status.h"
#include "watch.h"
#include "wire.h"
#include "suggest.h"

/* ==== Options ============================================================ */

#define END_OPTIONS { NULL, 0, NULL, NULL }
#define OPT_QUARTER { "quarter", ARG_TEXT, "Q", "the quarter (default: the current open one)", \
                      .names = ARG_NAMES_QUARTER }
#define OPT_REASON { "reason", ARG_TEXT, "T", "why (recorded and shown)", .required = true }

/* Before the command or after it, anywhere before a "--" (main.c). */
const opt_spec_t commands_globals[] = {
    { "as", ARG_TEXT, "USER", "speak as USER (default: ESC_USER, the config's user, or the only key)",
      .names = ARG_NAMES_KEY },
    { "json", ARG_FLAG, NULL, "one JSON document on standard output (errors too, on standard error)" },
    { "quiet", ARG_FLAG, NULL, "only the ids or names of what was made, changed or listed, one a line" },
    { "endpoint", ARG_TEXT, "URL[,URL]", "escd's request endpoint, or several, asked in turn with the "
      "same request when one does not answer in time (default " DEFAULT_ENDPOINT ")" },
    { "feed", ARG_TEXT, "URL[,URL]", "escd's decision feed, or several (default " DEFAULT_FEED ")" },
    { "server-key", ARG_TEXT, "KEY", "escd's public key, as escd init printed it" },
    { "timeout", ARG_TEXT, "SECONDS", "give a request SECONDS in all (default 5), then exit 5" },
    { "retries", ARG_INT, "N", "without an answer, send it again up to N times within that time "
      "(default 2); escd applies it once" },
    { "request-id", ARG_TEXT, "ID", "send the request under ID: a rerun with the same ID gets the "
      "first answer and changes nothing" },
    { "help", ARG_FLAG, NULL, "what a command, a group of them or esc takes (also -h, esc help)" },
    { "version", ARG_FLAG, NULL, "esc's version" },
    END_OPTIONS
};

int
commands_apply_global (session_t *s, const char *name, const char *value, char *err,
                       size_t errlen)
{
    if (strcmp (name, "json") == 0)
        s->json = true;
    else if (strcmp (name, "quiet") == 0)
        s->quiet = true;
    else if (strcmp (name, "as") == 0)
        s->as = value;
    else if ((strcmp (name, "endpoint") == 0 || strcmp (name, "feed") == 0)
             && config_check (name, value, err + 2, errlen - 2) != 0) {
        memcpy (err, "--", 2);          /* "--endpoint must look like ..." */
        return -1;
    }
    else if (strcmp (name, "endpoint") == 0)
        snprintf (s->config.endpoint, sizeof s->config.endpoint, "%s", value);
    else if (strcmp (name, "feed") == 0)
        snprintf (s->config.feed, sizeof s->config.feed, "%s", value);
    else if (strcmp (name, "server-key") == 0)
        snprintf (s->config.server_key, sizeof s->config.server_key, "%s", value);
    else if (strcmp (name, "request-id") == 0)
        s->request_id = value;
    else if (strcmp (name, "timeout") == 0 && config_parse_timeout (value, &s->config.timeout_ms)) {
        snprintf (err, errlen, "--timeout takes seconds (0 < s <= 3600), not '%s'", value);
        return -1;
    }
    else if (strcmp (name, "retries") == 0 && config_parse_retries (value, &s->config.retries)) {
        snprintf (err, errlen, "--retries takes 0 to 10, not '%s'", value);
        return -1;
    }
    return 0;
}

static const char *const report_formats[] = { "text", "json", "html", "csv", NULL };

static const opt_spec_t no_options[] = { END_OPTIONS };
static const opt_spec_t quarter_only[] = { OPT_QUARTER, END_OPTIONS };
static const opt_spec_t reason_only[] = { OPT_REASON, END_OPTIONS };

static const opt_spec_t quarter_open_options[] = {
    { "capacity-hours", ARG_INT, "N", "engineering capacity in engineer-hours", .required = true },
    { "budget-pct", ARG_INT, "N", "one-off budget, percent of capacity (default 10)" },
    { "tokens", ARG_INT, "N", "tokens the CRO may spend (default 1)" },
    { "max-token-hours", ARG_INT, "N", "largest escalation a token may buy (default 80)" },
    { "hourly-cost", ARG_INT, "N", "loaded cost of an engineer-hour (default 150)" },
    { "relief-standard", ARG_INT, "PCT", "quota relief on won deal value (0 to 100, default 100)" },
    { "relief-oneoff", ARG_INT, "PCT",
      "quota relief on one-offs' cost (-100 to 100, default 20; negative: a debit)" },
    { "starts-on", ARG_DATE, "DATE", "first day (default: the calendar quarter)" },
    { "ends-on", ARG_DATE, "DATE", "last day" },
    END_OPTIONS
};

static const opt_spec_t account_add_options[] = {
    { "arr", ARG_AMOUNT, "N", "annual recurring revenue", .required = true },
    { "renewal", ARG_DATE, "DATE", "renewal date" },
    END_OPTIONS
};

static const opt_spec_t roadmap_add_options[] = {
    { "title", ARG_TEXT, "T", "what is planned", .required = true },
    { "category", ARG_TEXT, "C", "the kind of work", .required = true,
      .values = name_categories },
    { "hours", ARG_INT, "N", "engineer-hours", .required = true },
    OPT_QUARTER,
    { "waiting", ARG_LIST, "ACCT,...", "accounts waiting for it", .names = ARG_NAMES_ACCOUNT },
    END_OPTIONS
};

static const opt_spec_t file_options[] = {
    { "account", ARG_TEXT, "A", "the customer", .required = true, .names = ARG_NAMES_ACCOUNT },
    { "title", ARG_TEXT, "T", "a short title", .required = true },
    { "problem", ARG_TEXT, "P", "the customer's problem", .required = true },
    { "solution", ARG_TEXT, "S", "a proposed solution" },
    { "deal-value", ARG_AMOUNT, "N", "value of the deal at stake" },
    { "needed-by", ARG_DATE, "DATE", "when the customer needs it (not a past date)" },
    { "also-needed-by", ARG_LIST, "ACCT,...", "other accounts that need the same",
      .names = ARG_NAMES_ACCOUNT },
    { "claimed-hours", ARG_INT, "N", "what you believe it costs, in engineer-hours" },
    OPT_QUARTER,
    END_OPTIONS
};

static const opt_spec_t size_options[] = {
    { "hours", ARG_INT, "N", "engineer-hours (required the first time; again: kept unless given)" },
    { "viable", ARG_YESNO, "yes|no", "can product build it (required the first time)" },
    { "displaces", ARG_LIST, "RID,...", "roadmap items that would fall out of plan ('none' clears)",
      .names = ARG_NAMES_ROADMAP },
    { "note", ARG_TEXT, "T", "a note on the sizing ('' clears it)" },
    END_OPTIONS
};

static const opt_spec_t refile_options[] = {
    { "title", ARG_TEXT, "T", "a new title" },
    { "problem", ARG_TEXT, "P", "a restated problem" },
    { "solution", ARG_TEXT, "S", "a new proposed solution" },
    { "deal-value", ARG_AMOUNT, "N", "a new deal value" },
    { "needed-by", ARG_DATE, "DATE", "a new date (not a past one)" },
    { "answer", ARG_TEXT, "T", "your answer to the question it was returned with" },
    END_OPTIONS
};

static const opt_spec_t edit_options[] = {
    { "title", ARG_TEXT, "T", "a corrected title (a PM may fix it while the escalation is live)" },
    { "problem", ARG_TEXT, "P", "a corrected problem" },
    { "solution", ARG_TEXT, "S", "a corrected solution ('' removes it)" },
    { "deal-value", ARG_AMOUNT, "N", "a corrected deal value" },
    { "needed-by", ARG_TEXT, "DATE", "a corrected date, not a past one ('none' removes it)" },
    { "also-needed-by", ARG_LIST, "ACCT,...", "the other accounts, all of them ('' for none)",
      .names = ARG_NAMES_ACCOUNT },
    { "claimed-hours", ARG_INT, "N", "the corrected claim, in engineer-hours" },
    END_OPTIONS
};

static const opt_spec_t account_set_options[] = {
    { "arr", ARG_AMOUNT, "N", "the corrected annual recurring revenue" },
    { "renewal", ARG_TEXT, "DATE", "the corrected renewal date ('none' removes it)" },
    { "rename", ARG_TEXT, "NEW", "the account's right name" },
    END_OPTIONS
};

static const opt_spec_t roadmap_set_options[] = {
    { "title", ARG_TEXT, "T", "a corrected title" },
    { "category", ARG_TEXT, "C", "the kind of work", .values = name_categories },
    { "hours", ARG_INT, "N", "corrected engineer-hours" },
    { "waiting", ARG_LIST, "ACCT,...", "the accounts waiting for it, all of them ('' for none)",
      .names = ARG_NAMES_ACCOUNT },
    END_OPTIONS
};

static const opt_spec_t stop_options[] = {
    { "reason", ARG_TEXT, "T", "why the work stops (required the first time)" },
    { "actual-hours", ARG_INT, "N", "engineer-hours spent so far (required the first time)" },
    END_OPTIONS
};

static const opt_spec_t roadmap_done_options[] = {
    { "actual-hours", ARG_INT, "N", "engineer-hours it took (again: corrects them)" },
    END_OPTIONS
};

static const opt_spec_t roadmap_move_options[] = {
    { "quarter", ARG_TEXT, "Q", "the later quarter it is carried into", .required = true,
      .names = ARG_NAMES_QUARTER },
    END_OPTIONS
};

static const opt_spec_t refer_options[] = {
    { "partner", ARG_TEXT, "NAME", "the services partner that takes the work", .required = true },
    { "note", ARG_TEXT, "T", "a note for the record" },
    END_OPTIONS
};

static const opt_spec_t support_options[] = {
    { "hours", ARG_INT, "N", "engineer-hours of maintenance spent", .required = true },
    OPT_QUARTER,
    { "note", ARG_TEXT, "T", "what the support was" },
    END_OPTIONS
};

static const opt_spec_t quarter_close_options[] = {
    { "yes", ARG_FLAG, NULL, "close without asking (needed when there is no terminal)" },
    END_OPTIONS
};

static const opt_spec_t spend_options[] = {
    { "note", ARG_TEXT, "T", "a note on the decision" },
    END_OPTIONS
};

static const opt_spec_t deliver_options[] = {
    { "actual-hours", ARG_INT, "N", "engineer-hours it took (again: corrects it)", .required = true },
    END_OPTIONS
};

static const opt_spec_t outcome_options[] = {
    { "deal", ARG_TEXT, "won|lost", "how the deal ended (before delivery: lost)", .required = true,
      .values = name_deals },
    { "adopters", ARG_INT, "N", "customers using the result (again: kept unless given)" },
    END_OPTIONS
};

static const opt_spec_t merge_options[] = {
    { "into", ARG_TEXT, "ID", "the escalation it duplicates", .required = true,
      .names = ARG_NAMES_ESCALATION },
    END_OPTIONS
};

static const opt_spec_t list_options[] = {
    OPT_QUARTER,
    { "state", ARG_LIST, "S[,S]", "only escalations in these states", .values = name_states },
    { "account", ARG_TEXT, "A", "only those filed for A or naming it among the others that "
      "need them", .names = ARG_NAMES_ACCOUNT },
    { "mine", ARG_FLAG, NULL, "only those I filed" },
    { "sort", ARG_TEXT, "KEY", "the order: by id (the default), or the most hours, the "
      "highest account ARR, the highest deal value, the soonest needed-by date, the newest "
      "filing first; ties by id", .values = name_sorts },
    { "limit", ARG_INT, "N", "at most N of them (default 50, at most 1000)" },
    { "after", ARG_INT, "ID", "those with ids above ID: the next page in id order",
      .conflicts = "cursor" },
    { "cursor", ARG_TEXT, "C", "those after C, the place the page before ended (the next page "
      "in any order, as esc list printed it)" },
    { "all", ARG_FLAG, NULL, "every page, one after another" },
    END_OPTIONS
};

static const opt_spec_t watch_options[] = {
    { "since", ARG_INT, "SEQ", "start after event SEQ (0: from the beginning); default: now" },
    OPT_QUARTER,
    { "type", ARG_TEXT, "T", "only events of type T (escalation.approved), or T* for a prefix" },
    { "account", ARG_TEXT, "A", "only events about account A", .names = ARG_NAMES_ACCOUNT },
    { "exec", ARG_TEXT, "CMD", "run CMD once per event, the event's JSON on its input",
      .names = ARG_NAMES_FILE },
    { "exec-tries", ARG_INT, "N", "tries of CMD, with backoff, before giving up (default 5)" },
    { "state", ARG_TEXT, "FILE", "keep the last delivered event in FILE; resume after it",
      .names = ARG_NAMES_FILE },
    { "queue", ARG_INT, "N", "feed messages to buffer (default 1000); a slower watcher catches up" },
    END_OPTIONS
};

static const opt_spec_t report_options[] = {
    OPT_QUARTER,
    { "month", ARG_TEXT, "YYYY-MM", "only the escalations filed in this month" },
    { "format", ARG_TEXT, "F", "how: text (the default), json (as --json), html (a page), "
      "csv (the escalations)", .values = report_formats, .conflicts = "json" },
    END_OPTIONS
};

static const opt_spec_t user_key_options[] = {
    { "key", ARG_TEXT, "PUB", "the user's new public key (from esc keygen)", .conflicts = "new" },
    { "new", ARG_FLAG, NULL, "your own key: make one here, switch to it (a rerun finishes it)" },
    END_OPTIONS
};

static const opt_spec_t user_add_options[] = {
    { "role", ARG_LIST, "R[,R]", "the user's roles", .required = true,
      .values = name_roles },
    { "key", ARG_TEXT, "PUB", "the user's public key, from esc keygen", .required = true },
    { "team", ARG_TEXT, "TEAM", "a seller's team, for the report's quota credit" },
    END_OPTIONS
};

static const opt_spec_t user_set_options[] = {
    { "team", ARG_TEXT, "TEAM", "the user's team ('' for none)", .required = true },
    END_OPTIONS
};

/* ==== Building requests ================================================== */

/* Declares VAR, a new TYPE message in the arena, initialised by INIT. */
#define NEW(var, m, type, init) type *var = arena_alloc ((m), sizeof (type)); init (var)

/* True when option NAME was given to clear its field: as '', or, when
 * NONE_TOO (ids and dates, which "none" cannot be), as "none". */
static bool
clears (const args_t *a, const char *name, bool none_too)
{
    const char *v = args_text (a, name);
    return v && (!*v || (none_too && strcmp (v, "none") == 0));
}

/* Operand I as an escalation id. */
static int
operand_id (const args_t *a, int i, int64_t *id, char *err, size_t len)
{
    if (args_parse_int (a->operands[i], id) != 0 || *id < 1) {
        snprintf (err, len, "'%s' is not an escalation id", a->operands[i]);
        return -1;
    }
    return 0;
}

static char *
opt (const args_t *a, const char *name)
{
    return (char *) args_text (a, name);
}

static char *
operand (const args_t *a, int i)
{
    return i < a->n_operands ? (char *) a->operands[i] : NULL;
}

static int
build_quarter_open (const args_t *a, arena_t *m, Esc__Request *r, char *err, size_t len)
{
    (void) err, (void) len;
    NEW (q, m, Esc__QuarterOpen, esc__quarter_open__init);
    q->quarter = operand (a, 0);
    q->has_capacity_hours = args_int (a, "capacity-hours", &q->capacity_hours);
    q->has_budget_pct = args_int (a, "budget-pct", &q->budget_pct);
    q->has_tokens = args_int (a, "tokens", &q->tokens);
    q->has_max_token_hours = args_int (a, "max-token-hours", &q->max_token_hours);
    q->has_hourly_cost = args_int (a, "hourly-cost", &q->hourly_cost);
    q->has_relief_standard_pct = args_int (a, "relief-standard", &q->relief_standard_pct);
    q->has_relief_oneoff_pct = args_int (a, "relief-oneoff", &q->relief_oneoff_pct);
    q->starts_on = opt (a, "starts-on");
    q->ends_on = opt (a, "ends-on");
    r->op_case = ESC__REQUEST__OP_QUARTER_OPEN;
    r->quarter_open = q;
    return 0;
}

/* The quarter commands that name at most one quarter. */
static int
build_quarter_ref (char *quarter, arena_t *m, Esc__Request *r, Esc__Request__OpCase op)
{
    NEW (q, m, Esc__QuarterRef, esc__quarter_ref__init);
    q->quarter = quarter;
    r->op_case = op;
    /* the QuarterRef members of the oneof share one slot */
    r->quarter_close = q;
    return 0;
}

static int
build_quarter_reopen (const args_t *a, arena_t *m, Esc__Request *r, char *e, size_t l)
{
    (void) e, (void) l;
    return build_quarter_ref (operand (a, 0), m, r, ESC__REQUEST__OP_QUARTER_REOPEN);
}

static int
build_quarter_commit (const args_t *a, arena_t *m, Esc__Request *r, char *e, size_t l)
{
    (void) e, (void) l;
    return build_quarter_ref (operand (a, 0), m, r, ESC__REQUEST__OP_QUARTER_COMMIT);
}

static int
build_quarter_show (const args_t *a, arena_t *m, Esc__Request *r, char *e, size_t l)
{
    (void) e, (void) l;
    return build_quarter_ref (operand (a, 0), m, r, ESC__REQUEST__OP_QUARTER_SHOW);
}

static int
build_roadmap_list (const args_t *a, arena_t *m, Esc__Request *r, char *e, size_t l)
{
    (void) e, (void) l;
    return build_quarter_ref (opt (a, "quarter"), m, r, ESC__REQUEST__OP_ROADMAP_LIST);
}

static int
build_account_show (const args_t *a, arena_t *m, Esc__Request *r, char *e, size_t l)
{
    (void) e, (void) l;
    NEW (x, m, Esc__AccountRef, esc__account_ref__init);
    x->name = operand (a, 0);
    r->op_case = ESC__REQUEST__OP_ACCOUNT_SHOW;
    r->account_show = x;
    return 0;
}

/* The operations that carry nothing. */
static int
build_empty (arena_t *m, Esc__Request *r, Esc__Request__OpCase op)
{
    NEW (empty, m, Esc__Empty, esc__empty__init);
    r->op_case = op;
    r->quarter_list = empty;    /* the Empty members of the oneof share one slot */
    return 0;
}

static int
build_quarter_list (const args_t *a, arena_t *m, Esc__Request *r, char *e, size_t l)
{
    (void) a, (void) e, (void) l;
    return build_empty (m, r, ESC__REQUEST__OP_QUARTER_LIST);
}

static int
build_account_list (const args_t *a, arena_t *m, Esc__Request *r, char *e, size_t l)
{
    (void) a, (void) e, (void) l;
    return build_empty (m, r, ESC__REQUEST__OP_ACCOUNT_LIST);
}

static int
build_partner_list (const args_t *a, arena_t *m, Esc__Request *r, char *e, size_t l)
{
    (void) a, (void) e, (void) l;
    return build_empty (m, r, ESC__REQUEST__OP_PARTNER_LIST);
}

static int
build_partner_add (const args_t *a, arena_t *m, Esc__Request *r, char *e, size_t l)
{
    (void) e, (void) l;
    NEW (x, m, Esc__PartnerAdd, esc__partner_add__init);
    x->name = operand (a, 0);
    r->op_case = ESC__REQUEST__OP_PARTNER_ADD;
    r->partner_add = x;
    return 0;
}

static int
build_refer (const args_t *a, arena_t *m, Esc__Request *r, char *err, size_t len)
{
    NEW (x, m, Esc__Refer, esc__refer__init);
    if (operand_id (a, 0, &x->id, err, len))
        return -1;
    x->has_id = true;
    x->partner = opt (a, "partner");
    x->note = opt (a, "note");
    r->op_case = ESC__REQUEST__OP_REFER;
    r->refer = x;
    return 0;
}

static int
build_user_list (const args_t *a, arena_t *m, Esc__Request *r, char *e, size_t l)
{
    (void) a, (void) e, (void) l;
    return build_empty (m, r, ESC__REQUEST__OP_USER_LIST);
}

static int
build_account_add (const args_t *a, arena_t *m, Esc__Request *r, char *e, size_t l)
{
    (void) e, (void) l;
    NEW (x, m, Esc__AccountAdd, esc__account_add__init);
    x->name = operand (a, 0);
    x->has_arr = args_int (a, "arr", &x->arr);
    x->renewal_on = opt (a, "renewal");
    r->op_case = ESC__REQUEST__OP_ACCOUNT_ADD;
    r->account_add = x;
    return 0;
}

static int
build_account_set (const args_t *a, arena_t *m, Esc__Request *r, char *e, size_t l)
{
    (void) e, (void) l;
    NEW (x, m, Esc__AccountSet, esc__account_set__init);
    x->name = operand (a, 0);
    x->has_arr = args_int (a, "arr", &x->arr);
    x->renewal_on = opt (a, "renewal");
    if (clears (a, "renewal", true)) {
        x->renewal_on = NULL;
        x->has_clear_renewal = x->clear_renewal = true;
    }
    x->rename = opt (a, "rename");
    r->op_case = ESC__REQUEST__OP_ACCOUNT_SET;
    r->account_set = x;
    return 0;
}

/* The roadmap item id of operand 0 into *ID. */
static int
operand_rid (const args_t *a, int64_t *id, char *err, size_t len)
{
    if (args_parse_int (a->operands[0], id) != 0 || *id < 1) {
        snprintf (err, len, "'%s' is not a roadmap item id", a->operands[0]);
        return -1;
    }
    return 0;
}

static int
build_roadmap_show (const args_t *a, arena_t *m, Esc__Request *r, char *err, size_t len)
{
    NEW (x, m, Esc__RoadmapRef, esc__roadmap_ref__init);
    if (operand_rid (a, &x->id, err, len))
        return -1;
    x->has_id = true;
    r->op_case = ESC__REQUEST__OP_ROADMAP_SHOW;
    r->roadmap_show = x;
    return 0;
}

static int
build_roadmap_done (const args_t *a, arena_t *m, Esc__Request *r, char *err, size_t len)
{
    NEW (x, m, Esc__RoadmapDone, esc__roadmap_done__init);
    if (operand_rid (a, &x->id, err, len))
        return -1;
    x->has_id = true;
    x->has_actual_hours = args_int (a, "actual-hours", &x->actual_hours);
    r->op_case = ESC__REQUEST__OP_ROADMAP_DONE;
    r->roadmap_done = x;
    return 0;
}

static int
build_roadmap_move (const args_t *a, arena_t *m, Esc__Request *r, char *err, size_t len)
{
    NEW (x, m, Esc__RoadmapMove, esc__roadmap_move__init);
    if (operand_rid (a, &x->id, err, len))
        return -1;
    x->has_id = true;
    x->quarter = opt (a, "quarter");
    r->op_case = ESC__REQUEST__OP_ROADMAP_MOVE;
    r->roadmap_move = x;
    return 0;
}

static int
build_roadmap_set (const args_t *a, arena_t *m, Esc__Request *r, char *err, size_t len)
{
    NEW (x, m, Esc__RoadmapSet, esc__roadmap_set__init);
    if (operand_rid (a, &x->id, err, len))
        return -1;
    x->has_id = true;
    x->title = opt (a, "title");
    x->category = opt (a, "category");
    x->has_hours = args_int (a, "hours", &x->hours);
    if (clears (a, "waiting", false))
        x->has_clear_waiting = x->clear_waiting = true;
    else
        x->waiting = args_list (a, m, "waiting", &x->n_waiting);
    r->op_case = ESC__REQUEST__OP_ROADMAP_SET;
    r->roadmap_set = x;
    return 0;
}

static int
build_roadmap_add (const args_t *a, arena_t *m, Esc__Request *r, char *e, size_t l)
{
    (void) e, (void) l;
    NEW (x, m, Esc__RoadmapAdd, esc__roadmap_add__init);
    x->quarter = opt (a, "quarter");
    x->title = opt (a, "title");
    x->category = opt (a, "category");
    x->has_hours = args_int (a, "hours", &x->hours);
    x->waiting = args_list (a, m, "waiting", &x->n_waiting);
    r->op_case = ESC__REQUEST__OP_ROADMAP_ADD;
    r->roadmap_add = x;
    return 0;
}

static int
build_file (const args_t *a, arena_t *m, Esc__Request *r, char *e, size_t l)
{
    (void) e, (void) l;
    NEW (x, m, Esc__File, esc__file__init);
    x->quarter = opt (a, "quarter");
    x->account = opt (a, "account");
    x->title = opt (a, "title");
    x->problem = opt (a, "problem");
    x->solution = opt (a, "solution");
    x->has_deal_value = args_int (a, "deal-value", &x->deal_value);
    x->has_claimed_hours = args_int (a, "claimed-hours", &x->claimed_hours);
    x->needed_by = opt (a, "needed-by");
    x->also_needed_by = args_list (a, m, "also-needed-by", &x->n_also_needed_by);
    r->op_case = ESC__REQUEST__OP_FILE;
    r->file = x;
    return 0;
}

static int
build_size (const args_t *a, arena_t *m, Esc__Request *r, char *err, size_t len)
{
    NEW (x, m, Esc__Size, esc__size__init);
    if (operand_id (a, 0, &x->id, err, len))
        return -1;
    x->has_id = true;
    x->has_hours = args_int (a, "hours", &x->hours);
    bool viable = false;
    x->has_viable = args_yesno (a, "viable", &viable);
    x->viable = viable;
    x->note = opt (a, "note");
    if (clears (a, "note", false)) {
        x->note = NULL;
        x->has_clear_note = x->clear_note = true;
    }
    if (clears (a, "displaces", true)) {
        x->has_clear_displaces = x->clear_displaces = true;
        r->op_case = ESC__REQUEST__OP_SIZE;
        r->size = x;
        return 0;
    }
    char **items = args_list (a, m, "displaces", &x->n_displaces);
    x->displaces = x->n_displaces ? arena_alloc (m, x->n_displaces * sizeof (int64_t)) : NULL;
    for (size_t i = 0; i < x->n_displaces; i++)
        if (args_parse_int (items[i], &x->displaces[i]) != 0) {
            snprintf (err, len, "--displaces takes roadmap item ids, not '%s'", items[i]);
            return -1;
        }
    r->op_case = ESC__REQUEST__OP_SIZE;
    r->size = x;
    return 0;
}

/* return, decline, override: an id and a reason. */
static Esc__WithReason *
with_reason (const args_t *a, arena_t *m, char *err, size_t len)
{
    NEW (x, m, Esc__WithReason, esc__with_reason__init);
    if (operand_id (a, 0, &x->id, err, len))
        return NULL;
    x->has_id = true;
    x->reason = opt (a, "reason");
    return x;
}

static int
build_return (const args_t *a, arena_t *m, Esc__Request *r, char *err, size_t len)
{
    r->op_case = ESC__REQUEST__OP_RETURN_ESCALATION;
    return (r->return_escalation = with_reason (a, m, err, len)) ? 0 : -1;
}

static int
build_decline (const args_t *a, arena_t *m, Esc__Request *r, char *err, size_t len)
{
    r->op_case = ESC__REQUEST__OP_DECLINE;
    return (r->decline = with_reason (a, m, err, len)) ? 0 : -1;
}

static int
build_override (const args_t *a, arena_t *m, Esc__Request *r, char *err, size_t len)
{
    r->op_case = ESC__REQUEST__OP_OVERRIDE;
    return (r->override = with_reason (a, m, err, len)) ? 0 : -1;
}

static int
build_refile (const args_t *a, arena_t *m, Esc__Request *r, char *err, size_t len)
{
    NEW (x, m, Esc__Refile, esc__refile__init);
    if (operand_id (a, 0, &x->id, err, len))
        return -1;
    x->has_id = true;
    x->title = opt (a, "title");
    x->problem = opt (a, "problem");
    x->solution = opt (a, "solution");
    x->has_deal_value = args_int (a, "deal-value", &x->deal_value);
    x->needed_by = opt (a, "needed-by");
    x->answer = opt (a, "answer");
    r->op_case = ESC__REQUEST__OP_REFILE;
    r->refile = x;
    return 0;
}

static int
build_edit (const args_t *a, arena_t *m, Esc__Request *r, char *err, size_t len)
{
    NEW (x, m, Esc__Edit, esc__edit__init);
    if (operand_id (a, 0, &x->id, err, len))
        return -1;
    x->has_id = true;
    x->title = opt (a, "title");
    x->problem = opt (a, "problem");
    x->solution = opt (a, "solution");
    if (clears (a, "solution", false)) {
        x->solution = NULL;
        x->has_clear_solution = x->clear_solution = true;
    }
    x->has_deal_value = args_int (a, "deal-value", &x->deal_value);
    x->has_claimed_hours = args_int (a, "claimed-hours", &x->claimed_hours);
    x->needed_by = opt (a, "needed-by");
    if (clears (a, "needed-by", true)) {
        x->needed_by = NULL;
        x->has_clear_needed_by = x->clear_needed_by = true;
    }
    if (clears (a, "also-needed-by", false))
        x->has_clear_also_needed_by = x->clear_also_needed_by = true;
    else
        x->also_needed_by = args_list (a, m, "also-needed-by", &x->n_also_needed_by);
    r->op_case = ESC__REQUEST__OP_EDIT;
    r->edit = x;
    return 0;
}

static int
build_stop (const args_t *a, arena_t *m, Esc__Request *r, char *err, size_t len)
{
    NEW (x, m, Esc__Stop, esc__stop__init);
    if (operand_id (a, 0, &x->id, err, len))
        return -1;
    x->has_id = true;
    x->reason = opt (a, "reason");
    x->has_actual_hours = args_int (a, "actual-hours", &x->actual_hours);
    r->op_case = ESC__REQUEST__OP_STOP;
    r->stop = x;
    return 0;
}

static int
build_support (const args_t *a, arena_t *m, Esc__Request *r, char *err, size_t len)
{
    NEW (x, m, Esc__Support, esc__support__init);
    if (operand_id (a, 0, &x->id, err, len))
        return -1;
    x->has_id = true;
    x->has_hours = args_int (a, "hours", &x->hours);
    x->quarter = opt (a, "quarter");
    x->note = opt (a, "note");
    r->op_case = ESC__REQUEST__OP_SUPPORT;
    r->support = x;
    return 0;
}

/* withdraw, unmerge, show, history: an id alone. */
static int
build_ref (const args_t *a, arena_t *m, Esc__Request *r, Esc__Request__OpCase op,
           char *err, size_t len)
{
    NEW (x, m, Esc__EscalationRef, esc__escalation_ref__init);
    if (operand_id (a, 0, &x->id, err, len))
        return -1;
    x->has_id = true;
    r->op_case = op;
    r->withdraw = x;            /* the EscalationRef members share one slot */
    return 0;
}

static int
build_withdraw (const args_t *a, arena_t *m, Esc__Request *r, char *err, size_t len)
{
    return build_ref (a, m, r, ESC__REQUEST__OP_WITHDRAW, err, len);
}

static int
build_unmerge (const args_t *a, arena_t *m, Esc__Request *r, char *err, size_t len)
{
    return build_ref (a, m, r, ESC__REQUEST__OP_UNMERGE, err, len);
}

static int
build_show (const args_t *a, arena_t *m, Esc__Request *r, char *err, size_t len)
{
    return build_ref (a, m, r, ESC__REQUEST__OP_SHOW, err, len);
}

static int
build_history (const args_t *a, arena_t *m, Esc__Request *r, char *err, size_t len)
{
    return build_ref (a, m, r, ESC__REQUEST__OP_HISTORY, err, len);
}

static int
build_spend (const args_t *a, arena_t *m, Esc__Request *r, char *err, size_t len)
{
    NEW (x, m, Esc__Spend, esc__spend__init);
    if (operand_id (a, 0, &x->id, err, len))
        return -1;
    x->has_id = true;
    x->note = opt (a, "note");
    r->op_case = ESC__REQUEST__OP_SPEND;
    r->spend = x;
    return 0;
}

static int
build_deliver (const args_t *a, arena_t *m, Esc__Request *r, char *err, size_t len)
{
    NEW (x, m, Esc__Deliver, esc__deliver__init);
    if (operand_id (a, 0, &x->id, err, len))
        return -1;
    x->has_id = true;
    x->has_actual_hours = args_int (a, "actual-hours", &x->actual_hours);
    r->op_case = ESC__REQUEST__OP_DELIVER;
    r->deliver = x;
    return 0;
}

static int
build_outcome (const args_t *a, arena_t *m, Esc__Request *r, char *err, size_t len)
{
    NEW (x, m, Esc__Outcome, esc__outcome__init);
    if (operand_id (a, 0, &x->id, err, len))
        return -1;
    x->has_id = true;
    x->deal = opt (a, "deal");
    x->has_adopters = args_int (a, "adopters", &x->adopters);
    r->op_case = ESC__REQUEST__OP_OUTCOME;
    r->outcome = x;
    return 0;
}

static int
build_merge (const args_t *a, arena_t *m, Esc__Request *r, char *err, size_t len)
{
    NEW (x, m, Esc__Merge, esc__merge__init);
    if (operand_id (a, 0, &x->id, err, len))
        return -1;
    x->has_id = true;
    const char *into = opt (a, "into");
    if (into) {
        if (args_parse_int (into, &x->into) != 0 || x->into < 1) {
            snprintf (err, len, "--into takes an escalation id, not '%s'", into);
            return -1;
        }
        x->has_into = true;
    }
    r->op_case = ESC__REQUEST__OP_MERGE;
    r->merge = x;
    return 0;
}

static int
build_user_revoke (const args_t *a, arena_t *m, Esc__Request *r, char *e, size_t l)
{
    (void) e, (void) l;
    NEW (x, m, Esc__UserRef, esc__user_ref__init);
    x->name = operand (a, 0);
    r->op_case = ESC__REQUEST__OP_USER_REVOKE;
    r->user_revoke = x;
    return 0;
}

static int
build_user_add (const args_t *a, arena_t *m, Esc__Request *r, char *e, size_t l)
{
    (void) e, (void) l;
    NEW (x, m, Esc__UserAdd, esc__user_add__init);
    x->name = operand (a, 0);
    x->roles = args_list (a, m, "role", &x->n_roles);
    x->public_key = opt (a, "key");
    x->team = opt (a, "team");
    r->op_case = ESC__REQUEST__OP_USER_ADD;
    r->user_add = x;
    return 0;
}

static int
build_user_set (const args_t *a, arena_t *m, Esc__Request *r, char *e, size_t l)
{
    (void) e, (void) l;
    NEW (x, m, Esc__UserSet, esc__user_set__init);
    x->name = operand (a, 0);
    if (clears (a, "team", false))
        x->has_clear_team = x->clear_team = true;
    else
        x->team = opt (a, "team");
    r->op_case = ESC__REQUEST__OP_USER_SET;
    r->user_set = x;
    return 0;
}

/* ==== Local commands ===================================================== */

/* esc keygen NAME: a new keypair under $ESC_HOME/keys; prints its public key. */
static int
local_keygen (const session_t *s, const args_t *a)
{
    const char *name = a->operands[0];
    if (name_check_user (name) != 0) {
        fprintf (stderr, "esc: a key name is a user name: 1 to 32 of a-z 0-9 _ . - starting with a letter\n");
        return EXIT_USAGE;
    }
    char dir[1100], path[1200], err[1300];
    snprintf (dir, sizeof dir, "%s/keys", s->config.home);
    if (config_make_dirs (dir, err, sizeof err) != 0) {
        fprintf (stderr, "esc: %s\n", err);
        return EXIT_REFUSED;
    }
    keypair_t kp;
    if (keypair_generate (&kp) != 0) {
        fprintf (stderr, "esc: this libzmq has no CURVE support\n");
        return EXIT_REFUSED;
    }
    if (keypair_save (&kp, config_key_path (&s->config, name, path, sizeof path), name,
                      err, sizeof err) != 0) {
        fprintf (stderr, "esc: %s\n", err);
        return EXIT_REFUSED;
    }
    if (s->json)
        printf ("{\"name\":\"%s\",\"public_key\":\"%s\"}\n", name, kp.public_key);
    else
        printf ("%s\n", kp.public_key);
    return EXIT_DONE;
}

/* esc config list: every setting, its value and where it came from. */
static int
local_config_list (const session_t *s, const args_t *a)
{
    (void) a;
    size_t n;
    const config_setting_t *all = config_settings (&n);
    char path[1100], value[600];
    printf ("# %s\n", config_file (&s->config, path, sizeof path));
    for (size_t i = 0; i < n; i++)
        printf ("%-10s = %-44s # %s\n", all[i].key,
                config_value (&s->config, all[i].key, value, sizeof value),
                s->config.source[i] ? s->config.source[i] : "default");
    return EXIT_DONE;
}

/* esc config get KEY: the value esc would use. */
static int
local_config_get (const session_t *s, const args_t *a)
{
    char value[600], why[300];
    if (!config_value (&s->config, a->operands[0], value, sizeof value)) {
        config_check (a->operands[0], "", why, sizeof why);
        fprintf (stderr, "esc config get: %s\n", why);
        return EXIT_USAGE;
    }
    printf ("%s\n", value);
    return EXIT_DONE;
}

/* esc config set KEY VALUE: checked, then written to the settings file. */
static int
local_config_set (const session_t *s, const args_t *a)
{
    char err[1400], path[1100];
    if (config_set (&s->config, a->operands[0], a->operands[1], err, sizeof err) != 0) {
        fprintf (stderr, "esc config set: %s\n", err);
        return EXIT_USAGE;
    }
    printf ("%s set in %s\n", a->operands[0], config_file (&s->config, path, sizeof path));
    return EXIT_DONE;
}

static int send_and_render (const session_t *s, const keypair_t *kp, Esc__Request *req,
                            const char *done);

/* esc user key NAME --key PUB, or --new for one's own key (userkey.h:
 * made here, and switched to only once escd holds it). */
static int
stream_user_key (const session_t *s, const args_t *a, const char *user, const keypair_t *kp)
{
    const char *name = a->operands[0], *key = args_text (a, "key");
    bool fresh = args_flag (a, "new");
    if (!key == !fresh) {
        fprintf (stderr, "esc user key: give --key PUB or --new, one of them\n");
        return EXIT_USAGE;
    }
    if (fresh && strcmp (name, user) != 0) {
        fprintf (stderr, "esc user key: --new makes a key for the identity speaking (%s), "
                 "not for %s\n", user, name);
        return EXIT_USAGE;
    }
    if (fresh)
        return userkey_switch (s, user, kp);
    Esc__UserKey m = ESC__USER_KEY__INIT;
    m.name = (char *) name;
    m.public_key = (char *) key;
    Esc__Request req = ESC__REQUEST__INIT;
    req.op_case = ESC__REQUEST__OP_USER_KEY;
    req.user_key = &m;
    return send_and_render (s, kp, &req, "given a new key");
}

/* esc quarter close Q: a close stops the quarter's filings, plans and
 * approvals, so esc asks first on a terminal; without one (a script),
 * --yes says it is meant. */
static int
stream_quarter_close (const session_t *s, const args_t *a, const char *user, const keypair_t *kp)
{
    (void) user;
    char *quarter = (char *) a->operands[0];
    if (!args_flag (a, "yes")) {
        if (!isatty (STDIN_FILENO) || !isatty (STDERR_FILENO)) {
            fputs ("esc quarter close: no terminal to confirm on: pass --yes to close quarter ",
                   stderr);
            text_write (stderr, quarter, NULL);
            fputc ('\n', stderr);
            return EXIT_USAGE;
        }
        fputs ("close quarter ", stderr);
        text_write (stderr, quarter, NULL);
        fputs ("? No more filings, plans or approvals. [y/N] ", stderr);
        char answer[16] = "";
        if (!fgets (answer, sizeof answer, stdin))
            answer[0] = '\0';
        answer[strcspn (answer, "\n")] = '\0';
        if (strcasecmp (answer, "y") != 0 && strcasecmp (answer, "yes") != 0) {
            fputs ("esc: quarter ", stderr);
            text_write (stderr, quarter, NULL);
            fputs (" was not closed\n", stderr);
            return EXIT_REFUSED;
        }
    }
    Esc__QuarterRef m = ESC__QUARTER_REF__INIT;
    m.quarter = quarter;
    Esc__Request req = ESC__REQUEST__INIT;
    req.op_case = ESC__REQUEST__OP_QUARTER_CLOSE;
    req.quarter_close = &m;
    return send_and_render (s, kp, &req, "closed");
}

/* ==== The table ========================================================== */

static const command_t commands[] = {
    { "quarter open", "Q", "open a quarter with its capacity and budget (pm)",
      1, 1, quarter_open_options, build_quarter_open, NULL, "opened", NULL },
    { "quarter close", "Q", "close a quarter: no more filings or spends (pm); asks first",
      1, 1, quarter_close_options, NULL, NULL, "closed", stream_quarter_close },
    { "quarter reopen", "Q", "undo a close, while no later quarter is open (pm)",
      1, 1, no_options, build_quarter_reopen, NULL, "reopened", NULL },
    { "quarter commit", "Q", "freeze the quarter's plan as agreed: its baseline (pm)",
      1, 1, no_options, build_quarter_commit, NULL, "committed", NULL },
    { "quarter show", "[Q]", "a quarter's capacity, budget and tokens",
      0, 1, no_options, build_quarter_show, NULL, NULL, NULL },
    { "quarter list", "", "every quarter", 0, 0, no_options, build_quarter_list, NULL, NULL, NULL },
    { "account add", "NAME", "add a customer account (sales, pm)",
      1, 1, account_add_options, build_account_add, NULL, "added", NULL },
    { "account set", "NAME", "correct an account: ARR, renewal date, name (sales, pm)",
      1, 1, account_set_options, build_account_set, NULL, "changed", NULL },
    { "account show", "NAME", "an account: its escalations in every quarter, the roadmap "
      "items it waits for", 1, 1, no_options, build_account_show, NULL, NULL, NULL },
    { "account list", "", "every account", 0, 0, no_options, build_account_list, NULL, NULL, NULL },
    { "roadmap add", "", "add planned work to a quarter (pm)",
      0, 0, roadmap_add_options, build_roadmap_add, NULL, "added", NULL },
    { "roadmap set", "RID", "correct planned work: title, category, hours, waiting (pm)",
      1, 1, roadmap_set_options, build_roadmap_set, NULL, "changed", NULL },
    { "roadmap show", "RID", "a roadmap item and its history: planned, postponed, done, moved",
      1, 1, no_options, build_roadmap_show, NULL, NULL, NULL },
    { "roadmap done", "RID", "planned work finished, with the hours it took (pm)",
      1, 1, roadmap_done_options, build_roadmap_done, NULL, "done", NULL },
    { "roadmap move", "RID", "carry planned or postponed work into a later quarter (pm)",
      1, 1, roadmap_move_options, build_roadmap_move, NULL, "moved", NULL },
    { "roadmap list", "", "a quarter's planned work",
      0, 0, quarter_only, build_roadmap_list, NULL, NULL, NULL },
    { "file", "", "file an escalation (sales): \"escalation 7 filed\" (--quiet: 7)",
      0, 0, file_options, build_file, NULL, "filed", NULL },
    { "edit", "ID", "correct a filing (its filer while filed or returned; a pm the title)",
      1, 1, edit_options, build_edit, NULL, "edited", NULL },
    { "size", "ID", "size an escalation, or size it again: what is not given stays (pm)",
      1, 1, size_options, build_size, NULL, "sized", NULL },
    { "return", "ID", "send an escalation back to its filer for more (pm, cro)",
      1, 1, reason_only, build_return, NULL, "returned", NULL },
    { "refile", "ID", "file a returned escalation again, answering why it came back (its filer)",
      1, 1, refile_options, build_refile, NULL, "refiled", NULL },
    { "decline", "ID", "decline an escalation (pm, cro)",
      1, 1, reason_only, build_decline, NULL, "declined", NULL },
    { "withdraw", "ID", "withdraw an escalation (its filer)",
      1, 1, no_options, build_withdraw, NULL, "withdrawn", NULL },
    { "spend", "ID", "spend the quarter's token on a sized escalation (cro)",
      1, 1, spend_options, build_spend, NULL, "approved", NULL },
    { "override", "ID", "approve beyond the token or budget, loudly (exec)",
      1, 1, reason_only, build_override, NULL, "approved", NULL },
    { "deliver", "ID", "record that an approved escalation was delivered, or correct it (pm)",
      1, 1, deliver_options, build_deliver, NULL, "delivered", NULL },
    { "stop", "ID", "stop the work on an approved escalation, at the hours spent (pm)",
      1, 1, stop_options, build_stop, NULL, "stopped", NULL },
    { "support", "ID", "record maintenance spent on a delivered one-off, in any later quarter (pm)",
      1, 1, support_options, build_support, NULL, "supported", NULL },
    { "outcome", "ID", "record the deal's outcome, or correct it (cro)",
      1, 1, outcome_options, build_outcome, NULL, "outcome recorded", NULL },
    { "refer", "ID", "refer an escalation to a services partner, out of the roadmap (pm, cro)",
      1, 1, refer_options, build_refer, NULL, "referred", NULL },
    { "merge", "ID", "fold a duplicate into another escalation (pm)",
      1, 1, merge_options, build_merge, NULL, "merged", NULL },
    { "unmerge", "ID", "restore a merged duplicate (pm)",
      1, 1, no_options, build_unmerge, NULL, "unmerged", NULL },
    { "list", "", "a quarter's escalations, a page at a time",
      0, 0, list_options, NULL, NULL, NULL, list_run },
    { "show", "ID", "one escalation with its sizing and decision",
      1, 1, no_options, build_show, NULL, NULL, NULL },
    { "history", "ID", "every event of an escalation",
      1, 1, no_options, build_history, NULL, NULL, NULL },
    { "report", "", "the quarter's scoreboard: plan, one-offs, overrides, returns",
      0, 0, report_options, NULL, NULL, NULL, report_run },
    { "account import", "FILE.csv", "accounts from a CRM export, all or nothing (sales, pm)",
      1, 1, no_options, NULL, NULL, NULL, import_run },
    { "watch", "", "follow the decision feed, one line (or JSON) per event",
      0, 0, watch_options, NULL, NULL, NULL, watch_run },
    { "status", "", "who you are (user, roles, key), which escd: its version, load, database, feed",
      0, 0, no_options, NULL, NULL, NULL, server_status_run },
    { "keygen", "NAME", "create a keypair for NAME here; prints the public key",
      1, 1, no_options, NULL, local_keygen, NULL, NULL },
    { "partner add", "NAME", "add a services partner that takes one-off work (pm, cro)",
      1, 1, no_options, build_partner_add, NULL, "added", NULL },
    { "partner list", "", "every services partner, with its referrals",
      0, 0, no_options, build_partner_list, NULL, NULL, NULL },
    { "user add", "NAME", "register a user and their public key (admin)",
      1, 1, user_add_options, build_user_add, NULL, "added", NULL },
    { "user set", "NAME", "change a user's team (admin)",
      1, 1, user_set_options, build_user_set, NULL, "changed", NULL },
    { "user list", "", "every user (admin)", 0, 0, no_options, build_user_list, NULL, NULL, NULL },
    { "user revoke", "NAME", "revoke a user: refused from their next connection (admin)",
      1, 1, no_options, build_user_revoke, NULL, "revoked", NULL },
    { "user key", "NAME", "give a user a new key (admin), or yourself one (--new)",
      1, 1, user_key_options, NULL, NULL, "given a new key", stream_user_key },
    { "config list", "", "every setting, its value and where it comes from",
      0, 0, no_options, NULL, local_config_list, NULL, NULL },
    { "config get", "KEY", "the value of a setting (endpoint, feed, server-key, user, timeout, retries)",
      1, 1, no_options, NULL, local_config_get, NULL, NULL },
    { "config set", "KEY VALUE", "write a setting to the settings file, once checked",
      2, 2, no_options, NULL, local_config_set, NULL, NULL },
};

#define N_COMMANDS (sizeof commands / sizeof commands[0])

const command_t *
commands_all (size_t *n)
{
    *n = N_COMMANDS;
    return commands;
}

const command_t *
commands_find (int argc, char **argv, int *words)
{
    /* two-word commands first: "quarter open" before a lone "quarter" */
    for (int n = 2; n >= 1; n--) {
        if (argc < n)
            continue;
        char name[64];
        snprintf (name, sizeof name, "%s%s%s", argv[0], n == 2 ? " " : "", n == 2 ? argv[1] : "");
        for (size_t i = 0; i < N_COMMANDS; i++)
            if (strcmp (commands[i].name, name) == 0) {
                *words = n;
                return &commands[i];
            }
    }
    return NULL;
}

/* The length of NAME's first word. */
static size_t
first_word (const char *name)
{
    return strcspn (name, " ");
}

bool
commands_is_group (const char *word)
{
    size_t len = strlen (word);
    for (size_t i = 0; i < N_COMMANDS; i++)
        if (strncmp (commands[i].name, word, len) == 0 && commands[i].name[len] == ' ')
            return true;
    return false;
}

const char *
commands_suggest (const char *group, const char *word)
{
    static char words[N_COMMANDS + 1][32];     /* what the answer points into */
    const char *candidates[N_COMMANDS + 1];
    size_t n = 0, glen = group ? strlen (group) : 0;
    for (size_t i = 0; i < N_COMMANDS; i++) {
        const char *name = commands[i].name;
        if (group && (strncmp (name, group, glen) != 0 || name[glen] != ' '))
            continue;
        const char *w = group ? name + glen + 1 : name;
        snprintf (words[n], sizeof words[n], "%.*s", (int) first_word (w), w);
        candidates[n] = words[n];
        n++;
    }
    if (!group)
        candidates[n++] = "help";
    return suggest_word (word, candidates, n);
}

arg_names_t
commands_operand_names (const command_t *cmd, int i)
{
    char word[32] = "";
    const char *p = cmd->synopsis;
    for (int k = 0; *p; k++) {
        p += strspn (p, " [");
        size_t len = strcspn (p, " ]");
        if (k == i) {
            snprintf (word, sizeof word, "%.*s", (int) len, p);
            break;
        }
        p += len;
        p += strspn (p, "]");
    }
    if (strcmp (word, "ID") == 0)
        return ARG_NAMES_ESCALATION;
    if (strcmp (word, "RID") == 0)
        return ARG_NAMES_ROADMAP;
    if (strcmp (word, "Q") == 0)
        return ARG_NAMES_QUARTER;
    if (strncmp (word, "FILE", 4) == 0)
        return ARG_NAMES_FILE;
    if (strcmp (word, "NAME") == 0 && strncmp (cmd->name, "account ", 8) == 0)
        return ARG_NAMES_ACCOUNT;
    if (strcmp (word, "NAME") == 0 && strncmp (cmd->name, "user ", 5) == 0)
        return ARG_NAMES_USER;
    return ARG_NAMES_NONE;
}

/* ==== Running ============================================================ */

/* The identity to speak as: --as, ESC_USER or the config's user, else the
 * only key in the key directory. */
static int
identity (const session_t *s, char *name, size_t len)
{
    const char *chosen = s->as ? s->as : s->config.user[0] ? s->config.user : NULL;
    if (chosen) {
        snprintf (name, len, "%s", chosen);
        return 0;
    }
    char dir[1100];
    snprintf (dir, sizeof dir, "%s/keys", s->config.home);
    DIR *d = opendir (dir);
    int found = 0;
    for (struct dirent *e; d && (e = readdir (d));) {
        size_t n = strlen (e->d_name);
        if (n > 4 && strcmp (e->d_name + n - 4, ".key") == 0 && found++ == 0)
            snprintf (name, len, "%.*s", (int) (n - 4), e->d_name);
    }
    if (d)
        closedir (d);
    return found == 1 ? 0 : -1;
}

int
commands_identity (const session_t *s, char *user, size_t len, keypair_t *kp, char *err,
                   size_t errlen)
{
    char path[1200], keyerr[1400];
    if (identity (s, user, len) != 0) {
        snprintf (err, errlen, "no identity: pass --as USER, set ESC_USER, or put "
                  "'user = NAME' in %s/config", s->config.home);
        return -1;
    }
    if (keypair_load (kp, config_key_path (&s->config, user, path, sizeof path),
                      keyerr, sizeof keyerr) != 0) {
        snprintf (err, errlen, "no key for %s: %s (create one with 'esc keygen %s')",
                  user, keyerr, user);
        return -1;
    }
    if (!key_z85_valid (s->config.server_key)) {
        snprintf (err, errlen, "the server's public key is missing or not a Z85 key: use "
                  "--server-key, ESC_SERVER_KEY or 'server-key = ...' in %s/config",
                  s->config.home);
        return -1;
    }
    return 0;
}

/* Sends REQ as KP and shows the answer: a write's confirmation that it was
 * DONE, or (DONE NULL) the whole reply. Returns the exit code. */
static int
send_and_render (const session_t *s, const keypair_t *kp, Esc__Request *req, const char *done)
{
    int rc;
    Esc__Reply *reply = session_call (s, kp, req, &rc);
    render_how_t how = { .done = done, .json = s->json, .quiet = s->quiet };
    if (reply)
        render_result (reply, &how, stdout);
    esc__reply__free_unpacked (reply, NULL);
    return rc;
}

int
commands_run (const command_t *cmd, const session_t *s, int argc, char **argv)
{
    char err[2800];
    args_t a;
    arena_t *m = arena_new ();
    int rc = EXIT_USAGE;
    static const char *const json_given[] = { "json", NULL };
    args_grammar_t g = {
        .specs = cmd->options, .min = cmd->min_operands, .max = cmd->max_operands,
        .operands = cmd->synopsis, .globals = commands_globals,
        .globals_given = s->json ? json_given : NULL,
    };
    if (args_parse_grammar (&a, m, &g, argc, argv, err, sizeof err) != 0) {
        char synopsis[512];
        fprintf (stderr, "esc: %s\n", err);
        fprintf (stderr, "usage: esc %s ('esc help %s' for more)\n",
                 help_synopsis (cmd, synopsis, sizeof synopsis), cmd->name);
        goto done;
    }
    if (cmd->local) {
        rc = cmd->local (s, &a);
        goto done;
    }
    Esc__Request req = ESC__REQUEST__INIT;
    if (cmd->build && cmd->build (&a, m, &req, err, sizeof err) != 0) {
        fprintf (stderr, "esc %s: %s\n", cmd->name, err);
        goto done;
    }
    char user[64];
    keypair_t kp;
    if (commands_identity (s, user, sizeof user, &kp, err, sizeof err) != 0) {
        fprintf (stderr, "esc: %s\n", err);
        goto done;
    }
    rc = cmd->stream ? cmd->stream (s, &a, user, &kp)
                     : send_and_render (s, &kp, &req, cmd->done);
done:
    arena_destroy (&m);
    return rc;
}
