/* csv.c: RFC 4180 reading and writing. */
#include "csv.h"

#include <string.h>

typedef struct {
    arena_t *a;
    char *field;                /* the field being read */
    size_t len, cap;
    char **fields;              /* the record being read */
    size_t n, fcap;
} builder_t;

static void
field_put (builder_t *b, char c)
{
    if (b->len + 1 >= b->cap) {
        size_t cap = b->cap ? b->cap * 2 : 64;
        char *grown = arena_alloc (b->a, cap);
        if (b->len)
            memcpy (grown, b->field, b->len);
        b->field = grown;
        b->cap = cap;
    }
    b->field[b->len++] = c;
}

static void
field_end (builder_t *b)
{
    field_put (b, '\0');
    if (b->n == b->fcap) {
        size_t cap = b->fcap ? b->fcap * 2 : 8;
        char **grown = arena_alloc (b->a, cap * sizeof *grown);
        if (b->n)
            memcpy (grown, b->fields, b->n * sizeof *grown);
        b->fields = grown;
        b->fcap = cap;
    }
    b->fields[b->n++] = b->field;
    b->field = NULL;
    b->len = b->cap = 0;
}

char
csv_separator (const char *text, size_t len)
{
    size_t commas = 0, semicolons = 0;
    bool quoted = false;
    for (size_t i = 0; i < len && (quoted || (text[i] != '\n' && text[i] != '\r')); i++) {
        if (text[i] == '"')
            quoted = !quoted;
        else if (!quoted)
            commas += text[i] == ',', semicolons += text[i] == ';';
    }
    return semicolons > commas ? ';' : ',';
}

int
csv_parse (arena_t *a, const char *text, size_t len, csv_record_t **records, size_t *n,
           char *err, size_t errlen)
{
    size_t i = 0, cap = 0;
    int64_t line = 1;
    *records = NULL;
    *n = 0;
    if (len >= 3 && memcmp (text, "\xEF\xBB\xBF", 3) == 0)
        i = 3;
    const char sep = csv_separator (text + i, len - i);
    while (i < len) {
        builder_t b = { .a = a };
        int64_t start = line;
        bool blank = true;
        for (;;) {                              /* one field */
            if (i < len && text[i] == '"') {
                blank = false;
                i++;
                for (;;) {
                    if (i >= len) {
                        snprintf (err, errlen, "line %lld: a quoted field never ends",
                                  (long long) start);
                        return -1;
                    }
                    if (text[i] == '"' && i + 1 < len && text[i + 1] == '"') {
                        field_put (&b, '"');
                        i += 2;
                    }
                    else if (text[i] == '"') {
                        i++;
                        break;
                    }
                    else {
                        line += text[i] == '\n';
                        field_put (&b, text[i++]);
                    }
                }
                if (i < len && text[i] != sep && text[i] != '\n' && text[i] != '\r') {
                    snprintf (err, errlen, "line %lld: text after a closing quote",
                              (long long) line);
                    return -1;
                }
            }
            else
                while (i < len && text[i] != sep && text[i] != '\n' && text[i] != '\r') {
                    if (text[i] == '\0') {
                        snprintf (err, errlen, "line %lld: a NUL byte", (long long) line);
                        return -1;
                    }
                    blank = false;
                    field_put (&b, text[i++]);
                }
            field_end (&b);
            if (i < len && text[i] == sep) {
                blank = false;
                i++;
                continue;
            }
            break;
        }
        if (i < len && text[i] == '\r')
            i++;
        if (i < len && text[i] == '\n')
            i++;
        line++;
        if (blank)
            continue;
        if (*n == cap) {
            cap = cap ? cap * 2 : 64;
            csv_record_t *grown = arena_alloc (a, cap * sizeof *grown);
            if (*n)
                memcpy (grown, *records, *n * sizeof *grown);
            *records = grown;
        }
        (*records)[(*n)++] = (csv_record_t) { b.fields, b.n, start };
    }
    return 0;
}

void
csv_field (FILE *out, const char *s, bool last)
{
    s = s ? s : "";
    /* a spreadsheet runs a cell that starts like a formula: an apostrophe
     * in front keeps a title such as "=HYPERLINK(...)" text */
    bool formula = *s && strchr ("=+-@\t\r", *s);
    if (formula || strpbrk (s, ",\"\r\n")) {
        fputc ('"', out);
        if (formula)
            fputc ('\'', out);
        for (; *s; s++) {
            if (*s == '"')
                fputc ('"', out);
            fputc (*s, out);
        }
        fputc ('"', out);
    }
    else
        fputs (s, out);
    fputs (last ? "\r\n" : ",", out);
}
