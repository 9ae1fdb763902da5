#!/usr/bin/env bash
# failover.sh: escd survives the loss of its database host. Three clusters
# on this machine, A, B and C, listed in one URL (libpq walks its hosts and
# keeps the one that takes writes); a primary always has a synchronous
# standby (synchronous_commit on, the default: a commit is acknowledged
# once it is on the standby's disk too). escd, writers and a watcher run
# throughout:
#   1. a switchover: A is fenced (default_transaction_read_only), escd's
#      writes there fail "cannot execute ... in a read-only transaction"
#      and escd reconnects, rather than failing forever; B is promoted;
#   2. a crash: B, with C streaming from it, is killed with SIGKILL (every
#      process at once, as its machine dying would), C is promoted.
# Afterwards escd carried on within seconds each time, no acknowledged
# write is lost (every acked request id in the request log, once), none
# applied twice (each logged filing is one escalation and one event), the
# event log is gap-free, and the watcher saw every event once, in order;
# and escd listens again on the new primary (another escd's commit wakes it).
PRIVATE_CLUSTER=1
. "$(dirname "$0")/lib.sh"

PG=$ESC_SOURCE/deploy/pg-cluster
A=$ESC_PG_DIR B=$WORK/pg-b C=$WORK/pg-c
story_cleanup() { "$PG" stop "$B"; "$PG" stop "$C"; }

say "A streams to B synchronously"
"$PG" standby "$B" "$A"
# one URL for all three: the database is the one lib.sh made on A
DB=$("$PG" url "$A,$B,$C" "$DBNAME")
on() { psql "$("$PG" url "$1" postgres)" -XAtqc "$2"; }

init_server
add_cast
for i in 1 2 3 4; do add_user "bench$i" sales; done
case "$APP_DB" in *"$A/run,$B/run,$C/run"*target_session_attrs=read-write*) ;;
    *) fail "the app URL lost the hosts: $APP_DB" ;; esac
start_escd a
ok pat quarter open 2031Q1 --capacity-hours 1000000
ok alice account add Acme --arr 1

timeout --foreground 170 "$ESC" --as evan --json watch --since 0 >"$WORK/watch.json" 2>"$WORK/watch.err" &
WATCH=$!

say "1. switchover: A fenced, escd leaves it; B promoted, escd follows"
touch "$WORK/acked"
reliable_writer alice 30 switch 2031Q1 &
SW=$!
wait_lines "$WORK/acked" 5 30
on "$A" "ALTER SYSTEM SET default_transaction_read_only = on" >/dev/null
on "$A" "SELECT pg_reload_conf()" >/dev/null
T0=$SECONDS
for _ in $(seq 1 100); do
    grep -q "takes no writes (a standby, or fenced)" "$WORK/escd-a.log" && break
    sleep 0.1
done
grep -q "takes no writes (a standby, or fenced)" "$WORK/escd-a.log" \
    || fail "escd did not notice that A takes no writes: $(tail -n 5 "$WORK/escd-a.log")"
# meanwhile nothing is written anywhere: A refuses, B is a standby
expect 5 pat --timeout 1 --retries 0 account add Fenced --arr 1
case "$ERR" in "esc: DATABASE_READ_ONLY: "*|"esc: DATABASE_UNAVAILABLE: "*) ;;
    *) fail "a write while A is fenced: $ERR" ;; esac
"$PG" promote "$B"
T1=$SECONDS
took=$(carried_on "$T1")
say "escd wrote again ${took} s after B's promotion ($((SECONDS - T0)) s after the fence)"
grep -q "connected to the database again ($B/run" "$WORK/escd-a.log" \
    || fail "escd did not reconnect to B: $(tail -n 5 "$WORK/escd-a.log")"
wait "$SW" || fail "the switchover's writer failed: $(tail -n 3 "$WORK/switch.err")"

say "2. crash: B streams to C, B dies mid-load, C is promoted"
"$PG" standby "$C" "$B"
Q=2031Q1
"$ESC_BUILD/tests/load" --endpoint "$ENDPOINT_a" --server-key "$ESC_SERVER_KEY" \
    --keys "$ESC_HOME/keys" --users 4 --op file --clients 4 --window 2 --seconds 7 \
    --quarter "$Q" --account Acme --acked "$WORK/acked-load" >"$WORK/load.out" 2>"$WORK/load.err" &
LOAD=$!
reliable_writer bob 30 crash 2031Q1 &
CR=$!
sleep 3
H_BEFORE=$(sql "SELECT last_seq FROM event_counter")
"$PG" kill "$B"
"$PG" promote "$C"
T2=$SECONDS
took=$(carried_on "$T2")
say "escd wrote again ${took} s after C's promotion"
[ "$took" -le 15 ] || fail "escd took $took s to carry on"
grep -q "connected to the database again ($C/run" "$WORK/escd-a.log" \
    || fail "escd did not reconnect to C: $(tail -n 5 "$WORK/escd-a.log")"
wait "$LOAD" || fail "load: $(cat "$WORK/load.err")"
wait "$CR" || fail "the crash's writer failed: $(tail -n 3 "$WORK/crash.err")"
touch "$WORK/acked-load"

say "nothing acknowledged was lost, nothing applied twice"
same "$(on "$C" "SELECT pg_is_in_recovery()")" f "C, the primary now"
# every acknowledged load request is in the new primary's request log, once
sql "SELECT request_id FROM request_log WHERE request_id LIKE 'load-%'" | sort >"$WORK/logged-load"
ACKED=$(sort -u "$WORK/acked-load" | wc -l)
[ "$ACKED" -gt 0 ] || fail "the load got no write acknowledged: $(cat "$WORK/load.out")"
same "$(sort -u "$WORK/acked-load" | comm -23 - "$WORK/logged-load" | wc -l)" 0 \
    "acknowledged load writes missing from the request log"
same "$(sort "$WORK/logged-load" | uniq -d | wc -l)" 0 "request ids logged twice"
# each logged filing is one escalation and one event (a commit whose answer
# was lost with B is applied and logged, once; unacknowledged, it may be)
same "$(sql "SELECT count(*) FROM escalation WHERE title = 'a filing of the load'")" \
    "$(wc -l <"$WORK/logged-load")" "load filings against their logged requests"
same "$(sql "SELECT count(*) FROM event WHERE type = 'escalation.filed' AND summary LIKE '%a filing of the load%'")" \
    "$(wc -l <"$WORK/logged-load")" "load filings' events against their logged requests"
# the writers retried every unanswered request under its id: each of
# their titles once, and every one they were told was written is there
sql "SELECT title FROM escalation WHERE title LIKE 'switch %' OR title LIKE 'crash %'" \
    | sort >"$WORK/applied"
same "$(uniq -d "$WORK/applied" | wc -l)" 0 "the writers' titles applied more than once"
same "$(sort -u "$WORK/acked" | comm -23 - "$WORK/applied" | wc -l)" 0 "the writers' acknowledged titles missing"
same "$(grep -c '^switch ' "$WORK/acked")" 30 "the switchover's writes acknowledged"
same "$(grep -c '^crash ' "$WORK/acked")" 30 "the crash's writes acknowledged"
HEAD=$(head_seq)
[ "$HEAD" -gt "$H_BEFORE" ] || fail "nothing was written after the crash (head $HEAD)"
same "$(sql "SELECT count(*) FROM event")" "$HEAD" "events, one for each seq"
same "$(sql "SELECT count(*) FROM (SELECT seq, lag(seq) OVER (ORDER BY seq) AS prev FROM event) e
             WHERE prev IS NOT NULL AND seq <> prev + 1")" 0 "gaps in the event log"

say "escd listens again on the new primary: another escd's commit wakes it at once"
# the watcher follows escd a's feed; each filing goes through escd b, just
# after a published the one before: without LISTEN, a would find it only
# at its next heartbeat's look, a second later
start_escd b
for i in 1 2 3 4 5; do
    n=$(wc -l <"$WORK/watch.json")
    "$ESC" --as alice --endpoint "$ENDPOINT_b" file --quarter 2031Q1 --account Acme \
        --title "through b $i" --problem p >/dev/null || fail "a filing through escd b"
    t0=$(date +%s%N)
    while [ "$(wc -l <"$WORK/watch.json")" -le "$n" ]; do
        [ $(( ($(date +%s%N) - t0) / 1000000 )) -lt 5000 ] || fail "escd a never published b's filing $i"
        sleep 0.01
    done
    ms=$(( ($(date +%s%N) - t0) / 1000000 ))
    [ "$ms" -lt 600 ] || fail "escd a published b's filing $i after $ms ms: no NOTIFY woke it"
done
HEAD=$(head_seq)

say "the watcher saw every event once, in order"
wait_seq "$WORK/watch.json" "$HEAD" 60
consecutive "$WORK/watch.json" 1 "$HEAD"
kill -0 "$WATCH" || fail "the watcher stopped: $(cat "$WORK/watch.err")"
stop_jobs "$WATCH"
kill -0 "$PID_a" || fail "escd died"
echo "failover: escd carried on through a switchover and a crash; nothing acknowledged lost"
