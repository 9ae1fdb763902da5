#!/usr/bin/env bash
# service.sh: escd as systemd runs it (deploy/escd.service, Type=notify),
# with tests/deploy/notify_sink standing in for systemd's end of
# $NOTIFY_SOCKET: READY=1 (with its endpoints) once escd serves and never
# from an escd that could not start, WATCHDOG=1 often enough for
# $WATCHDOG_USEC while it serves, STOPPING=1 last on SIGTERM.
. "$(dirname "$0")/lib.sh"

SINK=$ESC_BUILD/tests/notify_sink
[ -x "$SINK" ] || fail "$SINK is not built"
init_server
add_cast

# sink NAME: a notify_sink at $WORK/NAME.sock writing $WORK/NAME.notify;
# its pid in SINK_PID
sink() {
    "$SINK" "$WORK/$1.sock" >"$WORK/$1.notify" 2>"$WORK/$1.sink.err" &
    SINK_PID=$!
    for _ in $(seq 1 100); do [ -S "$WORK/$1.sock" ] && return 0; sleep 0.05; done
    fail "notify_sink did not bind $WORK/$1.sock: $(cat "$WORK/$1.sink.err")"
}

say "READY=1 once escd serves, naming its endpoints"
sink main
MAIN_SINK=$SINK_PID
export NOTIFY_SOCKET=$WORK/main.sock WATCHDOG_USEC=2000000
start_escd a
unset NOTIFY_SOCKET WATCHDOG_USEC
for _ in $(seq 1 100); do grep -q " READY=1" "$WORK/main.notify" && break; sleep 0.05; done
same "$(grep " READY=1" "$WORK/main.notify" | cut -d' ' -f2-)" \
    "READY=1|STATUS=serving requests on $ESC_ENDPOINT, the feed on $ESC_FEED" "the READY message"
same "$(grep -c " READY=1" "$WORK/main.notify")" 1 "READY messages"
ok alice status

say "WATCHDOG=1 every half of WATCHDOG_USEC (2 s) while it serves"
READY_MS=$(grep " READY=1" "$WORK/main.notify" | cut -d' ' -f1)
sleep 5
ok alice account add Acme --arr 100          # a write between the beats
sleep 1
WATCHDOG_MS=$(grep " WATCHDOG=1$" "$WORK/main.notify" | cut -d' ' -f1)
BEATS=$(printf '%s\n' "$WATCHDOG_MS" | grep -c . || true)
[ "$BEATS" -ge 5 ] || fail "$BEATS WATCHDOG=1 in 6 s, expected at least 5 (one a second): $(cat "$WORK/main.notify")"
# the longest silence, from READY=1 on, must stay under WATCHDOG_USEC
GAP=$(printf '%s\n%s\n' "$READY_MS" "$WATCHDOG_MS" \
      | awk 'NR > 1 && $1 - last > max { max = $1 - last } { last = $1 } END { print max + 0 }')
[ "$GAP" -lt 2000 ] || fail "escd was silent $GAP ms, past WATCHDOG_USEC (2000 ms)"
say "$BEATS beats, the longest silence $GAP ms"

say "no READY=1 from an escd that could not bind"
sink failed
FAILED_SINK=$SINK_PID
st=0
NOTIFY_SOCKET=$WORK/failed.sock WATCHDOG_USEC=2000000 timeout --foreground 60 "$ESCD" run \
    --db "$APP_DB" --home "$WORK/server" --bind "$ESC_ENDPOINT" --feed "$ESC_FEED" \
    >"$WORK/escd-failed.log" 2>&1 || st=$?
same "$st" 1 "the exit status of an escd whose port is taken"
grep -q "cannot bind $ESC_ENDPOINT" "$WORK/escd-failed.log" \
    || fail "the failed escd did not say why: $(cat "$WORK/escd-failed.log")"
sleep 0.2
same "$(cat "$WORK/failed.notify")" "" "what an escd that could not start told systemd"

say "STOPPING=1 last, on SIGTERM"
stop_escd a
same "$STOPPED_STATUS" 0 "escd's exit status"
sleep 0.2
same "$(tail -n 1 "$WORK/main.notify" | cut -d' ' -f2-)" "STOPPING=1" "the last message"
same "$(grep -c " STOPPING=1" "$WORK/main.notify")" 1 "STOPPING messages"
stop_jobs "$MAIN_SINK" "$FAILED_SINK"
echo "service: escd told its service manager when it was ready, alive, and stopping"
