/* desk_changes.c: what a correction changes, field by field. See
 * desk_handlers.h.
 *
 * Every correction names, in its event, each recorded value it changes with
 * its old and new value ("changes": {"hours": {"old": 40, "new": 45}}), and
 * says the same in the event's sentence for people ("hours 40 -> 45").
 * Values that span lines (a problem, a note) are only said to have changed:
 * the sentence is one line. A field whose value stays is not named. */
#include <stdlib.h>
#include <string.h>

#include "desk_handlers.h"
#include "figures.h"

const char *
desk_figure (arena_t *a, int64_t v)
{
    char buf[FIGURE_SIZE];
    return arena_printf (a, "%s", figure (buf, v));
}

const char *
desk_ids (arena_t *a, const int64_t *v, size_t n)
{
    const char *s = n ? "" : "none";
    for (size_t i = 0; i < n; i++)
        s = arena_printf (a, "%s%s%lld", s, i ? ", " : "", (long long) v[i]);
    return s;
}

void
changes_begin (changes_t *ch, arena_t *a)
{
    memset (ch, 0, sizeof *ch);
    ch->arena = a;
    ch->text = "";
    json_init (&ch->json);
    json_object_begin (&ch->json);
}

/* Adds "LABEL WHAT" to the sentence. */
static void
say (changes_t *ch, const char *label, const char *what)
{
    ch->text = arena_printf (ch->arena, "%s%s%s%s", ch->text, ch->count ? "; " : "", label, what);
    ch->count++;
}

static bool
same_text (const char *a, const char *b)
{
    return strcmp (a ? a : "", b ? b : "") == 0;
}

/* S for the sentence: quoted when QUOTED, "none" when absent. */
static const char *
shown (changes_t *ch, const char *s, bool quoted)
{
    if (!s || !*s)
        return "none";
    return quoted ? arena_printf (ch->arena, "\"%s\"", s) : s;
}

static void
key_old_new (changes_t *ch, const char *field)
{
    json_key (&ch->json, field);
    json_object_begin (&ch->json);
    json_key (&ch->json, "old");
}

void
changes_line (changes_t *ch, const char *field, const char *label, const char *old,
              const char *now, bool quoted)
{
    if (same_text (old, now))
        return;
    key_old_new (ch, field);
    json_string (&ch->json, old && *old ? old : NULL);
    json_kv_string (&ch->json, "new", now && *now ? now : NULL);
    json_object_end (&ch->json);
    say (ch, label, arena_printf (ch->arena, " %s -> %s", shown (ch, old, quoted),
                                  shown (ch, now, quoted)));
}

void
changes_text (changes_t *ch, const char *field, const char *old, const char *now)
{
    if (same_text (old, now))
        return;
    key_old_new (ch, field);
    json_string (&ch->json, old && *old ? old : NULL);
    json_kv_string (&ch->json, "new", now && *now ? now : NULL);
    json_object_end (&ch->json);
    say (ch, field, !now || !*now ? " removed" : !old || !*old ? " added" : " changed");
}

void
changes_int (changes_t *ch, const char *field, const char *label, bool has_old, int64_t old,
             bool has_now, int64_t now)
{
    if (has_old == has_now && (!has_old || old == now))
        return;
    key_old_new (ch, field);
    if (has_old)
        json_int (&ch->json, old);
    else
        json_null (&ch->json);
    json_kv_opt_int (&ch->json, "new", has_now, now);
    json_object_end (&ch->json);
    say (ch, label, arena_printf (ch->arena, " %s -> %s",
                                  has_old ? desk_figure (ch->arena, old) : "none",
                                  has_now ? desk_figure (ch->arena, now) : "none"));
}

void
changes_bool (changes_t *ch, const char *field, bool old, bool now, const char *yes,
              const char *no)
{
    if (old == now)
        return;
    key_old_new (ch, field);
    json_bool (&ch->json, old);
    json_kv_bool (&ch->json, "new", now);
    json_object_end (&ch->json);
    say (ch, "", arena_printf (ch->arena, "%s -> %s", old ? yes : no, now ? yes : no));
}

static int
compare_ints (const void *a, const void *b)
{
    int64_t x = *(const int64_t *) a, y = *(const int64_t *) b;
    return (x > y) - (x < y);
}

/* N ids of V, sorted and without repeats, into an arena copy; *N updated. */
static int64_t *
id_set (arena_t *a, const int64_t *v, size_t *n)
{
    int64_t *s = arena_alloc (a, (*n + 1) * sizeof *s);
    if (*n)
        memcpy (s, v, *n * sizeof *s);
    qsort (s, *n, sizeof *s, compare_ints);
    size_t k = 0;
    for (size_t i = 0; i < *n; i++)
        if (k == 0 || s[k - 1] != s[i])
            s[k++] = s[i];
    *n = k;
    return s;
}

void
changes_ids (changes_t *ch, const char *field, const char *label, const int64_t *old,
             size_t n_old, const int64_t *now, size_t n_now)
{
    int64_t *o = id_set (ch->arena, old, &n_old), *w = id_set (ch->arena, now, &n_now);
    if (n_old == n_now && (n_old == 0 || memcmp (o, w, n_old * sizeof *o) == 0))
        return;
    key_old_new (ch, field);
    json_array_begin (&ch->json);
    for (size_t i = 0; i < n_old; i++)
        json_int (&ch->json, o[i]);
    json_array_end (&ch->json);
    json_kv_ints (&ch->json, "new", w, n_now);
    json_object_end (&ch->json);
    say (ch, label, arena_printf (ch->arena, " %s -> %s", desk_ids (ch->arena, o, n_old),
                                  desk_ids (ch->arena, w, n_now)));
}

static int
compare_names (const void *a, const void *b)
{
    return strcmp (*(char *const *) a, *(char *const *) b);
}

/* N names of V, sorted and without repeats, into an arena copy. */
static char **
name_set (arena_t *a, char *const *v, size_t *n)
{
    char **s = arena_alloc (a, (*n + 1) * sizeof *s);
    if (*n)
        memcpy (s, v, *n * sizeof *s);
    qsort (s, *n, sizeof *s, compare_names);
    size_t k = 0;
    for (size_t i = 0; i < *n; i++)
        if (k == 0 || strcmp (s[k - 1], s[i]) != 0)
            s[k++] = s[i];
    *n = k;
    return s;
}

static const char *
names_text (arena_t *a, char *const *v, size_t n)
{
    const char *s = n ? "" : "none";
    for (size_t i = 0; i < n; i++)
        s = arena_printf (a, "%s%s%s", s, i ? ", " : "", v[i]);
    return s;
}

void
changes_names (changes_t *ch, const char *field, const char *label, char *const *old,
               size_t n_old, char *const *now, size_t n_now)
{
    char **o = name_set (ch->arena, old, &n_old), **w = name_set (ch->arena, now, &n_now);
    bool same = n_old == n_now;
    for (size_t i = 0; same && i < n_old; i++)
        same = strcmp (o[i], w[i]) == 0;
    if (same)
        return;
    key_old_new (ch, field);
    json_array_begin (&ch->json);
    for (size_t i = 0; i < n_old; i++)
        json_string (&ch->json, o[i]);
    json_array_end (&ch->json);
    json_kv_strings (&ch->json, "new", w, n_now);
    json_object_end (&ch->json);
    say (ch, label, arena_printf (ch->arena, " %s -> %s", names_text (ch->arena, o, n_old),
                                  names_text (ch->arena, w, n_now)));
}

void
changes_end (changes_t *ch, json_t *data)
{
    json_object_end (&ch->json);
    if (data && ch->count) {
        json_key (data, "changes");
        json_raw (data, json_text (&ch->json));
    }
    json_release (&ch->json);
}
