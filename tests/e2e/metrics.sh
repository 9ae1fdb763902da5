#!/usr/bin/env bash
# metrics.sh: escd run --metrics serves Prometheus's text format at GET
# /metrics over HTTP/1.x from its own loop: the counters move with the
# requests esc makes (file OK counts each filing), the gauges say the
# feed's head and subscribers, the database and memory, and promtool
# finds nothing to fault. Another path is 404, another method 405; HEAD,
# keep-alive and HTTP/1.0's close are kept. Junk is 400, a head past 4 KiB
# 431, a request that never ends 408, and none of them, nor a thousand
# idle or slow connections, stalls escd or grows it. While the database is
# down the metrics still answer, and say so.
PRIVATE_CLUSTER=1               # the database is stopped and started again
. "$(dirname "$0")/lib.sh"

init_server
add_cast

MPORT=$(free_port)
METRICS=http://127.0.0.1:$MPORT/metrics

say "--metrics takes a tcp:// endpoint it can bind"
set +e
"$ESCD" run --db "$APP_DB" --home "$WORK/server" --metrics "ipc://$WORK/m" >"$WORK/bad.out" 2>&1
RC=$?
set -e
same "$RC" 2 "escd run --metrics ipc://: exit code"
grep -q "escd: --metrics takes tcp://ADDRESS:PORT, not 'ipc://" "$WORK/bad.out" \
    || fail "--metrics ipc:// says: $(cat "$WORK/bad.out")"
"$ESCD" run --help | grep -q -- "--metrics EP" || fail "escd run --help does not list --metrics"

start_escd a --metrics "tcp://127.0.0.1:$MPORT"
grep -q "serving metrics on tcp://127.0.0.1:$MPORT" "$WORK/escd-a.log" || fail "no 'serving metrics' line"

# a second escd asking for the same port does not start
set +e
timeout 60 "$ESCD" run --db "$APP_DB" --home "$WORK/server" --bind "tcp://127.0.0.1:$(free_port)" \
    --feed "tcp://127.0.0.1:$(free_port)" --metrics "tcp://127.0.0.1:$MPORT" >"$WORK/taken.out" 2>&1
RC=$?
set -e
same "$RC" 1 "escd run on a metrics port in use: exit code"
grep -q "cannot serve metrics on tcp://127.0.0.1:$MPORT" "$WORK/taken.out" \
    || fail "a taken metrics port says: $(cat "$WORK/taken.out")"

# scrape: the metrics into $WORK/metrics.txt, the head into $WORK/headers.txt
scrape() {
    curl -sS --max-time 5 -D "$WORK/headers.txt" -o "$WORK/metrics.txt" "$METRICS" \
        || fail "curl $METRICS failed"
}
# metric SERIES: its value in the last scrape ("" when absent); the value
# is after the last space (a label value may hold spaces: op="quarter open")
metric() {
    awk -v s="$1" '{ i = match($0, / [^ ]+$/) } i && substr($0, 1, i - 1) == s { print substr($0, i + 1) }' \
        "$WORK/metrics.txt"
}
# wait_metric SERIES VALUE: scrapes until SERIES is VALUE (20 s at most)
wait_metric() {
    local deadline=$((SECONDS + 20))
    while scrape; [ "$(metric "$1")" != "$2" ]; do
        [ "$SECONDS" -lt "$deadline" ] || fail "$1 is '$(metric "$1")', expected $2"
        sleep 0.2
    done
}

say "the text format, and promtool's check"
scrape
grep -qi '^HTTP/1.1 200 OK' "$WORK/headers.txt" || fail "status: $(head -n 1 "$WORK/headers.txt")"
grep -qi '^Content-Type: text/plain; version=0.0.4; charset=utf-8' "$WORK/headers.txt" \
    || fail "content type: $(cat "$WORK/headers.txt")"
if command -v promtool >/dev/null; then
    promtool check metrics <"$WORK/metrics.txt" >"$WORK/promtool.out" 2>&1 \
        || fail "promtool check metrics: $(cat "$WORK/promtool.out")"
else
    echo "SKIPPED: promtool is not installed (Debian package prometheus, deploy/install-deps):" \
         "the format is not checked by promtool" >&2
fi
for family in escd_requests_total escd_request_duration_seconds escd_batch_requests \
              escd_commit_writes escd_feed_head_seq escd_feed_subscribers escd_database_up \
              escd_read_lease escd_database_reconnects_total escd_request_log_bytes process_resident_memory_bytes \
              process_start_time_seconds escd_requests_retried_total escd_replies_dropped_total; do
    grep -q "^# HELP $family " "$WORK/metrics.txt" || fail "no HELP for $family"
    grep -q "^# TYPE $family " "$WORK/metrics.txt" || fail "no TYPE for $family"
done
same "$(metric escd_database_up)" 1 "escd_database_up"
same "$(metric escd_database_reconnects_total)" 0 "escd_database_reconnects_total"
same "$(metric escd_feed_subscribers)" 0 "escd_feed_subscribers"
START=$(metric process_start_time_seconds)
awk -v s="$START" -v now="$(date +%s)" 'BEGIN { exit !(s > now - 600 && s <= now + 1) }' \
    || fail "process_start_time_seconds $START is not a moment ago"
RSS=$(metric process_resident_memory_bytes)
[ "$RSS" -gt 1000000 ] || fail "process_resident_memory_bytes $RSS"
# the request log is measured by a query of its own, from the first pass on
LOG_BYTES=$(metric escd_request_log_bytes)
[ -n "$LOG_BYTES" ] && [ "$LOG_BYTES" -gt 0 ] || fail "escd_request_log_bytes '$LOG_BYTES'"

say "the counters move with the requests"
ok pat quarter open 2031Q1 --capacity-hours 4000
ok alice account add Acme --arr 100
FILED=7
for i in $(seq 1 $FILED); do
    ok alice file --quarter 2031Q1 --account Acme --title "escalation $i" --problem "problem $i"
done
refused 4 PERMISSION_DENIED alice size 1 --hours 10 --viable yes
refused 3 ESCALATION_NOT_FOUND pat show 999
ok pat show 1
scrape
same "$(metric 'escd_requests_total{op="file",outcome="OK"}')" "$FILED" "file OK"
same "$(metric 'escd_requests_total{op="size",outcome="PERMISSION_DENIED"}')" 1 "size PERMISSION_DENIED"
same "$(metric 'escd_requests_total{op="show",outcome="NOT_FOUND"}')" 1 "show NOT_FOUND"
same "$(metric 'escd_requests_total{op="show",outcome="OK"}')" 1 "show OK"
same "$(metric 'escd_requests_total{op="quarter open",outcome="OK"}')" 1 "quarter open OK"
grep -q 'op="spend"' "$WORK/metrics.txt" && fail "a series for an operation nobody asked for"
same "$(metric 'escd_request_duration_seconds_count{op="file"}')" "$FILED" "file's durations counted"
same "$(metric 'escd_request_duration_seconds_bucket{op="file",le="+Inf"}')" "$FILED" "file's +Inf bucket"
# every request is in a batch, every filing in a commit
[ "$(metric escd_batch_requests_sum)" -ge $((FILED + 4)) ] \
    || fail "escd_batch_requests_sum $(metric escd_batch_requests_sum)"
[ "$(metric escd_commit_writes_sum)" -ge $((FILED + 2)) ] \
    || fail "escd_commit_writes_sum $(metric escd_commit_writes_sum)"
same "$(metric escd_feed_head_seq)" "$(head_seq)" "the feed's head"
promtool check metrics <"$WORK/metrics.txt" >"$WORK/promtool.out" 2>&1 \
    || ! command -v promtool >/dev/null || fail "promtool, after requests: $(cat "$WORK/promtool.out")"
# a retried write is counted as one
ok alice --request-id metrics-retry-0001 account add Globex --arr 5
ok alice --request-id metrics-retry-0001 account add Globex --arr 5
scrape
same "$(metric escd_requests_retried_total)" 1 "escd_requests_retried_total"

say "the feed's subscribers"
timeout --foreground 120 "$ESC" --as pat --json watch >"$WORK/watch.out" 2>"$WORK/watch.err" &
WATCH=$!
wait_metric escd_feed_subscribers 1
stop_jobs "$WATCH"
wait_metric escd_feed_subscribers 0

say "another path, another method, HEAD, keep-alive, HTTP/1.0"
code() { curl -s --max-time 5 -o "$WORK/body.txt" -w '%{http_code}' "$@"; }
same "$(code "http://127.0.0.1:$MPORT/")" 404 "GET /"
grep -q "escd serves /metrics" "$WORK/body.txt" || fail "a 404 says: $(cat "$WORK/body.txt")"
same "$(code "http://127.0.0.1:$MPORT/metrics/x")" 404 "GET /metrics/x"
same "$(code -X POST "$METRICS")" 405 "POST /metrics"
same "$(code -X DELETE -D "$WORK/h405.txt" "$METRICS")" 405 "DELETE /metrics"
grep -qi '^Allow: GET, HEAD' "$WORK/h405.txt" || fail "a 405 names no Allow"
same "$(code -I "$METRICS")" 200 "HEAD /metrics"
same "$(code "$METRICS?name[]=x")" 200 "a query string"
# two requests, one connection
CONNECTS=$(curl -s --max-time 5 -o /dev/null -o /dev/null -w '%{num_connects}\n' "$METRICS" "$METRICS" \
           | paste -sd' ')
same "$CONNECTS" "1 0" "connections made for two requests (keep-alive)"
curl -s --max-time 5 --http1.0 -D "$WORK/h10.txt" -o "$WORK/body10.txt" "$METRICS" || fail "HTTP/1.0"
grep -qi '^Connection: close' "$WORK/h10.txt" || fail "HTTP/1.0 is not closed: $(cat "$WORK/h10.txt")"
grep -q '^escd_database_up 1' "$WORK/body10.txt" || fail "HTTP/1.0 got no metrics"
curl -s --max-time 5 -H 'Connection: close' -D "$WORK/hc.txt" -o /dev/null "$METRICS" || fail "close"
grep -qi '^Connection: close' "$WORK/hc.txt" || fail "Connection: close not kept"

# raw PORT: bytes on stdin to the metrics port, what comes back on stdout
# until escd closes (15 s at most: it closes within HTTP's timeouts)
raw() {
    local fd
    exec {fd}<>"/dev/tcp/127.0.0.1/$MPORT"
    cat >&"$fd" || true
    timeout 15 cat <&"$fd" || true
    exec {fd}>&-
}

say "junk is 400, a head past 4 KiB 431, a request that never ends 408: each closed"
printf '\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03junk\r\n\r\n' | raw >"$WORK/junk.out"
head -n 1 "$WORK/junk.out" | grep -q '^HTTP/1.1 400 Bad Request' || fail "junk: $(head -c 200 "$WORK/junk.out")"
grep -qi '^Connection: close' "$WORK/junk.out" || fail "junk's connection is kept"
printf 'GET /metrics HTTP/2.0\r\n\r\n' | raw | head -n 1 | grep -q '^HTTP/1.1 505' || fail "HTTP/2.0"
{ printf 'GET /metrics HTTP/1.1\r\nHost: x\r\n'; head -c 65536 /dev/zero | tr '\0' 'a'; } \
    | raw >"$WORK/big.out"
head -n 1 "$WORK/big.out" | grep -q '^HTTP/1.1 431' || fail "a 64 KiB head: $(head -c 200 "$WORK/big.out")"
# HEAD: the head alone, its Content-Length the body's that GET sends
printf 'HEAD /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n' | raw >"$WORK/head.out"
head -n 1 "$WORK/head.out" | grep -q '^HTTP/1.1 200 OK' || fail "HEAD: $(head -c 200 "$WORK/head.out")"
same "$(tail -c 4 "$WORK/head.out" | od -An -c | tr -d ' ')" '\r\n\r\n' "HEAD's last bytes (no body)"
grep -qi '^Content-Length: [1-9]' "$WORK/head.out" || fail "HEAD's Content-Length: $(cat "$WORK/head.out")"
# a request that never ends: 408 after 10 s, then closed
exec {SLOW}<>"/dev/tcp/127.0.0.1/$MPORT"
printf 'GET /metrics HTTP/1.1\r\nHo' >&"$SLOW"
T0=$SECONDS
timeout 30 cat <&"$SLOW" >"$WORK/slow.out" || true
exec {SLOW}>&-
head -n 1 "$WORK/slow.out" | grep -q '^HTTP/1.1 408' || fail "a request that never ends: $(cat "$WORK/slow.out")"
[ $((SECONDS - T0)) -ge 8 ] && [ $((SECONDS - T0)) -le 16 ] \
    || fail "a request that never ends was answered and closed after $((SECONDS - T0)) s"
# two pipelined in one packet: both answered, in order
printf 'GET /x HTTP/1.1\r\nHost: x\r\n\r\nGET /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n' \
    | raw >"$WORK/pipe.out"
same "$(grep -a '^HTTP/1.1' "$WORK/pipe.out" | tr -d '\r' | paste -sd'|')" \
    "HTTP/1.1 404 Not Found|HTTP/1.1 200 OK" "two pipelined requests"
ok pat show 1

say "a client that pipelines requests and never reads the answers grows nothing"
scrape
RSS0=$(metric process_resident_memory_bytes)
REQ='GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n'
exec {GREEDY}<>"/dev/tcp/127.0.0.1/$MPORT"
trap '' PIPE
for _ in $(seq 1 40); do
    for _ in $(seq 1 50); do printf "$REQ"; done >&"$GREEDY" 2>/dev/null || break
    sleep 0.05
done
trap - PIPE
ok pat show 1
scrape
RSS1=$(metric process_resident_memory_bytes)
exec {GREEDY}>&-
if ! grep -q '^ESC_SANITIZE:BOOL=ON' "$ESC_BUILD/CMakeCache.txt"; then
    [ $((RSS1 - RSS0)) -lt $((16 * 1024 * 1024)) ] \
        || fail "escd grew by $(((RSS1 - RSS0) / 1024)) KiB for a client that does not read"
fi
echo "resident: $((RSS0 / 1024)) KiB before, $((RSS1 / 1024)) KiB beside a client that does not read"

say "the database goes away: the metrics still answer, and say so"
"$ESC_SOURCE/deploy/pg-cluster" stop "$ESC_PG_DIR"
wait_metric escd_database_up 0
"$ESC_SOURCE/deploy/pg-cluster" start "$ESC_PG_DIR" >/dev/null
wait_metric escd_database_up 1
same "$(metric escd_database_reconnects_total)" 1 "escd_database_reconnects_total"
ok pat show 1

say "a thousand idle and slow connections stall nothing, grow nothing"
scrape
RSS0=$(metric process_resident_memory_bytes)
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
[ "$(ulimit -n)" -ge 1100 ] || ulimit -n 4096
FDS=()
trap '' PIPE                    # a connection escd closed is no death of the story
for i in $(seq 1 1000); do
    exec {fd}<>"/dev/tcp/127.0.0.1/$MPORT" || fail "connection $i refused"
    FDS+=("$fd")
    # every other one starts a request and never ends it
    [ $((i % 2)) -eq 1 ] || printf 'GET /metrics HTTP/1.1\r\nHost: x\r\n' >&"$fd" || true
done
trap - PIPE
T0=$(date +%s%N)
ok alice file --quarter 2031Q1 --account Acme --title "beside a thousand" --problem p
ok pat show 1
scrape
MS=$((($(date +%s%N) - T0) / 1000000))
[ "$MS" -lt 5000 ] || fail "a filing, a show and a scrape took $MS ms beside 1000 idle connections"
same "$(metric 'escd_requests_total{op="file",outcome="OK"}')" $((FILED + 1)) "file OK, beside them"
KEPT=$(metric escd_metrics_connections)
[ "$KEPT" -le 64 ] || fail "escd keeps $KEPT HTTP connections"
RSS1=$(metric process_resident_memory_bytes)
# under the sanitizers memory figures say little (redzones, the
# quarantine): there only survival is checked
if ! grep -q '^ESC_SANITIZE:BOOL=ON' "$ESC_BUILD/CMakeCache.txt"; then
    [ $((RSS1 - RSS0)) -lt $((32 * 1024 * 1024)) ] \
        || fail "escd grew by $(((RSS1 - RSS0) / 1024)) KiB beside 1000 idle connections"
fi
for fd in "${FDS[@]}"; do exec {fd}>&-; done
echo "resident: $((RSS0 / 1024)) KiB before, $((RSS1 / 1024)) KiB beside 1000 connections ($MS ms)"
# and escd still serves both sides
scrape
same "$(metric escd_database_up)" 1 "escd_database_up at the end"
ok pat show 1
echo "metrics: all steps passed"
