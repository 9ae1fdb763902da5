/* ops.c: what esc and escd both know of an operation. See ops.h. */
#include "ops.h"

bool
ops_dry_run (const Esc__Request *req)
{
    return req->op_case == ESC__REQUEST__OP_ACCOUNT_IMPORT && req->account_import
        && req->account_import->has_dry_run && req->account_import->dry_run;
}

bool
ops_writes (const Esc__Request *req)
{
    switch (req->op_case) {
    case ESC__REQUEST__OP_QUARTER_SHOW:
    case ESC__REQUEST__OP_QUARTER_LIST:
    case ESC__REQUEST__OP_ACCOUNT_LIST:
    case ESC__REQUEST__OP_ROADMAP_LIST:
    case ESC__REQUEST__OP_LIST:
    case ESC__REQUEST__OP_SHOW:
    case ESC__REQUEST__OP_HISTORY:
    case ESC__REQUEST__OP_USER_LIST:
    case ESC__REQUEST__OP_EVENTS_SINCE:
    case ESC__REQUEST__OP_REPORT:
    case ESC__REQUEST__OP_STATUS:
    case ESC__REQUEST__OP_PARTNER_LIST:
    case ESC__REQUEST__OP_ACCOUNT_SHOW:
    case ESC__REQUEST__OP_ROADMAP_SHOW:
        return false;
    default:
        return !ops_dry_run (req);
    }
}
