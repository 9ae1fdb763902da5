/* complete.h: shell completion, from the tables of commands.c.
 *
 *   esc __complete WORD... CURRENT
 *
 * The words are those after 'esc' on the line being typed, the last the
 * one being completed (empty for a new word). Prints the candidates for
 * it, one a line, each beginning with it: command words, a group's
 * commands, the options a command takes (and the global ones), an
 * enumeration's values after its option, and, asking escd with the
 * session's identity within half a second (nothing if it cannot), the
 * escalation ids, roadmap items, quarters, accounts or users an operand or
 * an option names; key names after --as. In a comma list (--waiting
 * Acme,Glo) the last item is completed, the ones before kept. A "="
 * alone (bash splits --as=pat into --as, = and pat) joins an option to
 * its value. deploy/completion/esc.bash and esc.zsh call it. */
#ifndef ESC_COMPLETE_H
#define ESC_COMPLETE_H

#include <stdio.h>

#include "session.h"

/* The timeout for asking escd, in milliseconds. */
#define COMPLETE_TIMEOUT_MS 500

/* Exit status: candidates printed (maybe none) ... */
#define COMPLETE_DONE 0
/* ... or the shell should complete file names itself. */
#define COMPLETE_FILES 1

/* Writes the candidates for the last of the ARGC words ARGV to OUT, the
 * settings being S's (the words' own global options applied on a copy).
 * Returns COMPLETE_DONE or COMPLETE_FILES. */
int complete_run (const session_t *s, int argc, char **argv, FILE *out);

#endif
