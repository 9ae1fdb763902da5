/* render.h: a reply as people read it, or as one JSON document.
 *
 * Text goes to a terminal: aligned tables for lists, "key: value" lines
 * for one record, a single line after a change. JSON is one document on
 * stdout whose fields keep the wire's names (id, state, account, title,
 * hours, displaces, ...). */
#ifndef ESC_RENDER_H
#define ESC_RENDER_H

#include <stdbool.h>
#include <stdio.h>

#include "esc.pb-c.h"
#include "json.h"
#include "status.h"

typedef enum {
    RENDER_DETAIL,              /* the whole record or list */
    RENDER_ID,                  /* only the new record's id (esc file) */
    RENDER_SUMMARY,             /* one line saying what changed */
} render_style_t;

/* Prints REPLY's result (the reply is OK) to OUT. */
void render_result (const Esc__Reply *reply, render_style_t style, bool json, FILE *out);

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
/* One event as a line for people: "#SEQ TIME SUMMARY". */
void render_event_line (FILE *out, const Esc__Event *e);

#endif
