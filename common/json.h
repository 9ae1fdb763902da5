/* json.h: a small streaming JSON writer.
 *
 * Builds one JSON document into a growing buffer. Commas are placed for
 * the caller; strings are escaped (control characters as \u00XX, the rest
 * of UTF-8 passed through). Nesting deeper than JSON_MAX_DEPTH or running
 * out of memory aborts. */
#ifndef ESC_JSON_H
#define ESC_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define JSON_MAX_DEPTH 32

typedef struct {
    char *buf;
    size_t len, cap;
    int depth;
    bool first[JSON_MAX_DEPTH];   /* no member written yet at this depth */
    bool after_key;
} json_t;

void json_init (json_t *j);
/* Frees the buffer; the writer may be initialised again. */
void json_release (json_t *j);
/* The document so far, NUL-terminated; owned by the writer. */
const char *json_text (const json_t *j);

void json_object_begin (json_t *j);
void json_object_end (json_t *j);
void json_array_begin (json_t *j);
void json_array_end (json_t *j);
void json_key (json_t *j, const char *key);

/* A NULL string is written as null. */
void json_string (json_t *j, const char *s);
void json_int (json_t *j, int64_t v);
void json_bool (json_t *j, bool v);
/* A number with two decimals (a share, a multiple); NaN and infinities,
 * which JSON lacks, are written as null. */
void json_double (json_t *j, double v);
void json_null (json_t *j);
/* Text that is already JSON; NULL or "" is written as null. */
void json_raw (json_t *j, const char *json);
/* The LEN bytes of BYTES as a string of lowercase hex digits, two a byte
 * (PostgreSQL's decode(..., 'hex') reads it back). */
void json_hex (json_t *j, const uint8_t *bytes, size_t len);

/* Shorthands for a key and its value. */
void json_kv_string (json_t *j, const char *key, const char *s);
void json_kv_int (json_t *j, const char *key, int64_t v);
void json_kv_bool (json_t *j, const char *key, bool v);
void json_kv_double (json_t *j, const char *key, double v);
/* An optional value: V when HAS, else null. */
void json_kv_opt_int (json_t *j, const char *key, bool has, int64_t v);
void json_kv_opt_double (json_t *j, const char *key, bool has, double v);
void json_kv_opt_bool (json_t *j, const char *key, bool has, bool v);
/* A key and an array of N integers, or of N strings. */
void json_kv_ints (json_t *j, const char *key, const int64_t *v, size_t n);
void json_kv_strings (json_t *j, const char *key, char *const *v, size_t n);
void json_kv_hex (json_t *j, const char *key, const uint8_t *bytes, size_t len);

#endif
