/* keys.h: CURVE keypairs in files, shared by esc (users) and escd (server).
 *
 * A key file is text, mode 0600:
 *     # esc CURVE keypair: NAME
 *     public-key = <40 Z85 characters>
 *     secret-key = <40 Z85 characters>
 * Only the public key ever leaves the machine. */
#ifndef ESC_KEYS_H
#define ESC_KEYS_H

#include <stdbool.h>
#include <stddef.h>

#define KEY_Z85_LEN 40

typedef struct {
    char public_key[KEY_Z85_LEN + 1];
    char secret_key[KEY_Z85_LEN + 1];
} keypair_t;

/* True when S is 40 characters of Z85 that decode to a 32-byte key. */
bool key_z85_valid (const char *s);

/* A new random keypair. Returns 0, or -1 when libzmq lacks CURVE. */
int keypair_generate (keypair_t *kp);

/* Writes KP to PATH (mode 0600), creating it only if absent. Returns 0, or
 * -1 with a message in ERR (the file exists, or an I/O error). */
int keypair_save (const keypair_t *kp, const char *path, const char *name,
                  char *err, size_t errlen);

/* Reads a key file. Returns 0, or -1 with a message in ERR naming the path
 * and what is wrong with it. */
int keypair_load (keypair_t *kp, const char *path, char *err, size_t errlen);

#endif
