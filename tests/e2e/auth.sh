#!/usr/bin/env bash
# auth.sh: who may talk to escd, and what a client sees when it cannot:
# unknown keys refused (exit 4), a missing server gives exit 5 within the
# timeout, users managed by an admin, retried request ids answered once,
# one log line per request, a user's own key switch that no lost answer
# can turn into a lock-out, and a clean stop on SIGTERM.
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
# a read is asked again: no request id to rerun with (status.sh: a write's)
case "$ERR" in *"is escd running at tcp://127.0.0.1:9"*) ;; *) fail "a timeout gives no hint: $ERR" ;; esac
case "$ERR" in *"--request-id"*) fail "a read's timeout advises a request id: $ERR" ;; esac
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
misused "--role must be one of sales, pm, cro, exec, admin (not 'ceo')" \
    ada user add dana --role sales,ceo --key "$KEY"
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
same "$FIRST" "escalation 1 filed" "the confirmation"
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

say "roles changed by hand apply to the next request, a filing too"
# escd remembers dana's roles, and may file her filing as its batch opens;
# the change moves the users version, and the filing is answered anew
ok dana --quiet quarter list
psql "$DB" -Xqc "DELETE FROM user_role WHERE user_name = 'dana' AND role = 'sales'" >/dev/null
refused 4 PERMISSION_DENIED dana file --quarter 2031Q2 --account Dunder --title "after the change" \
    --problem P
same "$(sql "SELECT count(*) FROM escalation WHERE title = 'after the change'")" 0 \
    "escalations filed by a user who lost the role"
psql "$DB" -Xqc "INSERT INTO user_role VALUES ('dana', 'sales')" >/dev/null

say "one log line per request: time, level, user, operation, outcome, request id, duration"
STAMP='[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3}Z info escd:'
grep -Eq "^$STAMP alice file OK request=retry-0000001 [0-9.]+ms\$" "$WORK/escd-main.log" \
    || fail "no log line for alice's filing"
grep -Eq "^$STAMP pat user add PERMISSION_DENIED PERMISSION_DENIED request=[0-9a-f]{32} [0-9.]+ms\$" \
    "$WORK/escd-main.log" \
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
# the view as the migrations left it, with a column more
DEF=$(sql "SELECT pg_get_viewdef('quarter_view')")
psql "$DB" -Xqc "CREATE OR REPLACE VIEW quarter_view AS SELECT *, 1 AS extra FROM (${DEF%;}) v" >/dev/null
for try in 1 2 3; do
    run_esc carol quarter show 2031Q2
    [ "$RC" -eq 0 ] && break
    case "$ERR" in "esc: SCHEMA_CHANGED: "*) sleep 1.2 ;; *) fail "after a schema change: $ERR" ;; esac
done
same "$RC" 0 "quarter show after a schema change"

say "user key --new: escd applies it after esc gave up; the key is kept and a rerun finishes"
KEYS=$ESC_HOME/keys
pub() { sed -n 's/^public-key = //p' "$1"; }
escd_key() { sql "SELECT public_key FROM app_user WHERE name = '$1'"; }
# wait_escd_key USER PUB: until escd's database holds PUB for USER
wait_escd_key() {
    for _ in $(seq 1 50); do [ "$(escd_key "$1")" = "$2" ] && return 0; sleep 0.1; done
    fail "escd never took the key $2 for $1 (it holds $(escd_key "$1"))"
}
ok ada user add kim --role sales --key "$("$ESC" keygen kim)"
ok kim quarter list
KIM_OLD=$(pub "$KEYS/kim.key")
# escd waits up to 2 s for the lock: it gets it at ~1.5 s and switches the
# key, after esc gave up at 1 s
psql "$DB" -Xqc "BEGIN; SELECT * FROM event_counter FOR UPDATE; SELECT pg_sleep(1.5); COMMIT;" >/dev/null &
HOLD=$!
sleep 0.3
refused 5 TIMEOUT kim --timeout 1 --retries 0 user key kim --new
[ -f "$KEYS/kim.key.new" ] || fail "kim.key.new was deleted though escd may hold it"
case "$ERR" in *"run 'esc user key kim --new' again to finish the switch"*) ;;
    *) fail "a lost answer does not say how to finish: $ERR" ;; esac
wait "$HOLD"
grep -Eq '^request-id = [0-9a-f]{32}$' "$KEYS/kim.key.new" || fail "kim.key.new records no request id"
KIM_NEW=$(pub "$KEYS/kim.key.new")
wait_escd_key kim "$KIM_NEW"
same "$(pub "$KEYS/kim.key")" "$KIM_OLD" "kim.key before the rerun"
refused 4 UNAUTHENTICATED kim quarter list
ok kim user key kim --new
case "$ERR" in *"escd holds the new key already"*) ;; *) fail "the rerun said: $ERR" ;; esac
[ ! -e "$KEYS/kim.key.new" ] || fail "kim.key.new left after the switch"
same "$(pub "$KEYS/kim.key")" "$KIM_NEW" "kim.key after the rerun"
same "$(pub "$KEYS/kim.key.old")" "$KIM_OLD" "kim.key.old after the rerun"
ok kim account add Kimco --arr 3
same "$(sql "SELECT count(*) FROM event WHERE type = 'user.key_changed'")" 1 "key changes after the rerun"

say "user key --new: escd gave up too; the rerun sends the same key again"
psql "$DB" -Xqc "BEGIN; SELECT * FROM event_counter FOR UPDATE; SELECT pg_sleep(3); COMMIT;" >/dev/null &
HOLD=$!
sleep 0.3
refused 5 TIMEOUT kim --timeout 1 --retries 0 user key kim --new
wait "$HOLD"
[ -f "$KEYS/kim.key.new" ] || fail "kim.key.new was deleted though escd may hold it"
KIM_NEXT=$(pub "$KEYS/kim.key.new")
same "$(escd_key kim)" "$KIM_NEW" "escd's key for kim after DATABASE_BUSY"
ok kim user key kim --new
same "$(pub "$KEYS/kim.key")" "$KIM_NEXT" "kim.key: the key made by the first try"
same "$(pub "$KEYS/kim.key.old")" "$KIM_NEW" "kim.key.old after the second switch"
same "$(escd_key kim)" "$KIM_NEXT" "escd's key for kim after the rerun"
ok kim quarter list

say "user key --new: a later try refused with the old key finds escd took the new one"
# the first try (1 s) gets no answer; escd takes the key at ~1.5 s; the
# second try's old key is refused, and the new key is found active
psql "$DB" -Xqc "BEGIN; SELECT * FROM event_counter FOR UPDATE; SELECT pg_sleep(1.8); COMMIT;" >/dev/null &
HOLD=$!
sleep 0.3
ok kim --timeout 2 --retries 1 user key kim --new
wait "$HOLD"
case "$ERR" in *"an earlier try went through"*) ;;
    *) echo "note: the switch was answered at once; the refused-retry path was not taken" ;; esac
[ ! -e "$KEYS/kim.key.new" ] || fail "kim.key.new left after the switch"
same "$(pub "$KEYS/kim.key.old")" "$KIM_NEXT" "kim.key.old after a refused retry"
same "$(escd_key kim)" "$(pub "$KEYS/kim.key")" "escd's key is kim.key"
ok kim quarter list

say "user key --new: a definite refusal deletes the new key"
ok ada user add rex --role sales --key "$("$ESC" keygen rex)"
ok ada user revoke rex
KIM_KEY=$(pub "$KEYS/kim.key")
cp "$KEYS/rex.key" "$KEYS/kim.key.new"     # a key escd gives nobody else
expect 1 kim user key kim --new
case "$ERR" in *"esc: KEY_IN_USE: "*) ;; *) fail "a key in use: $ERR" ;; esac
[ ! -e "$KEYS/kim.key.new" ] || fail "kim.key.new kept though escd refused it for good"
same "$(pub "$KEYS/kim.key")" "$KIM_KEY" "kim.key after a refusal"
ok kim quarter list

say "user key --new: neither key admitted: both kept, exit 4"
ok ada user add lee --role sales --key "$("$ESC" keygen lee)"
"$ESC" keygen leenext >/dev/null
mv "$KEYS/leenext.key" "$KEYS/lee.key.new"
LEE_OLD=$(pub "$KEYS/lee.key")
ok ada user revoke lee
expect 4 lee user key lee --new
case "$ERR" in *"admits neither lee's key nor the new one"*) ;; *) fail "neither admitted: $ERR" ;; esac
[ -f "$KEYS/lee.key.new" ] || fail "lee.key.new deleted though escd refused no request"
same "$(pub "$KEYS/lee.key")" "$LEE_OLD" "lee.key when neither key is admitted"

say "user key --new: a stale copy of the key switched to is removed, nothing switched"
cp "$KEYS/kim.key" "$KEYS/kim.key.new"
KIM_PREV=$(pub "$KEYS/kim.key.old")
ok kim user key kim --new
case "$ERR" in *"the switch was done"*) ;; *) fail "a stale kim.key.new: $ERR" ;; esac
[ ! -e "$KEYS/kim.key.new" ] || fail "the stale kim.key.new was kept"
same "$(pub "$KEYS/kim.key")" "$KIM_KEY" "kim.key after a stale .new"
same "$(pub "$KEYS/kim.key.old")" "$KIM_PREV" "kim.key.old after a stale .new"
ok kim quarter list

say "SIGTERM: a clean stop"
stop_escd main TERM
same "$STOPPED_STATUS" 0 "escd's exit status after SIGTERM"
grep -q "escd: stopping" "$WORK/escd-main.log" || fail "no clean stop logged"
refused 5 TIMEOUT alice --timeout 0.5 quarter list
echo "auth: all steps passed"
