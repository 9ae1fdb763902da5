/* commands.h: every esc command: its syntax, its request, its output.
 *
 * One table describes each command of DESIGN section 6: its words, its
 * operands and options (for parsing and --help), how its request is built,
 * and how its reply is shown. */
#ifndef ESC_COMMANDS_H
#define ESC_COMMANDS_H

#include <stdbool.h>
#include <stdio.h>

#include "session.h"

typedef struct command command_t;

/* The command named by the first words of ARGV; *WORDS says how many. */
const command_t *commands_find (int argc, char **argv, int *words);

/* Runs CMD with its arguments (after its name). Returns the exit code. */
int commands_run (const command_t *cmd, const session_t *s, int argc, char **argv);

/* The list of commands, for esc --help. */
void commands_usage (FILE *out);
/* One command's usage and options, for esc COMMAND --help. */
void commands_help (const command_t *cmd, FILE *out);

#endif
