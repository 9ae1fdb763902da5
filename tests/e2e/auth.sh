#!/usr/bin/env bash
# auth.sh: who may talk to escd, and what a client sees when it cannot:
# unknown keys refused (exit 4), a missing server gives exit 5 within the
# timeout, users managed by an admin, retried request ids answered once,
# one log line per request, and a clean stop on SIGTERM.
. "$(dirname "$0")/lib.sh"

init_server
add_cast
start_escd main
ok pat quarter open 2031Q2 --capacity-hours 1000

say "a key the server does not know is refused"
"$ESC" keygen mallory >/dev/null
refused 4 UNAUTHENTICATED mallory quarter list
grep -q "mallory" "$WORK/escd-main.log" && fail "an unknown key reached the desk"

say "a client with the wrong server key gets nothing"
set +e
OUT=$("$ESC" --as alice --server-key "$(${ESC} keygen wrongserver)" --timeout 1 quarter list 2>&1)
RC=$?
set -e
[ "$RC" -eq 4 ] || [ "$RC" -eq 5 ] || fail "wrong server key: exit $RC ($OUT)"

say "an unreachable server: exit 5 within the timeout"
start=$(date +%s%N)
refused 5 TIMEOUT alice --endpoint tcp://127.0.0.1:9 --timeout 1 quarter list
elapsed=$(( ($(date +%s%N) - start) / 1000000 ))
[ "$elapsed" -lt 2500 ] || fail "a 1 s timeout took $elapsed ms"
case "$ERR" in *"rerun with --request-id "*) ;; *) fail "a timeout names no request id: $ERR" ;; esac
expect 2 alice --endpoint "nonsense://x" quarter list
start=$(date +%s%N)
ESC_TIMEOUT=0.5 refused 5 TIMEOUT alice --endpoint tcp://127.0.0.1:9 quarter list
elapsed=$(( ($(date +%s%N) - start) / 1000000 ))
[ "$elapsed" -lt 2000 ] || fail "ESC_TIMEOUT=0.5 took $elapsed ms"

say "identities"
expect 2 nobody quarter list
case "$ERR" in *"no key for nobody"*) ;; *) fail "missing key: $ERR" ;; esac
expect 2 alice --server-key short quarter list
case "$ERR" in *"not a Z85 key"*) ;; *) fail "bad server key: $ERR" ;; esac

say "users are managed by an admin"
KEY=$("$ESC" keygen dana)
refused 4 PERMISSION_DENIED pat user add dana --role sales --key "$KEY"
refused 1 INVALID_ARGUMENT ada user add dana --role sales,ceo --key "$KEY"
refused 1 INVALID_KEY ada user add dana --role sales --key notakey
refused 4 UNAUTHENTICATED dana quarter list
ok ada user add dana --role sales,pm --key "$KEY"
same "$(field dana quarter show 2031Q2 '.name')" 2031Q2 "the new user is admitted"
ok dana account add Dunder --arr 5
refused 1 USER_EXISTS ada user add dana --role sales --key "$("$ESC" keygen dana2)"
refused 4 PERMISSION_DENIED dana user list
same "$(field ada user list '[.[]|select(.name=="dana")|.roles|join(",")][0]')" "sales,pm" "dana's roles"

say "a retried request id is answered with the first answer"
ok alice account add Acme --arr 1
ok alice --request-id retry-0000001 file --quarter 2031Q2 --account Acme --title T --problem P
FIRST=$OUT
ok alice --request-id retry-0000001 file --quarter 2031Q2 --account Acme --title T --problem P
same "$OUT" "$FIRST" "the retry's answer"
same "$(sql "SELECT count(*) FROM escalation")" 1 "escalations after a retry"
refused 1 REQUEST_ID_REUSED alice --request-id retry-0000001 file --quarter 2031Q2 --account Acme --title T2 --problem P
# a request id is its user's own: bob's is a new request, answered for him
ok bob --request-id retry-0000001 file --quarter 2031Q2 --account Acme --title T --problem P
[ "$OUT" != "$FIRST" ] || fail "bob got alice's answer"
same "$(sql "SELECT count(*) FROM escalation")" 2 "escalations after bob used the same id"
ok alice --request-id retry-0000001 file --quarter 2031Q2 --account Acme --title T --problem P
same "$OUT" "$FIRST" "alice's retry after bob's request"
expect 2 alice --request-id "bad id" quarter list
ok alice --request-id "urn:uuid:6f1c2b4e-0000" quarter list
grep -q "alice file OK .*(retry)" "$WORK/escd-main.log" || fail "the retry was not logged as one"
same "$(sql "SELECT count(*) FROM event WHERE type = 'escalation.filed'")" 2 "events after the retries"

say "one log line per request: user, operation, outcome, duration"
grep -Eq '^escd: alice file OK [0-9.]+ms$' "$WORK/escd-main.log" || fail "no log line for alice's filing"
grep -Eq '^escd: pat user add PERMISSION_DENIED PERMISSION_DENIED [0-9.]+ms$' "$WORK/escd-main.log" \
    || fail "no log line for pat's refused user add"

say "a lock held elsewhere is given up: UNAVAILABLE, not a frozen escd"
ok alice account add Held --arr 1
psql "$DB" -Xqc "BEGIN; SELECT * FROM event_counter FOR UPDATE; SELECT pg_sleep(4); COMMIT;" >/dev/null &
HOLD=$!
sleep 0.5
start=$SECONDS
refused 5 DATABASE_BUSY alice --retries 0 file --quarter 2031Q2 --account Held --title T --problem P
[ $((SECONDS - start)) -le 4 ] || fail "a blocked write took $((SECONDS - start)) s"
wait "$HOLD"
ok alice file --quarter 2031Q2 --account Held --title T --problem P

say "a schema change under escd: prepared statements are renewed"
psql "$DB" -Xqc "CREATE OR REPLACE VIEW quarter_view AS SELECT *, 1 AS extra FROM (
    SELECT q.name, q.starts_on::text AS starts_on, q.ends_on::text AS ends_on, q.capacity_hours,
           q.budget_pct, q.tokens, q.max_token_hours, q.hourly_cost, q.state::text AS state,
           (SELECT count(*) FROM token_spend t WHERE t.quarter = q.name) AS tokens_spent,
           0::bigint AS committed_hours, 0::bigint AS planned_hours
      FROM quarter q) v" >/dev/null
for try in 1 2 3; do
    run_esc carol quarter show 2031Q2
    [ "$RC" -eq 0 ] && break
    case "$ERR" in "esc: SCHEMA_CHANGED: "*) sleep 1.2 ;; *) fail "after a schema change: $ERR" ;; esac
done
same "$RC" 0 "quarter show after a schema change"

say "SIGTERM: a clean stop"
stop_escd main TERM
same "$STOPPED_STATUS" 0 "escd's exit status after SIGTERM"
grep -q "escd: stopping" "$WORK/escd-main.log" || fail "no clean stop logged"
refused 5 TIMEOUT alice --timeout 0.5 quarter list
echo "auth: all steps passed"
