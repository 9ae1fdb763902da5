/* desk_handlers.h: what the desk's operation handlers share (internal).
 *
 * A handler gets one validated request and its caller, does the work with
 * the store after asking the workflow, sets the reply's result and, for a
 * change, describes its event (the desk writes it). Returns 0, or -1 with
 * ERR; on -1 the desk rolls the request back and sends no result, unless
 * the handler set one that explains the refusal (explains_refusal). */
#ifndef ESC_DESK_HANDLERS_H
#define ESC_DESK_HANDLERS_H

#include "arena.h"
#include "esc.pb-c.h"
#include "json.h"
#include "metrics.h"
#include "status.h"
#include "store.h"
#include "workflow.h"

typedef struct {
    store_t *store;
    arena_t *arena;             /* for the reply; freed after packing */
    const char *actor;          /* the user asking */
    role_set_t roles;
    op_t op;
    const Esc__Request *req;
    Esc__Reply *reply;          /* set its result */
    event_t event;              /* a change fills in what it concerns */
    json_t data;                /* an open JSON object: the event's details */
    const char *changed;        /* a correction: what it changed, for the
                                   event's sentence; NULL otherwise */
    int64_t started_at;         /* when escd started (s since the epoch) */
    const metrics_t *metrics;   /* escd's counts (NULL on the reader) */
    bool explains_refusal;      /* the result set explains a refusal (an
                                   import's bad rows): sent with it */
} desk_call_t;

typedef int (*desk_handler_t) (desk_call_t *c, esc_error_t *err);

/* desk_plan.c: quarters, accounts, the roadmap and users */
int desk_quarter_open (desk_call_t *c, esc_error_t *err);
int desk_quarter_close (desk_call_t *c, esc_error_t *err);
int desk_quarter_show (desk_call_t *c, esc_error_t *err);
int desk_quarter_list (desk_call_t *c, esc_error_t *err);
int desk_account_add (desk_call_t *c, esc_error_t *err);
int desk_account_list (desk_call_t *c, esc_error_t *err);
int desk_account_import (desk_call_t *c, esc_error_t *err);
int desk_roadmap_add (desk_call_t *c, esc_error_t *err);
int desk_roadmap_list (desk_call_t *c, esc_error_t *err);
int desk_user_add (desk_call_t *c, esc_error_t *err);
int desk_user_list (desk_call_t *c, esc_error_t *err);
int desk_user_revoke (desk_call_t *c, esc_error_t *err);
int desk_user_key (desk_call_t *c, esc_error_t *err);
int desk_quarter_reopen (desk_call_t *c, esc_error_t *err);
int desk_account_set (desk_call_t *c, esc_error_t *err);
int desk_roadmap_set (desk_call_t *c, esc_error_t *err);
int desk_quarter_commit (desk_call_t *c, esc_error_t *err);
int desk_roadmap_done (desk_call_t *c, esc_error_t *err);
int desk_roadmap_move (desk_call_t *c, esc_error_t *err);
int desk_user_set (desk_call_t *c, esc_error_t *err);
int desk_partner_add (desk_call_t *c, esc_error_t *err);
int desk_partner_list (desk_call_t *c, esc_error_t *err);
int desk_refer (desk_call_t *c, esc_error_t *err);
int desk_account_show (desk_call_t *c, esc_error_t *err);
int desk_roadmap_show (desk_call_t *c, esc_error_t *err);

/* desk_escalation.c: the escalation's life */
int desk_file (desk_call_t *c, esc_error_t *err);
/* desk_file in parts, for filings answered together (desk.c): the checks
 * before the insert, giving the quarter filed in (the default quarter when
 * none is named: resolved once into *DEFAULT_QUARTER, when not NULL, and
 * taken from it after), then the reply and the event's details for the
 * escalation E filed. */
int desk_file_check (desk_call_t *c, const char **default_quarter, const char **quarter,
                     esc_error_t *err);
void desk_file_done (desk_call_t *c, Esc__Escalation *e);
int desk_size (desk_call_t *c, esc_error_t *err);
int desk_return (desk_call_t *c, esc_error_t *err);
int desk_refile (desk_call_t *c, esc_error_t *err);
int desk_decline (desk_call_t *c, esc_error_t *err);
int desk_withdraw (desk_call_t *c, esc_error_t *err);
int desk_spend (desk_call_t *c, esc_error_t *err);
int desk_override (desk_call_t *c, esc_error_t *err);
int desk_deliver (desk_call_t *c, esc_error_t *err);
int desk_outcome (desk_call_t *c, esc_error_t *err);
int desk_merge (desk_call_t *c, esc_error_t *err);
int desk_unmerge (desk_call_t *c, esc_error_t *err);
int desk_edit (desk_call_t *c, esc_error_t *err);
int desk_stop (desk_call_t *c, esc_error_t *err);
int desk_support (desk_call_t *c, esc_error_t *err);
int desk_list (desk_call_t *c, esc_error_t *err);
int desk_show (desk_call_t *c, esc_error_t *err);
int desk_history (desk_call_t *c, esc_error_t *err);
int desk_events_since (desk_call_t *c, esc_error_t *err);

/* desk_report.c: the quarter's scoreboard */
int desk_report (desk_call_t *c, esc_error_t *err);

/* desk_status.c: escd about itself and the caller */
int desk_status (desk_call_t *c, esc_error_t *err);

/* desk_changes.c: the pieces of an event's sentence for people. V as
 * people read it (figures.h: "2,000,000"), and ids as "1, 2, 3" (or
 * "none"), in the arena. */
const char *desk_figure (arena_t *a, int64_t v);
const char *desk_ids (arena_t *a, const int64_t *v, size_t n);

/* What a correction changes, field by field, for its
 * event: each changed value old and new in data's "changes" object, and
 * the sentence "title \"a\" -> \"b\"; problem changed" in TEXT. Values
 * are compared as recorded; one that stays is not named. */
typedef struct {
    arena_t *arena;
    json_t json;                /* the "changes" object, open */
    const char *text;           /* the sentence so far: "" when none */
    int count;                  /* the values named */
} changes_t;

void changes_begin (changes_t *ch, arena_t *a);
/* A one-line value (a title, a name, a date; NULL or "" is none), in
 * quotes in the sentence when QUOTED. */
void changes_line (changes_t *ch, const char *field, const char *label, const char *old,
                   const char *now, bool quoted);
/* A value that may span lines: the sentence says only "FIELD changed". */
void changes_text (changes_t *ch, const char *field, const char *old, const char *now);
/* A number, or none (HAS_ false). */
void changes_int (changes_t *ch, const char *field, const char *label, bool has_old,
                  int64_t old, bool has_now, int64_t now);
/* Yes or no, said as YES or NO ("viable", "not viable"). */
void changes_bool (changes_t *ch, const char *field, bool old, bool now, const char *yes,
                   const char *no);
/* Sets of ids or of names: their order and repeats do not count. */
void changes_ids (changes_t *ch, const char *field, const char *label, const int64_t *old,
                  size_t n_old, const int64_t *now, size_t n_now);
void changes_names (changes_t *ch, const char *field, const char *label, char *const *old,
                    size_t n_old, char *const *now, size_t n_now);
/* Puts "changes": {...} into DATA (nothing when nothing changed; DATA NULL:
 * nowhere) and frees what CH holds but TEXT, which is the arena's. */
void changes_end (changes_t *ch, json_t *data);

/* The quarter a request names, or the default one, into *CHOSEN. With
 * DECIDE, for a change in the quarter itself (a filing, a plan, a close),
 * its row is locked and the workflow asked whether the call's operation may
 * go ahead there. */
int desk_quarter (desk_call_t *c, const char *name, bool decide, const char **chosen,
                  esc_error_t *err);
/* Asks the workflow whether CALL's operation may go ahead in a quarter of
 * FACTS (a store_judge_t). */
int desk_judge_quarter (void *call, const quarter_facts_t *facts, esc_error_t *err);

#endif
