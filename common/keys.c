/* keys.c: CURVE keypair files. */
#include "keys.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <zmq.h>

bool
key_z85_valid (const char *s)
{
    uint8_t bin[32];
    return s && strlen (s) == KEY_Z85_LEN && zmq_z85_decode (bin, s) != NULL;
}

int
keypair_generate (keypair_t *kp)
{
    memset (kp, 0, sizeof *kp);
    return zmq_curve_keypair (kp->public_key, kp->secret_key) == 0 ? 0 : -1;
}

int
keypair_save (const keypair_t *kp, const char *path, const char *name,
              char *err, size_t errlen)
{
    int fd = open (path, O_WRONLY | O_CREAT | O_EXCL, 0600);
    if (fd < 0) {
        snprintf (err, errlen, "%s: %s", path,
                  errno == EEXIST ? "a key file already exists" : strerror (errno));
        return -1;
    }
    FILE *f = fdopen (fd, "w");
    if (!f) {
        close (fd);
        snprintf (err, errlen, "%s: %s", path, strerror (errno));
        return -1;
    }
    fprintf (f, "# esc CURVE keypair: %s\npublic-key = %s\nsecret-key = %s\n",
             name, kp->public_key, kp->secret_key);
    if (fclose (f) != 0) {
        snprintf (err, errlen, "%s: %s", path, strerror (errno));
        return -1;
    }
    return 0;
}

int
keypair_load (keypair_t *kp, const char *path, char *err, size_t errlen)
{
    memset (kp, 0, sizeof *kp);
    FILE *f = fopen (path, "r");
    if (!f) {
        snprintf (err, errlen, "%s: %s", path, strerror (errno));
        return -1;
    }
    char line[256];
    while (fgets (line, sizeof line, f)) {
        char key[32], value[64];
        if (sscanf (line, " %31[a-z-] = %63s", key, value) != 2)
            continue;
        if (strcmp (key, "public-key") == 0 && strlen (value) == KEY_Z85_LEN)
            memcpy (kp->public_key, value, KEY_Z85_LEN + 1);
        else if (strcmp (key, "secret-key") == 0 && strlen (value) == KEY_Z85_LEN)
            memcpy (kp->secret_key, value, KEY_Z85_LEN + 1);
    }
    fclose (f);
    if (!key_z85_valid (kp->public_key) || !key_z85_valid (kp->secret_key)) {
        snprintf (err, errlen, "%s: not a key file (needs valid public-key and secret-key lines)", path);
        return -1;
    }
    return 0;
}
