# lib.sh: what every end-to-end story needs: a database of its own in the
# test cluster, escd serving it, one identity per role, and assertions that
# say what went wrong. Source it from a story; it cleans up on exit (set
# ESC_KEEP_WORK=1 to keep the work directory with escd's logs).
set -euo pipefail

: "${ESC_BUILD:?run through ctest (ESC_BUILD names the build directory)}"
: "${ESC_PG_DIR:?run through ctest (ESC_PG_DIR names the test cluster)}"
: "${ESC_SOURCE:?run through ctest}"

ESC=$ESC_BUILD/esc
ESCD=$ESC_BUILD/escd
STORY=$(basename "$0" .sh)
WORK=$(mktemp -d "/tmp/esc-$STORY.XXXXXX")
DBNAME="esc_${STORY}_$$"
# a story that stops PostgreSQL sets PRIVATE_CLUSTER=1 to get its own
if [ -n "${PRIVATE_CLUSTER:-}" ]; then
    chmod 755 "$WORK"
    ESC_PG_DIR=$WORK/pg
fi
# DB connects as the cluster's superuser, the owner of the schema: for escd
# init, escd user add and a story's own SQL; escd runs as escd_app (APP_DB)
DB=$("$ESC_SOURCE/deploy/pg-cluster" start "$ESC_PG_DIR" "$DBNAME")
export ESC_HOME=$WORK/client
unset ESC_USER ESC_ENDPOINT ESC_FEED ESC_SERVER_KEY ESC_TIMEOUT
ESCD_PIDS=()
FAILED=0

say() { printf '== %s (%s s)\n' "$*" "$SECONDS"; }

# The bulk writers' thousands of esc processes skip LeakSanitizer's scan at
# exit (most of an ASan esc's run time); every other esc and escd keep it.
BULK_ASAN=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0

cleanup() {
    local rc=$? status
    # the story's own background commands (watchers, floods) end with it
    jobs -p | xargs -r kill 2>/dev/null || true
    # what would keep escd from stopping (a story defines story_unblock)
    if declare -F story_unblock >/dev/null; then story_unblock || true; fi
    # every escd must stop cleanly: under the sanitizers a leak or an error
    # shows as a non-zero exit here
    for pid in "${ESCD_PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
    for pid in "${ESCD_PIDS[@]}"; do
        status=0
        reap "$pid" 60 || status=$?
        if [ "$status" -ne 0 ] && [ "$status" -ne 127 ]; then
            echo "FAIL: escd (pid $pid) exited with status $status" >&2
            rc=1
        fi
    done
    if [ "$rc" -ne 0 ] || [ "$FAILED" -ne 0 ]; then
        for log in "$WORK"/escd*.log; do
            [ -n "${ESC_VALGRIND:-}" ] && [ -f "$log" ] && { echo "---- $log: valgrind"; grep "^==" "$log" | head -n 60; }
            [ -f "$log" ] && { echo "---- $log (last 40 lines)"; tail -n 40 "$log"; }
        done
    fi
    # a story's own clusters and the like (it defines story_cleanup)
    if declare -F story_cleanup >/dev/null; then story_cleanup || true; fi
    psql "$(dirname_url)" -qc "DROP DATABASE IF EXISTS \"$DBNAME\"" >/dev/null 2>&1 || true
    [ -n "${PRIVATE_CLUSTER:-}" ] && "$ESC_SOURCE/deploy/pg-cluster" stop "$ESC_PG_DIR"
    if [ -n "${ESC_KEEP_WORK:-}" ]; then
        echo "kept $WORK"
    else
        rm -rf "$WORK"
    fi
    exit "$rc"
}
trap cleanup EXIT
# a command that fails outside ok/fail (set -e) says where, not just exits
# (only under set -e: a story's own set +e section expects its failures)
trap 'err_rc=$?; [[ $- != *e* ]] || echo "FAIL: line $LINENO: \"$BASH_COMMAND\" exited $err_rc" >&2' ERR

# stacks PID: what PID and its children are doing, for a process that
# should have ended (a hang becomes a report, not a silent timeout).
stacks() {
    local p
    for p in "$1" $(pgrep -P "$1" 2>/dev/null); do
        echo "---- pid $p: $(tr '\0' ' ' </proc/"$p"/cmdline 2>/dev/null)" >&2
        grep -E '^(State|TracerPid|SigPnd|ShdPnd|SigBlk|SigCgt):' /proc/"$p"/status >&2 2>/dev/null || true
        for t in /proc/"$p"/task/*; do
            echo "  task ${t##*/} $(cat "$t"/comm 2>/dev/null) in $(cat "$t"/wchan 2>/dev/null) $(grep '^State' "$t"/status 2>/dev/null)" >&2
        done
        if command -v gdb >/dev/null; then
            timeout 30 gdb -p "$p" -batch -ex 'thread apply all bt' 2>&1 | grep -E '^(#|Thread)' >&2 || true
        else
            cat /proc/"$p"/stack /proc/"$p"/wchan 2>/dev/null >&2 || true
        fi
    done
}

# reap PID SECONDS: waits for the story's child PID (already signalled) for
# up to SECONDS; returns its exit status. One that does not end is shown
# (stacks), killed, and is a failure of the story: status 124.
reap() {
    local deadline=$((SECONDS + $2)) status=0
    while kill -0 "$1" 2>/dev/null && [ "$SECONDS" -lt "$deadline" ]; do sleep 0.1; done
    if kill -0 "$1" 2>/dev/null; then
        echo "FAIL: pid $1 did not end $2 s after it was told to stop" >&2
        stacks "$1"
        pkill -KILL -P "$1" 2>/dev/null || true
        kill -KILL "$1" 2>/dev/null || true
        wait "$1" 2>/dev/null || true
        FAILED=1
        return 124
    fi
    wait "$1" 2>/dev/null || status=$?
    return "$status"
}

# stop_jobs PID...: the story's background commands, told to stop (SIGTERM)
# and waited for; their exit statuses do not matter, only that they end.
stop_jobs() {
    local p
    kill -TERM "$@" 2>/dev/null || true
    for p in "$@"; do reap "$p" 30 || [ $? -ne 124 ] || fail "a background command hung"; done
}

# The URL of the cluster's maintenance database.
dirname_url() { printf '%s' "$DB" | sed "s|/$DBNAME?|/postgres?|"; }

fail() {
    FAILED=1
    echo "FAIL: $*" >&2
    exit 1
}

# sql QUERY: one value from the story's database.
sql() { psql "$DB" -XAtqc "$1"; }

# ---- escd ------------------------------------------------------------------

# init_server: migrations, the role escd runs as and the server key, all
# as the owner ($DB); exports ESC_SERVER_KEY, and sets APP_DB to the URL
# escd init printed for its role (escd_app), the one start_escd uses.
init_server() {
    ESC_SERVER_KEY=$("$ESCD" init --db "$DB" --home "$WORK/server" 2>"$WORK/init.log") \
        || { cat "$WORK/init.log"; fail "escd init"; }
    export ESC_SERVER_KEY
    APP_DB=$(sed -n 's/^escd: app URL: //p' "$WORK/init.log")
    [ -n "$APP_DB" ] || fail "escd init printed no app URL: $(cat "$WORK/init.log")"
}

port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# free_port [N]: the first of N (default 1) consecutive ports nobody listens
# on, drawn from below the kernel's ephemeral range: a port in that range
# may become some outgoing connection's local port between this check and
# escd's bind (a CI run lost e2e_metrics that way)
free_port() {
    local n=${1:-1} low port i ok
    read -r low _ </proc/sys/net/ipv4/ip_local_port_range
    [ "$low" -gt 12000 ] || low=32768
    for _ in $(seq 1 50); do
        port=$((10000 + RANDOM % (low - 10000 - n)))
        ok=1
        for i in $(seq 0 $((n - 1))); do port_free $((port + i)) || { ok=0; break; }; done
        [ "$ok" = 1 ] && { echo "$port"; return 0; }
    done
    fail "no free port"
}

# start_escd NAME [ARGS]: escd, connected as the app role (APP_DB), serves
# requests and the feed on two free ports; the endpoints go to
# ENDPOINT_<NAME> and FEED_<NAME> and, for the first server, to ESC_ENDPOINT
# and ESC_FEED. A restarted NAME keeps its ports.
start_escd() {
    local name=$1; shift
    local port feed pid log="$WORK/escd-$name.log" var started
    started=$(grep -c "serving requests" "$log" 2>/dev/null || true)
    started=${started:-0}
    for _ in $(seq 1 20); do
        var="PORT_$name"
        if [ -n "${!var:-}" ]; then
            port=${!var}
        else
            port=$(free_port 2)
        fi
        feed=$((port + 1))
        # ESC_VALGRIND=1: escd under valgrind; any error or leak makes it
        # exit 99, which cleanup reports
        ${ESC_VALGRIND:+valgrind -q --error-exitcode=99 --leak-check=full \
            --errors-for-leak-kinds=definite,indirect --show-leak-kinds=definite,indirect} \
            "$ESCD" run --db "${APP_DB:?init_server first}" --home "$WORK/server" --bind "tcp://127.0.0.1:$port" \
            --feed "tcp://127.0.0.1:$feed" "$@" >>"$log" 2>&1 &
        pid=$!
        for _ in $(seq 1 600); do
            [ "$(grep -c "serving requests" "$log" 2>/dev/null)" -gt "$started" ] && break
            kill -0 "$pid" 2>/dev/null || break
            sleep 0.05
        done
        if kill -0 "$pid" 2>/dev/null && [ "$(grep -c "serving requests" "$log")" -gt "$started" ]; then
            ESCD_PIDS+=("$pid")
            printf -v "ENDPOINT_$name" '%s' "tcp://127.0.0.1:$port"
            printf -v "FEED_$name" '%s' "tcp://127.0.0.1:$feed"
            printf -v "PORT_$name" '%s' "$port"
            printf -v "PID_$name" '%s' "$pid"
            [ -n "${ESC_ENDPOINT:-}" ] || export ESC_ENDPOINT="tcp://127.0.0.1:$port"
            [ -n "${ESC_FEED:-}" ] || export ESC_FEED="tcp://127.0.0.1:$feed"
            return 0
        fi
        wait "$pid" 2>/dev/null || true
    done
    cat "$log"
    fail "escd $name did not start"
}

# stop_escd NAME [SIGNAL]: stops escd NAME (SIGTERM by default) and waits
# for it; its exit status goes to STOPPED_STATUS.
stop_escd() {
    local var="PID_$1" pid keep=()
    pid=${!var}
    kill "-${2:-TERM}" "$pid" 2>/dev/null || true
    STOPPED_STATUS=0
    reap "$pid" 120 || STOPPED_STATUS=$?
    for p in "${ESCD_PIDS[@]}"; do [ "$p" = "$pid" ] || keep+=("$p"); done
    ESCD_PIDS=("${keep[@]}")
}

# add_user NAME ROLES: a keypair here and the user in the database.
add_user() {
    local key
    key=$("$ESC" keygen "$1") || fail "keygen $1"
    "$ESCD" user add "$1" --role "$2" --key "$key" --db "$DB" 2>>"$WORK/init.log" \
        || fail "escd user add $1"
}

# The cast of every story: two of sales and of cro, one of each other role.
add_cast() {
    add_user alice sales
    add_user bob sales
    add_user pat pm
    add_user carol cro
    add_user chris cro
    add_user evan exec
    add_user ada admin
}

# ---- running esc and checking what it said ---------------------------------

# run_esc USER ARGS...: runs esc as USER; OUT, ERR and RC hold the result.
run_esc() {
    local user=$1; shift
    set +e
    OUT=$("$ESC" --as "$user" "$@" 2>"$WORK/stderr")
    RC=$?
    set -e
    ERR=$(cat "$WORK/stderr")
}

# expect CODE USER ARGS...: runs esc and insists on its exit code.
expect() {
    local code=$1; shift
    run_esc "$@"
    [ "$RC" -eq "$code" ] || fail "esc --as $* exited $RC, expected $code
stdout: $OUT
stderr: $ERR"
}

# ok USER ARGS...: expect 0.
ok() { expect 0 "$@"; }

# refused CODE REASON USER ARGS...: the exit code and the rule named on
# stderr as "esc: REASON: message".
refused() {
    local code=$1 reason=$2; shift 2
    expect "$code" "$@"
    case "$ERR" in
        "esc: $reason: "*) ;;
        *) fail "esc --as $* said '$ERR', expected the reason $reason" ;;
    esac
}

# misused MESSAGE USER ARGS...: a usage error esc finds before sending
# anything: exit 2, stderr starting "esc: MESSAGE".
misused() {
    local message=$1; shift
    expect 2 "$@"
    case "$ERR" in
        "esc: $message"*) ;;
        *) fail "esc --as $* said '$ERR', expected 'esc: $message'" ;;
    esac
}

# same ACTUAL EXPECTED WHAT
same() {
    [ "$1" = "$2" ] || fail "$3: got '$1', expected '$2'"
}

# ---- the feed --------------------------------------------------------------

# render_page HTML PNG HEIGHT COLOUR...: headless Chromium renders HTML into
# PNG, 1200 pixels wide and HEIGHT tall, and each COLOUR (RRGGBB) must be
# on the rendered page.
render_page() {
    local html=$1 png=$2 height=$3 colour; shift 3
    timeout 60 chromium --headless --no-sandbox --disable-gpu --disable-dev-shm-usage --no-first-run \
        --disable-background-networking --disable-component-update --disable-sync --hide-scrollbars \
        --user-data-dir="$WORK/chrome" --window-size=1200,"$height" --screenshot="$png" \
        "file://$html" >"$WORK/chrome.log" 2>&1 || fail "chromium: $(tail -n 5 "$WORK/chrome.log")"
    same "$(/usr/bin/convert "$png" -format '%w %h' info:)" "1200 $height" "the screenshot's size"
    /usr/bin/convert "$png" -format %c histogram:info:- >"$WORK/colours.txt"
    for colour in "$@"; do
        grep -qi "#$colour" "$WORK/colours.txt" || fail "colour #$colour is not on the rendered page"
    done
}

# carried_on SINCE: seconds from SINCE until escd answers a write again
# (pat adds an account, each try under its own request id: a new question
# each time), at most 20; after a database outage
carried_on() {
    local n=0
    while :; do
        n=$((n + 1))
        "$ESC" --as pat --timeout 2 --retries 0 --request-id "probe-$1-$n" account add "Probe $1 $n" \
            --arr 1 >/dev/null 2>>"$WORK/probe.err" && break
        [ $((SECONDS - $1)) -lt 20 ] || fail "escd did not write again within 20 s: $(tail -n 3 "$WORK/probe.err")"
        sleep 0.2
    done
    echo $((SECONDS - $1))
}

# wait_lines FILE N [SECONDS]: until FILE has N lines (default 120 s).
wait_lines() {
    local deadline=$((SECONDS + ${3:-120}))
    while [ "$(wc -l <"$1" 2>/dev/null || echo 0)" -lt "$2" ]; do
        [ "$SECONDS" -lt "$deadline" ] || fail "$1 has $(wc -l <"$1") lines, expected $2"
        sleep 0.1
    done
}

# wait_seq FILE SEQ [SECONDS]: until FILE's last JSON line has seq SEQ.
wait_seq() {
    local deadline=$((SECONDS + ${3:-120}))
    while [ "$(tail -n 1 "$1" 2>/dev/null | jq -r .seq 2>/dev/null)" != "$2" ]; do
        [ "$SECONDS" -lt "$deadline" ] || fail "$1 never reached event $2"
        sleep 0.1
    done
}

# consecutive FILE FIRST LAST: FILE holds one JSON event per line with seqs
# exactly FIRST..LAST, in order, each once.
consecutive() {
    local got
    got=$(jq -s --argjson a "$2" --argjson b "$3" \
        '[.[].seq] == [range($a; $b + 1)]' "$1") || fail "$1 is not JSON lines"
    [ "$got" = true ] || fail "$1: seqs are not exactly $2..$3: $(jq -c -s '[.[].seq] | [length, first, last]' "$1")"
}

# writer USER ENDPOINT COUNT PREFIX ACCOUNT QUARTER: files COUNT escalations.
writer() {
    local ASAN_OPTIONS=$BULK_ASAN; export ASAN_OPTIONS
    for i in $(seq 1 "$3"); do
        "$ESC" --as "$1" --endpoint "$2" file --quarter "$6" --account "$5" \
            --title "$4 $i" --problem "problem $i" >/dev/null || return 1
    done
}

# reliable_writer USER COUNT PREFIX QUARTER: files COUNT escalations titled
# "PREFIX N", each under its own request id, trying each until escd
# acknowledges it (as long as 60 s); appends each acknowledged title to
# $WORK/acked. Any answer but OK or UNAVAILABLE (exit 5) fails it.
reliable_writer() {
    local n id rc deadline ASAN_OPTIONS=$BULK_ASAN; export ASAN_OPTIONS
    for n in $(seq 1 "$2"); do
        id=$(printf '%s-%05d-request' "$3" "$n")
        deadline=$((SECONDS + 60))
        while :; do
            rc=0
            "$ESC" --as "$1" --request-id "$id" --timeout 3 file --quarter "$4" --account Acme \
                --title "$3 $n" --problem "problem $n" >/dev/null 2>>"$WORK/$3.err" || rc=$?
            [ "$rc" -eq 0 ] && break
            [ "$rc" -eq 5 ] && [ "$SECONDS" -lt "$deadline" ] || return 1
            sleep 0.2
        done
        echo "$3 $n" >>"$WORK/acked"
    done
}

# applied_once TITLES_FILE: every title in the file exists as exactly one
# escalation, and no title exists twice.
applied_once() {
    local twice missing
    twice=$(sql "SELECT count(*) FROM (SELECT title FROM escalation GROUP BY title HAVING count(*) > 1) t")
    same "$twice" 0 "titles applied more than once"
    sql "SELECT title FROM escalation" | sort >"$WORK/applied"
    missing=$(sort -u "$1" | comm -23 - "$WORK/applied" | wc -l)
    same "$missing" 0 "acknowledged writes missing"
}

# head_seq: the newest event's seq.
head_seq() { sql "SELECT last_seq FROM event_counter"; }

# json_of USER ARGS... FILTER: a jq FILTER over esc --json output.
field() {
    local filter=${*: -1}
    ok "${@:1:$#-1}" --json
    printf '%s' "$OUT" | jq -r "$filter"
}
