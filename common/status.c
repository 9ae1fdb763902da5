/* status.c: outcomes, status names and the UTF-8 check. */
#include "status.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

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
    const uint8_t *p = (const uint8_t *) s, *end = p + len;
    while (p < end) {
        uint8_t c = *p;
        if (c == 0)
            return false;
        if (c < 0x80) {
            p++;
            continue;
        }
        size_t n;
        uint32_t cp, min;
        if ((c & 0xE0) == 0xC0) { n = 2; cp = c & 0x1F; min = 0x80; }
        else if ((c & 0xF0) == 0xE0) { n = 3; cp = c & 0x0F; min = 0x800; }
        else if ((c & 0xF8) == 0xF0) { n = 4; cp = c & 0x07; min = 0x10000; }
        else
            return false;
        if ((size_t) (end - p) < n)
            return false;
        for (size_t i = 1; i < n; i++) {
            if ((p[i] & 0xC0) != 0x80)
                return false;
            cp = (cp << 6) | (p[i] & 0x3F);
        }
        if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
            return false;
        p += n;
    }
    return true;
}
