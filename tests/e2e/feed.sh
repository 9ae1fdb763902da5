#!/usr/bin/env bash
# feed.sh: the decision feed under load. Four writers file 500 escalations
# each at once. A live watcher, a late one (--since 0), a filtered one and a
# slow one (stopped while the events pour in, so that its queues overflow)
# all end with every event they should see, once each, in order.
. "$(dirname "$0")/lib.sh"

init_server
add_cast
# a small per-watcher queue, so that the stopped watcher surely overflows
start_escd a --feed-hwm 50
ok pat quarter open 2031Q1 --capacity-hours 100000
ok alice account add Acme --arr 100
ok bob account add Globex --arr 100
H0=$(head_seq)

say "watchers subscribe before the writers start"
"$ESC" --as carol --json watch >"$WORK/live.json" 2>"$WORK/live.err" &
LIVE=$!
"$ESC" --as evan --json watch --type escalation.filed --account Globex \
    >"$WORK/filtered.json" 2>"$WORK/filtered.err" &
FILTERED=$!
"$ESC" --as pat --json watch --queue 20 >"$WORK/slow.json" 2>"$WORK/slow.err" &
SLOW=$!
sleep 1
kill -STOP "$SLOW"

say "four writers, 500 filings each, at once"
WRITERS=()
writer alice "$ENDPOINT_a" 500 "alice-1" Acme 2031Q1 & WRITERS+=($!)
writer alice "$ENDPOINT_a" 500 "alice-2" Acme 2031Q1 & WRITERS+=($!)
writer bob "$ENDPOINT_a" 500 "bob-1" Globex 2031Q1 & WRITERS+=($!)
writer bob "$ENDPOINT_a" 500 "bob-2" Globex 2031Q1 & WRITERS+=($!)
for w in "${WRITERS[@]}"; do wait "$w" || fail "a writer failed"; done
H1=$(head_seq)
same "$((H1 - H0))" 2000 "events written"

say "the live watcher saw every event once, in order"
wait_lines "$WORK/live.json" 2000
consecutive "$WORK/live.json" $((H0 + 1)) "$H1"

say "a late watcher from the beginning sees the whole log"
"$ESC" --as chris --json watch --since 0 >"$WORK/late.json" 2>"$WORK/late.err" &
LATE=$!
wait_lines "$WORK/late.json" "$H1"
consecutive "$WORK/late.json" 1 "$H1"

say "the slow watcher overflowed, noticed, and caught up"
kill -CONT "$SLOW"
wait_lines "$WORK/slow.json" 2000
consecutive "$WORK/slow.json" $((H0 + 1)) "$H1"
grep -q "did not come on the feed\|fetching the rest" "$WORK/slow.err" \
    || fail "the slow watcher never missed anything (no overflow?): $(cat "$WORK/slow.err")"

say "a filtered watcher sees only its events, and no false gap"
wait_lines "$WORK/filtered.json" 1000
same "$(jq -s 'length' "$WORK/filtered.json")" 1000 "Globex filings"
same "$(jq -s '[.[] | select(.account != "Globex" or .type != "escalation.filed")] | length' "$WORK/filtered.json")" 0 \
    "events outside the filter"
same "$(jq -s '[.[].seq] == ([.[].seq] | sort | unique)' "$WORK/filtered.json")" true "in order, once each"
if grep -q "did not come on the feed" "$WORK/filtered.err"; then
    fail "the filtered watcher reported a gap: $(cat "$WORK/filtered.err")"
fi

say "text lines for people"
"$ESC" --as carol watch --since "$((H1 - 2))" >"$WORK/text.out" 2>&1 &
TEXT=$!
wait_lines "$WORK/text.out" 2
grep -Eq "^#$((H1 - 1)) [0-9T:.-]+Z  (alice|bob) filed escalation [0-9]+ \"" "$WORK/text.out" \
    || fail "text line: $(head -n 2 "$WORK/text.out")"

for p in "$LIVE" "$FILTERED" "$SLOW" "$LATE" "$TEXT"; do kill -TERM "$p"; done
for p in "$LIVE" "$FILTERED" "$SLOW" "$LATE" "$TEXT"; do
    st=0; reap "$p" 30 || st=$?
    same "$st" 0 "a watcher's exit status after SIGTERM"
done
echo "feed: every watcher saw every event once, in order"
