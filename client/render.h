/* render.h: a reply as people read it, or as one JSON document.
 *
 * Text goes to a terminal: aligned tables for lists, "key: value" lines
 * for one record, a single line after a change. JSON is one document on
 * stdout whose fields keep the wire's names (id, state, account, title,
 * hours, displaces, ...). */
#ifndef ESC_RENDER_H
#define ESC_RENDER_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "esc.pb-c.h"
#include "json.h"
#include "status.h"

/* How a reply is shown. */
typedef struct {
    const char *done;           /* a write's past participle ("filed", "sized"):
                                   one line saying what was done ("escalation 7
                                   filed"); NULL: the whole record or list */
    bool json;                  /* one JSON document instead */
    bool quiet;                 /* only the ids or names, one a line (--quiet) */
} render_how_t;

/* Prints REPLY's result (the reply is OK) to OUT. */
void render_result (const Esc__Reply *reply, const render_how_t *how, FILE *out);

/* V as people read it: "2,000,000" (figures.h), in one of eight buffers
 * that take turns, so that one printf may show up to eight of them. */
const char *render_figure (int64_t v);

/* Prints an error: "esc: REASON: message" on stderr, and with JSON also
 * {"error": {...}} on stdout. */
void render_error (const esc_error_t *err, bool json);

/* A page of escalations as a table (HEADLESS: without the header, for a
 * page after the first). */
void render_escalation_rows (FILE *out, const Esc__EscalationList *l, bool headless);

/* One escalation as a JSON object. */
void render_escalation_json (json_t *j, const Esc__Escalation *e);

/* One event as a JSON object: seq, type, at, actor, quarter, escalation,
 * account, summary, data. */
void render_event_json (json_t *j, const Esc__Event *e);
/* One event as a line for people: "#SEQ TIME SUMMARY"; an override in red
 * when COLOUR. */
void render_event_line (FILE *out, const Esc__Event *e, bool colour);

#endif
