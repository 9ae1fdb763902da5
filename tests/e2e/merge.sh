#!/usr/bin/env bash
# merge.sh: a duplicate is never buried. When the escalation it was merged
# into is withdrawn or declined, the duplicate comes back as it was (filed,
# sized with its hours, or returned with its reason), with an
# escalation.unmerged event in both histories; an unmerge restores the same
# state, and only a pm unmerges. Migration 012 gives existing merges the
# state they came from, and the history finds merges by index.
. "$(dirname "$0")/lib.sh"

init_server
add_cast
start_escd main

Y=$(date +%Y)
Q="${Y}Q$(( ($(date +%-m) - 1) / 3 + 1 ))"
ok pat quarter open "$Q" --capacity-hours 4000 --tokens 1 --max-token-hours 80 --budget-pct 10
ok alice account add Acme --arr 500000
ok bob account add Globex --arr 200000
ok pat account add Initech --arr 90000

# file_as USER ACCOUNT TITLE: files and prints the new id.
file_as() { ok "$1" --quiet file --account "$2" --title "$3" --problem "the problem of $3"; echo "$OUT"; }

# released DUPLICATE TARGET WHOSE: the unmerged events of DUPLICATE that
# name TARGET, as "escalation into state actor", in the history of WHOSE.
released() {
    field pat history "$3" \
        "[.[] | select(.type == \"escalation.unmerged\" and .escalation == $1 and .data.into == $2)
          | \"\(.escalation) \(.data.into) \(.data.state) \(.actor)\"] | join(\"|\")"
}

say "a withdrawn target gives its sized duplicate back, hours and all"
A=$(file_as alice Acme "Audit export")
ok pat size "$A" --hours 30 --viable yes
B=$(file_as bob Globex "Export audit logs")
ok pat merge "$A" --into "$B"
same "$(field pat show "$B" '.customers')" 2 "Globex and Acme need the target"
ok bob withdraw "$B"
same "$(field pat show "$B" '.state')" withdrawn "the target"
same "$(field pat show "$A" '.state')" sized "the duplicate is sized again"
same "$(field pat show "$A" '.hours')" 30 "with its hours"
same "$(field pat show "$A" '.merged_into')" null "merged into nothing"
same "$(field pat show "$B" '.customers')" 1 "the target's customers: Globex alone"
same "$(field pat show "$B" '.also_needed_by | length')" 0 "Acme no longer needs the target"
same "$(field pat show "$B" '.merged | length')" 0 "no duplicates left"
same "$(released "$A" "$B" "$A")" "$A $B sized bob" "the event in the duplicate's history"
same "$(released "$A" "$B" "$B")" "$A $B sized bob" "the event in the target's history"
same "$(field pat history "$A" '[.[] | select(.type == "escalation.unmerged") | .summary] | join("|")')" \
    "bob's withdrawal of escalation $B returned its duplicate $A \"Audit export\" for Acme to sized" \
    "the sentence for people"
same "$(field pat history "$A" '[.[] | select(.type == "escalation.unmerged") | .data.because] | join("|")')" \
    "escalation $B was withdrawn" "why"
same "$(field pat history "$B" '[.[] | select(.type == "escalation.withdrawn") | .data.released | join(",")] | join("|")')" \
    "$A" "the withdrawal lists what it released"
same "$(sql "SELECT count(*) || ' ' || max(seq) FROM event")" "$(head_seq) $(head_seq)" \
    "event sequence without gaps"
# the duplicate is live again: a pm may size it, the CRO may decline it
ok pat size "$A" --hours 32 --viable yes
same "$(field pat show "$A" '.hours')" 32 "sized again"

say "a declined target gives its filed duplicate back"
C=$(file_as alice Acme "Dark mode")
D=$(file_as bob Initech "Night theme")
ok pat size "$D" --hours 12 --viable yes
ok pat merge "$C" --into "$D"
ok carol decline "$D" --reason "not for this product"
same "$(field pat show "$D" '.state')" declined "the target"
same "$(field pat show "$C" '.state')" filed "the duplicate is filed again"
same "$(field pat show "$C" '.hours')" null "never sized"
same "$(released "$C" "$D" "$C")" "$C $D filed carol" "the event in the duplicate's history"
same "$(released "$C" "$D" "$D")" "$C $D filed carol" "the event in the target's history"
same "$(field pat history "$C" '[.[] | select(.type == "escalation.unmerged") | .summary] | join("|")')" \
    "carol's decline of escalation $D returned its duplicate $C \"Dark mode\" for Acme to filed" \
    "the sentence for people"
same "$(field pat show "$D" '.customers')" 1 "the declined target's customers"

say "a returned duplicate comes back returned, with its reason"
E=$(file_as alice Acme "Bulk API")
ok pat return "$E" --reason "Which endpoints?"
F=$(file_as bob Globex "Batch endpoints")
ok pat merge "$E" --into "$F"
same "$(field pat show "$E" '.state_reason')" null "a merged escalation has no reason"
ok bob withdraw "$F"
same "$(field pat show "$E" '.state') $(field pat show "$E" '.state_reason')" \
    "returned Which endpoints?" "returned, with the reason"
ok alice refile "$E" --problem "The orders and invoices endpoints"
same "$(field pat show "$E" '.state')" filed "refiled"

say "only withdrawal and decline release: a returned target keeps its duplicates"
G=$(file_as alice Acme "SAML")
H=$(file_as bob Globex "SSO via SAML")
ok pat merge "$G" --into "$H"
ok pat return "$H" --reason "Which IdP?"
same "$(field pat show "$G" '.state') $(field pat show "$G" '.merged_into')" "merged $H" \
    "still merged into the returned target"

say "a released duplicate keeps its own duplicates"
ok bob refile "$H" --problem "Okta"
K=$(file_as bob Initech "Single sign-on")
ok pat merge "$H" --into "$K"
same "$(field pat show "$K" '.customers')" 3 "the whole family needs the target"
ok bob withdraw "$K"
same "$(field pat show "$H" '.state')" filed "the direct duplicate is back"
same "$(field pat show "$G" '.state') $(field pat show "$G" '.merged_into')" "merged $H" \
    "its own duplicate stays with it"
same "$(field pat show "$H" '.customers')" 2 "Globex and Acme"
same "$(sql "SELECT count(*) FROM event WHERE type = 'escalation.unmerged' AND escalation_id = $G")" 0 \
    "no event for a duplicate that did not move"

say "a retried withdrawal releases nothing twice"
L=$(file_as alice Acme "Webhooks")
M=$(file_as bob Globex "Event callbacks")
ok pat merge "$L" --into "$M"
ok bob --request-id withdraw-m-once withdraw "$M"
ok bob --request-id withdraw-m-once withdraw "$M"
same "$(sql "SELECT count(*) FROM event WHERE type = 'escalation.unmerged' AND escalation_id = $L")" 1 \
    "one release event"
same "$(field pat show "$L" '.state')" filed "released once"

say "unmerge restores the state before the merge, sizing and all; only a pm unmerges"
N=$(file_as alice Acme "Export to S3")
ok pat size "$N" --hours 25 --viable yes --note "one sprint"
P=$(file_as bob Globex "S3 export")
ok pat merge "$N" --into "$P"
for who in alice bob carol evan ada; do
    refused 4 PERMISSION_DENIED "$who" unmerge "$N"
done
ok pat unmerge "$N"
same "$(field pat show "$N" '.state')" sized "sized again, not filed"
same "$(field pat show "$N" '.hours') $(field pat show "$N" '.sizing_note')" "25 one sprint" \
    "the same sizing"
same "$(field pat history "$N" '[.[] | select(.type == "escalation.unmerged") | "\(.data.into) \(.data.state) \(.actor)"] | join("|")')" \
    "$P sized pat" "the unmerge event"
refused 1 INVALID_STATE pat unmerge "$N"
R=$(file_as alice Acme "Retention policy")
ok carol return "$R" --reason "Which regulation?"
ok pat merge "$R" --into "$P"
ok pat unmerge "$R"
same "$(field pat show "$R" '.state') $(field pat show "$R" '.state_reason')" \
    "returned Which regulation?" "returned again, with its reason"

say "the history finds merges into an escalation by index"
# thousands of events, numbered through the counter as escd numbers them;
# one in ten a merge into an escalation that does not exist
psql "$DB" -Xq -v ON_ERROR_STOP=1 <<'SQL'
BEGIN;
WITH next AS (UPDATE event_counter SET last_seq = last_seq + 20000 RETURNING last_seq)
INSERT INTO event (seq, type, actor, data, summary)
SELECT next.last_seq - 20000 + g,
       CASE WHEN g % 10 = 0 THEN 'escalation.merged' ELSE 'test.filler' END,
       'pat', jsonb_build_object('into', 1000000 + g), 'filler ' || g
  FROM next, generate_series(1, 20000) g;
COMMIT;
ANALYZE event;            -- as autovacuum would, soon enough
SQL
same "$(sql "SELECT count(*) || ' ' || max(seq) FROM event")" "$(head_seq) $(head_seq)" \
    "event sequence without gaps"
# store_history's statement, as escd sends it: its string literals in
# server/store_events.c, EVENT_COLUMNS expanded
HISTORY_SQL=$(awk '
    function literals(line,    out, tok) {
        out = ""
        while (match(line, /"([^"\\]|\\.)*"|EVENT_COLUMNS/)) {
            tok = substr(line, RSTART, RLENGTH)
            line = substr(line, RSTART + RLENGTH)
            if (tok == "EVENT_COLUMNS") { out = out columns; continue }
            tok = substr(tok, 2, length(tok) - 2)
            gsub(/\\"/, "\"", tok)
            out = out tok
        }
        return out
    }
    /^#define EVENT_COLUMNS/ { in_columns = 1; next }
    in_columns { columns = columns literals($0); if ($0 !~ /\\$/) in_columns = 0; next }
    /^store_history / { in_history = 1 }
    in_history && /store_exec \(self,/ { in_statement = 1; next }
    in_statement { statement = statement literals($0) }
    in_statement && /ORDER BY seq"/ { print statement; exit }
' "$ESC_SOURCE/server/store_events.c")
case "$HISTORY_SQL" in
    "SELECT * FROM (SELECT seq, type,"*"FROM event"*"WHERE escalation_id = \$1"*"(data->>'into')::bigint = \$1)"*"ORDER BY seq") ;;
    *) fail "store_history's statement not found: '$HISTORY_SQL'" ;;
esac
PLAN=$(psql "$DB" -XAtq -v ON_ERROR_STOP=1 \
    -c "PREPARE history (bigint, bigint) AS $HISTORY_SQL" -c "EXPLAIN EXECUTE history ($B, 10000)")
case "$PLAN" in
    *"Seq Scan on event"*) fail "the history reads the whole event log:
$PLAN" ;;
esac
case "$PLAN" in
    *event_merge_into*) ;;
    *) fail "the history does not use event_merge_into:
$PLAN" ;;
esac
same "$(released "$A" "$B" "$B")" "$A $B sized bob" "the target's history among thousands of events"
same "$(field pat history "$B" 'length')" \
    "$(sql "SELECT count(*) FROM event WHERE escalation_id = $B OR (type LIKE 'escalation.%merged' AND data->>'into' = '$B')")" \
    "the target's whole history"

say "migration 012 gives existing merges the state they came from"
# a database at the migrations before 012, with merges made before it
psql "$(dirname_url)" -qc "CREATE DATABASE \"${DBNAME}_old\"" >/dev/null
OLD=$(printf '%s' "$DB" | sed "s|/$DBNAME?|/${DBNAME}_old?|")
drop_old() { psql "$(dirname_url)" -qc "DROP DATABASE IF EXISTS \"${DBNAME}_old\"" >/dev/null; }
for f in "$ESC_SOURCE"/sql/[0-9][0-9][0-9]_*.sql; do
    [ "$(basename "$f" | cut -c1-3)" \< 012 ] || continue
    psql "$OLD" -Xq -v ON_ERROR_STOP=1 -1 -f "$f" >/dev/null || { drop_old; fail "applying $f"; }
done
# 2: returned (with a sizing) before its merge; 3: sized, no events;
# 4: filed, no events; 5: sized before its merge, as its event says;
# 6: merged once from sized, unmerged (its sizing forgotten), merged again
psql "$OLD" -Xq -v ON_ERROR_STOP=1 <<'SQL' >/dev/null || { drop_old; fail "the old data"; }
INSERT INTO app_user (name, public_key) VALUES ('pat', repeat('k', 40));
INSERT INTO quarter (name, starts_on, ends_on, capacity_hours, tokens, opened_by)
     VALUES ('2030Q1', '2030-01-01', '2030-03-31', 1000, 1, 'pat');
INSERT INTO account (name, arr, created_by) VALUES ('Acme', 1, 'pat');
INSERT INTO escalation (quarter, account_id, filer, title, problem)
     SELECT '2030Q1', id, 'pat', 't' || g, 'p' FROM account, generate_series(1, 6) g;
INSERT INTO sizing (escalation_id, sized_by, hours, viable) VALUES (2, 'pat', 5, true),
       (3, 'pat', 6, true), (5, 'pat', 7, true), (6, 'pat', 8, true);
UPDATE escalation e SET sizing_id = s.id FROM sizing s
 WHERE s.escalation_id = e.id AND e.id IN (2, 3, 5);
UPDATE escalation SET state = 'merged' WHERE id > 1;
INSERT INTO merge (escalation_id, into_id, merged_by, merged_at, unmerged_by, unmerged_at)
     VALUES (2, 1, 'pat', '2030-01-05', NULL, NULL), (3, 1, 'pat', '2030-01-05', NULL, NULL),
            (4, 1, 'pat', '2030-01-05', NULL, NULL), (5, 1, 'pat', '2030-01-06', NULL, NULL),
            (6, 1, 'pat', '2030-01-02', 'pat', '2030-01-03'), (6, 1, 'pat', '2030-01-07', NULL, NULL);
INSERT INTO event (seq, type, actor, escalation_id, data, at) VALUES
    (1, 'escalation.sized', 'pat', 2, '{"state": "sized"}', '2030-01-02'),
    (2, 'escalation.returned', 'pat', 2, '{"state": "returned", "reason": "needs a quote"}', '2030-01-04'),
    (3, 'escalation.merged', 'pat', 2, '{"into": 1, "state": "merged"}', '2030-01-05'),
    (4, 'escalation.sized', 'pat', 5, '{"state": "sized"}', '2030-01-01'),
    (5, 'escalation.sized', 'pat', 6, '{"state": "sized"}', '2030-01-01'),
    (6, 'escalation.merged', 'pat', 6, '{"into": 1, "state": "merged"}', '2030-01-02'),
    (7, 'escalation.unmerged', 'pat', 6, '{"into": 1, "state": "filed"}', '2030-01-03'),
    (8, 'escalation.merged', 'pat', 5, '{"into": 1, "state": "merged"}', '2030-01-06'),
    (9, 'escalation.merged', 'pat', 6, '{"into": 1, "state": "merged"}', '2030-01-07');
UPDATE event_counter SET last_seq = 9;
SQL
psql "$OLD" -Xq -v ON_ERROR_STOP=1 -1 -f "$ESC_SOURCE/sql/012_merge_release.sql" >/dev/null \
    || { drop_old; fail "012 on the old data"; }
BACKFILLED=$(psql "$OLD" -XAtqc "SELECT string_agg(escalation_id || ':' || from_state || ':' || coalesce(from_reason, '-'), ' ' ORDER BY escalation_id)
                                   FROM merge WHERE unmerged_at IS NULL")
drop_old
same "$BACKFILLED" "2:returned:needs a quote 3:sized:- 4:filed:- 5:sized:- 6:filed:-" \
    "the states the merges came from"

echo "merge: all steps passed"
