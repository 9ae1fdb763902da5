#!/usr/bin/env bash
# accounts.sh: account names and imports. A name is what is left once the
# whitespace around it is gone, and "acme" is Acme: one customer, refused
# as a second account wherever it arrives. An import changes only what the
# file gives (no renewal column, no renewal change) and refuses, by line,
# an amount it could read two ways. One run names every bad row, whether
# esc found it (an amount, a date) or escd (a name, a day that does not
# exist), and writes nothing. The migration that made names unique
# regardless of case refuses to guess between legacy twins.
. "$(dirname "$0")/lib.sh"

init_server
add_cast
start_escd a

Y=$(date -u +%Y)
Q="${Y}Q$(( ($(date -u +%-m) - 1) / 3 + 1 ))"
ok pat quarter open "$Q" --capacity-hours 1000

say "names lose the whitespace around them"
ok alice account add "  Acme  " --arr 500000 --renewal 2031-03-31
same "$(sql "SELECT name FROM account")" "Acme" "the name stored"
same "$(field alice account list '.[].name')" "Acme" "the name listed"
ok alice account add "Globex" --arr 200000 --renewal 2031-02-15
ok alice account add "Hooli" --arr 300000
ok alice --quiet file --account " Acme " --title "Custom export" --problem "reconcile" \
    --also-needed-by " Globex ,Hooli  "
E1=$OUT
same "$(field alice show "$E1" '.account')" "Acme" "filed for Acme"
same "$(field alice show "$E1" '.also_needed_by|join(",")')" "Globex,Hooli" "also needed by, trimmed"
same "$(field alice list --account "  Acme " '.total')" 1 "listed by a padded name"
ok pat --quiet roadmap add --title SSO --category feature --hours 10 --waiting "  Globex, Acme "
R1=$OUT
same "$(field pat roadmap list "[.[]|select(.id==$R1)|.waiting[]]|join(\",\")")" "Acme,Globex" \
    "waiting, trimmed"

say "a name in another case is the same account"
refused 1 ACCOUNT_EXISTS alice account add acme --arr 1
same "$ERR" "esc: ACCOUNT_EXISTS: account 'acme' exists already as 'Acme'" "the refusal names Acme"
refused 1 ACCOUNT_EXISTS alice account add " ACME " --arr 1
same "$ERR" "esc: ACCOUNT_EXISTS: account 'ACME' exists already as 'Acme'" "trimmed, then compared"
refused 1 ACCOUNT_EXISTS alice account add Acme --arr 1
same "$ERR" "esc: ACCOUNT_EXISTS: account 'Acme' already exists" "the same name"
same "$(sql "SELECT count(*) FROM account")" 3 "accounts after the refusals"
# the database refuses them too, whatever escd does
psql "$DB" -Xqc "INSERT INTO account (name, arr, created_by) VALUES ('ACME', 1, 'alice')" \
    >/dev/null 2>&1 && fail "the database took ACME beside Acme"
psql "$DB" -Xqc "INSERT INTO account (name, arr, created_by) VALUES (' Initech', 1, 'alice')" \
    >/dev/null 2>&1 && fail "the database took a name with a space in front"

say "an import without a renewal column keeps the renewal dates"
cat >"$WORK/arr-only.csv" <<'CSV'
Company,ARR (USD)
"  Acme  ","$650,000.00"
Globex,210000
Initech,90000
CSV
ok alice account import "$WORK/arr-only.csv"
same "$OUT" "3 accounts imported: 1 new, 2 updated" "the summary"
same "$(sql "SELECT string_agg(name || ' ' || arr || ' ' || coalesce(renewal_on::text, '-'), '; ' ORDER BY name) FROM account")" \
    "Acme 650000 2031-03-31; Globex 210000 2031-02-15; Hooli 300000 -; Initech 90000 -" \
    "ARR updated, renewal dates kept, none for the new account"

say "an empty renewal cell keeps the date; a date replaces it"
cat >"$WORK/some-dates.csv" <<'CSV'
name,arr,renewal date
Acme,660000,
Globex,220000,2032-01-31
Hooli,310000,
CSV
ok alice account import "$WORK/some-dates.csv"
same "$(sql "SELECT string_agg(name || ' ' || arr || ' ' || coalesce(renewal_on::text, '-'), '; ' ORDER BY name) FROM account")" \
    "Acme 660000 2031-03-31; Globex 220000 2032-01-31; Hooli 310000 -; Initech 90000 -" \
    "only the dates given changed"
BEFORE=$(sql "SELECT string_agg(name || ' ' || arr || ' ' || coalesce(renewal_on::text, '-'), '; ' ORDER BY name) FROM account")

say "an amount read two ways is refused by its line, and nothing is imported"
cat >"$WORK/ambiguous.csv" <<'CSV'
name,arr
Acme,"1,250,000"
Euro GmbH,12.500 €
Euro SA,€1.250
Globex,"$1,200,000.00"
Comma Inc,"1,250"
CSV
refused 1 IMPORT_REJECTED alice account import "$WORK/ambiguous.csv"
case "$ERR" in
    *"line 3: ARR '12.500 €' is ambiguous"*"line 4: ARR '€1.250' is ambiguous"*) ;;
    *) fail "ambiguous amounts: $ERR" ;;
esac
case "$ERR" in *"line 2"*|*"line 5"*|*"line 6"*) fail "a good row named: $ERR" ;; esac
same "$(sql "SELECT string_agg(name || ' ' || arr || ' ' || coalesce(renewal_on::text, '-'), '; ' ORDER BY name) FROM account")" \
    "$BEFORE" "accounts after the refused import"

say "an import names every row in another case, with the other bad rows"
cat >"$WORK/cases.csv" <<'CSV'
name,arr,renewal
ACME,1,
Globex,2,
Umbrella,3,
UMBRELLA,4,
Globex,5,
Soylent,6,2031-02-30
 hooli ,7,
CSV
refused 1 IMPORT_REJECTED alice account import "$WORK/cases.csv"
same "$ERR" "esc: IMPORT_REJECTED: 5 of 7 rows are wrong; nothing was imported:
    line 2: account 'ACME' exists already as 'Acme'
    line 5: account 'UMBRELLA' is on line 4 already as 'Umbrella'
    line 6: account 'Globex' is on line 3 already
    line 7: renewal_on 2031-02-30 does not exist
    line 8: account 'hooli' exists already as 'Hooli'" "the rows refused"
same "$(sql "SELECT string_agg(name || ' ' || arr || ' ' || coalesce(renewal_on::text, '-'), '; ' ORDER BY name) FROM account")" \
    "$BEFORE" "accounts after the refused import"

say "one run names every bad row, those esc finds and those escd finds, and imports none"
# esc reads the amounts and dates (lines 4, 5, 8); escd checks the names
# against the file and the accounts (lines 3, 6, 8) and the dates' days
# (line 7), the rows esc found wrong among them: one list, in line order
cat >"$WORK/mixed.csv" <<'CSV'
name,arr,renewal
NewCo,10,
acme,20,
Cyberdyne,lots,
Initrode,30,soon
Initrode,40,
Tyrell,50,2031-02-30
GLOBEX,"12.500 €",
CSV
HEAD=$(head_seq)
refused 1 IMPORT_REJECTED alice account import "$WORK/mixed.csv"
same "$ERR" "esc: IMPORT_REJECTED: 6 of 7 rows are wrong; nothing was imported:
    line 3: account 'acme' exists already as 'Acme'
    line 4: ARR 'lots' is not an amount (like 1200000, \$1,200,000.00)
    line 5: renewal date 'soon' is not YYYY-MM-DD or MM/DD/YYYY
    line 6: account 'Initrode' is on line 5 already
    line 7: renewal_on 2031-02-30 does not exist
    line 8: account 'GLOBEX' exists already as 'Globex'
    line 8: ARR '12.500 €' is ambiguous: its '.' may group thousands or mark decimals; write it without (1250) or with cents (1,250.00)" \
    "esc's and escd's problems in one list"
same "$(sql "SELECT string_agg(name || ' ' || arr || ' ' || coalesce(renewal_on::text, '-'), '; ' ORDER BY name) FROM account")" \
    "$BEFORE" "accounts after the refused import"
same "$(head_seq)" "$HEAD" "no event for a refused import"
refused 1 IMPORT_REJECTED alice --json account import "$WORK/mixed.csv"
same "$(printf '%s' "$OUT" | jq -c '.error | [.rows, .bad_rows, ([.problems[] | "\(.line) \(.field)"] | join(","))]')" \
    '[7,6,"3 name,4 arr,5 renewal_on,6 name,7 renewal_on,8 name,8 arr"]' "the problems as JSON"
# only escd's: the rows reach it as they are, and it names them (cases.csv
# above); only esc's: escd is asked all the same, and adds nothing
printf 'name,arr\nFine Co,5\nBad Co,lots\n' >"$WORK/esc-only.csv"
refused 1 IMPORT_REJECTED alice account import "$WORK/esc-only.csv"
same "$ERR" "esc: IMPORT_REJECTED: 1 of 2 rows is wrong; nothing was imported:
    line 3: ARR 'lots' is not an amount (like 1200000, \$1,200,000.00)" "esc's problem alone"
same "$(sql "SELECT count(*) FROM account WHERE name IN ('Fine Co', 'Bad Co', 'NewCo')")" 0 \
    "no row of a refused import"

say "more bad rows than escd lists: the first hundred rows, and how many more"
{
    echo "name,arr"
    for i in $(seq 1 130); do echo "acme,$i"; done
    echo "Zed,lots"
} >"$WORK/many.csv"
refused 1 IMPORT_REJECTED alice account import "$WORK/many.csv"
# escd counts its 130 and esc's row (sent without its ARR): 131; it lists
# its first 100 (lines 2-101), esc adds line 132
same "$(printf '%s\n' "$ERR" | head -n 1)" \
    "esc: IMPORT_REJECTED: 131 of 131 rows are wrong; nothing was imported:" "the count"
same "$(printf '%s\n' "$ERR" | grep -c '^    line ')" 100 "the rows shown"
same "$(printf '%s\n' "$ERR" | tail -n 1)" \
    "    ... and 31 more rows (escd names the first rows it finds wrong; fix those, and import again)" \
    "the rows not shown"
refused 1 IMPORT_REJECTED alice --json account import "$WORK/many.csv"
same "$(printf '%s' "$OUT" | jq -c '.error | [.bad_rows, (.problems | length), .problems[-1].line]')" \
    '[131,101,132]' "every problem known, as JSON"
same "$(sql "SELECT string_agg(name || ' ' || arr || ' ' || coalesce(renewal_on::text, '-'), '; ' ORDER BY name) FROM account")" \
    "$BEFORE" "accounts after the refused imports"

say "an import from standard input, and a file separated by semicolons"
printf 'name,arr\nStdin Co,12\n' | "$ESC" --as alice account import - >"$WORK/stdin.out" 2>&1 \
    || fail "import from standard input: $(cat "$WORK/stdin.out")"
same "$(sql "SELECT arr FROM account WHERE name = 'Stdin Co'")" 12 "the account from standard input"
printf 'Account;ARR;Contract End Date\r\n"Semi; Colon Ltd";"$1,250,000";2032-06-30\r\n' >"$WORK/semi.csv"
ok alice account import "$WORK/semi.csv"
same "$(sql "SELECT arr || ' ' || renewal_on FROM account WHERE name = 'Semi; Colon Ltd'")" \
    "1250000 2032-06-30" "the account from a ;-separated file"
printf 'name,arr\n' | "$ESC" --as alice account import - >"$WORK/empty.out" 2>&1 && fail "an empty import"
grep -q "standard input holds no accounts" "$WORK/empty.out" || fail "no word of standard input: $(cat "$WORK/empty.out")"

say "the migration trims legacy names, and refuses to merge legacy twins"
# back to the schema before 013, with the data 013 must deal with
psql "$DB" -Xq -v ON_ERROR_STOP=1 <<'SQL'
DROP INDEX account_name_lower;
ALTER TABLE account DROP CONSTRAINT account_name_trimmed;
DELETE FROM schema_migration WHERE version = 13;
INSERT INTO account (name, arr, created_by) VALUES ('ACME', 1, 'alice'), (' Globex', 2, 'alice'),
    ('  Padded Inc ' || chr(160), 3, 'alice');
SQL
if "$ESCD" migrate --db "$DB" 2>"$WORK/migrate.log"; then fail "013 merged legacy twins"; fi
grep -q "013_account_names.sql.*accounts differ only by case or surrounding spaces: ' Globex' and 'Globex'; 'ACME' and 'Acme'; rename or merge them" \
    "$WORK/migrate.log" || fail "the failed migration names the twins: $(cat "$WORK/migrate.log")"
same "$(sql "SELECT count(*) FROM schema_migration WHERE version = 13")" 0 "013 not recorded"
same "$(sql "SELECT count(*) FROM account WHERE name = '  Padded Inc ' || chr(160)")" 1 "nothing trimmed"
sql "DELETE FROM account WHERE name IN ('ACME', ' Globex')" >/dev/null
"$ESCD" migrate --db "$DB" 2>"$WORK/migrate.log" || fail "013 again: $(cat "$WORK/migrate.log")"
same "$(sql "SELECT count(*) FROM account WHERE name = 'Padded Inc'")" 1 "a legacy name trimmed"
refused 1 ACCOUNT_EXISTS alice account add "padded inc" --arr 1
same "$ERR" "esc: ACCOUNT_EXISTS: account 'padded inc' exists already as 'Padded Inc'" \
    "the index is back"
echo "accounts: all steps passed"
