/* listing.h: the orders a list of escalations may take, and the cursor
 * that marks where a page of one ends.
 *
 * A list is paged by its keys, never by an offset: a page of any order is
 * "the escalations after this one", found by an index however deep it is.
 * In id order the key is the id (the older AFTER). In every other order it
 * is the pair (the sort key, the id), so ties go by id and a page never
 * repeats or skips one. The store turns the pair into SQL; the reply
 * carries it to the client as a CURSOR, text of the shape
 *
 *     SORT/KEY/ID    hours/40/17, deal/-1/23, needed-by/infinity/5,
 *                    filed/2026-05-04T10:11:12.345678Z/9
 *     id/ID          id/17
 *
 * KEY being the sort key as the store computes it (one that stands in for
 * "none" included: deal -1, needed-by infinity, hours 0). A client treats a
 * cursor as opaque and sends it back; escd treats it as untrusted input:
 * listing_cursor_parse checks every part (the order, the key's type and
 * shape, the id's range) before anything reaches the database. Pure
 * functions, no I/O. */
#ifndef ESC_LISTING_H
#define ESC_LISTING_H

#include <stddef.h>
#include <stdint.h>

#include "status.h"

/* The orders, as names.h's name_sorts spells them, in this order. */
typedef enum {
    LIST_SORT_ID,               /* id, ascending: the default */
    LIST_SORT_HOURS,            /* sized hours, most first, unsized last */
    LIST_SORT_ARR,              /* the filing account's ARR, highest first */
    LIST_SORT_DEAL,             /* deal value, highest first, none last */
    LIST_SORT_NEEDED_BY,        /* needed-by date, soonest first, none last */
    LIST_SORT_FILED,            /* filing time, newest first */
    LIST_SORT_COUNT
} list_sort_t;

/* What a sort key is, for checking a cursor's. */
typedef enum {
    LIST_KEY_NONE,              /* the id order: the id is the key */
    LIST_KEY_INT,               /* a whole number (int64) */
    LIST_KEY_DATE,              /* YYYY-MM-DD, or infinity (none given) */
    LIST_KEY_TIME,              /* YYYY-MM-DDTHH:MM:SS.ffffffZ, UTC */
} list_key_kind_t;

/* "hours", ...; "unknown" outside the enumeration. */
const char *listing_sort_name (list_sort_t sort);
/* 0 and the order for a known name (as validated: lower case), else -1. */
int listing_sort_parse (const char *name, list_sort_t *sort);
list_key_kind_t listing_key_kind (list_sort_t sort);
/* The key that comes before every escalation in SORT's order (the first
 * page starts after it, with id 0): text the store casts as it casts a
 * cursor's key. "" for the id order. */
const char *listing_start_key (list_sort_t sort);

/* The longest cursor escd makes or takes, its terminating NUL included. */
#define LISTING_CURSOR_MAX 80

typedef struct {
    list_sort_t sort;
    char key[LISTING_CURSOR_MAX];   /* "" in the id order */
    int64_t id;                     /* the last escalation of the page before */
} list_cursor_t;

/* Reads TEXT, a cursor, into OUT. Returns 0, or -1 with INVALID_ARGUMENT
 * in ERR saying what is wrong with it: the shape, the order, the key for
 * that order, an id outside 1 to 2^53-1. */
int listing_cursor_parse (const char *text, list_cursor_t *out, esc_error_t *err);
/* The cursor after the escalation ID whose sort key is KEY (ignored in the
 * id order), into OUT (LEN bytes, at least LISTING_CURSOR_MAX). */
void listing_cursor_format (list_sort_t sort, const char *key, int64_t id, char *out,
                            size_t len);

#endif
