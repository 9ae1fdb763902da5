#!/usr/bin/env bash
# authz.sh: every operation as every role, against the table of who may do
# what (DESIGN section 6, written out below as the specification), then key
# management: revocation and key rotation are refused at the next
# connection, and the last admin cannot be removed, not even in SQL.
. "$(dirname "$0")/lib.sh"

init_server
add_cast
start_escd a
ok pat quarter open 2031Q1 --capacity-hours 1000
ok alice account add Acme --arr 100
SOMEKEY=$("$ESC" keygen spare)

# command | roles that may | exit code they get (nothing here changes a row)
SPEC=$(cat <<TABLE
quarter open 2031Q1 --capacity-hours 10|pm|1
quarter close 2098Q1 --yes|pm|3
quarter reopen 2098Q1|pm|3
quarter show 2031Q1|sales pm cro exec admin|0
quarter list|sales pm cro exec admin|0
account add Acme --arr 1|sales pm|1
account set Nobody --arr 1|sales pm|3
account list|sales pm cro exec admin|0
roadmap add --quarter 2098Q1 --title T --category feature --hours 1|pm|3
roadmap list --quarter 2031Q1|sales pm cro exec admin|0
roadmap set 999999 --hours 1|pm|3
file --quarter 2098Q1 --account Acme --title T --problem P|sales|3
size 999999 --hours 1 --viable yes|pm|3
return 999999 --reason why|pm cro|3
refile 999999|sales|3
edit 999999 --title T|sales pm|3
decline 999999 --reason why|pm cro|3
withdraw 999999|sales|3
spend 999999|cro|3
override 999999 --reason why|exec|3
deliver 999999 --actual-hours 1|pm|3
stop 999999 --reason why --actual-hours 1|pm|3
outcome 999999 --deal won|cro|3
merge 999999 --into 999998|pm|3
unmerge 999999|pm|3
list --quarter 2031Q1|sales pm cro exec admin|0
show 999999|sales pm cro exec admin|3
history 999999|sales pm cro exec admin|3
status|sales pm cro exec admin|0
user add ada --role admin --key $SOMEKEY|admin|1
user list|admin|0
user revoke nobody|admin|3
user key nobody --key $SOMEKEY|admin|3
TABLE
)

say "every operation as every role"
declare -A AS=([sales]=alice [pm]=pat [cro]=carol [exec]=evan [admin]=ada)
checked=0
while IFS='|' read -r command allowed code; do
    for role in sales pm cro exec admin; do
        read -ra words <<<"$command"
        if [[ " $allowed " == *" $role "* ]]; then
            expect "$code" "${AS[$role]}" "${words[@]}"
        else
            refused 4 PERMISSION_DENIED "${AS[$role]}" "${words[@]}"
        fi
        checked=$((checked + 1))
    done
done <<<"$SPEC"
same "$checked" 165 "operation x role pairs tried"
same "$(sql "SELECT count(*) FROM escalation") $(sql "SELECT count(*) FROM quarter")" "0 1" \
    "rows after trying everything"

say "a revoked user is refused at the next connection"
ok ada user add dana --role sales --key "$("$ESC" keygen dana)"
ok dana quarter list
ok ada user revoke dana
refused 4 UNAUTHENTICATED dana quarter list
refused 1 INVALID_STATE ada user revoke dana
refused 1 INVALID_STATE ada user key dana --key "$SOMEKEY"
same "$(field ada user list '[.[] | select(.name == "dana") | .revoked_at != null][0]')" true "dana's revocation shown"
same "$(sql "SELECT actor FROM event WHERE type = 'user.revoked'")" ada "the revocation's actor"

say "a user rotates their own key; the old one is refused"
cp "$ESC_HOME/keys/carol.key" "$ESC_HOME/keys/carolold.key"
ok carol user key carol --new
[ -f "$ESC_HOME/keys/carol.key.old" ] || fail "the old key was not kept"
ok carol quarter list
refused 4 UNAUTHENTICATED carolold quarter list
refused 4 PERMISSION_DENIED pat user key carol --key "$SOMEKEY"
expect 2 pat user key carol --new
case "$ERR" in *"--new makes a key for the identity speaking (pat)"*) ;; *) fail "--new for another: $ERR" ;; esac

say "an admin replaces a user's key"
NEWKEY=$("$ESC" keygen chrisnew)
ok ada user key chris --key "$NEWKEY"
refused 4 UNAUTHENTICATED chris quarter list
ok chrisnew quarter list
refused 1 KEY_IN_USE ada user key evan --key "$NEWKEY"
same "$(sql "SELECT count(*) FROM event WHERE type = 'user.key_changed'")" 2 "key change events"

say "the last admin cannot be removed"
refused 1 LAST_ADMIN ada user revoke ada
ok ada user add root2 --role admin --key "$("$ESC" keygen root2)"
ok root2 user revoke ada
refused 4 UNAUTHENTICATED ada quarter list
refused 1 LAST_ADMIN root2 user revoke root2
if psql "$DB" -Xqc "UPDATE app_user SET revoked_at = now(), revoked_by = 'root2' WHERE name = 'root2'" 2>"$WORK/sql.err"; then
    fail "the database let its last admin be revoked"
fi
grep -q "last active admin" "$WORK/sql.err" || fail "unexpected: $(cat "$WORK/sql.err")"
if psql "$DB" -Xqc "DELETE FROM user_role WHERE role = 'admin'" 2>"$WORK/sql.err"; then
    fail "the database let its last admin lose the role"
fi
ok root2 user list
echo "authz: all steps passed"
