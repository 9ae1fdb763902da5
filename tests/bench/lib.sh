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
    bench_escd "$B/escd"
    export ESC_ENDPOINT=$EP ESC_SERVER_KEY=$server_key
}

# bench_escd ESCD: (re)starts escd, the binary ESCD, on the same database,
# home and endpoints.
bench_escd() {
    bench_escd_stop
    # shellcheck disable=SC2086
    "$1" run --db "$APP_DB" --home "$WORK/server" --bind "$EP" --feed "$FEED" \
        ${BENCH_ESCD_ARGS:---write-rate 0 --feed-per-user 1000000} 2>>"$WORK/escd.log" &
    ESCD_PID=$!
    sleep 1
    kill -0 "$ESCD_PID" 2>/dev/null || { echo "$1 did not start: $WORK/escd.log" >&2; return 1; }
}

bench_escd_stop() {
    if [ -n "$ESCD_PID" ] && kill "$ESCD_PID" 2>/dev/null; then
        wait "$ESCD_PID" 2>/dev/null || true
    fi
    ESCD_PID=
}

# bench_db_url NAME: the URL of database NAME on the benchmark's cluster
# (postgres: the one to create and drop others from).
bench_db_url() {
    printf '%s' "$DB" | sed "s|/$BENCH_DBNAME?|/$1?|"
}

bench_user() {
    "$B/escd" user add "$1" --role "$2" --key "$("$B/esc" keygen "$1")" --db "$DB" 2>/dev/null
}

bench_stop() {
    bench_escd_stop
    if [ -n "${PGDB:-}" ]; then
        psql "$(bench_db_url postgres)" -qc "DROP DATABASE IF EXISTS pgbench_$$" >/dev/null 2>&1 || true
    fi
    psql "$(bench_db_url postgres)" -qc "DROP DATABASE IF EXISTS $BENCH_DBNAME" >/dev/null 2>&1 || true
    deploy/pg-cluster stop "$BENCH_PG"
    rm -rf "$WORK"
}

# bench_seed_desk: 32 more users (bench1..bench32), quarter 2030Q1, the
# account Acme and 5,000 escalations filed, with their events and request
# log entries; IDS is their range (FIRST:LAST) for load --ids.
bench_seed_desk() {
    for i in $(seq 1 32); do bench_user "bench$i" sales,pm,cro; done
    ESC_TIMEOUT=60 ESC_RETRIES=0 "$B/esc" --as bench quarter open 2030Q1 \
        --capacity-hours 2000000 >/dev/null
    ESC_TIMEOUT=60 ESC_RETRIES=0 "$B/esc" --as bench account add Acme --arr 1 >/dev/null
    psql "$DB" -Xq -v ON_ERROR_STOP=1 >/dev/null <<'SQL'
INSERT INTO escalation (quarter, account_id, filer, title, problem)
SELECT '2030Q1', (SELECT id FROM account WHERE name = 'Acme'), 'bench', 'seeded ' || g, 'p'
  FROM generate_series(1, 5000) g;
-- a desk in use: each seeded escalation has its filing's event and its
-- request log entry, so that the planner sizes those tables as they are
-- (an empty table's plan, a scan, would stay cached for the run)
WITH n AS (SELECT last_seq FROM event_counter)
INSERT INTO event (seq, type, actor, quarter, escalation_id, account, data, summary)
SELECT n.last_seq + row_number() OVER (ORDER BY e.id), 'escalation.filed', 'bench', e.quarter,
       e.id, 'Acme', '{}', 'bench filed ' || e.id
  FROM escalation e, n;
UPDATE event_counter SET last_seq = (SELECT max(seq) FROM event);
INSERT INTO request_log (user_name, request_id, request_digest, reply)
SELECT 'bench', 'seeded-' || id, sha256(id::text::bytea), '\x00' FROM escalation;
ANALYZE;
SQL
    IDS="$(psql "$DB" -XAtc "SELECT min(id) || ':' || max(id) FROM escalation")"
}

# bench_pgbench_db: a pgbench database (scale 10) on the same cluster, PGDB,
# dropped by bench_stop; PGB is pgbench.
bench_pgbench_db() {
    PGB="$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)/pgbench"
    PGDB=$(bench_db_url "pgbench_$$")
    psql "$(bench_db_url postgres)" -Xqc "CREATE DATABASE pgbench_$$" >/dev/null
    "$PGB" -i -q -s 10 "$PGDB" >/dev/null 2>&1
}

# bench_pgbench MODE CLIENTS SECONDS: pgbench's transactions a second on
# PGDB, MODE -N (writes) or -S (reads).
bench_pgbench() {
    "$PGB" -n "$1" -c "$2" -j "$(( $2 < 2 ? 1 : 2 ))" -T "$3" "$PGDB" 2>/dev/null \
        | awk '/^tps = / {print $3; exit}'
}

# bench_load ARGS...: the load generator, as every bench user, on the
# seeded desk.
bench_load() {
    "$B/tests/load" --endpoint "$EP" --server-key "$ESC_SERVER_KEY" --keys "$ESC_HOME/keys" \
        --users 32 --quarter 2030Q1 --ids "$IDS" "$@"
}
