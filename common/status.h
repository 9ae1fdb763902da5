/* status.h: outcomes shared by every layer of esc.
 *
 * The status codes have the values of the wire enum Esc__Status (close to
 * gRPC's). A refusal carries a stable machine-readable reason such as
 * TOKEN_ALREADY_SPENT and a message for people that names what was wrong. */
#ifndef ESC_STATUS_H
#define ESC_STATUS_H

#include <stdbool.h>
#include <stddef.h>

typedef enum {
    ESC_OK = 0,
    ESC_INVALID_ARGUMENT = 3,
    ESC_NOT_FOUND = 5,
    ESC_ALREADY_EXISTS = 6,
    ESC_PERMISSION_DENIED = 7,
    ESC_RESOURCE_EXHAUSTED = 8,        /* a limit: the rate, a queue; try later */
    ESC_FAILED_PRECONDITION = 9,
    ESC_INTERNAL = 13,
    ESC_UNAVAILABLE = 14,
    ESC_UNAUTHENTICATED = 16,
} esc_status_t;

typedef struct {
    esc_status_t status;
    const char *reason;         /* static string; NULL when status is OK */
    char message[4096];         /* an import lists its bad rows here */
} esc_error_t;

/* Fills ERR and returns -1, so that `return esc_fail (...)` reads well. */
int esc_fail (esc_error_t *err, esc_status_t status, const char *reason,
              const char *fmt, ...) __attribute__ ((format (printf, 4, 5)));
/* Resets ERR to OK. */
void esc_error_clear (esc_error_t *err);

/* "OK", "INVALID_ARGUMENT", ...; "UNKNOWN" for a value outside the enum. */
const char *esc_status_name (int status);

/* True when S holds LEN bytes of well-formed UTF-8 (no overlongs, no
 * surrogates, nothing above U+10FFFF) and no NUL. */
bool esc_utf8_valid (const char *s, size_t len);

#endif
