#!/usr/bin/env bash
# config.sh: escd run --config FILE. The file's settings apply and a flag on
# the command line overrides the file's; a bad file stops escd run before it
# serves (exit 2, the file and line named, the same message a bad flag
# gets). SIGHUP reads the file again: a lowered write rate is enforced at
# once and logged ("write-rate: 1024 -> 64"), the log level changes, a
# setting that needs a restart is said to, and a broken file is logged and
# changes nothing.
. "$(dirname "$0")/lib.sh"

init_server
add_user alice sales
add_user pat pm
CONF=$WORK/escd.conf
LOG=$WORK/escd-a.log

# escd_exits CONF [ARGS]: escd run with --config CONF (and ARGS) must stop
# before serving, exit 2; its stderr goes to STDERR
escd_exits() {
    local conf=$1 rc=0; shift
    timeout 20 "$ESCD" run --config "$conf" --db "$APP_DB" --home "$WORK/server" \
        --bind tcp://127.0.0.1:1 --feed tcp://127.0.0.1:2 "$@" 2>"$WORK/stderr" || rc=$?
    STDERR=$(cat "$WORK/stderr")
    [ "$rc" -eq 2 ] || fail "escd run --config $conf $* exited $rc, expected 2: $STDERR"
}

# wait_log PATTERN [COUNT]: until escd's log has COUNT lines (default 1)
# matching PATTERN (grep -F), for up to 20 s
wait_log() {
    local deadline=$((SECONDS + 20))
    while [ "$(grep -cF -- "$1" "$LOG" || true)" -lt "${2:-1}" ]; do
        [ "$SECONDS" -lt "$deadline" ] || fail "escd never logged '$1'; it logged:
$(tail -n 20 "$LOG")"
        sleep 0.05
    done
}

# hup PATTERN: SIGHUP to escd, then its log says PATTERN once more than
# before
hup() {
    local before
    before=$(grep -cF -- "$1" "$LOG" || true)
    kill -HUP "$PID_a"
    wait_log "$1" $((before + 1))
}

say "a bad file: exit 2, the file and its line named"
printf '# escd\nbatch = 32\nwrite_rate = 64\n' >"$CONF"
escd_exits "$CONF"
same "$STDERR" "escd: $CONF:3: unknown key 'write_rate'; did you mean write-rate?" "an unknown key"
# a value: the message a flag gets, after the file and line
printf 'bind = tcp://127.0.0.1:9\n\nwrite-rate = lots\n' >"$CONF"
escd_exits "$CONF"
same "$STDERR" "escd: $CONF:3: write-rate takes a whole number from 0 to 1048576, not 'lots'" \
    "a bad value"
FLAG=$(timeout 20 "$ESCD" run --write-rate lots 2>&1 | head -n 1 || true)
same "$FLAG" "escd: --write-rate takes a whole number from 0 to 1048576, not 'lots'" \
    "the flag's message"
# overridden by a flag or not, a bad line is a bad file
escd_exits "$CONF" --write-rate 5
same "$STDERR" "escd: $CONF:3: write-rate takes a whole number from 0 to 1048576, not 'lots'" \
    "a bad value under a flag"
printf 'log-level = loud\n' >"$CONF"
escd_exits "$CONF"
same "$STDERR" "escd: $CONF:1: log-level takes error, warning, info or debug, not 'loud'" \
    "a bad level"
printf 'batch = 8\nbatch = 9\n' >"$CONF"
escd_exits "$CONF"
same "$STDERR" "escd: $CONF:2: batch is set on line 1 already" "a key set twice"
printf 'write-rate 64\n' >"$CONF"
escd_exits "$CONF"
same "$STDERR" "escd: $CONF:1: expected KEY = VALUE, not 'write-rate 64'" "a line without ="
escd_exits "$WORK/none.conf"
same "$STDERR" "escd: cannot read $WORK/none.conf: No such file or directory" "a missing file"

say "a good file; the command line's --bind overrides the file's"
OTHER=$(free_port)
cat >"$CONF" <<EOF
# escd for config.sh
bind = tcp://127.0.0.1:$OTHER
write-rate = 1024
log-level = info
EOF
start_escd a --config "$CONF"
grep -qF "serving requests on $ENDPOINT_a" "$LOG" || fail "escd does not serve on --bind: $(cat "$LOG")"
port_free "$OTHER" || fail "escd bound the file's endpoint too"
ok pat quarter open 2031Q1 --capacity-hours 100000
ok alice account add Acme --arr 100
wait_log "pat quarter open OK"          # info: a line per request

# writes N: alice files N escalations of 7 KB each at once; sets WROTE and
# LIMITED to how many went through and how many were refused RATE_LIMITED
writes() {
    local out
    out=$(timeout 120 "$ESC_BUILD/tests/flood" --endpoint "$ENDPOINT_a" --feed "$FEED_a" \
        --server-key "$ESC_SERVER_KEY" --key "$ESC_HOME/keys/alice.key" writes "$1" 7000)
    WROTE=$(printf '%s\n' "$out" | awk '$1 == "writes_ok" {print $2}')
    LIMITED=$(printf '%s\n' "$out" | awk '$1 == "writes_rate_limited" {print $2}')
    same "$(printf '%s\n' "$out" | awk '$1 == "writes_other" {print $2}')" 0 "other answers: $out"
}
# 20 filings of 7 KB: 150 KB, well within 1024 KiB a minute
writes 20
same "$WROTE $LIMITED" "20 0" "filings within the file's write rate"

say "SIGHUP: a lower write rate, enforced at once; the log level; a restart's setting"
cat >"$CONF" <<EOF
# escd for config.sh, tightened
bind = tcp://127.0.0.1:$OTHER
write-rate = 64
log-level = debug
feed-hwm = 500
EOF
hup "SIGHUP: read $CONF again: 2 settings changed, 1 more at the next restart"
grep -qF "write-rate: 1024 -> 64" "$LOG" || fail "no line for the write rate: $(tail -n 8 "$LOG")"
grep -qF "log-level: info -> debug" "$LOG" || fail "no line for the log level"
grep -qF "feed-hwm: 1000 -> 500 takes a restart; escd goes on with 1000" "$LOG" \
    || fail "no line for the feed's queue"
grep -qF "bind: the command line's --bind $ENDPOINT_a overrides the file's tcp://127.0.0.1:$OTHER" \
    "$LOG" || fail "no line for the overridden bind"
# alice's minute now holds 64 KiB: about 9 of 20 filings
writes 20
say "at 64 KiB a minute: $WROTE filings went through, $LIMITED were refused"
[ "$LIMITED" -gt 0 ] && [ "$WROTE" -le 10 ] \
    || fail "at 64 KiB a minute $WROTE filings went through and $LIMITED were refused"
refused 6 RATE_LIMITED alice file --quarter 2031Q1 --account Acme --title T --problem P
case "$ERR" in *"(64 KiB)"*) ;; *) fail "the refusal names another rate: $ERR" ;; esac
# debug: each batch, and each handshake (esc's new connection)
ok pat quarter show 2031Q1
wait_log "batch of 1: reads 1, writes 0"
wait_log "admitted as pat"

say "SIGHUP with a broken file: logged, and the settings stay"
cat >"$CONF" <<EOF
write-rate = 4096
log-level = warning
write rate 4096
EOF
hup "SIGHUP: $CONF:3: expected KEY = VALUE, not 'write rate 4096'; the settings stay as they were"
grep -qF "write-rate: 64 -> 4096" "$LOG" && fail "a broken file changed the write rate"
kill -0 "$PID_a" || fail "escd stopped on a broken file"
LIMITED=$(grep -c "alice file RESOURCE_EXHAUSTED RATE_LIMITED" "$LOG")
refused 6 RATE_LIMITED alice file --quarter 2031Q1 --account Acme --title T --problem P
case "$ERR" in *"(64 KiB)"*) ;; *) fail "the rate after a broken file: $ERR" ;; esac
# the level stayed too: the refusal is logged, and its batch
wait_log "alice file RESOURCE_EXHAUSTED RATE_LIMITED" $((LIMITED + 1))

say "SIGHUP, fixed: warning and above only, no line per request"
cat >"$CONF" <<EOF
write-rate = 64
log-level = warning
EOF
hup "log-level: debug -> warning"
REQUESTS=$(grep -c " pat quarter " "$LOG")
ok pat quarter show 2031Q1
ok pat quarter show 2031Q1
sleep 0.5
same "$(grep -c " pat quarter " "$LOG")" "$REQUESTS" "request lines at warning"
stop_escd a
same "$STOPPED_STATUS" 0 "escd's exit after the reloads"
echo "config.sh: passed"
