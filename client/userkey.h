/* userkey.h: esc user key ME --new, a switch to a keypair made here that
 * no interruption can turn into a lock-out.
 *
 * Three files under $ESC_HOME/keys take part:
 *     ME.key      the key esc speaks as; replaced only once escd holds the
 *                 new one
 *     ME.key.new  the new keypair, with the request id it is sent under
 *                 (a "request-id = ..." line, which keypair_load ignores);
 *                 made once, then kept until escd either took the key (it
 *                 becomes ME.key) or definitely refused the request (it is
 *                 deleted): never deleted while escd may hold it
 *     ME.key.old  the key before the last switch
 *
 * A run that finds ME.key.new finishes that switch rather than starting
 * another: it asks escd, speaking as the new key, whether the key is
 * active already (then only the files are switched), and otherwise sends
 * the same request (same key, same request id) again as the old key. When
 * escd cannot be asked (no answer, busy), ME.key.new is kept and running
 * the same command again finishes the switch. */
#ifndef ESC_USERKEY_H
#define ESC_USERKEY_H

#include "keys.h"
#include "session.h"

/* Switches USER, speaking as CURRENT (the keypair in USER.key), to a key
 * made here, or finishes a switch begun earlier. Returns the exit code:
 * EXIT_DONE once escd holds the new key and USER.key is it; escd's
 * refusal's code when it definitely refused (USER.key.new is deleted);
 * EXIT_DENIED when escd admits neither key; EXIT_UNREACHABLE (or the
 * code of another undecided outcome) with USER.key.new kept. */
int userkey_switch (const session_t *s, const char *user, const keypair_t *current);

#endif
