#!/usr/bin/env bash
# status.sh: esc status says who one is (user, roles, key fingerprint and
# file) and which escd one speaks to: its endpoint, version and age, the
# requests it answered and its resident memory, the schema its database
# has against the one it expects and how often it reconnected, the head of
# the event log and the feed's subscribers; in text and as JSON, to anyone
# registered. An escd that does
# not answer is exit 5 with what to check, and only a write is told to
# rerun with --request-id (a read is simply asked again).
. "$(dirname "$0")/lib.sh"

init_server
add_cast
start_escd a

VERSION=$(sed -n 's/^project(esc VERSION \([0-9.]*\).*/\1/p' "$ESC_SOURCE/CMakeLists.txt")
[ -n "$VERSION" ] || fail "no project version in CMakeLists.txt"
SCHEMA=$(sql "SELECT max(version) FROM schema_migration")
# line LABEL: the value of status's line LABEL in OUT
line() { printf '%s\n' "$OUT" | sed -n "s/^$1  *//p"; }

say "every role may ask"
for who in alice pat carol evan ada; do ok "$who" status; done

say "the lines: user, key, escd, served, database, feed"
ok alice account add Acme --arr 100
ok pat status
same "$(line user)" "pat (pm)" "the user line"
case "$(line key)" in
    [0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f]" ($ESC_HOME/keys/pat.key)") ;;
    *) fail "the key line: $(line key)" ;;
esac
case "$(line escd)" in
    "$ESC_ENDPOINT, esc $VERSION, up "*" s"|"$ESC_ENDPOINT, esc $VERSION, up "*" min") ;;
    *) fail "the escd line: $(line escd)" ;;
esac
# the version's number only: the build string is in --json's
case "$(line database)" in
    *"("*) fail "the database line carries the build: $(line database)" ;;
    "PostgreSQL "[0-9]*", 0 reconnections, schema $SCHEMA of $SCHEMA") ;;
    *) fail "the database line: $(line database)" ;;
esac
same "$(line feed)" "head $(head_seq), 0 subscribers" "the feed line"
# the requests before this one (init's and this story's), and escd's memory
case "$(line served)" in
    [1-9]*" requests, "[0-9]*.[0-9]" MiB resident") ;;
    *) fail "the served line: $(line served)" ;;
esac
[ "$(printf '%s\n' "$OUT" | wc -l)" -eq 6 ] || fail "status is six lines: $OUT"
FINGERPRINT=$(line key | cut -d' ' -f1)

say "as JSON"
ok pat --json status
J=$OUT
jf() { printf '%s' "$J" | jq -r "$1"; }
same "$(jf .user)" pat "user"
same "$(jf '.roles|join(",")')" pm "roles"
same "$(jf .endpoint)" "$ESC_ENDPOINT" "endpoint"
same "$(jf .version)" "$VERSION" "escd's version"
same "$(jf .esc_version)" "$VERSION" "esc's version"
same "$(jf .schema_version)" "$SCHEMA" "the schema the database has"
same "$(jf .schema_expected)" "$SCHEMA" "the schema escd expects"
same "$(jf .key_file)" "$ESC_HOME/keys/pat.key" "the key file"
same "$(jf .key_fingerprint)" "$FINGERPRINT" "the fingerprint, text and JSON"
printf '%s' "$J" | jq -e '(.uptime_seconds >= 0) and (.started_at | test("^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}Z$"))
    and (.now | test("Z$")) and (.database_version | length > 0)' >/dev/null \
    || fail "escd's age, clock and database: $J"
# the head is the log's: what the catch-up reads, and one more after a change
same "$(jf .feed_head)" "$(head_seq)" "the feed head"
printf '%s' "$J" | jq -e '(.requests_served >= 2) and (.resident_bytes > 1048576)
    and (.resident_bytes < 1073741824) and .database_reconnects == 0 and .feed_subscribers == 0' \
    >/dev/null || fail "escd's counts: $J"
# each request answered counts, this status among them for the next
SERVED=$(jf .requests_served)
expect 3 carol show 999999
same "$(field pat status .requests_served)" "$((SERVED + 2))" "requests served after a show and a status"
HEAD=$(jf .feed_head)
ok alice account add Globex --arr 200
same "$(field pat status .feed_head)" "$((HEAD + 1))" "the head after a change"
# the feed agrees: the event after the old head is the new head
"$ESC" --as pat --json watch --since "$HEAD" >"$WORK/watch.out" 2>"$WORK/watch.err" &
WATCH=$!
wait_seq "$WORK/watch.out" $((HEAD + 1)) 30
# the watcher is the feed's one subscriber
DEADLINE=$((SECONDS + 30))
while [ "$(field pat status .feed_subscribers)" != 1 ]; do
    [ "$SECONDS" -lt "$DEADLINE" ] || fail "status never counted the watcher: $OUT"
    sleep 0.2
done
ok pat status
same "$(line feed)" "head $((HEAD + 1)), 1 subscriber" "the feed line with one watching"
kill "$WATCH" 2>/dev/null || true
wait "$WATCH" 2>/dev/null || true
# each user their own key, and their own fingerprint
[ "$(field alice status .key_fingerprint)" != "$(jf .key_fingerprint)" ] \
    || fail "alice and pat have one fingerprint"
same "$(field ada status '.user + " " + (.roles|join(","))')" "ada admin" "an admin's status"

say "a lost database connection is counted when escd connects again"
sql "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
      WHERE datname = current_database() AND usename = 'escd_app'" >/dev/null
# the next request finds the connection gone, and escd reconnects for it
ok pat status
case "$(line database)" in
    "PostgreSQL "[0-9]*", 1 reconnection, schema $SCHEMA of $SCHEMA") ;;
    *) fail "the database line after a reconnection: $(line database)" ;;
esac
same "$(field pat status .database_reconnects)" 1 "database_reconnects"

say "--quiet: nothing, and the exit code says escd answers"
ok pat --quiet status
same "$OUT" "" "status --quiet"

say "a database behind or ahead of escd says what to run"
NAME=$(sql "SELECT name FROM schema_migration WHERE version = $SCHEMA")
sql "DELETE FROM schema_migration WHERE version = $SCHEMA" >/dev/null
ok pat status
same "$(line database | sed 's/^PostgreSQL [^,]*, [0-9]* reconnections*, //')" \
    "schema $(sql "SELECT max(version) FROM schema_migration") of $SCHEMA: migrations pending (escd migrate)" \
    "a database behind"
sql "INSERT INTO schema_migration (version, name) VALUES ($SCHEMA, '$NAME'), ($((SCHEMA + 1)), 'later')" >/dev/null
ok pat status
same "$(line database | sed 's/^PostgreSQL [^,]*, [0-9]* reconnections*, //')" \
    "schema $((SCHEMA + 1)) of $SCHEMA: newer than this escd knows (upgrade escd)" "a database ahead"
same "$(field pat status '[.schema_version, .schema_expected] | join(" ")')" "$((SCHEMA + 1)) $SCHEMA" \
    "the schema as JSON"
sql "DELETE FROM schema_migration WHERE version = $((SCHEMA + 1))" >/dev/null

say "an escd that does not answer: exit 5, what to check, no request id for a read"
DEAD=tcp://127.0.0.1:9
refused 5 TIMEOUT pat --endpoint "$DEAD" --timeout 0.5 status
case "$ERR" in *"no answer from $DEAD"*"is escd running at $DEAD, and is server-key the public key escd init printed?"*) ;;
    *) fail "an unanswered status names no endpoint to check: $ERR" ;; esac
case "$ERR" in *request-id*) fail "a read is told to rerun with --request-id: $ERR" ;; esac
refused 5 TIMEOUT pat --endpoint "$DEAD" --timeout 0.5 show 1
case "$ERR" in *"is escd running at $DEAD"*) ;; *) fail "show: no hint: $ERR" ;; esac
case "$ERR" in *request-id*) fail "show is told to rerun with --request-id: $ERR" ;; esac
refused 5 TIMEOUT pat --endpoint "$DEAD" --timeout 0.5 list
case "$ERR" in *request-id*) fail "list is told to rerun with --request-id: $ERR" ;; esac
# a write may have been applied: its request id learns what became of it
refused 5 TIMEOUT alice --endpoint "$DEAD" --timeout 0.5 --request-id status-dead-0001 \
    account add Initech --arr 5
case "$ERR" in *"is escd running at $DEAD"*"rerun with --request-id status-dead-0001 to get its answer"*) ;;
    *) fail "a write is not told how to learn its answer: $ERR" ;; esac
expect 5 pat --endpoint "$DEAD" --timeout 0.5 --json status
same "$(printf '%s' "$OUT" | jq -r .error.reason)" TIMEOUT "the JSON error"

say "a wrong server key: no answer (or a refused handshake)"
WRONG=$("$ESC" keygen wrongserver)
set +e
"$ESC" --as pat --server-key "$WRONG" --timeout 1 status >"$WORK/wrong.out" 2>&1
RC=$?
set -e
case "$RC" in
    4) grep -q "HANDSHAKE_FAILED\|UNAUTHENTICATED" "$WORK/wrong.out" || fail "exit 4: $(cat "$WORK/wrong.out")" ;;
    5) grep -q "is server-key the public key escd init printed?" "$WORK/wrong.out" \
           || fail "a wrong server key: no hint: $(cat "$WORK/wrong.out")" ;;
    *) fail "a wrong server key: exit $RC: $(cat "$WORK/wrong.out")" ;;
esac

say "a stopped escd"
stop_escd a
refused 5 TIMEOUT pat --timeout 0.5 status
case "$ERR" in *"is escd running at $ESC_ENDPOINT"*) ;; *) fail "a stopped escd: $ERR" ;; esac
echo "status: all steps passed"
