/* fuzz_seeds.c: writes the fuzzer's seed corpus: one valid request per
 * operation, plus a few that sit on the edges (empty, limits, unknown
 * fields), as DIR/NN-name.bin.
 *
 *   fuzz_seeds DIR */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "esc.pb-c.h"
#include "wire.h"

static const char *dir;
static int count;

static void
save (const char *name, Esc__Request *req)
{
    if (!req->request_id) {
        req->request_id = "seed-request-0001";
        req->has_version = 1;
        req->version = ESC_PROTOCOL_VERSION;
    }
    size_t len = esc__request__get_packed_size (req);
    unsigned char *buf = malloc (len + 1);
    esc__request__pack (req, buf);
    char path[512];
    snprintf (path, sizeof path, "%s/%02d-%s.bin", dir, count++, name);
    FILE *f = fopen (path, "wb");
    if (!f || fwrite (buf, 1, len, f) != len || fclose (f) != 0) {
        perror (path);
        exit (1);
    }
    free (buf);
}

#define SEED(name, field, type, init, ...)                      \
    do {                                                        \
        Esc__Request r = ESC__REQUEST__INIT;                    \
        type m = init;                                          \
        __VA_ARGS__;                                            \
        r.op_case = ESC__REQUEST__OP_##name;                    \
        r.field = &m;                                           \
        save (#field, &r);                                      \
    } while (0)

int
main (int argc, char **argv)
{
    if (argc != 2) {
        fprintf (stderr, "usage: fuzz_seeds DIR\n");
        return 2;
    }
    dir = argv[1];
    char *accounts[] = { "Globex", "Initech, Inc" };
    int64_t items[] = { 3, 4 };
    char *roles[] = { "sales", "pm" };
    SEED (QUARTER_OPEN, quarter_open, Esc__QuarterOpen, ESC__QUARTER_OPEN__INIT,
          m.quarter = "2026Q4", m.has_capacity_hours = 1, m.capacity_hours = 4000,
          m.has_tokens = 1, m.tokens = 1, m.starts_on = "2026-10-01", m.ends_on = "2026-12-31");
    SEED (QUARTER_CLOSE, quarter_close, Esc__QuarterRef, ESC__QUARTER_REF__INIT, m.quarter = "2026Q4");
    SEED (QUARTER_SHOW, quarter_show, Esc__QuarterRef, ESC__QUARTER_REF__INIT, (void) 0);
    SEED (QUARTER_LIST, quarter_list, Esc__Empty, ESC__EMPTY__INIT, (void) 0);
    SEED (ACCOUNT_ADD, account_add, Esc__AccountAdd, ESC__ACCOUNT_ADD__INIT,
          m.name = "Acme", m.has_arr = 1, m.arr = 500000, m.renewal_on = "2027-03-31");
    SEED (ROADMAP_ADD, roadmap_add, Esc__RoadmapAdd, ESC__ROADMAP_ADD__INIT,
          m.title = "SSO", m.category = "feature", m.has_hours = 1, m.hours = 300,
          m.waiting = accounts, m.n_waiting = 2);
    SEED (FILE, file, Esc__File, ESC__FILE__INIT,
          m.account = "Acme", m.title = "Custom export", m.problem = "Finance cannot reconcile",
          m.solution = "CSV", m.has_deal_value = 1, m.deal_value = 300000, m.needed_by = "2026-12-15",
          m.also_needed_by = accounts, m.n_also_needed_by = 2);
    SEED (SIZE, size, Esc__Size, ESC__SIZE__INIT,
          m.has_id = 1, m.id = 7, m.has_hours = 1, m.hours = 40, m.has_viable = 1, m.viable = 1,
          m.displaces = items, m.n_displaces = 2, m.note = "two weeks");
    SEED (RETURN_ESCALATION, return_escalation, Esc__WithReason, ESC__WITH_REASON__INIT,
          m.has_id = 1, m.id = 7, m.reason = "which report?");
    SEED (REFILE, refile, Esc__Refile, ESC__REFILE__INIT, m.has_id = 1, m.id = 7, m.problem = "again");
    SEED (SPEND, spend, Esc__Spend, ESC__SPEND__INIT, m.has_id = 1, m.id = 7, m.note = "yes");
    SEED (OVERRIDE, override, Esc__WithReason, ESC__WITH_REASON__INIT,
          m.has_id = 1, m.id = 7, m.reason = "board");
    SEED (DELIVER, deliver, Esc__Deliver, ESC__DELIVER__INIT,
          m.has_id = 1, m.id = 7, m.has_actual_hours = 1, m.actual_hours = 35);
    SEED (OUTCOME, outcome, Esc__Outcome, ESC__OUTCOME__INIT,
          m.has_id = 1, m.id = 7, m.deal = "won", m.has_adopters = 1, m.adopters = 3);
    SEED (MERGE, merge, Esc__Merge, ESC__MERGE__INIT, m.has_id = 1, m.id = 8, m.has_into = 1, m.into = 7);
    SEED (UNMERGE, unmerge, Esc__EscalationRef, ESC__ESCALATION_REF__INIT, m.has_id = 1, m.id = 8);
    SEED (LIST, list, Esc__ListFilter, ESC__LIST_FILTER__INIT,
          m.quarter = "2026Q4", m.state = "sized", m.account = "Acme", m.has_mine = 1, m.mine = 1);
    SEED (SHOW, show, Esc__EscalationRef, ESC__ESCALATION_REF__INIT, m.has_id = 1, m.id = 7);
    SEED (HISTORY, history, Esc__EscalationRef, ESC__ESCALATION_REF__INIT, m.has_id = 1, m.id = 7);
    SEED (USER_ADD, user_add, Esc__UserAdd, ESC__USER_ADD__INIT,
          m.name = "dana", m.roles = roles, m.n_roles = 2,
          m.public_key = "rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7");
    SEED (USER_LIST, user_list, Esc__Empty, ESC__EMPTY__INIT, (void) 0);
    SEED (EVENTS_SINCE, events_since, Esc__EventsSince, ESC__EVENTS_SINCE__INIT,
          m.has_since = 1, m.since = 100, m.has_limit = 1, m.limit = 1000);
    SEED (USER_REVOKE, user_revoke, Esc__UserRef, ESC__USER_REF__INIT, m.name = "dana");
    SEED (USER_KEY, user_key, Esc__UserKey, ESC__USER_KEY__INIT,
          m.name = "dana", m.public_key = "rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7");
    /* the corrections */
    SEED (EDIT, edit, Esc__Edit, ESC__EDIT__INIT,
          m.has_id = 1, m.id = 7, m.title = "Custom export", m.has_clear_solution = 1,
          m.clear_solution = 1, m.also_needed_by = accounts, m.n_also_needed_by = 2);
    SEED (ACCOUNT_SET, account_set, Esc__AccountSet, ESC__ACCOUNT_SET__INIT,
          m.name = "Acme", m.has_arr = 1, m.arr = 600000, m.rename = "Acme Corp",
          m.has_clear_renewal = 1, m.clear_renewal = 1);
    SEED (ROADMAP_SET, roadmap_set, Esc__RoadmapSet, ESC__ROADMAP_SET__INIT,
          m.has_id = 1, m.id = 3, m.category = "ility", m.has_hours = 1, m.hours = 120,
          m.waiting = accounts, m.n_waiting = 2);
    SEED (STOP, stop, Esc__Stop, ESC__STOP__INIT,
          m.has_id = 1, m.id = 7, m.reason = "the deal is lost", m.has_actual_hours = 1,
          m.actual_hours = 12);
    SEED (QUARTER_REOPEN, quarter_reopen, Esc__QuarterRef, ESC__QUARTER_REF__INIT,
          m.quarter = "2026Q4");
    /* escd about itself; an import that only checks its rows (one without
     * its ARR, as esc sends a row it could not read) */
    SEED (STATUS, status, Esc__Empty, ESC__EMPTY__INIT, (void) 0);
    Esc__AccountRow good = ESC__ACCOUNT_ROW__INIT, unread = ESC__ACCOUNT_ROW__INIT;
    Esc__AccountRow *rows[] = { &good, &unread };
    good.has_line = unread.has_line = 1;
    good.line = 2;
    good.name = "Acme";
    good.has_arr = 1;
    good.arr = 500000;
    good.renewal_on = "2031-03-31";
    unread.line = 3;
    unread.name = "Globex";
    SEED (ACCOUNT_IMPORT, account_import, Esc__AccountImport, ESC__ACCOUNT_IMPORT__INIT,
          m.rows = rows, m.n_rows = 2, m.has_dry_run = 1, m.dry_run = 1);
    /* an order, states, a cursor; one account or roadmap item */
    char *states[] = { "filed", "sized" };
    SEED (LIST, list, Esc__ListFilter, ESC__LIST_FILTER__INIT,
          m.sort = "needed-by", m.states = states, m.n_states = 2, m.account = "Acme",
          m.cursor = "needed-by/2027-06-30/7", m.has_limit = 1, m.limit = 10);
    SEED (ACCOUNT_SHOW, account_show, Esc__AccountRef, ESC__ACCOUNT_REF__INIT, m.name = "Acme");
    SEED (ROADMAP_SHOW, roadmap_show, Esc__RoadmapRef, ESC__ROADMAP_REF__INIT,
          m.has_id = 1, m.id = 3);
    Esc__Request empty = ESC__REQUEST__INIT;
    empty.request_id = "x";
    save ("no-operation", &empty);
    return 0;
}
