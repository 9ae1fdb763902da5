#!/usr/bin/env bash
# backup.sh: a backup is proven by restoring it. deploy/backup saves the
# database, the server key and what restore checks; deploy/restore brings
# them into a new PostgreSQL cluster, and escd there is the same escd to
# its clients: the same key (their settings unchanged), the same answers
# to retried request ids, and a feed that goes on from the backup's head.
# A watcher that had followed the old database past that head is told so,
# at once and by both numbers, whether escd moved to the restored copy or
# the copy was restored under a running escd; it never waits silently
# while new events reuse the numbers it has seen. And restore refuses,
# before it changes anything, a damaged backup, a newer schema, a database
# that is not empty and a home holding another key.
. "$(dirname "$0")/lib.sh"

BACKUP=$ESC_SOURCE/deploy/backup
RESTORE=$ESC_SOURCE/deploy/restore
chmod 755 "$WORK"               # the new cluster lives here (as root: postgres's)

init_server
add_cast
start_escd a
ok pat quarter open 2031Q1 --capacity-hours 100000
ok alice account add Acme --arr 500000
writer alice "$ENDPOINT_a" 5 before Acme 2031Q1
ok pat size 1 --hours 40 --viable yes
ok carol spend 1
ok alice --request-id backup-retried-0001 file --quarter 2031Q1 --account Acme --title "retried" \
    --problem p
RETRIED=$OUT
H1=$(head_seq)

say "a watcher follows, its position in a state file"
timeout --foreground 120 "$ESC" --as evan --json watch --since 0 --state "$WORK/w.state" \
    >"$WORK/w.json" 2>"$WORK/w.err" &
W=$!
wait_seq "$WORK/w.json" "$H1"

say "deploy/backup"
"$BACKUP" --db "$DB" --home "$WORK/server" --escd "$ESCD" "$WORK/backup" >"$WORK/backup.out" 2>&1 \
    || fail "backup: $(cat "$WORK/backup.out")"
# escd's version and the newest schema it applies: "escd (esc 0.1.0, schema 22)"
VERSION=$(sed -n 's/^escd (esc \([^,]*\),.*/\1/p' <<<"$("$ESCD" --version)")
SCHEMA=$(sed -n 's/^escd (esc [^,]*, schema \([0-9]*\))$/\1/p' <<<"$("$ESCD" --version)")
[ -n "$VERSION" ] && [ -n "$SCHEMA" ] || fail "escd --version: $("$ESCD" --version)"
grep -q "schema $SCHEMA, event head $H1" "$WORK/backup.out" || fail "backup says: $(cat "$WORK/backup.out")"
same "$(sed -n 's/^esc = //p' "$WORK/backup/VERSION")" "$VERSION" "the backup's esc version"
same "$(sed -n 's/^schema = //p' "$WORK/backup/VERSION")" "$(sql "SELECT max(version) FROM schema_migration")" \
    "the backup's schema"
same "$(sed -n 's/^head = //p' "$WORK/backup/VERSION")" "$H1" "the backup's event head"
same "$(stat -c %a "$WORK/backup") $(stat -c %a "$WORK/backup/server.key")" "700 600" \
    "the backup's modes: it holds the secret key"
cmp -s "$WORK/backup/server.key" "$WORK/server/server.key" || fail "the backup's key is not escd's"
(cd "$WORK/backup" && sha256sum --check --quiet SHA256SUMS) || fail "the backup's SHA256SUMS"

say "backup refuses a directory that is not empty, and leaves nothing half-made"
SUMS=$(cat "$WORK/backup/SHA256SUMS")
set +e
OUT=$("$BACKUP" --db "$DB" --home "$WORK/server" --escd "$ESCD" "$WORK/backup" 2>&1); RC=$?
set -e
same "$RC" 1 "backup into a full directory"
case "$OUT" in *"$WORK/backup is not empty"*) ;; *) fail "backup into a full directory: $OUT" ;; esac
same "$(cat "$WORK/backup/SHA256SUMS")" "$SUMS" "the earlier backup, after a refused one"
set +e
OUT=$("$BACKUP" --db "$DB" --home "$WORK/nowhere" --escd "$ESCD" "$WORK/nokey" 2>&1); RC=$?
set -e
same "$RC" 1 "backup without a server key"
case "$OUT" in *"no server key at $WORK/nowhere/server.key"*) ;; *) fail "backup without a key: $OUT" ;; esac
[ ! -e "$WORK/nokey" ] || fail "a refused backup left $WORK/nokey behind"

say "writes after the backup"
writer alice "$ENDPOINT_a" 4 after Acme 2031Q1
H2=$(head_seq)
wait_seq "$WORK/w.json" "$H2"
for _ in $(seq 1 50); do [ "$(cat "$WORK/w.state")" = "$H2" ] && break; sleep 0.1; done
same "$(cat "$WORK/w.state")" "$H2" "the watcher's state file"

say "the database host is gone: a new cluster"
stop_escd a
NEW_DIR=$WORK/pg-new
story_cleanup() { "$ESC_SOURCE/deploy/pg-cluster" stop "$NEW_DIR"; }
NEW=$("$ESC_SOURCE/deploy/pg-cluster" start "$NEW_DIR" esc_restored)
new_sql() { psql "$NEW" -XAtqc "$1"; }

# restore_refused MESSAGE DIR ARGS...: deploy/restore of DIR exits 1
# saying MESSAGE
restore_refused() {
    local message=$1 dir=$2; shift 2
    set +e
    OUT=$("$RESTORE" --db "$NEW" --escd "$ESCD" "$@" "$dir" 2>&1); RC=$?
    set -e
    same "$RC" 1 "restore of $dir $*"
    case "$OUT" in *"$message"*) ;; *) fail "restore of $dir $*: '$OUT', expected '$message'" ;; esac
}
# still_empty: a refused restore changed nothing
still_empty() {
    same "$(new_sql "SELECT count(*) FROM pg_class WHERE relnamespace = 'public'::regnamespace")" 0 \
        "relations in the new database after a refused restore"
    [ ! -e "$WORK/server2" ] || fail "a refused restore made $WORK/server2"
}

say "restore refuses, before it changes anything, a damaged backup"
cp -a "$WORK/backup" "$WORK/damaged"
printf 'x' | dd of="$WORK/damaged/escd.dump" bs=1 seek=2000 conv=notrunc 2>/dev/null
restore_refused "the files do not match SHA256SUMS" "$WORK/damaged" --home "$WORK/server2"
still_empty

say "... a backup of a newer schema"
cp -a "$WORK/backup" "$WORK/newer"
sed -i 's/^schema = .*/schema = 999/' "$WORK/newer/VERSION"
(cd "$WORK/newer" && sha256sum escd.dump server.key VERSION >SHA256SUMS)
restore_refused "the backup is of schema 999 (esc $VERSION); this escd (esc $VERSION) applies up to schema $SCHEMA" \
    "$WORK/newer" --home "$WORK/server2"
still_empty

say "... and a home holding another key"
mkdir -p "$WORK/otherhome"
"$ESCD" init --db "$DB" --home "$WORK/otherhome" >/dev/null 2>&1
restore_refused "$WORK/otherhome/server.key exists and is another key" "$WORK/backup" --home "$WORK/otherhome"
still_empty

say "deploy/restore into the new cluster"
"$RESTORE" --db "$NEW" --home "$WORK/server2" --escd "$ESCD" "$WORK/backup" >"$WORK/restore.out" 2>&1 \
    || fail "restore: $(cat "$WORK/restore.out")"
grep -q "the database holds schema $SCHEMA and event head $H1; the next event is $((H1 + 1))" \
    "$WORK/restore.out" || fail "restore says: $(cat "$WORK/restore.out")"
cmp -s "$WORK/server2/server.key" "$WORK/server/server.key" || fail "the restored key is not escd's"
same "$(stat -c %a "$WORK/server2/server.key")" 600 "the restored key's mode"
APP_DB=$(sed -n 's/^restore: escd migrate: app URL: //p' "$WORK/restore.out")
[ -n "$APP_DB" ] || fail "restore printed no app URL: $(cat "$WORK/restore.out")"
same "$(new_sql "SELECT last_seq FROM event_counter")" "$H1" "the restored head"
restore_refused "the database esc_restored is not empty: it holds" "$WORK/backup" --home "$WORK/server2"

say "escd on the restored database: the same key, the same endpoint, the client unchanged"
start_escd a --home "$WORK/server2"
ok evan show 1 --json
same "$(printf '%s' "$OUT" | jq -r .state)" approved "escalation 1, approved before the backup"
same "$(field evan list --all '[.escalations[].title | select(startswith("after"))] | length')" 0 \
    "writes after the backup, in the restored database"
same "$(field evan list --all '[.escalations[].title | select(startswith("before"))] | length')" 5 \
    "writes before the backup, in the restored database"
# the request log came along: a retry gets the first answer, applies nothing
ok alice --request-id backup-retried-0001 file --quarter 2031Q1 --account Acme --title "retried" \
    --problem p
same "$OUT" "$RETRIED" "a retried request's answer after the restore"
same "$(new_sql "SELECT count(*) FROM escalation WHERE title = 'retried'")" 1 "the retried filing, applied once"

say "the watcher that had seen events $((H1 + 1)) to $H2 is told, with both numbers"
st=0; reap "$W" 60 || st=$?
same "$st" 1 "the exit status of the watcher past the restored head"
grep -q "^esc: LOG_BEHIND: the event log ends at $H1 but this watcher is at $H2: .*remove $WORK/w.state, then esc watch --since $H1$" \
    "$WORK/w.err" || fail "the watcher past the head said: $(cat "$WORK/w.err")"
refused 1 LOG_BEHIND evan watch --state "$WORK/w.state"
case "$ERR" in *"ends at $H1 but this watcher is at $H2"*) ;; *) fail "a restarted watcher: $ERR" ;; esac
refused 1 LOG_BEHIND evan watch --since "$H2"
case "$ERR" in *"(or --since named events it never had)"*"To follow the log from its end: esc watch --since $H1") ;;
    *) fail "a watcher started past the head: $ERR" ;; esac

say "the feed goes on from the restored head"
timeout --foreground 60 "$ESC" --as evan --json watch --since "$H1" >"$WORK/w2.json" 2>"$WORK/w2.err" &
W2=$!
writer alice "$ENDPOINT_a" 1 anew Acme 2031Q1
wait_seq "$WORK/w2.json" $((H1 + 1)) 30
same "$(jq -r '[.seq, .type] | join(" ")' "$WORK/w2.json")" "$((H1 + 1)) escalation.filed" \
    "the first event after the restore"
same "$(new_sql "SELECT last_seq FROM event_counter")" $((H1 + 1)) "the head after one write"
stop_jobs "$W2"

say "restored again in place, under a running escd: its watcher is told at once"
H3=$(( H1 + 1 ))
timeout --foreground 120 "$ESC" --as evan --json watch --since "$H3" --state "$WORK/w3.state" \
    >"$WORK/w3.json" 2>"$WORK/w3.err" &
W3=$!
writer alice "$ENDPOINT_a" 3 more Acme 2031Q1
H3=$(( H3 + 3 ))
wait_seq "$WORK/w3.json" "$H3" 30
PID_BEFORE=$PID_a
NEW_ADMIN=$(printf '%s' "$NEW" | sed 's|/esc_restored?|/postgres?|')
psql "$NEW_ADMIN" -XAtqc "DROP DATABASE esc_restored WITH (FORCE)" >/dev/null
psql "$NEW_ADMIN" -XAtqc "CREATE DATABASE esc_restored" >/dev/null
"$RESTORE" --db "$NEW" --home "$WORK/server2" --escd "$ESCD" "$WORK/backup" >"$WORK/restore2.out" 2>&1 \
    || fail "restore in place: $(cat "$WORK/restore2.out")"
grep -q "is the backup's key already" "$WORK/restore2.out" || fail "restore in place: $(cat "$WORK/restore2.out")"
# escd reconnects by itself, finds the log shorter, says so on the feed at
# once; the watcher, past it, stops with both numbers instead of taking the
# new events that will reuse them for duplicates
st=0; reap "$W3" 60 || st=$?
same "$st" 1 "the exit status of the watcher when the log went back under it"
grep -q "^esc: LOG_BEHIND: the event log ends at $H1 but this watcher is at $H3" "$WORK/w3.err" \
    || fail "the watcher under a restore said: $(cat "$WORK/w3.err")"
kill -0 "$PID_BEFORE" || fail "escd did not survive its database's restore"
grep -q "the event log ends at $H1 but the feed published up to $H3" "$WORK/escd-a.log" \
    || fail "escd did not log the log going back"
ok alice file --quarter 2031Q1 --account Acme --title "after the second restore" --problem p
same "$(new_sql "SELECT max(seq) FROM event")" $((H1 + 1)) "the first event after the second restore"
echo "backup: a backup restored into a new cluster is the same escd; watchers past it are told"
