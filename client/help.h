/* help.h: what esc says about its own command line, all of it written
 * from the tables of commands.c: the short usage of a bare 'esc', the
 * whole list (esc --help, esc help), a group's commands (esc quarter), one
 * command's options (esc help file, esc file --help), and the man page
 * esc(1) (esc __man, which the build turns into man/man1/esc.1). */
#ifndef ESC_HELP_H
#define ESC_HELP_H

#include <stddef.h>
#include <stdio.h>

#include "commands.h"

/* CMD's synopsis: its words, operands and required options, then
 * [OPTIONS] when it has others ("size ID --hours N --viable yes|no
 * [OPTIONS]"), into BUF. Returns BUF. */
char *help_synopsis (const command_t *cmd, char *buf, size_t len);

/* A few lines for a bare 'esc': the usage, the commonest commands, and
 * where the rest is. */
void help_short (FILE *out);
/* Every global option and command: esc --help, esc help. */
void help_full (FILE *out);
/* The commands of GROUP ("quarter"): esc quarter, esc quarter --help. */
void help_group (const char *group, FILE *out);
/* One command's usage and options: esc help COMMAND, esc COMMAND --help. */
void help_command (const command_t *cmd, FILE *out);
/* The manual page esc(1), in man(7) roff. */
void help_man (FILE *out);

#endif
