/* colour.h: one way to colour esc's text output, used by every command.
 *
 * Colour only when the stream is a terminal, and never when NO_COLOR is set
 * to anything non-empty (no-color.org) or TERM is "dumb". Red marks what
 * breaks the rules: an OVERRIDE, one-off hours beyond the budget. Every
 * painted span is reset before its line ends, so that a cut or piped line
 * never leaves the terminal coloured. */
#ifndef ESC_COLOUR_H
#define ESC_COLOUR_H

#include <stdbool.h>
#include <stdio.h>

#define COLOUR_RED "\033[31m"
#define COLOUR_GREEN "\033[32m"
#define COLOUR_YELLOW "\033[33m"
#define COLOUR_BOLD "\033[1m"
#define COLOUR_RESET "\033[0m"

/* Whether text written to OUT is coloured. */
bool colour_wanted (FILE *out);

/* CODE when ON, else "": printf ("%sOVERRIDE%s", paint (on, COLOUR_RED),
 * paint (on, COLOUR_RESET)). */
const char *paint (bool on, const char *code);

#endif
