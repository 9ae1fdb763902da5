/* commands.h: every esc command: its syntax, its request, its output.
 *
 * One table describes each command of DESIGN section 6: its words, its
 * operands and options (args.h), how its request is built, and how its
 * reply is shown; another the global options. The tables are the one
 * source of esc's command line: parsing, --help and 'esc help' (help.c),
 * the man page (esc __man) and shell completion (complete.c) all read
 * them. A command of two words ("quarter open") belongs to the group of
 * its first word. */
#ifndef ESC_COMMANDS_H
#define ESC_COMMANDS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "args.h"
#include "arena.h"
#include "esc.pb-c.h"
#include "keys.h"
#include "render.h"
#include "session.h"

typedef int (*build_fn) (const args_t *a, arena_t *m, Esc__Request *r, char *err, size_t len);
typedef int (*local_fn) (const session_t *s, const args_t *a);
typedef int (*stream_fn) (const session_t *s, const args_t *a, const char *user,
                          const keypair_t *kp);

typedef struct command {
    const char *name;           /* "quarter open" */
    const char *synopsis;       /* operands, for usage: ID is an escalation, RID a
                                   roadmap item, Q a quarter, NAME an account in the
                                   account group and a user in the user group */
    const char *summary;
    int min_operands, max_operands;
    const opt_spec_t *options;
    build_fn build;             /* the request; NULL for a local command */
    local_fn local;             /* runs here, speaks to no server */
    const char *done;           /* a write's past participle, for its one-line
                                   confirmation ("filed": "escalation 7 filed");
                                   NULL: the reply is shown whole */
    stream_fn stream;           /* runs here, speaking as the identity */
} command_t;

/* The options every command takes (--as, --json, ...), NULL-terminated. */
extern const opt_spec_t commands_globals[];

/* Applies global option NAME (--help and --version aside: the caller's),
 * with VALUE (NULL for a flag), to S. VALUE must outlive S. Returns 0, or
 * -1 with what is wrong in ERR. */
int commands_apply_global (session_t *s, const char *name, const char *value, char *err,
                           size_t errlen);

/* The table: *N commands. */
const command_t *commands_all (size_t *n);

/* The command named by the first words of ARGV; *WORDS says how many. */
const command_t *commands_find (int argc, char **argv, int *words);

/* True when WORD is the first word of commands of two words ("quarter"). */
bool commands_is_group (const char *word);

/* The command word nearest to the unknown WORD: among the first words
 * (and "help") when GROUP is NULL, else among GROUP's second words. NULL
 * when none is near (suggest.h). */
const char *commands_suggest (const char *group, const char *word);

/* What operand I of CMD names, for completion (see synopsis above). */
arg_names_t commands_operand_names (const command_t *cmd, int i);

/* Runs CMD with its arguments (after its name). Returns the exit code. */
int commands_run (const command_t *cmd, const session_t *s, int argc, char **argv);

/* The identity S speaks as and its keypair, as a command finds them: --as,
 * ESC_USER or the config's user, else the only key in the key directory.
 * Returns 0, or -1 with what is missing in ERR. */
int commands_identity (const session_t *s, char *user, size_t len, keypair_t *kp,
                       char *err, size_t errlen);

#endif
