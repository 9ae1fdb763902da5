#!/usr/bin/env bash
# tests/bench/write.sh: how fast escd writes and reads, next to what its
# PostgreSQL does by itself, in the same run on the same cluster. For 1, 8
# and 32 clients (tests/bench/load.c, each its own user, one request in
# flight each): filings; a mix of sizings and token spends; shows; the
# first page of the quarter's list; the quarter shown. Beside
# them `pgbench -N` (writes) and `pgbench -S` (reads) at the same number of
# clients, and the ratios; escd's CPU (share of one core) and resident
# memory (first, idle); and what each request, and each pgbench
# transaction, cost the whole machine in CPU (escd, the load generator and
# PostgreSQL; pgbench and PostgreSQL): where that is higher than pgbench's,
# no concurrency reaches its rate once the cores are busy. Not a test: it
# prints figures.
#
#   tests/bench/write.sh [SECONDS]     (default 10 a measurement)
set -euo pipefail
cd "$(dirname "$0")/../.."
SECS=${1:-10}
. tests/bench/lib.sh
bench_start write sales,pm,cro,exec
sleep 2
START_KB=$(awk '/^VmRSS/ {print $2}' "/proc/$ESCD_PID/status")
bench_seed_desk
bench_pgbench_db

cpu_ticks() { awk '{print $14 + $15}' "/proc/$ESCD_PID/stat"; }
busy_ticks() { awk '/^cpu / {print $2 + $3 + $4 + $7 + $8}' /proc/stat; }   # all cores
ms_per() { awk -v t="$1" -v n="$2" -v hz="$HZ" 'BEGIN { printf "%.3f", n ? t / hz * 1000 / n : 0 }'; }
rss() { awk '/^VmRSS/ {printf "%.1f", $2 / 1024}' "/proc/$ESCD_PID/status"; }
figure() { printf '%s\n' "$1" | awk -v k="$2" '$1 == k {print $2}'; }
HZ=$(getconf CLK_TCK)
echo "escd idle, resident: $START_KB kB as started;" \
    "$(awk '/^VmRSS/ {print $2}' "/proc/$ESCD_PID/status") kB after seeding the desk"

printf '%-6s %7s | %9s %8s %8s %9s %8s %8s | %10s %8s | %7s\n' op clients "escd/s" "p50 ms" \
    "p99 ms" "escd CPU" "RSS MiB" "CPU ms" "pgbench/s" "CPU ms" ratio
for op in file mix show list quarter; do
    for c in 1 8 32; do
        mode=-S
        case $op in file|mix) mode=-N ;; esac
        b0=$(busy_ticks)
        ref=$(bench_pgbench "$mode" "$c" "$SECS")
        ref_cpu=$(ms_per "$(( $(busy_ticks) - b0 ))" "$(awk -v t="$ref" -v s="$SECS" 'BEGIN { print int(t * s) }')")
        t0=$(cpu_ticks)
        b0=$(busy_ticks)
        OUT=$(bench_load --op "$op" --clients "$c" --seconds "$SECS")
        t1=$(cpu_ticks)
        op_cpu=$(ms_per "$(( $(busy_ticks) - b0 ))" "$(figure "$OUT" requests)")
        per_s=$(figure "$OUT" per_s)
        cpu=$(awk -v d="$((t1 - t0))" -v hz="$HZ" -v s="$SECS" 'BEGIN { printf "%.0f %%", 100 * d / hz / (s + 1) }')
        printf '%-6s %7s | %9s %8s %8s %9s %8s %8s | %10.0f %8s | %7s\n' "$op" "$c" "$per_s" \
            "$(figure "$OUT" p50_ms)" "$(figure "$OUT" p99_ms)" "$cpu" "$(rss)" "$op_cpu" "$ref" \
            "$ref_cpu" \
            "$(awk -v a="$per_s" -v b="$ref" 'BEGIN { printf "%.2fx", a / b }')"
        [ "$(figure "$OUT" failed)" = 0 ] || echo "  ($(figure "$OUT" failed) requests got no answer)"
    done
done
