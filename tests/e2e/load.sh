#!/usr/bin/env bash
# load.sh: the write benchmark's load (tests/bench/load.c: many clients in
# one process, each a CURVE DEALER with requests in flight), for a few
# seconds, keeps every promise: the event log stays gap-free and in order,
# every acknowledged write was applied (its request logged, its event
# written) and applied once, and nothing was applied that was not
# acknowledged, for filings and for the mix of sizings and token spends.
. "$(dirname "$0")/lib.sh"

init_server
add_cast
for i in $(seq 1 8); do add_user "bench$i" sales,pm,cro; done
start_escd a

Y=$(date -u +%Y) Q="$(date -u +%Y)Q$(( ($(date -u +%-m) - 1) / 3 + 1 ))"
ok pat quarter open "$Q" --capacity-hours 2000000 --tokens 3 --max-token-hours 100
ok alice account add Acme --arr 1
for i in $(seq 1 20); do ok alice file --quarter "$Q" --account Acme --title "seed $i" --problem p; done
FIRST=$(sql "SELECT min(id) FROM escalation") LAST=$(sql "SELECT max(id) FROM escalation")

# run_load NAME: 8 clients, 4 requests in flight each (2 for file-copies), for 3 s, of op NAME
# (file-copies: filings, each sent three times at once); the figures into
# $WORK/NAME.out, acknowledged writes' request ids into $WORK/acked-NAME
run_load() {
    # three copies of 2 in flight: within what escd queues for one user
    local args=(--op "$1" --window 4)
    [ "$1" = file-copies ] && args=(--op file --copies 3 --window 2)
    "$ESC_BUILD/tests/load" --endpoint "$ENDPOINT_a" --server-key "$ESC_SERVER_KEY" \
        --keys "$ESC_HOME/keys" --users 8 "${args[@]}" --clients 8 --seconds 3 \
        --quarter "$Q" --account Acme --ids "$FIRST:$LAST" --acked "$WORK/acked-$1" \
        >"$WORK/$1.out" 2>"$WORK/$1.err" || fail "load ${args[*]}: $(cat "$WORK/$1.err")"
    touch "$WORK/acked-$1"
}
figure() { sed -n "s/^$2 //p" "$WORK/$1.out"; }

# file-copies: a request sent again twice before its answer came, most
# often into the same batch as the first (which escd looked up in the
# request log as the batch opened, before the first logged its answer):
# applied once, and every copy gets the first's answer
for op in file mix file-copies; do
    say "load --op $op"
    SEQ0=$(head_seq) LOGGED0=$(sql "SELECT count(*) FROM request_log")
    run_load "$op"
    same "$(figure "$op" failed)" 0 "$op: requests without an answer"
    ACKED=$(wc -l <"$WORK/acked-$op")
    [ "$ACKED" -gt 0 ] || fail "$op: nothing was acknowledged: $(cat "$WORK/$op.out")"
    # load counts after its second of warm-up; --acked has them all
    [ "$ACKED" -ge "$(figure "$op" ok)" ] || fail "$op: fewer acknowledged than load counted"
    same "$(sort -u "$WORK/acked-$op" | wc -l)" "$ACKED" "$op: request ids acknowledged once each"
    # every acknowledged write is in the request log, by its id, once
    psql "$DB" -XAtqc "SELECT request_id FROM request_log WHERE request_id LIKE 'load-%'" \
        | sort >"$WORK/logged-$op"
    same "$(sort -u "$WORK/acked-$op" | comm -23 - "$WORK/logged-$op" | wc -l)" 0 \
        "$op: acknowledged writes missing from the request log"
    # one event per acknowledged write, no more: nothing applied twice, and
    # nothing applied that was not acknowledged (a refusal writes none)
    same "$(( $(head_seq) - SEQ0 ))" "$ACKED" "$op: events written for the acknowledged writes"
    # the log is gap-free and in commit order
    same "$(sql "SELECT count(*) FROM event")" "$(head_seq)" "$op: events, one for each seq"
    same "$(sql "SELECT count(*) FROM (SELECT seq, lag(seq) OVER (ORDER BY seq) AS prev FROM event) e
                 WHERE prev IS NOT NULL AND seq <> prev + 1")" 0 "$op: gaps in the event log"
    [ "$(sql "SELECT count(*) FROM request_log")" -ge "$((LOGGED0 + ACKED))" ] \
        || fail "$op: the request log lost entries"
done
same "$(figure file-copies copies_refused)" 0 "copies refused"
[ "$(figure file-copies copies_ok)" -gt 0 ] || fail "no copy was answered: $(cat "$WORK/file-copies.out")"
grep -q "file OK request=load-[^ ]* (retry)" "$WORK/escd-a.log" || fail "no second copy was answered from the log"
same "$(sql "SELECT count(*) FROM escalation WHERE title = 'a filing of the load'")" \
    "$(sql "SELECT count(*) FROM event WHERE type = 'escalation.filed' AND summary LIKE '%a filing of the load%'")" \
    "filings and their events"
# the token rule held under the mix: at most the quarter's 3 tokens spent
[ "$(sql "SELECT count(*) FROM token_spend WHERE quarter = '$Q'")" -le 3 ] || fail "more tokens spent than the quarter has"

say "escd is alive"
kill -0 "$PID_a" || fail "escd died"
echo "load: every acknowledged write applied once, the log gap-free"
