/* conffile.h: settings files, lines of "key = value", as esc's config and
 * escd's --config FILE are written.
 *
 *     # where escd serves requests
 *     bind = tcp://0.0.0.0:7770
 *     write-rate = 1024
 *
 * A line is blank, a comment (its first character past the blanks is '#':
 * a comment is a whole line, since a value such as a Z85 key or a password
 * may hold '#'), or KEY = VALUE, the blanks around KEY and VALUE trimmed
 * (VALUE may hold blanks inside it, and '='). KEY is one of the keys the
 * caller knows, set once in a file; VALUE is not empty. The caller checks
 * and takes each value. The first line that is wrong ends the reading and
 * is named as FILE:LINE: what is wrong; an unknown key gets the nearest
 * known one ("did you mean write-rate?"). */
#ifndef ESC_CONFFILE_H
#define ESC_CONFFILE_H

#include <stddef.h>

/* The largest file read: a settings file is a few hundred bytes. */
#define CONFFILE_MAX 65536

/* Takes VALUE for the KEY-th key (an index into the caller's keys). Returns
 * 0, or -1 with what is wrong with it in WHY, a phrase that names the key
 * ("write-rate takes a whole number from 0 to 1048576, not 'lots'"). */
typedef int (*conffile_take_t) (void *arg, size_t key, const char *value, char *why,
                                size_t len);

/* Parses TEXT (NUL-terminated; cut into keys and values in place), the
 * contents of the file NAME, handing each setting to TAKE in the file's
 * order. KEYS are the N_KEYS keys it may set. Returns 0, or -1 with
 * "NAME:LINE: what is wrong" in ERR after the first bad line (the lines
 * before it were taken). */
int conffile_parse (const char *name, char *text, const char *const *keys, size_t n_keys,
                    conffile_take_t take, void *arg, char *err, size_t errlen);

/* Reads the file PATH whole into *TEXT (malloc'd, the caller frees it;
 * the values TAKE is given point into it) and parses it as
 * conffile_parse does. Returns 0, or -1 with what is wrong in ERR: the file
 * cannot be read, is larger than CONFFILE_MAX, holds a NUL byte, or has a
 * bad line (then *TEXT is NULL). */
int conffile_read (const char *path, char **text, const char *const *keys, size_t n_keys,
                   conffile_take_t take, void *arg, char *err, size_t errlen);

#endif
