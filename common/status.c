/* status.c: outcomes, status names and the UTF-8 check. */
#include "status.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "text.h"

int
esc_fail (esc_error_t *err, esc_status_t status, const char *reason,
          const char *fmt, ...)
{
    err->status = status;
    err->reason = reason;
    va_list ap;
    va_start (ap, fmt);
    vsnprintf (err->message, sizeof err->message, fmt, ap);
    va_end (ap);
    return -1;
}

void
esc_error_clear (esc_error_t *err)
{
    err->status = ESC_OK;
    err->reason = NULL;
    err->message[0] = '\0';
}

const char *
esc_status_name (int status)
{
    switch (status) {
    case ESC_OK: return "OK";
    case ESC_INVALID_ARGUMENT: return "INVALID_ARGUMENT";
    case ESC_NOT_FOUND: return "NOT_FOUND";
    case ESC_ALREADY_EXISTS: return "ALREADY_EXISTS";
    case ESC_PERMISSION_DENIED: return "PERMISSION_DENIED";
    case ESC_RESOURCE_EXHAUSTED: return "RESOURCE_EXHAUSTED";
    case ESC_FAILED_PRECONDITION: return "FAILED_PRECONDITION";
    case ESC_INTERNAL: return "INTERNAL";
    case ESC_UNAVAILABLE: return "UNAVAILABLE";
    case ESC_UNAUTHENTICATED: return "UNAUTHENTICATED";
    default: return "UNKNOWN";
    }
}

bool
esc_utf8_valid (const char *s, size_t len)
{
    uint32_t cp;
    for (size_t i = 0, n; i < len; i += n)
        if ((n = text_decode (s + i, len - i, &cp)) == 0)
            return false;
    return true;
}
