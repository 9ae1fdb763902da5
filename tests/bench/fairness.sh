#!/usr/bin/env bash
# tests/bench/fairness.sh: how long an honest user waits while another
# user's crafted client keeps heavy requests in flight, next to how long
# they wait alone; and how a quarter of many escalations lists its first
# page. Same escd, same cluster, same run. Not a test: it prints figures.
#
#   tests/bench/fairness.sh [ESCALATIONS]    (default 100000)
set -euo pipefail
cd "$(dirname "$0")/../.."
N=${1:-100000}
. tests/bench/lib.sh
bench_start fairness sales,pm,cro,exec
bench_user honest sales,pm,cro
export ESC_TIMEOUT=60 ESC_RETRIES=0
"$B/esc" --as bench quarter open 2030Q1 --capacity-hours 2000000 >/dev/null
"$B/esc" --as bench account add Acme --arr 1 >/dev/null
echo "seeding $N escalations"
psql "$DB" -Xq -v ON_ERROR_STOP=1 -v n="$N" >/dev/null <<'SQL'
INSERT INTO escalation (quarter, account_id, filer, title, problem)
SELECT '2030Q1', (SELECT id FROM account WHERE name = 'Acme'), 'bench', 'escalation ' || g,
       'problem ' || g FROM generate_series(1, :n) g;
ANALYZE;
SQL
flood() {
    local user=$1; shift
    "$B/tests/flood" --endpoint "$EP" --feed "$FEED" --server-key "$ESC_SERVER_KEY" \
        --key "$ESC_HOME/keys/$user.key" "$@"
}
figure() { printf '%s\n' "$1" | awk -v k="$2" '$1 == k {print $2}'; }
rss() { awk '/^VmRSS/ {printf "%.1f", $2 / 1024}' "/proc/$ESCD_PID/status"; }

echo "== the first page of a list over $N escalations"
psql "$DB" -XAtq -c "SET jit = off; EXPLAIN (FORMAT JSON) SELECT * FROM escalation_view
    WHERE id = ANY (ARRAY (SELECT e.id FROM escalation e WHERE e.quarter = '2030Q1' AND e.id > 0
                           ORDER BY e.id LIMIT 51)) ORDER BY id" >"$WORK/plan.json"
printf 'escalation_view, a page of 51: estimated %s rows, cost %s (JIT starts at 100000)\n' \
    "$(jq '.[0].Plan["Plan Rows"]' "$WORK/plan.json")" "$(jq '.[0].Plan["Total Cost"]' "$WORK/plan.json")"
"$B/esc" --as honest list --quarter 2030Q1 >/dev/null        # warm up
for i in $(seq 1 20); do
    s=$(date +%s%N); "$B/esc" --as honest list --quarter 2030Q1 >/dev/null; e=$(date +%s%N)
    echo $(( (e - s) / 1000 ))
done | sort -n | awk '{v[NR] = $1} END {printf "esc list, whole process: p50 %.1f ms, max %.1f ms\n", v[int(NR/2)+1]/1000, v[NR]/1000}'
grep -E "honest list OK" "$WORK/escd.log" | tail -20 | awk '{sub("ms", "", $NF); print $NF}' | sort -n \
    | awk '{v[NR] = $1} END {printf "list inside escd: p50 %.1f ms, max %.1f ms\n", v[int(NR/2)+1], v[NR]}'

for attack in "list" "report"; do
    ALONE=$(flood honest probe 400 1)
    flood bench pipeline 20 12 "$attack" >"$WORK/pipeline.out" &
    ATTACK=$!
    sleep 2
    LOADED=$(flood honest probe 400 1)
    wait "$ATTACK"
    P=$(cat "$WORK/pipeline.out")
    printf '== beside 12 %ss kept in flight by another user: %s answered in 20 s, %s of them refused\n' \
        "$attack" "$(figure "$P" pipeline_answered)" "$(figure "$P" pipeline_refused)"
    printf 'honest show/file alone:       p50 %s ms, p99 %s ms\n' \
        "$(figure "$ALONE" probe_p50_ms)" "$(figure "$ALONE" probe_p99_ms)"
    printf 'honest show/file, loaded:     p50 %s ms, p99 %s ms (failed %s)\n' \
        "$(figure "$LOADED" probe_p50_ms)" "$(figure "$LOADED" probe_p99_ms)" \
        "$(figure "$LOADED" probe_failed)"
    awk -v a="$(figure "$ALONE" probe_p99_ms)" -v l="$(figure "$LOADED" probe_p99_ms)" \
        'BEGIN { printf "p99 loaded / alone:           %.1fx\n", l / a }'
done
echo "escd resident: $(rss) MiB"
