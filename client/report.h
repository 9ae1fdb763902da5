/* report.h: esc report, the quarter's scoreboard for people and programs.
 *
 *   esc report [--quarter Q] [--month YYYY-MM] [--format text|json|html|csv]
 *
 * escd computes every figure; this lays them out: text for a terminal
 * (aligned, readable without colour; colour only on a terminal and unless
 * NO_COLOR is set), JSON with every figure, one self-contained HTML page
 * (inline CSS and SVG: the quarter as a cake, the one-off share against
 * its marks, the tables), or CSV of the quarter's escalations. */
#ifndef ESC_REPORT_H
#define ESC_REPORT_H

#include <stdbool.h>
#include <stdio.h>

#include "args.h"
#include "esc.pb-c.h"
#include "json.h"
#include "session.h"

int report_run (const session_t *s, const args_t *a, const char *user, const keypair_t *kp);

void report_text (FILE *out, const Esc__Report *r, bool colour);
void report_json (json_t *j, const Esc__Report *r);
void report_html (FILE *out, const Esc__Report *r);
/* COUNT escalations as CSV rows, with HEADER the header first. */
void report_csv (FILE *out, Esc__Escalation *const *escalations, size_t count, bool header);

#endif
