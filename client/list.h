/* list.h: esc list, a quarter's escalations a page at a time.
 *
 *   esc list [--quarter Q] [--state S] [--account A] [--mine]
 *            [--limit N] [--after ID] [--all]
 *
 * One page (50 by default) after ID, or with --all every page in turn.
 * Text: a table and a line saying how many of how many, and how to get the
 * next page; JSON: {"total": N, "next_after": ID or null, "escalations":
 * [...]}, the escalations of every page asked for in one array. */
#ifndef ESC_LIST_H
#define ESC_LIST_H

#include "args.h"
#include "keys.h"
#include "session.h"

int list_run (const session_t *s, const args_t *a, const char *user, const keypair_t *kp);

#endif
