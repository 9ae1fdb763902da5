/* text.c: the one classifier of unsafe code points, the UTF-8 decoder
 * behind it, and the writer that shows user text safely. See text.h. */
#include "text.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

/* ==== Classifying ======================================================== */

text_class_t
text_classify (uint32_t cp)
{
    if (cp < 0x20 || (cp >= 0x7f && cp <= 0x9f))
        return TEXT_CONTROL;
    if ((cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069))
        return TEXT_BIDI;
    if (cp == 0x2028 || cp == 0x2029)
        return TEXT_SEPARATOR;
    return TEXT_PLAIN;
}

bool
text_allowed (uint32_t cp, text_lines_t lines)
{
    if (lines == TEXT_MULTI_LINE && (cp == '\n' || cp == '\t'))
        return true;
    return text_classify (cp) == TEXT_PLAIN;
}

const char *
text_class_name (text_class_t c)
{
    switch (c) {
    case TEXT_CONTROL: return "a control character";
    case TEXT_BIDI: return "a bidirectional formatting character";
    case TEXT_SEPARATOR: return "a line separator";
    case TEXT_PLAIN: default: return "";
    }
}

/* ==== Decoding =========================================================== */

size_t
text_decode (const char *s, size_t len, uint32_t *cp)
{
    const uint8_t *p = (const uint8_t *) s;
    if (len == 0 || p[0] == 0)
        return 0;
    uint8_t c = p[0];
    if (c < 0x80) {
        *cp = c;
        return 1;
    }
    size_t n;
    uint32_t v, min;
    if ((c & 0xE0) == 0xC0) { n = 2; v = c & 0x1F; min = 0x80; }
    else if ((c & 0xF0) == 0xE0) { n = 3; v = c & 0x0F; min = 0x800; }
    else if ((c & 0xF8) == 0xF0) { n = 4; v = c & 0x07; min = 0x10000; }
    else
        return 0;
    for (size_t i = 1; i < n; i++) {
        if (i >= len || (p[i] & 0xC0) != 0x80)     /* a NUL ends it here too */
            return 0;
        v = (v << 6) | (p[i] & 0x3F);
    }
    if (v < min || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF))
        return 0;
    *cp = v;
    return n;
}

bool
text_find_unsafe (const char *s, text_lines_t lines, uint32_t *cp, size_t *at)
{
    size_t len = s ? strlen (s) : 0;
    for (size_t i = 0; i < len;) {
        uint32_t c;
        size_t n = text_decode (s + i, len - i, &c);
        if (n == 0 || !text_allowed (c, lines)) {
            *cp = n ? c : (uint8_t) s[i];
            *at = i;
            return true;
        }
        i += n;
    }
    return false;
}

/* ==== Showing ============================================================ */

void
text_write (FILE *out, const char *s, const char *indent)
{
    assert (!indent || *indent);
    text_lines_t lines = indent ? TEXT_MULTI_LINE : TEXT_SINGLE_LINE;
    size_t len = s ? strlen (s) : 0;
    for (size_t i = 0; i < len;) {
        uint32_t cp;
        size_t n = text_decode (s + i, len - i, &cp);
        if (n == 0)                             /* not UTF-8: the byte */
            fprintf (out, "\\x%02x", (uint8_t) s[i++]);
        else if (cp == '\n' && lines == TEXT_MULTI_LINE) {
            fputc ('\n', out);
            fputs (indent, out);
        }
        else if (text_allowed (cp, lines))
            fwrite (s + i, 1, n, out);
        else if (cp < 0x80)                     /* C0 and DEL */
            fprintf (out, "\\x%02x", (unsigned) cp);
        else
            fprintf (out, "\\u%04x", (unsigned) cp);
        i += n;
    }
}

char *
text_shown (const char *s, const char *indent)
{
    char *buf = NULL;
    size_t size = 0;
    FILE *mem = open_memstream (&buf, &size);
    if (!mem) {
        fputs ("out of memory\n", stderr);
        abort ();
    }
    text_write (mem, s, indent);
    if (fclose (mem) != 0 || !buf) {
        fputs ("out of memory\n", stderr);
        abort ();
    }
    return buf;
}
