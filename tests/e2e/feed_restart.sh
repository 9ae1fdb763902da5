#!/usr/bin/env bash
# feed_restart.sh: a watcher never loses or repeats an event across its own
# restart (--state), escd's restart or crash, and hands events to --exec
# commands once each, retrying a failing one and then reporting it.
. "$(dirname "$0")/lib.sh"

init_server
add_cast
start_escd a
ok pat quarter open 2031Q1 --capacity-hours 100000
ok alice account add Acme --arr 100

say "a watcher stopped and restarted with --state resumes exactly"
H0=$(head_seq)
"$ESC" --as carol --json watch --state "$WORK/w.state" >"$WORK/w1.json" 2>"$WORK/w1.err" &
W=$!
sleep 0.5
writer alice "$ENDPOINT_a" 60 first Acme 2031Q1
wait_lines "$WORK/w1.json" 60
kill -TERM "$W"; st=0; reap "$W" 30 || st=$?
same "$st" 0 "the watcher's exit status after SIGTERM"
same "$(cat "$WORK/w.state")" $((H0 + 60)) "the state file after 60 events"
writer alice "$ENDPOINT_a" 40 meanwhile Acme 2031Q1
"$ESC" --as carol --json watch --state "$WORK/w.state" --since 0 >"$WORK/w2.json" 2>"$WORK/w2.err" &
W=$!
writer alice "$ENDPOINT_a" 20 after Acme 2031Q1
wait_lines "$WORK/w2.json" 60
cat "$WORK/w1.json" "$WORK/w2.json" >"$WORK/w.json"
consecutive "$WORK/w.json" $((H0 + 1)) $((H0 + 120))
stop_jobs "$W"

say "a watcher killed with SIGKILL mid-stream: nothing lost, at most the last event again"
H5=$(head_seq)
echo "$H5" >"$WORK/k.state"
"$ESC" --as carol --json watch --state "$WORK/k.state" >"$WORK/k1.json" 2>"$WORK/k1.err" &
W=$!
sleep 0.5
writer alice "$ENDPOINT_a" 40 killed Acme 2031Q1 &
WR=$!
wait_lines "$WORK/k1.json" 15
kill -KILL "$W"; wait "$W" 2>/dev/null || true
wait "$WR" || fail "the writer failed"
"$ESC" --as carol --json watch --state "$WORK/k.state" >"$WORK/k2.json" 2>"$WORK/k2.err" &
W=$!
wait_seq "$WORK/k2.json" $((H5 + 40))
LAST1=$(tail -n 1 "$WORK/k1.json" | jq .seq)
FIRST2=$(head -n 1 "$WORK/k2.json" | jq .seq)
[ "$FIRST2" -eq $((LAST1 + 1)) ] || [ "$FIRST2" -eq "$LAST1" ] \
    || fail "after SIGKILL the watcher resumed at $FIRST2, having shown $LAST1"
awk -v dup="$LAST1" 'NR == 1 && $0 ~ "\"seq\":" dup "," {next} {print}' "$WORK/k2.json" \
    | cat "$WORK/k1.json" - >"$WORK/k.json"
consecutive "$WORK/k.json" $((H5 + 1)) $((H5 + 40))
stop_jobs "$W"

say "escd restarts under a watcher: nothing lost, nothing repeated"
H1=$(head_seq)
"$ESC" --as carol --json watch >"$WORK/r.json" 2>"$WORK/r.err" &
W=$!
sleep 0.5
writer alice "$ENDPOINT_a" 10 before Acme 2031Q1
wait_lines "$WORK/r.json" 10
stop_escd a TERM
same "$STOPPED_STATUS" 0 "escd's exit status after SIGTERM"
sleep 1
start_escd a
writer alice "$ENDPOINT_a" 10 restarted Acme 2031Q1
wait_lines "$WORK/r.json" 20
say "and a crash (SIGKILL) while the watcher waits"
stop_escd a KILL
sleep 4                         # long enough for the watcher to call the feed silent
start_escd a
writer alice "$ENDPOINT_a" 10 recovered Acme 2031Q1
wait_lines "$WORK/r.json" 30
consecutive "$WORK/r.json" $((H1 + 1)) $((H1 + 30))
grep -q "no word from the feed" "$WORK/r.err" || fail "the watcher never noticed the silence"
stop_jobs "$W"

say "--exec runs a command once per event, the event's JSON on its input"
cat >"$WORK/deliver.sh" <<'SH'
#!/bin/sh
# fails the first time it sees each event, then appends the event
mark="$WORKDIR/seen.$ESC_EVENT_SEQ"
if [ ! -e "$mark" ]; then touch "$mark"; exit 3; fi
cat >>"$WORKDIR/delivered.json"
SH
H2=$(head_seq)
WORKDIR=$WORK "$ESC" --as carol watch --exec "sh $WORK/deliver.sh" --exec-tries 3 \
    --state "$WORK/exec.state" --since "$H2" >"$WORK/exec.out" 2>"$WORK/exec.err" &
W=$!
writer alice "$ENDPOINT_a" 5 exec Acme 2031Q1
wait_lines "$WORK/delivered.json" 5 60
consecutive "$WORK/delivered.json" $((H2 + 1)) $((H2 + 5))
same "$(jq -r .type "$WORK/delivered.json" | sort -u)" escalation.filed "event types delivered"
grep -q "exited 3 (try 1 of 3)" "$WORK/exec.err" || fail "no retry reported: $(cat "$WORK/exec.err")"
same "$(cat "$WORK/exec.out")" "" "--exec prints nothing itself"
stop_jobs "$W"
same "$(cat "$WORK/exec.state")" $((H2 + 5)) "the state after the deliveries"

say "a command that keeps failing is reported, and its event kept for later"
H3=$(head_seq)
echo "$H3" >"$WORK/fail.state"
writer alice "$ENDPOINT_a" 1 doomed Acme 2031Q1
expect 1 carol watch --exec "exit 4" --exec-tries 2 --state "$WORK/fail.state"
case "$ERR" in *"esc: EXEC_FAILED: event $((H3 + 1)): 'exit 4' failed 2 times (last exit 4)"*) ;;
    *) fail "failing --exec: $ERR" ;; esac
same "$(cat "$WORK/fail.state")" "$H3" "the undelivered event stays ahead of the state"

say "SIGTERM while a command runs: the command is stopped too, the event kept"
H4=$(head_seq)
echo "$H4" >"$WORK/slow.state"
"$ESC" --as carol watch --exec "echo \$\$ >'$WORK/cmd.pid'; exec sleep 30" --state "$WORK/slow.state" \
    2>"$WORK/slowexec.err" &
W=$!
writer alice "$ENDPOINT_a" 1 slow Acme 2031Q1
sleep 1
start=$SECONDS
kill -TERM "$W"; st=0; reap "$W" 30 || st=$?
same "$st" 0 "exit status of a watcher stopped mid-command"
[ $((SECONDS - start)) -le 3 ] || fail "the watcher took $((SECONDS - start)) s to stop"
same "$(cat "$WORK/slow.state")" "$H4" "the state after an interrupted command"
[ -s "$WORK/cmd.pid" ] || fail "the command never ran"
kill -0 "$(cat "$WORK/cmd.pid")" 2>/dev/null && fail "the command outlived its watcher"

say "a state file ahead of the log is refused, not trusted"
echo $(( $(head_seq) + 1000 )) >"$WORK/ahead.state"
refused 1 LOG_BEHIND carol watch --state "$WORK/ahead.state"
echo "feed_restart: all steps passed"
