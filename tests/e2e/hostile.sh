#!/usr/bin/env bash
# hostile.sh: hostile input never crashes escd and never changes a row.
# tests/hostile/hostile.c sends it, as a registered user and as nobody;
# here the database is fingerprinted before and after.
. "$(dirname "$0")/lib.sh"

init_server
add_cast
start_escd a
ok pat quarter open 2031Q1 --capacity-hours 1000
ok alice account add Acme --arr 100
ok alice file --quarter 2031Q1 --account Acme --title "the one escalation" --problem p

# every row of every table of ours, hashed; but the request log, which
# records each state-changing request's answer, refusals included
fingerprint() {
    sql "SELECT md5(string_agg(t, '|' ORDER BY t)) FROM (
           SELECT format('%s:%s', c.relname,
                  (xpath('/row/c/text()', query_to_xml(format('SELECT md5(coalesce(string_agg(x::text, '','' ORDER BY x::text), '''')) AS c FROM %I x', c.relname), false, true, '')))[1]::text) AS t
             FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname = 'public' AND c.relkind = 'r' AND c.relname <> 'request_log') s"
}
BEFORE=$(fingerprint)
LOGGED=$(sql "SELECT count(*) FROM request_log")
[ -n "$BEFORE" ] || fail "no fingerprint"

say "hostile input, as alice and as nobody"
"$ESC_BUILD/tests/hostile" --endpoint "$ENDPOINT_a" --feed "$FEED_a" \
    --server-key "$ESC_SERVER_KEY" --key "$ESC_HOME/keys/alice.key" | tee "$WORK/hostile.out" \
    || fail "hostile input got unexpected answers"

say "escd is alive and no row changed"
kill -0 "$PID_a" || fail "escd died"
ok carol list --quarter 2031Q1
same "$(fingerprint)" "$BEFORE" "the database's fingerprint"
# the one hostile request that passed validation was refused by a rule, and
# its refusal is what the request log now holds for its id
same "$(sql "SELECT count(*) FROM request_log")" $((LOGGED + 1)) "request log entries"
same "$(sql "SELECT count(*) FROM request_log WHERE position('ACCOUNT_NOT_FOUND'::bytea IN reply) > 0")" 1 \
    "the logged refusal"
grep -c "INVALID_ARGUMENT\|BAD_FRAMES\|UNSUPPORTED_VERSION\|NOT_FOUND" "$WORK/escd-a.log" >/dev/null \
    || fail "escd logged none of the refusals"
echo "hostile: escd answered or dropped everything and changed nothing"
