#!/usr/bin/env bash
# lease.sh: the read lease (sql/025). An escd that holds it answers the
# reads it remembers without asking the database each time whether they
# still stand; nobody else's change commits meanwhile. A change through
# another escd, or by hand, waits until the holder gives the lease up (it
# looks every 20 ms), and the holder's next answers follow the change. A
# lease goes with its connection, and the database itself holds back a
# change to the event counter while anyone holds the lease. The holder's
# own changes are seen at once; a transaction that holds the counter's row
# and then waits for the lease gets it even when the holder writes
# meanwhile (the holder does not wait for the row, and gives the lease up).
. "$(dirname "$0")/lib.sh"

init_server
add_cast
start_escd main --log-level debug
start_escd b

# the backend holding the lease in this story's database, or nothing
holder() {
    sql "SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND classid = 6648675
           AND objid = 1 AND objsubid = 2 AND mode = 'ExclusiveLock' AND granted
           AND database = (SELECT oid FROM pg_database WHERE datname = current_database())"
}

# reading USER: USER shows $EC through main again and again, three at a
# time, in the background (answered from memory, so that the lease stays
# in use); READERS holds their pids. Returns once main holds the lease.
reading() {
    local ASAN_OPTIONS=$BULK_ASAN; export ASAN_OPTIONS
    READERS=()
    for _ in 1 2 3; do
        ( while :; do "$ESC" --as "$1" show "$EC" >/dev/null 2>&1 || true; done ) &
        READERS+=("$!")
    done
    local deadline=$((SECONDS + 30))
    while [ "$SECONDS" -lt "$deadline" ]; do
        [ -z "$(holder)" ] || return 0
        sleep 0.05
    done
    fail "main did not take the read lease: $(grep -c 'from memory' "$WORK/escd-main.log") reads from memory"
}

# gave_up WHY: main's log comes to say once more that it gave the lease
# up for WHY
gave_up() {
    local n
    for _ in $(seq 1 100); do
        n=$(grep -c "gave the read lease up: $1" "$WORK/escd-main.log" || true)
        [ "$n" -le "${GAVE_UP[$1]:-0}" ] || break
        sleep 0.05
    done
    same "$n" "$(( ${GAVE_UP[$1]:-0} + 1 ))" "leases given up ($1)"
    GAVE_UP[$1]=$n
}
declare -A GAVE_UP

Y=$(date +%Y) N=$(( ($(date +%-m) - 1) / 3 + 1 ))
Q="${Y}Q$N"
ok pat quarter open "$Q" --capacity-hours 4000
ok alice account add Acme --arr 500000
ok alice --quiet file --account Acme --title "Export" --problem "the problem"
EC=$OUT

say "a read asked again takes the lease; a change through another escd waits for it"
reading evan
grep -q "took the read lease" "$WORK/escd-main.log" || fail "main's log does not say it took the lease"
ok alice --endpoint "$ENDPOINT_b" edit "$EC" --title "Export, monthly"
gave_up "a writer waits for it"
same "$(field evan show "$EC" .title)" "Export, monthly" "main's answer after b's change"
same "$(field bob show "$EC" .title)" "Export, monthly" "another user's, after b's change"
stop_jobs "${READERS[@]}"

say "the holder's own change is seen at once"
stop_escd main
start_escd main --log-level debug
reading evan
ok alice edit "$EC" --title "Export, daily"
same "$(field evan show "$EC" .title)" "Export, daily" "main's answer after its own change"
[ -n "$(holder)" ] || fail "main gave the lease up for its own change"

say "the holder does not wait for the counter's row held by one who waits for the lease"
# by hand: the counter's row, then (after main's edit began) a change to
# users, which waits for the lease; main's edit meanwhile would wait for
# the row, and the two for each other
# said SQL: sends SQL to the psql by hand and waits until it has run
said() {
    local line
    printf '%s\nSELECT %s;\n' "$1" "'done'" >&"${BY_HAND[1]}"
    while read -r -t 20 line <&"${BY_HAND[0]}"; do
        [ "$line" != done ] || return 0
        echo "$line" >>"$WORK/by-hand.out"
    done
    fail "the change by hand did not run: $(cat "$WORK/by-hand.out")"
}
coproc BY_HAND { psql "$DB" -XAtq -v ON_ERROR_STOP=1 2>&1; }
said "BEGIN; SELECT last_seq FROM event_counter FOR UPDATE;"
( ASAN_OPTIONS=$BULK_ASAN "$ESC" --as alice edit "$EC" --title "Export, hourly" \
      >"$WORK/edit.out" 2>&1 ) &
EDIT=$!
gave_up "a writer holds the event counter"
said "UPDATE app_user SET created_at = created_at WHERE name = 'alice'; COMMIT;"
wait "$EDIT" || fail "main's edit failed: $(cat "$WORK/edit.out")"
same "$(field evan show "$EC" .title)" "Export, hourly" "main's answer after it"
stop_jobs "${READERS[@]}"

say "a change to users by hand waits for the lease too"
# main gave the lease up a moment ago and does not take it again for
# 10 s: a new main takes it at once
stop_escd main
start_escd main --log-level debug
same "$(field bob show "$EC" .title)" "Export, hourly" "bob's show"
reading bob
sql "UPDATE app_user SET revoked_at = now(), revoked_by = 'ada' WHERE name = 'bob'"
gave_up "a writer waits for it"
stop_jobs "${READERS[@]}"
refused 4 UNAUTHENTICATED bob show "$EC"
same "$(field evan show "$EC" .title)" "Export, hourly" "evan's show after bob was revoked"

say "a lease goes with its connection"
stop_escd main
start_escd main --log-level debug
reading evan
backend=$(holder)
[ -n "$backend" ] || fail "main gave the lease up before its session could be ended"
sql "SELECT pg_terminate_backend($backend)" >/dev/null
ok alice --endpoint "$ENDPOINT_b" edit "$EC" --title "Export, weekly"
same "$(field evan show "$EC" .title)" "Export, weekly" "main's answer after its session ended"
stop_jobs "${READERS[@]}"
grep -q "the read lease went with its connection" "$WORK/escd-main.log" \
    || fail "main's log does not say the lease went with its connection"

say "the database holds a change to the counter back while the lease is held"
stop_escd main
stop_escd b
psql "$DB" -XAtqc "SELECT pg_advisory_lock(6648675, 1), pg_sleep(30)" >/dev/null 2>&1 &
HOLDER=$!
for _ in $(seq 1 100); do [ -n "$(holder)" ] && break; sleep 0.05; done
[ -n "$(holder)" ] || fail "the lease was not taken by hand"
for change in "UPDATE app_user SET created_at = created_at WHERE name = 'alice'" \
    "UPDATE event_counter SET last_seq = last_seq"; do
    set +e
    out=$(psql "$DB" -XAtq -c "SET lock_timeout = '300ms'" -c "$change" 2>&1)
    rc=$?
    set -e
    [ "$rc" -ne 0 ] && printf '%s' "$out" | grep -q "lock timeout" \
        || fail "'$change' did not wait for the lease: $out"
done
sql "SELECT pg_terminate_backend($(holder))" >/dev/null
wait "$HOLDER" || true

echo "lease: all good"
