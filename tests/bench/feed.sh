#!/usr/bin/env bash
# tests/bench/feed.sh: the decision feed's benchmark. Not a test: it
# prints figures, each next to a PostgreSQL reference measured in the same
# run on the same private cluster.
#
#   commit-to-watcher latency, p50 and p99, with 1, 100 and 1000 watchers,
#     against COMMIT-to-NOTIFY between two libpq connections;
#   catch-up speed over 100,000 events, through escd's events_since,
#     against reading the same pages straight from the table with libpq;
#   escd's resident memory, idle and at its peak with 1000 watchers.
#
# Usage: tests/bench/feed.sh [EVENTS_PER_RUN]   (default 200)
set -euo pipefail
cd "$(dirname "$0")/../.."
EVENTS=${1:-200}

. tests/bench/lib.sh
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"
bench_start feed sales,pm
Q="$(date +%Y)Q$(( ($(date +%-m) - 1) / 3 + 1 ))"
"$B/esc" --as bench quarter open "$Q" --capacity-hours 100000 >/dev/null
"$B/esc" --as bench account add Bench --arr 1 >/dev/null
rss() { awk -v k="$1:" '$1 == k {print $2}' "/proc/$ESCD_PID/status"; }
IDLE_RSS=$(rss VmRSS)

bench() {
    "$B/tests/feed_bench" --endpoint "$EP" --feed "$FEED" --server-key "$ESC_SERVER_KEY" \
        --key "$ESC_HOME/keys/bench.key" --db "$DB" "$@"
}
value() { awk -v k="$1" '$1 == k {print $2}' "$2"; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }'; }

echo "latency in ms: commit = escd's OK in the writer's hands; write = the writer's request sent"
echo "reference: a libpq write transaction with NOTIFY, sent -> another connection notified"
printf '%-9s %11s %11s %10s %10s %10s %10s %9s %9s\n' watchers commit_p50 commit_p99 \
    write_p50 write_p99 ref_p50 ref_p99 x_ref_p50 x_ref_p99
for n in 1 100 1000; do
    bench --watchers "$n" --events "$EVENTS" >"$WORK/lat.$n"
    f50=$(value feed_p50_ms "$WORK/lat.$n") f99=$(value feed_p99_ms "$WORK/lat.$n")
    w50=$(value write_p50_ms "$WORK/lat.$n") w99=$(value write_p99_ms "$WORK/lat.$n")
    n50=$(value notify_p50_ms "$WORK/lat.$n") n99=$(value notify_p99_ms "$WORK/lat.$n")
    printf '%-9s %11s %11s %10s %10s %10s %10s %9.1f %9.1f\n' "$n" "$f50" "$f99" "$w50" "$w99" \
        "$n50" "$n99" "$(ratio "$w50" "$n50")" "$(ratio "$w99" "$n99")"
done
PEAK_RSS=$(rss VmHWM)

# 100,000 events for the catch-up, written straight into the log
psql "$DB" -Xq -v ON_ERROR_STOP=1 >/dev/null <<'SQL'
BEGIN;
SELECT last_seq FROM event_counter FOR UPDATE;
INSERT INTO event (seq, type, actor, data, summary)
SELECT c.last_seq + g, 'bench.event', 'bench',
       jsonb_build_object('n', g, 'note', 'a catch-up benchmark event'),
       'bench wrote benchmark event ' || g
  FROM event_counter c, generate_series(1, 100000) g;
UPDATE event_counter SET last_seq = last_seq + 100000;
COMMIT;
SQL
bench --catch-up >"$WORK/catchup"
e=$(value catchup_escd_per_s "$WORK/catchup") s=$(value catchup_sql_per_s "$WORK/catchup")
echo
printf 'catch-up over %s events: %s events/s through escd, %s events/s straight from SQL (ratio %s)\n' \
    "$(value catchup_events "$WORK/catchup")" "$e" "$s" "$(ratio "$e" "$s")"
printf 'escd resident memory: %s kB idle, %s kB at its peak (1000 watchers, then the catch-up)\n' \
    "$IDLE_RSS" "$(rss VmHWM)"
printf '  (peak after the latency runs alone: %s kB)\n' "$PEAK_RSS"
