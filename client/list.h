/* list.h: esc list, a quarter's escalations a page at a time.
 *
 *   esc list [--quarter Q] [--state S[,S]] [--account A] [--mine]
 *            [--sort id|hours|arr|deal|needed-by|filed]
 *            [--limit N] [--after ID | --cursor C] [--all]
 *
 * One page (50 by default) in the order asked for (ids by default), after
 * ID in id order or after the place a cursor marks in any order, or with
 * --all every page in turn. Text: a table and a line saying how many of
 * how many, and the command for the next page (--after ID in id order,
 * --cursor C in another, with the options given that chose the list,
 * quoted for a shell); with --quiet the ids alone, that line on stderr.
 * JSON: {"total": N, "escalations": [...], "next_after": ID or null,
 * "next_cursor": C or null}, the escalations of every page asked for in
 * one array. */
#ifndef ESC_LIST_H
#define ESC_LIST_H

#include "args.h"
#include "keys.h"
#include "session.h"

int list_run (const session_t *s, const args_t *a, const char *user, const keypair_t *kp);

#endif
