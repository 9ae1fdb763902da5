#!/usr/bin/env bash
# commit_ack.sh: escd acknowledges a write only once the synchronous standby
# has it, even when the primary's postmaster dies while the COMMIT waits.
#
# PostgreSQL (15 at least) has a hole there: a backend whose COMMIT waits
# for its synchronous standby gives up the wait when the postmaster dies,
# and means to tell the client nothing. But when a notification is pending
# for that backend (it LISTENs, and its own transaction or another's
# NOTIFYed), it flushes its output to deliver the notification on its way
# out, and with it the COMMIT's CommandComplete (sent over the extended
# protocol): the client is told the write committed, and the standby that
# is promoted next never got it. escd's connection that commits therefore
# never LISTENs; a connection of its own does.
#
# The story: A streams to B synchronously; B's WAL receiver is stopped, so
# a filing's COMMIT (which NOTIFYs escd's channel) waits; A's postmaster
# alone is killed. The filing must not be acknowledged. Then A dies whole,
# B is promoted, escd carries on, and the filing retried under its request
# id is there once.
PRIVATE_CLUSTER=1
. "$(dirname "$0")/lib.sh"

PG=$ESC_SOURCE/deploy/pg-cluster
A=$ESC_PG_DIR B=$WORK/pg-b
WR= A_REST=
# before escd is stopped: a COMMIT waiting for B would hold it
story_unblock() {
    [ -z "$WR" ] || kill -CONT "$WR" 2>/dev/null || true
    [ -z "$A_REST" ] || kill -KILL $A_REST 2>/dev/null || true
}
story_cleanup() { "$PG" stop "$B"; }

say "A streams to B synchronously"
"$PG" standby "$B" "$A"
DB=$("$PG" url "$A,$B" "$DBNAME")
on_a() { psql "$("$PG" url "$A" postgres)" -XAtqc "$1"; }

init_server
add_cast
start_escd a
ok pat quarter open 2031Q1 --capacity-hours 1000
ok alice account add Acme --arr 1
ok alice file --quarter 2031Q1 --account Acme --title "before the crash" --problem p

say "B receives nothing more: a filing's COMMIT waits for it"
B_PM=$("$PG" pid "$B")
WR=$(pgrep -P "$B_PM" -f walreceiver) || fail "B has no WAL receiver"
kill -STOP "$WR"
"$ESC" --as alice --timeout 8 --retries 0 --request-id held-filing-1 file --quarter 2031Q1 \
    --account Acme --title "waits for the standby" --problem p \
    >"$WORK/held.out" 2>"$WORK/held.err" &
FILER=$!
for _ in $(seq 1 100); do
    [ "$(on_a "SELECT count(*) FROM pg_stat_activity WHERE wait_event = 'SyncRep'")" = 1 ] \
        && break
    sleep 0.1
done
same "$(on_a "SELECT count(*) FROM pg_stat_activity WHERE wait_event = 'SyncRep'")" 1 \
    "COMMITs waiting for B"

say "A's postmaster dies; the COMMIT's wait ends without B"
A_PM=$("$PG" pid "$A")
A_REST=$(pgrep -P "$A_PM" | tr '\n' ' ')
kill -KILL "$A_PM"
set +e
wait "$FILER"
rc=$?
set -e
[ "$rc" -ne 0 ] || fail "escd acknowledged a filing its synchronous standby never received: $(cat "$WORK/held.out")"
say "the filing was not acknowledged (esc exited $rc: $(head -c 200 "$WORK/held.err"))"

say "A dies whole, B is promoted, escd carries on"
kill -KILL $A_REST 2>/dev/null || true
A_REST=
kill -CONT "$WR"
WR=
"$PG" promote "$B"
took=$(carried_on "$SECONDS")
say "escd wrote again $took s after B's promotion"
same "$(sql "SELECT pg_is_in_recovery()")" f "B, the primary now"
# what B got before A died may hold the filing (unacknowledged, it may
# have been applied): the retry under its id tells, and it is there once
ok alice --request-id held-filing-1 file --quarter 2031Q1 --account Acme \
    --title "waits for the standby" --problem p
same "$(sql "SELECT count(*) FROM escalation WHERE title = 'waits for the standby'")" 1 \
    "the retried filing"
same "$(sql "SELECT count(*) FROM escalation WHERE title = 'before the crash'")" 1 \
    "the filing acknowledged before the crash"
kill -0 "$PID_a" || fail "escd died"
echo "commit_ack: a COMMIT cut off from its standby was not acknowledged"
