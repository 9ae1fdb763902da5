/* json.c: streaming JSON writer. */
#include "json.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void
put (json_t *j, const char *s, size_t n)
{
    if (j->len + n + 1 > j->cap) {
        size_t cap = j->cap ? j->cap : 256;
        while (j->len + n + 1 > cap)
            cap *= 2;
        char *buf = realloc (j->buf, cap);
        if (!buf)
            abort ();
        j->buf = buf;
        j->cap = cap;
    }
    memcpy (j->buf + j->len, s, n);
    j->len += n;
    j->buf[j->len] = '\0';
}

static void
puts_ (json_t *j, const char *s)
{
    put (j, s, strlen (s));
}

/* Writes the comma before a value, unless it follows a key or opens a
 * container. */
static void
separate (json_t *j)
{
    if (j->after_key) {
        j->after_key = false;
        return;
    }
    if (j->depth > 0) {
        if (!j->first[j->depth - 1])
            put (j, ",", 1);
        j->first[j->depth - 1] = false;
    }
}

void
json_init (json_t *j)
{
    memset (j, 0, sizeof *j);
    put (j, "", 0);
}

void
json_release (json_t *j)
{
    free (j->buf);
    memset (j, 0, sizeof *j);
}

const char *
json_text (const json_t *j)
{
    return j->buf ? j->buf : "";
}

static void
open_ (json_t *j, const char *bracket)
{
    separate (j);
    if (j->depth >= JSON_MAX_DEPTH)
        abort ();
    put (j, bracket, 1);
    j->first[j->depth++] = true;
}

static void
close_ (json_t *j, const char *bracket)
{
    if (j->depth == 0)
        abort ();
    j->depth--;
    put (j, bracket, 1);
}

void json_object_begin (json_t *j) { open_ (j, "{"); }
void json_object_end (json_t *j) { close_ (j, "}"); }
void json_array_begin (json_t *j) { open_ (j, "["); }
void json_array_end (json_t *j) { close_ (j, "]"); }

/* S as a JSON string: runs of characters that need no escape (most of a
 * title, a problem, an event's data) are copied whole. */
static void
quoted (json_t *j, const char *s)
{
    put (j, "\"", 1);
    const char *run = s, *p = s;
    for (; *p; p++) {
        unsigned char c = (unsigned char) *p;
        char u[8];
        const char *esc = u;
        switch (c) {
        case '"':  esc = "\\\""; break;
        case '\\': esc = "\\\\"; break;
        case '\n': esc = "\\n"; break;
        case '\r': esc = "\\r"; break;
        case '\t': esc = "\\t"; break;
        default:
            if (c >= 0x20 && c != 0x7f)
                continue;
            snprintf (u, sizeof u, "\\u%04x", c);
        }
        put (j, run, (size_t) (p - run));
        puts_ (j, esc);
        run = p + 1;
    }
    put (j, run, (size_t) (p - run));
    put (j, "\"", 1);
}

void
json_key (json_t *j, const char *key)
{
    separate (j);
    quoted (j, key);
    put (j, ":", 1);
    j->after_key = true;
}

void
json_string (json_t *j, const char *s)
{
    if (!s) {
        json_null (j);
        return;
    }
    separate (j);
    quoted (j, s);
}

void
json_int (json_t *j, int64_t v)
{
    char num[24];
    snprintf (num, sizeof num, "%" PRId64, v);
    separate (j);
    puts_ (j, num);
}

void
json_bool (json_t *j, bool v)
{
    separate (j);
    puts_ (j, v ? "true" : "false");
}

void
json_double (json_t *j, double v)
{
    char num[40];
    if (v != v || v > 1e300 || v < -1e300) {
        json_null (j);
        return;
    }
    snprintf (num, sizeof num, "%.2f", v);
    separate (j);
    puts_ (j, num);
}

void
json_null (json_t *j)
{
    separate (j);
    puts_ (j, "null");
}

void
json_raw (json_t *j, const char *json)
{
    if (!json || !*json) {
        json_null (j);
        return;
    }
    separate (j);
    puts_ (j, json);
}

void json_kv_string (json_t *j, const char *k, const char *s) { json_key (j, k); json_string (j, s); }
void json_kv_int (json_t *j, const char *k, int64_t v) { json_key (j, k); json_int (j, v); }
void json_kv_bool (json_t *j, const char *k, bool v) { json_key (j, k); json_bool (j, v); }
void json_kv_double (json_t *j, const char *k, double v) { json_key (j, k); json_double (j, v); }

void
json_kv_opt_int (json_t *j, const char *key, bool has, int64_t v)
{
    json_key (j, key);
    if (has)
        json_int (j, v);
    else
        json_null (j);
}

void
json_kv_opt_double (json_t *j, const char *key, bool has, double v)
{
    json_key (j, key);
    if (has)
        json_double (j, v);
    else
        json_null (j);
}

void
json_kv_opt_bool (json_t *j, const char *key, bool has, bool v)
{
    json_key (j, key);
    if (has)
        json_bool (j, v);
    else
        json_null (j);
}

void
json_kv_ints (json_t *j, const char *key, const int64_t *v, size_t n)
{
    json_key (j, key);
    json_array_begin (j);
    for (size_t i = 0; i < n; i++)
        json_int (j, v[i]);
    json_array_end (j);
}

void
json_kv_strings (json_t *j, const char *key, char *const *v, size_t n)
{
    json_key (j, key);
    json_array_begin (j);
    for (size_t i = 0; i < n; i++)
        json_string (j, v[i]);
    json_array_end (j);
}

void
json_hex (json_t *j, const uint8_t *bytes, size_t len)
{
    static const char digits[] = "0123456789abcdef";
    separate (j);
    put (j, "\"", 1);
    char chunk[256];
    for (size_t i = 0; i < len; ) {
        size_t n = 0;
        for (; i < len && n < sizeof chunk; i++) {
            chunk[n++] = digits[bytes[i] >> 4];
            chunk[n++] = digits[bytes[i] & 15];
        }
        put (j, chunk, n);
    }
    put (j, "\"", 1);
}

void
json_kv_hex (json_t *j, const char *key, const uint8_t *bytes, size_t len)
{
    json_key (j, key);
    json_hex (j, bytes, len);
}
