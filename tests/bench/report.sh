#!/usr/bin/env bash
# tests/bench/report.sh: how long the quarter's report takes over many
# escalations, next to the raw SQL aggregate it needs, measured in the same
# run on the same private cluster. Not a test: it prints figures.
#
#   tests/bench/report.sh [ESCALATIONS]    (default 100000)
set -euo pipefail
cd "$(dirname "$0")/../.."
N=${1:-100000}
. tests/bench/lib.sh
bench_start report sales,pm,cro,exec
export ESC_TIMEOUT=120 ESC_RETRIES=0
"$B/esc" --as bench quarter open 2030Q1 --capacity-hours 2000000 --tokens 1 >/dev/null

echo "seeding $N escalations"
psql "$DB" -Xq -v ON_ERROR_STOP=1 -v n="$N" >/dev/null <<'SQL'
INSERT INTO account (name, arr, renewal_on, created_by)
SELECT 'account ' || g, g * 1000, date '2030-06-01' + g % 300, 'bench' FROM generate_series(1, 1000) g;
INSERT INTO roadmap_item (quarter, title, category, hours, created_by)
SELECT '2030Q1', 'item ' || g, (enum_range(NULL::roadmap_category))[1 + g % 4], 100 + g, 'bench'
  FROM generate_series(1, 40) g;
-- states by id: 20 % filed, 45 % sized, 20 % declined, 15 % withdrawn,
-- and one in a thousand approved by override
INSERT INTO escalation (quarter, account_id, filer, title, problem, deal_value)
SELECT '2030Q1', 1 + g % 1000, 'bench', 'escalation ' || g, 'problem ' || g, g * 10
  FROM generate_series(1, :n) g;
INSERT INTO sizing (escalation_id, sized_by, hours, viable)
SELECT id, 'bench', 1 + id % 200, id % 7 <> 0 FROM escalation WHERE id % 20 >= 4;
UPDATE escalation e
   SET sizing_id = s.id,
       state = (CASE WHEN e.id % 1000 = 999 THEN 'approved' WHEN e.id % 20 < 13 THEN 'sized'
                     WHEN e.id % 20 < 17 THEN 'declined' ELSE 'withdrawn' END)::escalation_state,
       approved_via = CASE WHEN e.id % 1000 = 999 THEN 'override' END
  FROM sizing s WHERE s.escalation_id = e.id;
INSERT INTO override (escalation_id, overridden_by, reason)
SELECT id, 'bench', 'benchmark' FROM escalation WHERE approved_via = 'override';
ANALYZE;
SQL

# the raw aggregate the report needs: the quarter's counts in one pass
cat >"$WORK/aggregate.sql" <<'SQL'
SELECT count(*) FILTER (WHERE e.state <> 'merged'),
       sum(s.hours) FILTER (WHERE e.state NOT IN ('merged', 'withdrawn')),
       count(*) FILTER (WHERE s.id IS NULL AND e.state IN ('filed', 'returned')),
       count(*) FILTER (WHERE e.state IN ('approved', 'delivered', 'closed', 'declined')),
       count(*) FILTER (WHERE e.state = 'declined'),
       sum(s.hours) FILTER (WHERE e.state IN ('approved', 'delivered', 'closed') AND e.approved_via = 'token'),
       sum(s.hours) FILTER (WHERE e.state IN ('approved', 'delivered', 'closed') AND e.approved_via = 'override'),
       sum(s.hours) FILTER (WHERE e.state = 'sized' AND s.viable),
       count(*) FILTER (WHERE e.state = 'sized' AND s.viable)
  FROM escalation e LEFT JOIN sizing s ON s.id = e.sizing_id
 WHERE e.quarter = '2030Q1';
SQL
runs=10
PGBENCH="$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)/pgbench"
"$PGBENCH" -n -f "$WORK/aggregate.sql" -t 1 "$DB" >/dev/null 2>&1       # warm up, as for esc below
SQL_MS=$("$PGBENCH" -n -f "$WORK/aggregate.sql" \
    -t "$runs" "$DB" 2>/dev/null | awk '/latency average/ {print $4}')

"$B/esc" --as bench report --quarter 2030Q1 --format json >/dev/null     # warm up
start=$(date +%s%N)
for _ in $(seq 1 "$runs"); do
    "$B/esc" --as bench report --quarter 2030Q1 --format json >/dev/null
done
ESC_MS=$(awk -v ns=$(( $(date +%s%N) - start )) -v r="$runs" 'BEGIN { printf "%.1f", ns / 1e6 / r }')
ESCD_MS=$(grep "bench report OK" "$WORK/escd.log" | tail -n "$runs" \
    | awk '{ sub(/ms$/, "", $NF); s += $NF; n++ } END { printf "%.1f", s / n }')

echo "report over $N escalations, mean of $runs runs:"
printf '  raw SQL aggregate (pgbench):   %8s ms\n' "$SQL_MS"
printf '  the report inside escd:        %8s ms  (%.2fx the aggregate)\n' "$ESCD_MS" \
    "$(awk -v a="$ESCD_MS" -v b="$SQL_MS" 'BEGIN { print a / b }')"
printf '  esc report --format json:      %8s ms  (the whole process, with rendering)\n' "$ESC_MS"
