#!/usr/bin/env bash
# tests/bench/ab.sh: two escd binaries, A and B, on one desk and one
# cluster, taking turns: each round runs pgbench (-N for writes, -S for
# reads) at the same number of clients, then the load generator against A
# and B (A first in odd rounds, B first in even ones), and prints each
# one's rate and its ratio to that round's pgbench. On a machine whose speed drifts (a shared VM), turns inside one
# run are what makes two builds comparable. Not a test: it prints figures.
#
#   tests/bench/ab.sh ESCD_A ESCD_B [OP] [CLIENTS] [ROUNDS] [SECONDS]
#
# OP is load.c's (file, mix, show, list, quarter; default file), CLIENTS
# default 1, ROUNDS 4, SECONDS 5. Build the other binary from another
# checkout (git worktree add ../old REV; cmake -DCMAKE_BUILD_TYPE=Release);
# both must accept this database's schema.
set -euo pipefail
[ $# -ge 2 ] || { sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//'; exit 2; }
A=$(realpath "$1") BIN_B=$(realpath "$2")
OP=${3:-file} C=${4:-1} ROUNDS=${5:-4} SECS=${6:-5}
cd "$(dirname "$0")/../.."
. tests/bench/lib.sh
bench_start ab sales,pm,cro,exec
bench_seed_desk
bench_pgbench_db
mode=-S
case $OP in file|mix) mode=-N ;; esac
printf '%-5s %-8s %10s | %-32s %9s %7s\n' round op pgbench/s escd "escd/s" ratio
declare -A bin=([A]=$A [B]=$BIN_B) sum=([A]=0 [B]=0)
for r in $(seq 1 "$ROUNDS"); do
    ref=$(bench_pgbench "$mode" "$C" "$SECS")
    order="A B"
    [ $((r % 2)) = 0 ] && order="B A"
    for x in $order; do
        bench_escd "${bin[$x]}"
        OUT=$(bench_load --op "$OP" --clients "$C" --seconds "$SECS")
        per_s=$(printf '%s\n' "$OUT" | awk '$1 == "per_s" {print $2}')
        failed=$(printf '%s\n' "$OUT" | awk '$1 == "failed" {print $2}')
        ratio=$(awk -v a="$per_s" -v b="$ref" 'BEGIN { printf "%.3f", a / b }')
        sum[$x]=$(awk -v s="${sum[$x]}" -v v="$ratio" 'BEGIN { print s + v }')
        printf '%-5s %-8s %10.0f | %s %-30s %9s %6sx\n' "$r" "$OP@$C" "$ref" "$x" "${bin[$x]}" \
            "$per_s" "$ratio"
        [ "$failed" = 0 ] || echo "  ($failed requests got no answer)"
    done
done
for x in A B; do
    printf 'mean ratio %s %-30s %.3fx\n' "$x" "${bin[$x]}" \
        "$(awk -v s="${sum[$x]}" -v n="$ROUNDS" 'BEGIN { print n ? s / n : 0 }')"
done
