#!/usr/bin/env bash
# race.sh: a spent token is spent exactly once, however many CROs race.
# 20 clients of two CRO users spend at once, through two escd instances on
# one database, on 20 sized escalations of a one-token quarter: exactly one
# wins and 19 hear TOKEN_ALREADY_SPENT. Then one request id sent to both
# servers at once: both hear the first answer, and it is applied once.
. "$(dirname "$0")/lib.sh"

init_server
add_cast
start_escd a
start_escd b

ok pat quarter open 2031Q1 --capacity-hours 100000 --tokens 1
ok alice account add Acme --arr 100
IDS=()
for i in $(seq 1 20); do
    ok alice --quiet file --quarter 2031Q1 --account Acme --title "Request $i" --problem "Problem $i"
    IDS+=("$OUT")
    ok pat size "$OUT" --hours 10 --viable yes
done

say "20 spends at once"
mkdir -p "$WORK/race"
for i in $(seq 0 19); do
    if [ $((i % 2)) -eq 0 ]; then user=carol; ep=$ENDPOINT_a; else user=chris; ep=$ENDPOINT_b; fi
    (
        while [ ! -e "$WORK/race/go" ]; do sleep 0.005; done
        set +e
        "$ESC" --as "$user" --endpoint "$ep" spend "${IDS[$i]}" >"$WORK/race/$i.out" 2>"$WORK/race/$i.err"
        echo $? >"$WORK/race/$i.rc"
    ) &
done
sleep 0.3
touch "$WORK/race/go"
wait_for=0
while [ "$(ls "$WORK"/race/*.rc 2>/dev/null | wc -l)" -lt 20 ]; do
    sleep 0.1
    wait_for=$((wait_for + 1))
    [ "$wait_for" -lt 300 ] || fail "the spends did not finish"
done

wins=0
for i in $(seq 0 19); do
    rc=$(cat "$WORK/race/$i.rc")
    if [ "$rc" -eq 0 ]; then
        wins=$((wins + 1))
    else
        same "$rc" 1 "exit code of a losing spend"
        grep -q "^esc: TOKEN_ALREADY_SPENT: " "$WORK/race/$i.err" \
            || fail "spend $i said: $(cat "$WORK/race/$i.err")"
    fi
done
same "$wins" 1 "winning spends"
same "$(sql "SELECT count(*) FROM token_spend WHERE quarter = '2031Q1'")" 1 "token spends in the database"
same "$(sql "SELECT count(*) FROM escalation WHERE state = 'approved'")" 1 "approved escalations"
same "$(sql "SELECT count(*) FROM event WHERE type = 'escalation.approved'")" 1 "approval events"
grep -q "spend OK" "$WORK/escd-a.log" "$WORK/escd-b.log" || fail "no server logged the winning spend"
grep -q "spend FAILED_PRECONDITION TOKEN_ALREADY_SPENT" "$WORK/escd-a.log" \
    || fail "server a logged no refused spend"
grep -q "spend FAILED_PRECONDITION TOKEN_ALREADY_SPENT" "$WORK/escd-b.log" \
    || fail "server b logged no refused spend"

say "one request id on two servers at once: one answer, applied once"
ok pat quarter open 2031Q2 --capacity-hours 100000 --tokens 1
ok alice --quiet file --quarter 2031Q2 --account Acme --title "Retried" --problem "Flaky network"
RID_ESC=$OUT
ok pat size "$RID_ESC" --hours 10 --viable yes
# hold every writer back so that both copies wait at the sequence lock
psql "$DB" -Xqc "BEGIN; SELECT * FROM event_counter FOR UPDATE; SELECT pg_sleep(1); COMMIT;" >/dev/null &
HOLD=$!
sleep 0.3
COPIES=()
for s in a b; do
    ep=ENDPOINT_$s
    ( set +e
      "$ESC" --as carol --endpoint "${!ep}" --request-id spend-twice-0001 spend "$RID_ESC" \
          >"$WORK/twice-$s.out" 2>"$WORK/twice-$s.err"
      echo $? >"$WORK/twice-$s.rc" ) &
    COPIES+=($!)
    sleep 0.1
done
wait "$HOLD" "${COPIES[@]}"
same "$(cat "$WORK/twice-a.rc") $(cat "$WORK/twice-b.rc")" "0 0" "exit codes of both copies"
same "$(cat "$WORK/twice-a.out")" "$(cat "$WORK/twice-b.out")" "the answers of both copies"
same "$(sql "SELECT count(*) FROM token_spend WHERE quarter = '2031Q2'")" 1 "spends of the retried request"
same "$(sql "SELECT count(*) FROM event WHERE type = 'escalation.approved' AND escalation_id = $RID_ESC")" 1 \
    "approval events of the retried request"
grep -q "carol spend OK request=[^ ]* (retry)" "$WORK/escd-a.log" "$WORK/escd-b.log" || fail "no server answered from the log"
echo "race: exactly one of 20 spends won; a doubled request applied once"
