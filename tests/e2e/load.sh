#!/usr/bin/env bash
# load.sh: the write benchmark's load (tests/bench/load.c: many clients in
# one process, each a CURVE DEALER with requests in flight), for a few
# seconds, keeps every promise: the event log stays gap-free and in order,
# every acknowledged write was applied (its request logged, its event
# written) and applied once, and nothing was applied that was not
# acknowledged, for filings and for the mix of sizings and token spends;
# and reads answered from memory are all answered while escd's database
# connections are cut under them.
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

# Filings that arrive together are answered together (a run of them in a
# few statements for all); one that a rule refuses, or one whose insert
# fails, must not change what the others get. Loads at once, so that
# batches mix them: good filings beside filings for an account nobody
# added and filings into a closed quarter (refused by the rules: each
# refusal is logged, nothing is filed); then good filings beside a few
# the database refuses (a constraint this
# test adds: the run's statement fails, the run is rolled back and
# answered one by one).
say "filings together, beside refused and failing ones"
psql "$DB" -Xqc "ALTER TABLE escalation ADD CONSTRAINT poison CHECK (title <> 'poison')"
ok pat quarter open 2099Q1 --capacity-hours 1000
ok pat quarter close 2099Q1 --yes
SEQ0=$(head_seq) FILED0=$(sql "SELECT count(*) FROM escalation")
together() {    # together NAME CLIENTS ARGS...: load of filings as NAME
    local name=$1 clients=$2
    shift 2
    "$ESC_BUILD/tests/load" --endpoint "$ENDPOINT_a" --server-key "$ESC_SERVER_KEY" \
        --keys "$ESC_HOME/keys" --users 8 --op file --window 4 --clients "$clients" \
        --seconds 3 --quarter "$Q" --acked "$WORK/acked-$name" "$@" \
        >"$WORK/$name.out" 2>"$WORK/$name.err" || fail "load $name: $(cat "$WORK/$name.err")"
    touch "$WORK/acked-$name"
}
# (the good ones give an empty needed-by: none, not a date the insert
# cannot read)
together good 8 --account Acme --needed-by "" & GOOD=$!
together nobody 4 --account Nobody & NOBODY=$!
together closed 2 --account Acme --quarter 2099Q1 & CLOSED=$!
together unknown 2 --account Acme --quarter 2097Q1 & UNKNOWN=$!
wait $GOOD $NOBODY $CLOSED $UNKNOWN
[ "$(wc -l <"$WORK/acked-good")" -gt 0 ] || fail "no good filing acknowledged: $(cat "$WORK/good.out")"
mv "$WORK/good.out" "$WORK/good1.out"
mv "$WORK/acked-good" "$WORK/acked-good1"
# these name no quarter: the run finds the default once
together good 8 --account Acme --quarter "" & GOOD=$!
together poison 1 --account Acme --title poison & POISON=$!
wait $GOOD $POISON
cat "$WORK/acked-good1" >>"$WORK/acked-good"
for name in good1 good nobody closed unknown poison; do
    same "$(figure $name failed)" 0 "$name: requests without an answer"
done
[ "$(wc -l <"$WORK/acked-good")" -gt 0 ] || fail "no good filing acknowledged: $(cat "$WORK/good.out")"
for name in nobody closed unknown poison; do
    same "$(wc -l <"$WORK/acked-$name")" 0 "$name: filings acknowledged"
    [ "$(figure $name refused)" -gt 0 ] || fail "$name: nothing refused: $(cat "$WORK/$name.out")"
done
# only the good ones were filed, each once, each with its event, all in
# the quarter of today
same "$(sql "SELECT count(*) FROM escalation WHERE quarter <> '$Q'")" 0 "filed elsewhere"
# each event names the escalation its request filed (eight users at once:
# an answer given to the wrong request would show)
same "$(sql "SELECT count(*) FROM event v JOIN escalation e ON e.id = v.escalation_id
             WHERE v.type = 'escalation.filed' AND (v.actor <> e.filer
                   OR v.data->>'title' <> e.title OR v.quarter <> e.quarter)")" 0 \
    "filing events that name another's escalation"
same "$(( $(head_seq) - SEQ0 ))" "$(wc -l <"$WORK/acked-good")" "events of the filings together"
same "$(( $(sql "SELECT count(*) FROM escalation") - FILED0 ))" "$(wc -l <"$WORK/acked-good")" \
    "escalations filed together"
psql "$DB" -XAtqc "SELECT request_id FROM request_log WHERE request_id LIKE 'load-%'" \
    | sort >"$WORK/logged-together"
same "$(sort -u "$WORK/acked-good" | comm -23 - "$WORK/logged-together" | wc -l)" 0 \
    "acknowledged filings missing from the request log"
same "$(sql "SELECT count(*) FROM (SELECT seq, lag(seq) OVER (ORDER BY seq) AS prev FROM event) e
             WHERE prev IS NOT NULL AND seq <> prev + 1")" 0 "gaps in the event log"
# the rule's refusal is the answer, logged; the database's is not
grep -q "file NOT_FOUND ACCOUNT_NOT_FOUND" "$WORK/escd-a.log" \
    || fail "no filing for an unknown account was refused: $(grep -m3 'file ' "$WORK/escd-a.log")"
grep -q "file FAILED_PRECONDITION QUARTER_CLOSED" "$WORK/escd-a.log" \
    || fail "no filing into a closed quarter was refused: $(grep -m3 'file ' "$WORK/escd-a.log")"
grep -q "file NOT_FOUND QUARTER_NOT_FOUND" "$WORK/escd-a.log" \
    || fail "no filing into a missing quarter was refused: $(grep -m3 'file ' "$WORK/escd-a.log")"
same "$(sql "SELECT count(*) FROM escalation WHERE needed_by IS NOT NULL")" 0 "needed-by dates"
same "$(sql "SELECT count(*) FROM escalation WHERE title = 'poison'")" 0 "poison filed"
psql "$DB" -Xqc "ALTER TABLE escalation DROP CONSTRAINT poison"

# Reads answered from memory are replied to once a head check posted
# after they came says the head stands, several checks in flight at once;
# escd's connections cut again and again under such reads: every read is
# still answered (from memory, again in a snapshot, or UNAVAILABLE), and
# escd connects again by itself
say "reads from memory while escd's connections are cut"
"$ESC_BUILD/tests/load" --endpoint "$ENDPOINT_a" --server-key "$ESC_SERVER_KEY" \
    --keys "$ESC_HOME/keys" --users 8 --op show --window 4 --clients 8 --seconds 3 \
    --ids "$FIRST:$LAST" >"$WORK/show.out" 2>"$WORK/show.err" & SHOW=$!
for _ in 1 2 3 4 5 6; do
    sleep 0.5
    sql "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
          WHERE datname = current_database() AND pid <> pg_backend_pid()
            AND backend_type = 'client backend'" >/dev/null
done
wait $SHOW || fail "load show: $(cat "$WORK/show.err")"
same "$(figure show failed)" 0 "show: reads without an answer"
[ "$(figure show ok)" -gt 0 ] || fail "no show answered: $(cat "$WORK/show.out")"
grep -q "show OK request=load-[^ ]* (from memory)" "$WORK/escd-a.log" \
    || fail "no show was answered from memory"
grep -q "connected to the database again" "$WORK/escd-a.log" \
    || fail "escd did not connect again after its connections were cut"
ok evan show "$FIRST"

say "escd is alive"
kill -0 "$PID_a" || fail "escd died"
echo "load: every acknowledged write applied once, the log gap-free"
