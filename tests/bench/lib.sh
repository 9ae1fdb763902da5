# tests/bench/lib.sh: what the benchmarks share, sourced from the project's
# root. bench_start NAME ROLES builds a Release esc and escd in
# build-bench/, starts a private cluster with a fresh database, initialises
# it, registers the user "bench" with ROLES and runs escd; on exit it all
# goes away. It sets B (the build), WORK, DB, EP, FEED, ESCD_PID and
# exports ESC_HOME, ESC_ENDPOINT and ESC_SERVER_KEY. escd runs with
# BENCH_ESCD_ARGS: by default without the per-user limits a benchmark's
# one user would reach (write rate, feed connections).
# bench_user NAME ROLES registers one more user.

bench_start() {
    local name=$1 roles=$2
    cmake -S . -B build-bench -DCMAKE_BUILD_TYPE=Release >/dev/null
    cmake --build build-bench -j "$(nproc)" >/dev/null
    B=$PWD/build-bench
    WORK=$(mktemp -d "/tmp/esc-bench-$name.XXXXXX")
    BENCH_PG=$B/pg
    BENCH_DBNAME=${name}bench_$$
    DB=$(deploy/pg-cluster start "$BENCH_PG" "$BENCH_DBNAME")
    ESCD_PID=
    trap bench_stop EXIT
    export ESC_HOME=$WORK/client
    local key server_key port
    key=$("$B/esc" keygen bench)
    server_key=$("$B/escd" init --db "$DB" --home "$WORK/server" 2>"$WORK/init.log")
    APP_DB=$(sed -n 's/^escd: app URL: //p' "$WORK/init.log")     # escd runs as escd_app
    "$B/escd" user add bench --role "$roles" --key "$key" --db "$DB" 2>/dev/null
    port=$((20000 + RANDOM % 12000))      # below the ephemeral range (32768-)
    EP=tcp://127.0.0.1:$port FEED=tcp://127.0.0.1:$((port + 1))
    # shellcheck disable=SC2086
    "$B/escd" run --db "$APP_DB" --home "$WORK/server" --bind "$EP" --feed "$FEED" \
        ${BENCH_ESCD_ARGS:---write-rate 0 --feed-per-user 1000000} 2>"$WORK/escd.log" &
    ESCD_PID=$!
    sleep 1
    export ESC_ENDPOINT=$EP ESC_SERVER_KEY=$server_key
}

bench_user() {
    "$B/escd" user add "$1" --role "$2" --key "$("$B/esc" keygen "$1")" --db "$DB" 2>/dev/null
}

bench_stop() {
    [ -n "$ESCD_PID" ] && kill "$ESCD_PID" 2>/dev/null && wait "$ESCD_PID" 2>/dev/null
    psql "$(printf '%s' "$DB" | sed "s|/$BENCH_DBNAME?|/postgres?|")" -qc \
        "DROP DATABASE IF EXISTS $BENCH_DBNAME" >/dev/null 2>&1
    deploy/pg-cluster stop "$BENCH_PG"
    rm -rf "$WORK"
}
