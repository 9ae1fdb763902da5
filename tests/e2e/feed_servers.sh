#!/usr/bin/env bash
# feed_servers.sh: two escd on one database each publish the whole feed.
# Writers on both, a watcher on each, one on both at once, and one that
# moves from one server to the other: each sees every event once, in order.
. "$(dirname "$0")/lib.sh"

init_server
add_cast
start_escd a
start_escd b
ok pat quarter open 2031Q1 --capacity-hours 100000
ok alice account add Acme --arr 100
ok bob account add Globex --arr 100
H0=$(head_seq)

"$ESC" --as carol --json --endpoint "$ENDPOINT_a" --feed "$FEED_a" watch \
    >"$WORK/on-a.json" 2>"$WORK/on-a.err" &
WA=$!
"$ESC" --as chris --json --endpoint "$ENDPOINT_b" --feed "$FEED_b" watch \
    >"$WORK/on-b.json" 2>"$WORK/on-b.err" &
WB=$!
"$ESC" --as evan --json --endpoint "$ENDPOINT_b" --feed "$FEED_a,$FEED_b" watch \
    >"$WORK/on-both.json" 2>"$WORK/on-both.err" &
WAB=$!
"$ESC" --as pat --json --endpoint "$ENDPOINT_a" --feed "$FEED_a" watch --state "$WORK/move.state" \
    >"$WORK/move-1.json" 2>"$WORK/move-1.err" &
WM=$!
sleep 1

say "writers on both servers"
WRITERS=()
writer alice "$ENDPOINT_a" 300 a-1 Acme 2031Q1 & WRITERS+=($!)
writer bob "$ENDPOINT_b" 300 b-1 Globex 2031Q1 & WRITERS+=($!)
writer alice "$ENDPOINT_b" 300 b-2 Acme 2031Q1 & WRITERS+=($!)
sleep 2
say "a watcher moves from server a to server b halfway"
stop_jobs "$WM"
"$ESC" --as pat --json --endpoint "$ENDPOINT_b" --feed "$FEED_b" watch --state "$WORK/move.state" \
    >"$WORK/move-2.json" 2>"$WORK/move-2.err" &
WM=$!
for w in "${WRITERS[@]}"; do wait "$w" || fail "a writer failed"; done
H1=$(head_seq)
same "$((H1 - H0))" 900 "events written"

for f in on-a on-b on-both; do
    wait_lines "$WORK/$f.json" 900
    consecutive "$WORK/$f.json" $((H0 + 1)) "$H1"
done
wait_lines "$WORK/move-2.json" $((900 - $(wc -l <"$WORK/move-1.json")))
cat "$WORK/move-1.json" "$WORK/move-2.json" >"$WORK/moved.json"
consecutive "$WORK/moved.json" $((H0 + 1)) "$H1"
[ -s "$WORK/move-1.json" ] && [ -s "$WORK/move-2.json" ] || fail "the move did not split the watch"

say "both servers published everything"
grep -q "file OK" "$WORK/escd-a.log" && grep -q "file OK" "$WORK/escd-b.log" \
    || fail "the writes did not reach both servers"
for p in "$WA" "$WB" "$WAB" "$WM"; do kill -TERM "$p"; done
for p in "$WA" "$WB" "$WAB" "$WM"; do reap "$p" 30 || fail "a watcher did not stop cleanly"; done
echo "feed_servers: every watcher saw every event once, in order"
