#!/usr/bin/env bash
# endpoints.sh: esc with several escd (--endpoint, ESC_ENDPOINT or the
# config's endpoint, comma-separated) asks the next when one does not
# answer in time, sending the same request, so the same request id: two
# escd on one database share the request log, and the request is applied
# once however many of them it reached. The ZeroMQ Guide's Freelance
# pattern, model 1 (client/transport.c).
. "$(dirname "$0")/lib.sh"

init_server
add_cast
start_escd a
start_escd b
ok pat quarter open 2031Q1 --capacity-hours 100000
ok alice account add Acme --arr 1
BOTH=$ENDPOINT_a,$ENDPOINT_b

# filed TITLE: how many escalations have TITLE
filed() { sql "SELECT count(*) FROM escalation WHERE title = '$1'"; }
# answered_by NAME ID: how many times escd NAME logged request ID
answered_by() { grep -c "request=$2\( \|$\)" "$WORK/escd-$1.log" || true; }

say "both answer: the first is asked"
ok alice --endpoint "$BOTH" --request-id endpoints-both-0001 file --quarter 2031Q1 --account Acme \
    --title "both up" --problem p
same "$(answered_by a endpoints-both-0001) $(answered_by b endpoints-both-0001)" "1 0" \
    "who answered with both up"

say "the first hangs (SIGSTOP): the same request goes to the second, applied once"
kill -STOP "$PID_a"
start=$(date +%s%N)
ok alice --endpoint "$BOTH" --timeout 4 --request-id endpoints-hung-0001 file --quarter 2031Q1 \
    --account Acme --title "a hung" --problem p
elapsed=$(( ($(date +%s%N) - start) / 1000000 ))
[ "$elapsed" -lt 4000 ] || fail "the answer took $elapsed ms, past the 4 s timeout"
[ "$elapsed" -ge 1000 ] || fail "the answer came in $elapsed ms: did the hung escd answer?"
HUNG_ID=$OUT
same "$(answered_by b endpoints-hung-0001)" 1 "escd b's answers to the request"
same "$(filed "a hung")" 1 "escalations filed by the request"
same "$(sql "SELECT count(*) FROM request_log WHERE request_id = 'endpoints-hung-0001'")" 1 \
    "the request's entries in the request log"

# asked again, the request gets its first answer, and changes nothing
ok alice --endpoint "$BOTH" --timeout 4 --request-id endpoints-hung-0001 file --quarter 2031Q1 \
    --account Acme --title "a hung" --problem p
same "$OUT" "$HUNG_ID" "the answer to the request asked again"
grep -q "request=endpoints-hung-0001 (retry)" "$WORK/escd-b.log" \
    || fail "escd b did not answer the request again from the log"
same "$(filed "a hung")" 1 "escalations filed by the request asked twice"

say "the hung one is killed: esc carries on with the second, however it names them"
stop_escd a KILL
ok alice --endpoint "$BOTH" file --quarter 2031Q1 --account Acme --title "a dead, flag" --problem p
ESC_ENDPOINT=$BOTH ok alice file --quarter 2031Q1 --account Acme --title "a dead, env" --problem p
SAVED_ENDPOINT=$ESC_ENDPOINT
unset ESC_ENDPOINT
ok alice config set endpoint "$BOTH"
ok alice file --quarter 2031Q1 --account Acme --title "a dead, config" --problem p
export ESC_ENDPOINT=$SAVED_ENDPOINT
for t in "a dead, flag" "a dead, env" "a dead, config"; do same "$(filed "$t")" 1 "'$t' filed"; done
# every endpoint is asked once at least, whatever --retries says
ok alice --endpoint "$BOTH" --retries 0 show 1
# a watcher catches up through the list too
timeout --foreground 30 "$ESC" --as evan --json --endpoint "$BOTH" --feed "$FEED_b" watch --since 0 \
    >"$WORK/watch.json" 2>"$WORK/watch.err" &
W=$!
wait_seq "$WORK/watch.json" "$(head_seq)" 25
consecutive "$WORK/watch.json" 1 "$(head_seq)"
stop_jobs "$W"

say "nobody answers: TIMEOUT names them all, within the timeout"
start=$(date +%s%N)
refused 5 TIMEOUT alice --endpoint tcp://127.0.0.1:9,tcp://127.0.0.1:10 --timeout 1 quarter list
elapsed=$(( ($(date +%s%N) - start) / 1000000 ))
[ "$elapsed" -lt 2500 ] || fail "a 1 s timeout over two endpoints took $elapsed ms"
case "$ERR" in *"no answer from tcp://127.0.0.1:9,tcp://127.0.0.1:10 within 1.0 s (3 tries)"*) ;;
    *) fail "a timeout over two endpoints: $ERR" ;; esac

say "a list with a bad endpoint is refused before anything is sent"
misused "--endpoint must look like tcp://HOST:PORT (or ipc://PATH), or be several separated by commas, not 'tcp://127.0.0.1:1,'" \
    alice --endpoint tcp://127.0.0.1:1, quarter list
ESC_ENDPOINT="$ENDPOINT_b,http://x:1" misused "ESC_ENDPOINT: endpoint must look like" alice quarter list
echo "endpoints: a request reaches the escd that answers, and is applied once"
