#!/usr/bin/env bash
# migrate.sh: migrations apply once each, in order, even from two processes
# at once; the schema itself refuses what the rules forbid, whatever the C
# code does; and escd runs as a role that can do no more than escd needs.
. "$(dirname "$0")/lib.sh"

RACE_ROLE=escd_race         # a role of this story's own, made by inits at once
psql "$DB" -Xq -c "SET client_min_messages = warning" -c "DROP ROLE IF EXISTS $RACE_ROLE"

say "two migrators at once, then a third"
"$ESCD" migrate --db "$DB" 2>"$WORK/m1.log" &
P1=$!
"$ESCD" migrate --db "$DB" 2>"$WORK/m2.log" &
P2=$!
wait "$P1" || { cat "$WORK/m1.log"; fail "first migrator"; }
wait "$P2" || { cat "$WORK/m2.log"; fail "second migrator"; }
N=$(ls "$ESC_SOURCE"/sql/[0-9][0-9][0-9]_*.sql | wc -l)
same "$(sql "SELECT count(*) FROM schema_migration")" "$N" "applied migrations"
same "$(sql "SELECT count(DISTINCT version) FROM schema_migration")" "$N" "each once"
APPLIED=$(cat "$WORK/m1.log" "$WORK/m2.log" | grep -o '[0-9]* migrations\? applied' | awk '{s += $1} END {print s}')
same "$APPLIED" "$N" "migrations applied between the two"
"$ESCD" migrate --db "$DB" 2>"$WORK/m3.log"
grep -q "0 migrations applied" "$WORK/m3.log" || fail "a third run applied something: $(cat "$WORK/m3.log")"
grep -q "role escd_app checked" "$WORK/m3.log" || fail "a third run did not check escd_app: $(cat "$WORK/m3.log")"
init_server
same "$(sql "SELECT count(*) FROM schema_migration")" "$N" "init applies nothing more"

say "escd init three at once, on two databases: one creates the new app role"
# roles belong to the cluster: inits of two databases race to create it
TWIN=$(printf '%s' "$DB" | sed "s|/$DBNAME?|/${DBNAME}_twin?|")
psql "$(dirname_url)" -qc "CREATE DATABASE \"${DBNAME}_twin\"" >/dev/null
for round in 1 2 3 4 5; do
    INITS=()
    for target in "$DB" "$DB" "$TWIN"; do
        "$ESCD" init --db "$target" --home "$WORK/server" --app-user "$RACE_ROLE" >/dev/null \
            2>"$WORK/init-$round-${#INITS[@]}.log" &
        INITS+=($!)
    done
    for i in 0 1 2; do
        wait "${INITS[$i]}" || { cat "$WORK/init-$round-$i.log"; fail "init $i of round $round"; }
    done
    same "$(cat "$WORK"/init-"$round"-*.log | grep -c "role $RACE_ROLE created")" 1 "inits that created the role"
    same "$(sql "SELECT count(*) FROM information_schema.role_table_grants WHERE grantee = '$RACE_ROLE'")" \
        "$(sql "SELECT count(*) FROM information_schema.role_table_grants WHERE grantee = 'escd_app'")" \
        "grants of the new role and of escd_app"
    psql "$TWIN" -Xqc "DROP OWNED BY $RACE_ROLE" >/dev/null
    psql "$DB" -Xqc "DROP OWNED BY $RACE_ROLE" -c "DROP ROLE $RACE_ROLE" >/dev/null
done
psql "$(dirname_url)" -qc "DROP DATABASE \"${DBNAME}_twin\"" >/dev/null

say "escd_app is no superuser and owns nothing; the owner is no app role"
same "$(sql "SELECT rolsuper, rolcreatedb, rolcreaterole, rolinherit, rolcanlogin, rolreplication,
                    rolbypassrls FROM pg_roles WHERE rolname = 'escd_app'" | tr '|' ' ')" \
    "f f f f t f f" "escd_app's attributes"
same "$(sql "SELECT count(*) FROM pg_class WHERE relowner = 'escd_app'::regrole")" 0 "relations escd_app owns"
for unsafe in esc pg_monitor; do
    if "$ESCD" migrate --db "$DB" --app-user "$unsafe" 2>"$WORK/unsafe.log"; then
        fail "escd migrate accepted --app-user $unsafe"
    fi
    grep -Eq "APP_ROLE_UNSAFE|--app-user takes" "$WORK/unsafe.log" || fail "--app-user $unsafe: $(cat "$WORK/unsafe.log")"
done
psql "$DB" -Xqc "CREATE TABLE stray (x integer)"
if "$ESCD" migrate --db "$DB" 2>"$WORK/stray.log"; then
    fail "escd migrate granted on a table esc_grant_app does not list"
fi
grep -q "lists no privileges for stray" "$WORK/stray.log" || fail "the stray table: $(cat "$WORK/stray.log")"
psql "$DB" -Xqc "DROP TABLE stray"

say "escd run refuses a database with pending migrations"
psql "$(dirname_url)" -qc "CREATE DATABASE \"${DBNAME}_empty\"" >/dev/null
EMPTY=$(printf '%s' "$DB" | sed "s|/$DBNAME?|/${DBNAME}_empty?|")
set +e
EMPTY_APP=$(printf '%s' "$APP_DB" | sed "s|dbname=$DBNAME |dbname=${DBNAME}_empty |")
timeout 10 "$ESCD" run --db "$EMPTY_APP" --home "$WORK/server" --bind tcp://127.0.0.1:0 2>"$WORK/run.log"
RC=$?
set -e
psql "$(dirname_url)" -qc "DROP DATABASE \"${DBNAME}_empty\"" >/dev/null
same "$RC" 1 "escd run on an unmigrated database"
grep -q "pending migrations" "$WORK/run.log" || fail "no reason given: $(cat "$WORK/run.log")"

say "the database caps token spends by itself"
# must_fail SQL: the statement is refused by a constraint
must_fail() {
    if psql "$DB" -Xqc "$1" >/dev/null 2>"$WORK/sql.err"; then
        fail "the database accepted: $1"
    fi
    grep -Eq "violates|invalid input value|append-only" "$WORK/sql.err" || fail "unexpected error for $1: $(cat "$WORK/sql.err")"
}
psql "$DB" -Xq -v ON_ERROR_STOP=1 <<'SQL'
INSERT INTO app_user (name, public_key) VALUES ('pat', repeat('k', 40));
INSERT INTO quarter (name, starts_on, ends_on, capacity_hours, tokens, opened_by)
     VALUES ('2030Q1', '2030-01-01', '2030-03-31', 1000, 1, 'pat');
INSERT INTO account (name, arr, created_by) VALUES ('Acme', 1, 'pat');
INSERT INTO escalation (quarter, account_id, filer, title, problem, approved_via)
     SELECT '2030Q1', id, 'pat', 't' || g, 'p', 'token' FROM account, generate_series(1, 3) g;
INSERT INTO token_spend (quarter, token_no, tokens, escalation_id, spent_by)
     VALUES ('2030Q1', 1, 1, 1, 'pat');
SQL
must_fail "INSERT INTO token_spend (quarter, token_no, tokens, escalation_id, spent_by) VALUES ('2030Q1', 1, 1, 2, 'pat')"
must_fail "INSERT INTO token_spend (quarter, token_no, tokens, escalation_id, spent_by) VALUES ('2030Q1', 2, 1, 2, 'pat')"
must_fail "INSERT INTO token_spend (quarter, token_no, tokens, escalation_id, spent_by) VALUES ('2030Q1', 2, 2, 2, 'pat')"
must_fail "INSERT INTO token_spend (quarter, token_no, tokens, escalation_id, spent_by) VALUES ('2030Q1', 0, 1, 2, 'pat')"
must_fail "UPDATE quarter SET tokens = 0 WHERE name = '2030Q1'"
same "$(sql "SELECT count(*) FROM token_spend")" 1 "spends after the attempts"

say "concurrent spends straight into the database: one wins"
RACERS=()
for i in 2 3; do
    psql "$DB" -Xqc "INSERT INTO token_spend (quarter, token_no, tokens, escalation_id, spent_by)
                     VALUES ('2030Q1', 1, 1, $i, 'pat')" >/dev/null 2>&1 &
    RACERS+=($!)
done
wait "${RACERS[@]}" || true
same "$(sql "SELECT count(*) FROM token_spend")" 1 "spends after a direct race"

say "states, hours and references are constrained"
must_fail "UPDATE escalation SET state = 'pending' WHERE id = 2"
must_fail "UPDATE escalation SET state = 'sized' WHERE id = 2"
must_fail "INSERT INTO sizing (escalation_id, sized_by, hours, viable) VALUES (2, 'pat', 0, true)"
must_fail "INSERT INTO sizing (escalation_id, sized_by, hours, viable) VALUES (2, 'pat', -4, true)"
must_fail "INSERT INTO roadmap_item (quarter, title, category, hours, created_by) VALUES ('2030Q1', 'x', 'fun', 5, 'pat')"
must_fail "INSERT INTO escalation (quarter, account_id, filer, title, problem) VALUES ('2030Q1', 1, 'pat', 't', '  ')"
must_fail "INSERT INTO escalation (quarter, account_id, filer, title, problem) VALUES ('2030Q1', 99, 'pat', 't', 'p')"
must_fail "INSERT INTO quarter (name, starts_on, ends_on, capacity_hours, opened_by) VALUES ('2030Q5', '2030-01-01', '2030-03-31', 1, 'pat')"
must_fail "INSERT INTO override (escalation_id, overridden_by, reason) VALUES (2, 'pat', '')"
psql "$DB" -Xq -v ON_ERROR_STOP=1 -c "INSERT INTO sizing (escalation_id, sized_by, hours, viable) VALUES (3, 'pat', 5, true)"
must_fail "UPDATE escalation SET sizing_id = (SELECT id FROM sizing WHERE escalation_id = 3) WHERE id = 2"

say "an approval has one means, in its own quarter"
psql "$DB" -Xq -v ON_ERROR_STOP=1 <<'SQL'
INSERT INTO quarter (name, starts_on, ends_on, capacity_hours, tokens, opened_by)
     VALUES ('2030Q2', '2030-04-01', '2030-06-30', 1000, 1, 'pat');
INSERT INTO escalation (quarter, account_id, filer, title, problem)
     VALUES ('2030Q2', 1, 'pat', 'other quarter', 'p'), ('2030Q1', 1, 'pat', 'unapproved', 'p');
UPDATE escalation SET approved_via = 'token' WHERE title = 'other quarter';
SQL
must_fail "INSERT INTO token_spend (quarter, token_no, tokens, escalation_id, spent_by) SELECT '2030Q1', 1, 1, id, 'pat' FROM escalation WHERE title = 'other quarter'"
must_fail "INSERT INTO override (escalation_id, overridden_by, reason) VALUES (1, 'pat', 'both ways')"
must_fail "INSERT INTO token_spend (quarter, token_no, tokens, escalation_id, spent_by) SELECT '2030Q1', 1, 1, id, 'pat' FROM escalation WHERE title = 'unapproved'"
must_fail "UPDATE escalation SET approved_via = 'override' WHERE id = 1"
must_fail "UPDATE escalation SET approved_via = 'gift' WHERE title = 'unapproved'"
psql "$DB" -Xq -v ON_ERROR_STOP=1 -c "INSERT INTO sizing (escalation_id, sized_by, hours, viable) SELECT id, 'pat', 5, true FROM escalation WHERE title = 'unapproved'" \
    -c "UPDATE escalation SET sizing_id = (SELECT max(id) FROM sizing) WHERE title = 'unapproved'"
must_fail "UPDATE escalation SET state = 'approved' WHERE title = 'unapproved'"

say "the event log is append-only"
psql "$DB" -Xq -v ON_ERROR_STOP=1 -c "INSERT INTO event (seq, type, actor) VALUES (1, 'test.event', 'pat')"
must_fail "UPDATE event SET type = 'rewritten'"
must_fail "DELETE FROM event"
must_fail "TRUNCATE event"
same "$(sql "SELECT type FROM event")" test.event "the event after the attempts"

say "as escd_app, the schema and the event log are out of reach"
# app_refused SQL: escd_app may not run it
app_refused() {
    if psql "$APP_DB" -Xqc "$1" >/dev/null 2>"$WORK/sql.err"; then
        fail "escd_app was allowed: $1"
    fi
    grep -Eq "permission denied|must be owner" "$WORK/sql.err" || fail "unexpected error for $1: $(cat "$WORK/sql.err")"
}
app_refused "UPDATE event SET type = 'rewritten'"
app_refused "DELETE FROM event"
app_refused "TRUNCATE event"
app_refused "ALTER TABLE event DISABLE TRIGGER event_no_update_or_delete"
app_refused "DROP TRIGGER event_no_update_or_delete ON event"
app_refused "ALTER TABLE escalation ADD COLUMN extra integer"
app_refused "DROP TABLE request_log"
app_refused "CREATE TABLE mine (x integer)"
app_refused "CREATE TEMP TABLE mine (x integer)"
app_refused "CREATE FUNCTION mine() RETURNS integer LANGUAGE sql AS 'SELECT 1'"
app_refused "UPDATE token_spend SET note = 'moved'"
app_refused "DELETE FROM token_spend"
app_refused "DELETE FROM escalation"
app_refused "UPDATE schema_migration SET name = 'x'"
app_refused "DELETE FROM schema_migration"
app_refused "SELECT esc_grant_app('escd_app')"
app_refused "SET ROLE esc"
app_refused "CREATE ROLE mine"
psql "$APP_DB" -Xq -v ON_ERROR_STOP=1 \
    -c "INSERT INTO event (seq, type, actor) VALUES (2, 'test.appended', 'pat')" \
    -c "INSERT INTO request_log (request_id, user_name, request_digest, reply) VALUES ('r-1', 'pat', sha256(''), '')" \
    -c "DELETE FROM request_log WHERE request_id = 'r-1'" \
    -c "SELECT count(*) FROM schema_migration" >/dev/null || fail "escd_app could not do what escd does"
same "$(sql "SELECT string_agg(type, ',' ORDER BY seq) FROM event")" test.event,test.appended "the events"

say "escd serves as escd_app"
start_escd a
same "$(sql "SELECT string_agg(DISTINCT usename, ',') FROM pg_stat_activity
              WHERE application_name = 'escd' AND datname = current_database()")" escd_app "escd's database user"
say "what a row names exists, and stays while named (024: checked per statement)"
psql "$DB" -Xq -v ON_ERROR_STOP=1 <<'SQL'
INSERT INTO app_user (name, public_key) VALUES ('kim', repeat('m', 40)), ('lee', repeat('n', 40));
INSERT INTO escalation (quarter, account_id, filer, title, problem)
     SELECT '2030Q1', id, 'pat', 'named by an event only', 'p' FROM account;
INSERT INTO event (seq, type, actor, quarter, escalation_id)
     SELECT 100, 'test.names', 'pat', '2030Q1', max(id) FROM escalation;
SQL
EVENTS=$(sql "SELECT count(*) FROM event")
must_fail "INSERT INTO event (seq, type, actor) VALUES (101, 'test.x', 'nobody')"
must_fail "INSERT INTO event (seq, type, actor, quarter) VALUES (101, 'test.x', 'pat', '2099Q1')"
must_fail "INSERT INTO event (seq, type, actor, escalation_id) VALUES (101, 'test.x', 'pat', 9999)"
must_fail "INSERT INTO event (seq, type, actor) VALUES (101, 'test.x', 'pat'), (102, 'test.x', 'nobody')"
same "$(sql "SELECT count(*) FROM event")" "$EVENTS" "events after refused inserts (a refused statement writes no row)"
must_fail "INSERT INTO escalation (quarter, account_id, filer, title, problem) VALUES ('2030Q1', 1, 'nobody', 't', 'p')"
must_fail "INSERT INTO escalation (quarter, account_id, filer, title, problem) VALUES ('2099Q1', 1, 'pat', 't', 'p')"
must_fail "INSERT INTO request_log (request_id, user_name, request_digest, reply) VALUES ('r-2', 'nobody', sha256(''), '')"
must_fail "UPDATE escalation SET quarter = '2099Q1' WHERE id = 2"
must_fail "UPDATE escalation SET filer = 'nobody' WHERE id = 2"
must_fail "UPDATE escalation SET account_id = 9999 WHERE id = 2"
must_fail "DELETE FROM app_user WHERE name = 'pat'"
must_fail "UPDATE app_user SET name = 'pat2' WHERE name = 'pat'"
must_fail "DELETE FROM quarter WHERE name = '2030Q1'"
must_fail "DELETE FROM account"
must_fail "DELETE FROM escalation WHERE title = 'named by an event only'"
must_fail "TRUNCATE app_user CASCADE"
psql "$DB" -Xq -v ON_ERROR_STOP=1 -c "DELETE FROM app_user WHERE name = 'lee'" \
    || fail "a user nothing names could not be deleted"
if psql "$DB" -Xq -v ON_ERROR_STOP=1 -c "BEGIN ISOLATION LEVEL REPEATABLE READ" -c "DELETE FROM app_user WHERE name = 'kim'" \
        -c "COMMIT" >/dev/null 2>"$WORK/sql.err"; then
    fail "a user was deleted in a REPEATABLE READ transaction"
fi
grep -q "only in a READ COMMITTED transaction" "$WORK/sql.err" || fail "RR delete: $(cat "$WORK/sql.err")"
# a writer in flight names kim; the delete waits for it, then sees its row
psql "$DB" -Xq -v ON_ERROR_STOP=1 -c "BEGIN" -c "INSERT INTO event (seq, type, actor) VALUES (103, 'test.kim', 'kim')" \
    -c "SELECT pg_sleep(2)" -c "COMMIT" >/dev/null &
WRITER=$!
sleep 0.5
must_fail "DELETE FROM app_user WHERE name = 'kim'"
wait "$WRITER" || fail "the writer naming kim failed"
same "$(sql "SELECT count(*) FROM app_user WHERE name = 'kim'")" 1 "kim after a delete raced a writer"
echo "migrate: all steps passed"
