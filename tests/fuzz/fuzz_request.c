/* fuzz_request.c: libFuzzer harness for what escd does with the bytes of a
 * request before anything else touches them: decoding and validation
 * (server/validate.c), and, on the same bytes, the decoders the client
 * uses for replies and feed messages.
 *
 *   build: cmake -S . -B build-fuzz -DCMAKE_C_COMPILER=clang -DESC_FUZZ=ON
 *          cmake --build build-fuzz --target fuzz_request fuzz_seeds
 *   run:   build-fuzz/tests/fuzz_seeds seeds/ && build-fuzz/tests/fuzz_request corpus/ seeds/
 *
 * Any crash, leak, or sanitizer report is a finding; so is a request that
 * validates but names no known operation or holds a string that is not
 * valid UTF-8. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "validate.h"

/* Every string of a validated message is well-formed UTF-8. */
static int
string_valid (const char *field, const char *value, void *arg)
{
    (void) field, (void) arg;
    if (!esc_utf8_valid (value, strlen (value)))
        abort ();
    return 0;
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
    op_t op;
    esc_error_t err;
    Esc__Request *req = validate_request (data, size, &op, &err);
    if (req) {
        if ((unsigned) op >= OP_COUNT)
            abort ();
        validate_each_string (&req->base, string_valid, NULL);
        /* a validated request packs again, and what decodes from that
         * validates as the same operation (protobuf-c keeps unknown fields,
         * even ones numbered 0 that it will not read back: a request that
         * held one may not decode again, and need not) */
        size_t len = esc__request__get_packed_size (req);
        uint8_t *again = malloc (len + 1);
        esc__request__pack (req, again);
        Esc__Request *back = esc__request__unpack (NULL, len, again);
        if (back) {
            op_t op2;
            if (validate_decoded (back, &op2, &err) != 0 || op2 != op)
                abort ();
            esc__request__free_unpacked (back, NULL);
        }
        free (again);
        esc__request__free_unpacked (req, NULL);
    }
    else if (!err.reason || !err.message[0])
        abort ();               /* every refusal names its reason */
    /* what the client decodes from escd */
    esc__reply__free_unpacked (esc__reply__unpack (NULL, size, data), NULL);
    esc__event__free_unpacked (esc__event__unpack (NULL, size, data), NULL);
    esc__heartbeat__free_unpacked (esc__heartbeat__unpack (NULL, size, data), NULL);
    return 0;
}
