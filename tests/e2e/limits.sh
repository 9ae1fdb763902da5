#!/usr/bin/env bash
# limits.sh: a registered user of every role, with a crafted client
# (tests/hostile/flood.c), cannot stall, bloat or fill escd. Each attack
# runs while escd's memory is watched; after each, escd must still answer
# others at once. Prints escd's resident memory after each step.
#
#   subscriptions (alice, sales)  random subscriptions and junk to the feed
#   routing ids (alice)           connections claiming the ids libzmq would
#                                 give the next peers
#   multipart (pat, pm)           a 600 MiB message in 64 KiB frames
#   oversized (carol, cro)        a 2 MiB frame
#   refused (evan, exec)          requests refused before authorisation,
#                                 each with 256 KiB of junk: none is logged
#   writes (alice)                filings past the user's write rate
#   pipelining (chris, cro)       12 heavy lists in flight, while bob (sales)
#                                 shows and files: bob's p99 stays near his
#                                 unloaded p99
#   watchers (ada, admin)         more feed connections than a user may hold
#   keys (carol, bob)             a replaced key on an open connection, a
#                                 revoked user's running watch
#   retention                     the request log is pruned past its window
#
# Under the sanitizers, memory figures say little (shadow memory, the
# quarantine): there the guard is off and only survival is checked.
. "$(dirname "$0")/lib.sh"

SANITIZED=$(grep -c '^ESC_SANITIZE:BOOL=ON' "$ESC_BUILD/CMakeCache.txt" || true)
BOUND=160                               # MiB escd may have in use
if [ "$SANITIZED" -gt 0 ]; then
    GUARD=(--max-memory 0)
    export ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}quarantine_size_mb=16
else
    GUARD=(--max-memory "$BOUND")
fi

init_server
add_cast
# a low write rate (64 KiB a minute) and few feed connections per user, so
# that the limits are reached in seconds
start_escd a --write-rate 64 --feed-per-user 8 "${GUARD[@]}"
ok pat quarter open 2031Q1 --capacity-hours 100000
ok alice account add Acme --arr 100
ok alice file --quarter 2031Q1 --account Acme --title "the honest one" --problem p
X1=$(field alice list --quarter 2031Q1 '.escalations[0].id')
# a big quarter for the heavy lists: 20,000 escalations, straight in SQL
psql "$DB" -Xq -v ON_ERROR_STOP=1 -c "
    INSERT INTO escalation (quarter, account_id, filer, title, problem)
    SELECT '2031Q1', (SELECT id FROM account WHERE name = 'Acme'), 'alice', 'seeded ' || g, 'p'
      FROM generate_series(1, 20000) g; ANALYZE;" >/dev/null

# flood USER ATTACK ARGS: the crafted client, given two minutes at most
flood() {
    local user=$1; shift
    timeout 120 "$ESC_BUILD/tests/flood" --endpoint "$ENDPOINT_a" --feed "$FEED_a" \
        --server-key "$ESC_SERVER_KEY" --key "$ESC_HOME/keys/$user.key" "$@"
}
rss_mib() { awk '/^VmRSS/ {print int($2 / 1024)}' "/proc/$PID_a/status"; }
figure() { printf '%s\n' "$1" | awk -v k="$2" '$1 == k {print $2}'; }
# peak_while PID: the highest resident memory of escd (MiB) until PID ends
peak_while() {
    local peak=0 now
    while kill -0 "$1" 2>/dev/null; do
        now=$(rss_mib)
        [ "$now" -gt "$peak" ] && peak=$now
        sleep 0.05
    done
    echo "$peak"
}
# escd answers someone else at once
still_serving() {
    local start=$SECONDS
    ok chris show "$X1"
    [ $((SECONDS - start)) -le 2 ] || fail "escd took $((SECONDS - start)) s to answer after $1"
    kill -0 "$PID_a" || fail "escd died during $1"
}
DB_SIZE_0=$(sql "SELECT pg_database_size(current_database())")
LOG_0=$(sql "SELECT count(*) FROM request_log")
say "escd at rest: $(rss_mib) MiB"

say "subscriptions: 20,000 random 4 KiB subscriptions and messages to the feed (alice, sales)"
flood alice subscriptions 20000 4096 >"$WORK/subs.out" &
PEAK=$(peak_while $!)
wait $! || fail "the subscription flood failed"
say "escd peaked at $PEAK MiB, now $(rss_mib) MiB"
[ "$SANITIZED" -gt 0 ] || [ "$PEAK" -lt 100 ] || fail "the subscription flood grew escd to $PEAK MiB"
still_serving "the subscription flood"

say "routing ids: 512 connections claiming the ids libzmq would give the next peers (alice)"
flood alice claim 8 >"$WORK/claim.out" &
CLAIM=$!
for _ in $(seq 1 50); do grep -q claimed "$WORK/claim.out" && break; sleep 0.1; done
sleep 1
for i in 1 2 3; do
    ok bob quarter list
    timeout --foreground -k 10 2 "$ESC" --as bob watch >/dev/null 2>&1 || true
done
kill -0 "$PID_a" || fail "escd died when honest peers came after the claimed routing ids"
wait "$CLAIM" || fail "the routing id claims ended with status $?"
still_serving "the claimed routing ids"

say "multipart: a 600 MiB message in 64 KiB frames (pat, pm)"
flood pat multipart 600 >"$WORK/multipart.out" &
PEAK=$(peak_while $!)
wait $! || fail "the multipart attack failed"
OUT=$(cat "$WORK/multipart.out")
say "escd peaked at $PEAK MiB, now $(rss_mib) MiB; $(figure "$OUT" multipart_cut) cut"
if [ "$SANITIZED" -eq 0 ]; then
    same "$(figure "$OUT" multipart_cut)" yes "the endless message's connection cut"
    # the guard looks ten times a second: what arrives meanwhile overshoots
    [ "$PEAK" -lt $((BOUND + 200)) ] || fail "the multipart attack grew escd to $PEAK MiB"
    grep -q "over the bound of $BOUND MiB: cutting the connection" "$WORK/escd-a.log" \
        || fail "escd did not say why it cut the connection"
    for _ in $(seq 1 50); do [ "$(rss_mib)" -lt "$BOUND" ] && break; sleep 0.1; done
    [ "$(rss_mib)" -lt "$BOUND" ] || fail "escd kept $(rss_mib) MiB after the cut"
fi
still_serving "the multipart attack"

say "oversized: one 2 MiB frame (carol, cro)"
OUT=$(flood carol oversized)
same "$(figure "$OUT" oversized_dropped)" yes "the oversized frame's connection dropped"
still_serving "the oversized frame"

say "refused: 200 requests refused before authorisation, 256 KiB of junk each (evan, exec)"
OUT=$(flood evan refused 200 262144)
say "$(echo $OUT)"
same "$(figure "$OUT" refused_answered)" 200 "answers"
same "$(( $(figure "$OUT" refused_denied) + $(figure "$OUT" refused_too_many) ))" 200 \
    "refusals: PERMISSION_DENIED, or TOO_MANY_REQUESTS past the user's queue"
same "$(sql "SELECT count(*) FROM request_log")" "$LOG_0" "request log entries after the refusals"
still_serving "the refused flood"

say "writes: filings of 7 KB past alice's write rate"
OUT=$(flood alice writes 30 7000)
say "$(echo $OUT)"
LIMITED=$(figure "$OUT" writes_rate_limited)
[ "$LIMITED" -gt 0 ] || fail "no filing was rate-limited: $OUT"
[ "$(figure "$OUT" writes_ok)" -le 12 ] || fail "more filings than the rate allows: $OUT"
same "$(figure "$OUT" writes_other)" 0 "other answers to the filings"
refused 6 RATE_LIMITED alice file --quarter 2031Q1 --account Acme --title T --problem P
ok bob file --quarter 2031Q1 --account Acme --title "bob is not limited" --problem P

say "pipelining: 12 lists of 1,000 in flight (chris, cro) while bob shows and files"
ALONE=$(flood bob probe 60 "$X1")
P99_ALONE=$(figure "$ALONE" probe_p99_ms)
flood chris pipeline 12 12 list >"$WORK/pipeline.out" &
ATTACK=$!
sleep 1
LOADED=$(flood bob probe 60 "$X1")
wait "$ATTACK"
P99_LOADED=$(figure "$LOADED" probe_p99_ms)
PIPE=$(cat "$WORK/pipeline.out")
say "bob's p99: $P99_ALONE ms alone, $P99_LOADED ms beside the pipeline ($(figure "$PIPE" pipeline_answered) answered, $(figure "$PIPE" pipeline_refused) of them TOO_MANY_REQUESTS)"
same "$(figure "$LOADED" probe_failed)" 0 "bob's requests that failed beside the pipeline"
# a generous bound: heavy reads run on escd's reader thread, by turns
# between users; a user's share of a batch is four units
awk -v a="$P99_ALONE" -v l="$P99_LOADED" 'BEGIN { exit !(l < 20 * a + 250) }' \
    || fail "bob waited $P99_LOADED ms at p99 beside the pipeline ($P99_ALONE ms alone)"
still_serving "the pipeline"

say "a big quarter's first page comes at once, and reads hold no lock a second escd waits for"
start=$(date +%s%N)
ok bob list --quarter 2031Q1
elapsed=$(( ($(date +%s%N) - start) / 1000000 ))
say "esc list over 20,000: $elapsed ms"
[ "$elapsed" -lt 2000 ] || fail "the first page of 20,000 took $elapsed ms"
start_escd b --write-rate 0
# chris keeps heavy reports in flight on escd a while bob files on escd a
# and on escd b: no filing waits for a lock held by a read
flood chris pipeline 8 12 report >/dev/null &
PIPE_A=$!
for i in $(seq 1 20); do
    ok bob --endpoint "$ENDPOINT_a" file --quarter 2031Q1 --account Acme --title "on a $i" --problem p
    ok bob --endpoint "$ENDPOINT_b" file --quarter 2031Q1 --account Acme --title "on b $i" --problem p
done
wait "$PIPE_A"
grep -q DATABASE_BUSY "$WORK/escd-a.log" "$WORK/escd-b.log" && fail "a write waited for a lock: DATABASE_BUSY"
stop_escd b

say "watchers: 12 feed connections of one user, who may hold 8 (ada, admin)"
OUT=$(flood ada watchers 12)
same "$(figure "$OUT" watchers_heard)" 8 "connections served"
same "$(figure "$OUT" watchers_refused)" 4 "connections refused FEED_LIMIT"

say "keys: a replaced key stops on an open connection; a revoked user's watch ends"
flood carol live "$WORK/go" >"$WORK/live.out" &
LIVE=$!
"$ESC" --as carol --json watch >"$WORK/carol.json" 2>"$WORK/carol.err" &
CAROL_WATCH=$!
"$ESC" --as bob --json watch >"$WORK/bob.json" 2>"$WORK/bob.err" &
WATCH=$!
for _ in $(seq 1 50); do grep -q live_before "$WORK/live.out" && break; sleep 0.1; done
same "$(figure "$(cat "$WORK/live.out")" live_before)" OK "carol's first request"
"$ESC" keygen carol2 >/dev/null
ok ada user key carol --key "$(sed -n 's/^public-key = //p' "$ESC_HOME/keys/carol2.key")"
touch "$WORK/go"
wait "$LIVE"
same "$(figure "$(cat "$WORK/live.out")" live_after)" UNAUTHENTICATED \
    "carol's next request on the open connection"
st=0
for _ in $(seq 1 100); do kill -0 "$CAROL_WATCH" 2>/dev/null || break; sleep 0.1; done
wait "$CAROL_WATCH" || st=$?
same "$st" 4 "the exit status of a watch whose key was replaced"
ok ada user revoke bob
st=0
for _ in $(seq 1 100); do kill -0 "$WATCH" 2>/dev/null || break; sleep 0.1; done
wait "$WATCH" || st=$?
same "$st" 4 "the revoked user's watch's exit status"
# the feed says so, or the catch-up request the watch had in flight does
grep -qE "^esc: UNAUTHENTICATED: (the feed ended this subscription|this connection's key is no longer)" \
    "$WORK/bob.err" || fail "the revoked watch did not say why it ended: $(cat "$WORK/bob.err")"

say "retention: request log entries past the window go"
sql "UPDATE request_log SET at = now() - interval '8 days'" >/dev/null
OLD=$(sql "SELECT count(*) FROM request_log")
[ "$OLD" -gt 0 ] || fail "the request log is empty"
stop_escd a
start_escd a --write-rate 64 "${GUARD[@]}"
for _ in $(seq 1 50); do [ "$(sql "SELECT count(*) FROM request_log")" = 0 ] && break; sleep 0.1; done
same "$(sql "SELECT count(*) FROM request_log")" 0 "entries older than 7 days"
grep -q "pruned $OLD request log entr" "$WORK/escd-a.log" || fail "escd did not say it pruned"

GROWTH=$(( ($(sql "SELECT pg_database_size(current_database())") - DB_SIZE_0) / 1048576 ))
say "the database grew $GROWTH MiB in all; escd holds $(rss_mib) MiB"
[ "$GROWTH" -lt 20 ] || fail "the database grew $GROWTH MiB"
echo "limits: every attack was held"
