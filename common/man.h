/* man.h: manual pages in man(7) roff, written from esc's and escd's own
 * tables of commands and options (esc __man, escd __man), so that the
 * pages say what the programs parse.
 *
 * Text given here is escaped: a backslash prints as one, a line never
 * starts with a control character, and in option names and synopses
 * (man_words) a hyphen is a minus sign (\-), so that what a reader copies
 * out of the page is what the shell takes. */
#ifndef ESC_MAN_H
#define ESC_MAN_H

#include <stdio.h>

/* The title line: NAME in SECTION of MANUAL, for VERSION ("esc 0.1.0"). */
void man_begin (FILE *f, const char *name, int section, const char *version,
                const char *manual);
/* A section (.SH) or subsection (.SS) heading. */
void man_section (FILE *f, const char *title);
void man_subsection (FILE *f, const char *title);
/* A paragraph of running text. */
void man_paragraph (FILE *f, const char *text);
/* A tagged paragraph: TAG (a synopsis: words in bold, upper-case words and
 * bracketed or braced parts in italics) over TEXT, indented. */
void man_item (FILE *f, const char *tag, const char *text);
/* A line of a synopsis, its words in their fonts as in man_item. */
void man_synopsis (FILE *f, const char *line);
/* Indents what follows by one step, and back. */
void man_indent (FILE *f);
void man_outdent (FILE *f);
/* Writes S escaped, as running text (no line break). */
void man_text (FILE *f, const char *s);
/* Writes S escaped as command words: hyphens as minus signs. */
void man_words (FILE *f, const char *s);

#endif
