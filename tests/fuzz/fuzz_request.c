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

/* Every string of a validated message is well-formed UTF-8: check it again
 * the slow way, independently of validate.c's walk. */
static void
assert_strings_valid (const ProtobufCMessage *m)
{
    const ProtobufCMessageDescriptor *d = m->descriptor;
    for (unsigned i = 0; i < d->n_fields; i++) {
        const ProtobufCFieldDescriptor *f = &d->fields[i];
        const char *base = (const char *) m;
        if (f->type != PROTOBUF_C_TYPE_STRING && f->type != PROTOBUF_C_TYPE_MESSAGE)
            continue;
        size_t n = 1;
        void *const *items = (void *const *) (base + f->offset);
        if (f->label == PROTOBUF_C_LABEL_REPEATED) {
            n = *(const size_t *) (base + f->quantifier_offset);
            items = *(void *const *const *) (base + f->offset);
        }
        else if ((f->flags & PROTOBUF_C_FIELD_FLAG_ONEOF)
                 && *(const uint32_t *) (base + f->quantifier_offset) != f->id)
            continue;
        for (size_t k = 0; k < n; k++) {
            if (!items[k])
                continue;
            if (f->type == PROTOBUF_C_TYPE_MESSAGE)
                assert_strings_valid (items[k]);
            else if (!esc_utf8_valid (items[k], strlen (items[k])))
                abort ();
        }
    }
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
        assert_strings_valid (&req->base);
        /* a validated request packs again to something that validates */
        size_t len = esc__request__get_packed_size (req);
        uint8_t *again = malloc (len + 1);
        esc__request__pack (req, again);
        op_t op2;
        Esc__Request *back = validate_request (again, len, &op2, &err);
        if (!back || op2 != op)
            abort ();
        esc__request__free_unpacked (back, NULL);
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
