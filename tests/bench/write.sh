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
# The speed of a shared machine drifts from one second to the next: each
# row is ROUNDS rounds of pgbench and escd, one right after the other (in
# turn first), and shows the medians of the rounds (the ratio: the median
# of the rounds' ratios).
#
#   tests/bench/write.sh [SECONDS] [ROUNDS] [OP...]
#
# (defaults: 10 s a measurement, 3 rounds, every op: file mix show list
# quarter)
set -euo pipefail
export LC_ALL=C                 # printf's decimal point
cd "$(dirname "$0")/../.."
SECS=${1:-10}
ROUNDS=${2:-3}
shift $(( $# < 2 ? $# : 2 ))
OPS=${*:-file mix show list quarter}
for op in $OPS; do
    case $op in file|mix|show|list|quarter) ;; *) echo "write.sh: no op '$op'" >&2; exit 2 ;; esac
done
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
# the median of each column of the lines read
medians() {
    awk '{ for (i = 1; i <= NF; i++) v[i, NR] = $i; nf = NF }
         END { for (i = 1; i <= nf; i++) {
                   n = 0
                   for (r = 1; r <= NR; r++) a[++n] = v[i, r]
                   for (x = 2; x <= n; x++)                     # insertion sort
                       for (y = x; y > 1 && a[y - 1] + 0 > a[y] + 0; y--) {
                           t = a[y]; a[y] = a[y - 1]; a[y - 1] = t }
                   m = n % 2 ? a[(n + 1) / 2] : sprintf ("%.3f", (a[n / 2] + a[n / 2 + 1]) / 2)
                   printf "%s%s", m, i < nf ? " " : "\n" } }'
}
HZ=$(getconf CLK_TCK)
echo "escd idle, resident: $START_KB kB as started;" \
    "$(awk '/^VmRSS/ {print $2}' "/proc/$ESCD_PID/status") kB after seeding the desk"

printf '%-6s %7s | %9s %8s %8s %9s %8s %8s | %10s %8s | %7s\n' op clients "escd/s" "p50 ms" \
    "p99 ms" "escd CPU" "RSS MiB" "CPU ms" "pgbench/s" "CPU ms" ratio
# measure_escd: one round of escd's, into per_s, p50, p99, cpu (% of a
# core), op_cpu (machine ms a request) and failed (added up)
measure_escd() {
    local t0 b0 out
    t0=$(cpu_ticks)
    b0=$(busy_ticks)
    out=$(bench_load --op "$op" --clients "$c" --seconds "$SECS" || true)
    op_cpu=$(ms_per "$(( $(busy_ticks) - b0 ))" "$(figure "$out" requests)")
    cpu=$(awk -v d="$(( $(cpu_ticks) - t0 ))" -v hz="$HZ" -v s="$SECS" \
          'BEGIN { printf "%.0f", 100 * d / hz / (s + 1) }')
    per_s=$(figure "$out" per_s)
    per_s=${per_s:-0}
    p50=$(figure "$out" p50_ms)
    p50=${p50:-0}
    p99=$(figure "$out" p99_ms)
    p99=${p99:-0}
    failed=$(( failed + $(figure "$out" failed || true) + 0 ))
}

for op in $OPS; do
    for c in 1 8 32; do
        mode=-S
        case $op in file|mix) mode=-N ;; esac
        rounds=""
        failed=0
        for round in $(seq "$ROUNDS"); do
            # pgbench first in odd rounds, escd first in even ones
            [ $((round % 2)) = 0 ] && measure_escd
            b0=$(busy_ticks)
            ref=$(bench_pgbench "$mode" "$c" "$SECS" || true)
            ref=${ref:-0}
            ref_cpu=$(ms_per "$(( $(busy_ticks) - b0 ))" \
                      "$(awk -v t="$ref" -v s="$SECS" 'BEGIN { print int(t * s) }')")
            [ $((round % 2)) = 1 ] && measure_escd
            rounds+="$per_s $p50 $p99 $cpu $op_cpu $ref $ref_cpu"
            rounds+=" $(awk -v a="$per_s" -v b="$ref" 'BEGIN { print b ? a / b : 0 }')"$'\n'
        done
        read -r per_s p50 p99 cpu op_cpu ref ref_cpu ratio < <(printf '%s' "$rounds" | medians)
        printf '%-6s %7s | %9.1f %8s %8s %7s %% %8s %8.3f | %10.0f %8.3f | %6.2fx\n' "$op" "$c" \
            "$per_s" "$p50" "$p99" "$cpu" "$(rss)" "$op_cpu" "$ref" "$ref_cpu" "$ratio"
        [ "$failed" = 0 ] || echo "  ($failed requests got no answer)"
    done
done
