#!/usr/bin/env bash
# reliability.sh: esc never loses an acknowledged write and never applies
# one twice: through a stalled escd (the client retries), escd killed with
# SIGKILL or stopped with SIGTERM under load, and PostgreSQL stopped under
# load (escd stays up, answers UNAVAILABLE at once, and reconnects by
# itself). Runs its own PostgreSQL cluster, since it stops it.
PRIVATE_CLUSTER=1
. "$(dirname "$0")/lib.sh"

init_server
add_cast
start_escd a
Q=2031Q1
ok pat quarter open "$Q" --capacity-hours 100000
ok alice account add Acme --arr 100

say "a request that gets no answer in time is sent again, and applied once"
# escd is held up in the database (a writer elsewhere holds the sequence
# lock for 1.6 s, less than escd's lock timeout): the first try (1 s) gets
# no answer, the client sends the same request again on a new connection,
# and escd answers it from the request log once the first has committed
psql "$DB" -Xqc "BEGIN; SELECT * FROM event_counter FOR UPDATE; SELECT pg_sleep(1.6); COMMIT;" >/dev/null &
HOLD=$!
sleep 0.3
ok alice --quiet --timeout 3 --retries 2 file --quarter "$Q" --account Acme --title "held up" --problem p
wait "$HOLD"
same "$(sql "SELECT count(*) FROM escalation WHERE title = 'held up'")" 1 "escalations of a retried request"
grep -q "alice file OK request=[^ ]* (retry)" "$WORK/escd-a.log" || fail "no retry answered from the log"
same "$OUT" "$(sql "SELECT id FROM escalation WHERE title = 'held up'")" "the id the retry printed"

say "a change whose log fails with the COMMIT is not applied, and is once sent again"
# the batch's last change is logged in the COMMIT's round trip: a log that
# fails there fails the COMMIT, nothing of the transaction stays, and the
# connection serves on
sql "CREATE FUNCTION refuse_log () RETURNS trigger LANGUAGE plpgsql
       AS \$\$BEGIN RAISE EXCEPTION 'refused by the test'; END\$\$;
     CREATE TRIGGER refuse_log BEFORE INSERT ON request_log FOR EACH ROW
       WHEN (NEW.request_id = 'held-log-0001') EXECUTE FUNCTION refuse_log ()" >/dev/null
HEAD=$(head_seq)
refused 1 INTERNAL alice --retries 0 --request-id held-log-0001 file --quarter "$Q" \
    --account Acme --title "held log" --problem p
same "$(sql "SELECT count(*) FROM escalation WHERE title = 'held log'")" 0 "escalations of a failed commit"
same "$(head_seq)" "$HEAD" "the event head after a failed commit"
ok alice --quiet file --quarter "$Q" --account Acme --title "after the failed commit" --problem p
sql "DROP TRIGGER refuse_log ON request_log; DROP FUNCTION refuse_log ()" >/dev/null
ok alice --quiet --request-id held-log-0001 file --quarter "$Q" --account Acme --title "held log" \
    --problem p
same "$(sql "SELECT count(*) FROM escalation WHERE title = 'held log'")" 1 "escalations sent again"
same "$(sql "SELECT count(*) FROM request_log WHERE request_id = 'held-log-0001'")" 1 \
    "log entries of the request sent again"

say "a stalled escd: the client keeps trying until it answers"
kill -STOP "$PID_a"
"$ESC" --as alice --timeout 8 --retries 3 file --quarter "$Q" --account Acme --title "stalled" \
    --problem p >"$WORK/stalled.out" 2>"$WORK/stalled.err" &
CLIENT=$!
sleep 3                                 # the first try (2 s) gets nothing
kill -CONT "$PID_a"
st=0; wait "$CLIENT" || st=$?
same "$st" 0 "the retried request's exit status ($(cat "$WORK/stalled.err"))"
same "$(sql "SELECT count(*) FROM escalation WHERE title = 'stalled'")" 1 "escalations of a stalled request"

load() {   # load PREFIX...: one reliable writer per prefix, 80 filings each,
           # and back once they have written a few (and surely not all)
    touch "$WORK/acked"
    local base
    base=$(wc -l <"$WORK/acked")
    WRITERS=()
    for p in "$@"; do reliable_writer alice 80 "$p" "$Q" & WRITERS+=($!); done
    wait_lines "$WORK/acked" $((base + 8)) 60
    [ "$(wc -l <"$WORK/acked")" -lt $((base + 80 * $#)) ] || fail "the writers were done too soon"
}
finish() {
    for w in "${WRITERS[@]}"; do wait "$w" || fail "a writer gave up: $(cat "$WORK"/*.err | tail -n 5)"; done
}

say "escd killed with SIGKILL under load"
load kill-1 kill-2 kill-3 kill-4
stop_escd a KILL
sleep 1
start_escd a
finish
[ "$(awk '/serving requests/ {n = 0} /file OK/ {n++} END {print n}' "$WORK/escd-a.log")" -gt 0 ] \
    || fail "no write reached the restarted escd"
applied_once "$WORK/acked"
same "$(sql "SELECT count(*) FROM escalation WHERE title LIKE 'kill-%'")" 320 "filings after the crash"

say "escd stopped with SIGTERM under load: in-flight requests finish, exit 0"
load term-1 term-2 term-3 term-4
stop_escd a TERM
same "$STOPPED_STATUS" 0 "escd's exit status after SIGTERM under load"
tail -n 1 "$WORK/escd-a.log" | grep -q "escd: stopping" || fail "escd did not stop cleanly"
start_escd a
finish
applied_once "$WORK/acked"
same "$(sql "SELECT count(*) FROM escalation WHERE title LIKE 'term-%'")" 320 "filings after the stop"

say "escd stops at once with connections open on both its sockets"
# each connection made and lost is an event libzmq's I/O threads send to
# escd's guard, up to the moment escd closes its sockets: a smoke test of
# the stop around guard_destroy
exec 7<>"/dev/tcp/127.0.0.1/$PORT_a" 8<>"/dev/tcp/127.0.0.1/$((PORT_a + 1))"
"$ESC" --as evan watch >/dev/null 2>&1 &
WATCH=$!
# connections made and dropped all the while, on both sockets
churn() { while :; do exec 9<>"/dev/tcp/127.0.0.1/$1" || exit 0; exec 9>&-; done; }
churn "$PORT_a" 2>/dev/null & CHURN_A=$!
churn "$((PORT_a + 1))" 2>/dev/null & CHURN_F=$!
sleep 1
T0=$SECONDS
stop_escd a TERM
same "$STOPPED_STATUS" 0 "escd's exit status, stopped with connections open"
[ $((SECONDS - T0)) -le 10 ] || fail "escd took $((SECONDS - T0)) s to stop"
exec 7>&- 8>&-
stop_jobs "$WATCH" "$CHURN_A" "$CHURN_F"
start_escd a

say "PostgreSQL stopped under load: escd stays up and answers UNAVAILABLE at once"
ok ada user revoke bob                  # a key escd admitted at start, revoked before the outage
sleep 0.5                               # escd hears of it on its feed
load pg-1 pg-2 pg-3 pg-4
"$ESC_SOURCE/deploy/pg-cluster" stop "$ESC_PG_DIR"
sleep 0.5
start=$(date +%s%N)
refused 5 DATABASE_UNAVAILABLE chris --retries 0 --timeout 4 quarter list
elapsed=$(( ($(date +%s%N) - start) / 1000000 ))
[ "$elapsed" -lt 1500 ] || fail "UNAVAILABLE took $elapsed ms"
# an admitted key hears DATABASE_UNAVAILABLE; ZAP keeps bob's waiting (300)
run_esc bob --retries 0 --timeout 2 quarter list
case "$RC $ERR" in 0*|*DATABASE_UNAVAILABLE*) fail "a key revoked before the outage got in: $ERR" ;; esac
sleep 2
kill -0 "$PID_a" || fail "escd died with its database"
"$ESC_SOURCE/deploy/pg-cluster" start "$ESC_PG_DIR" >/dev/null
finish
grep -q "connected to the database again" "$WORK/escd-a.log" || fail "escd did not reconnect"
grep -q "file UNAVAILABLE DATABASE_UNAVAILABLE" "$WORK/escd-a.log" \
    || fail "no writer met the outage (were they done before it?)"
applied_once "$WORK/acked"
same "$(sql "SELECT count(*) FROM escalation WHERE title LIKE 'pg-%'")" 320 "filings across the outage"

say "nothing is half applied"
same "$(sql "SELECT count(*) FROM escalation")" \
    "$(sql "SELECT count(*) FROM event WHERE type = 'escalation.filed'")" "escalations and their events"
same "$(sql "SELECT count(*) FROM event")" "$(head_seq)" "events and the sequence"
same "$(sql "SELECT count(*) FROM escalation e WHERE NOT EXISTS (SELECT 1 FROM request_log r
          WHERE r.at >= e.filed_at - interval '1 minute')")" 0 "escalations without their logged answer"
echo "reliability: all steps passed"
