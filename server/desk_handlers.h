/* desk_handlers.h: what the desk's operation handlers share (internal).
 *
 * A handler gets one validated request and its caller, does the work with
 * the store after asking the workflow, sets the reply's result and, for a
 * change, describes its event (the desk writes it). Returns 0, or -1 with
 * ERR; on -1 the desk rolls the request back. */
#ifndef ESC_DESK_HANDLERS_H
#define ESC_DESK_HANDLERS_H

#include "arena.h"
#include "esc.pb-c.h"
#include "json.h"
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

/* desk_escalation.c: the escalation's life */
int desk_file (desk_call_t *c, esc_error_t *err);
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
int desk_list (desk_call_t *c, esc_error_t *err);
int desk_show (desk_call_t *c, esc_error_t *err);
int desk_history (desk_call_t *c, esc_error_t *err);
int desk_events_since (desk_call_t *c, esc_error_t *err);

/* desk_report.c: the quarter's scoreboard */
int desk_report (desk_call_t *c, esc_error_t *err);

/* The quarter a request names, or the default one, into *CHOSEN. With
 * DECIDE, for a change in the quarter itself (a filing, a plan, a close),
 * its row is locked and the workflow asked whether the call's operation may
 * go ahead there. */
int desk_quarter (desk_call_t *c, const char *name, bool decide, const char **chosen,
                  esc_error_t *err);

#endif
