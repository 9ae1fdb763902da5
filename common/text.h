/* text.h: what people may type into esc's free text, and how esc shows it.
 *
 * One classifier serves both ends. escd refuses, at validation, any code
 * point a field may not hold; esc shows every such code point visibly when
 * it renders text for a terminal, so that rows stored before the check
 * (or bytes that are not UTF-8 at all) cannot start a line that looks like
 * esc's own output, clear the screen, or reorder a line around them.
 *
 * Unsafe in every field: the C0 controls U+0000-U+001F, DEL U+007F, the C1
 * controls U+0080-U+009F, the bidirectional embeddings and overrides
 * U+202A-U+202E and isolates U+2066-U+2069, and the line and paragraph
 * separators U+2028 and U+2029. A multi-line field (problem, solution,
 * notes) may hold LF and TAB; a single-line field (titles, names, reasons)
 * holds neither. CR is never allowed: a line ends with LF alone. */
#ifndef ESC_TEXT_H
#define ESC_TEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

typedef enum {
    TEXT_SINGLE_LINE,           /* titles, account names, reasons */
    TEXT_MULTI_LINE,            /* problem, solution, notes: LF and TAB too */
} text_lines_t;

typedef enum {
    TEXT_PLAIN,                 /* anything else: shown as it is */
    TEXT_CONTROL,               /* C0 (TAB, LF, CR included), DEL, C1 */
    TEXT_BIDI,                  /* U+202A-U+202E, U+2066-U+2069 */
    TEXT_SEPARATOR,             /* U+2028, U+2029 */
} text_class_t;

/* The class of code point CP. */
text_class_t text_classify (uint32_t cp);

/* True when a field of kind LINES may hold CP. */
bool text_allowed (uint32_t cp, text_lines_t lines);

/* "a control character", "a bidirectional formatting character", "a line
 * separator"; "" for TEXT_PLAIN. */
const char *text_class_name (text_class_t c);

/* Decodes the code point that starts the LEN bytes at S into *CP and
 * returns its length in bytes (1 to 4), or 0 when they do not start with a
 * well-formed UTF-8 sequence (a stray or cut byte, an overlong form, a
 * surrogate, beyond U+10FFFF) or start with NUL, or LEN is 0. Reads no
 * byte past the first bad one, nor past LEN. */
size_t text_decode (const char *s, size_t len, uint32_t *cp);

/* Looks for the first code point of NUL-terminated, well-formed UTF-8 S
 * that a field of kind LINES may not hold. Returns true and sets *CP and
 * *AT (its byte offset, 0 for the first byte) when there is one; false for
 * a clean S. A byte that is not UTF-8 counts as unsafe too, with *CP set
 * to the byte's value; it is told from a code point by its class, which is
 * TEXT_PLAIN. A NULL S is clean. */
bool text_find_unsafe (const char *s, text_lines_t lines, uint32_t *cp, size_t *at);

/* Writes S (NULL writes nothing) to OUT for people to read. Every code
 * point a single-line field may not hold is shown as an escape: C0 and DEL
 * as \xHH, C1, bidirectional characters and separators as \uHHHH, and each
 * byte that is not UTF-8 as \xHH. With INDENT NULL the text is single-line
 * and an LF is shown as \x0a like the rest. Otherwise the text is
 * multi-line: TAB is written as it is and each LF as a line break followed
 * by INDENT, which must be non-empty (it lines the continuation up under
 * the value, so that no line of S ever starts at column 0). */
void text_write (FILE *out, const char *s, const char *indent);

/* What text_write writes, as a string the caller frees (NULL gives ""). */
char *text_shown (const char *s, const char *indent);

#endif
