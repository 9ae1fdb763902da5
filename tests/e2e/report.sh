#!/usr/bin/env bash
# report.sh: the quarter's scoreboard, figure by figure, against numbers
# worked out by hand for a dataset built here through esc; the text, JSON,
# HTML (rendered by headless Chromium and looked at) and CSV forms; and
# esc account import, all or nothing.
. "$(dirname "$0")/lib.sh"

init_server
add_cast
start_escd a

# three quarters: the one holding today, and the two before it
Y=$(date -u +%Y) N=$(( ($(date -u +%-m) - 1) / 3 + 1 ))      # escd's months are UTC
Q0="${Y}Q$N"
if [ "$N" -gt 1 ]; then Q1="${Y}Q$((N - 1))"; else Q1="$((Y - 1))Q4"; fi
if [ "${Q1: -1}" -gt 1 ]; then Q2="${Q1:0:4}Q$(( ${Q1: -1} - 1 ))"; else Q2="$(( ${Q1:0:4} - 1 ))Q4"; fi
THIS_MONTH=$(date -u +%Y-%m)
FIRST=$(( (N - 1) * 3 + 1 ))
OTHER_MONTH=$(printf '%s-%02d' "$Y" $(( 10#${THIS_MONTH:5:2} == FIRST ? FIRST + 1 : FIRST )))

say "the dataset"
ok pat quarter open "$Q2" --capacity-hours 2000
ok pat quarter open "$Q1" --capacity-hours 3000 --budget-pct 20 --max-token-hours 400
ok pat quarter open "$Q0" --capacity-hours 4000 --hourly-cost 150
ok alice account add Acme --arr 500000 --renewal 2031-03-31
ok alice account add Globex --arr 200000 --renewal 2031-02-15
ok alice account add Umbrella --arr 70000
ok alice account add Initech --arr 90000 --renewal 2031-06-30
file_as() { ok "$1" --quiet file --quarter "$2" --account "$3" --title "$4" --problem "the problem" "${@:5}"; echo "$OUT"; }
# earlier quarters, for the trend: 100 h of 2000 overridden (5 %), 360 h of 3000 by token (12 %)
E10=$(file_as alice "$Q2" Acme "Old override"); ok pat size "$E10" --hours 100 --viable yes
ok evan override "$E10" --reason "legacy"
E11=$(file_as alice "$Q1" Globex "Old token"); ok pat size "$E11" --hours 360 --viable yes
ok carol spend "$E11"
# this quarter's plan: feature 2000, ility 800, maintenance 600, discovery 200
ok pat --quiet roadmap add --quarter "$Q0" --title SSO --category feature --hours 300 --waiting Globex,Umbrella
R1=$OUT
ok pat roadmap add --quarter "$Q0" --title Billing --category feature --hours 1700
ok pat roadmap add --quarter "$Q0" --title Audit --category ility --hours 600
ok pat --quiet roadmap add --quarter "$Q0" --title Perf --category ility --hours 200 --waiting Initech
R4=$OUT
ok pat roadmap add --quarter "$Q0" --title Upgrade --category maintenance --hours 600
ok pat roadmap add --quarter "$Q0" --title Research --category discovery --hours 200
# this quarter's escalations
E1=$(file_as alice "$Q0" Acme "Custom export" --deal-value 300000)
ok pat size "$E1" --hours 40 --viable yes --displaces "$R1"
ok carol spend "$E1"
ok pat deliver "$E1" --actual-hours 35
ok carol outcome "$E1" --deal won --adopters 3
E2=$(file_as bob "$Q0" Umbrella "On-prem installer")
ok pat size "$E2" --hours 200 --viable yes --displaces "$R4"
ok evan override "$E2" --reason "Board commitment"
E3=$(file_as bob "$Q0" Globex "SAML"); ok pat size "$E3" --hours 60 --viable yes
E4=$(file_as alice "$Q0" Acme "Bulk API, nightly" --deal-value 20000); ok pat size "$E4" --hours 20 --viable yes
E5=$(file_as bob "$Q0" Initech "Report"); ok pat size "$E5" --hours 10 --viable yes
ok carol decline "$E5" --reason covered
E6=$(file_as alice "$Q0" Acme "Dark mode")
E7=$(file_as bob "$Q0" Globex "Mainframe"); ok pat size "$E7" --hours 30 --viable no
E8=$(file_as alice "$Q0" Acme "Dup SAML"); ok pat merge "$E8" --into "$E3"
E9=$(file_as bob "$Q0" Umbrella "Gone"); ok pat size "$E9" --hours 15 --viable yes
ok bob withdraw "$E9"

say "every figure, against the hand-worked numbers"
ok carol report --quarter "$Q0" --format json
echo "$OUT" >"$WORK/report.json"
j() { jq -r "$1" "$WORK/report.json"; }
same "$(j '[.plan.mix[] | "\(.category)=\(.hours)/\(.share_pct)/\(.verdict)"] | join(" ")')" \
    "feature=1700/54.84/ok ility=600/19.35/ok maintenance=600/19.35/ok discovery=200/6.45/low" "the mix"
same "$(j '"\(.plan.planned_hours) \(.plan.postponed_hours)"')" "3100 500" "planned and postponed hours"
same "$(j '.oneoffs | "\(.budget_hours) \(.approved_hours) \(.overridden_hours) \(.pending_hours) \(.share_pct) \(.verdict) \(.tokens_left)"')" \
    "400 35 200 80 5.88 healthy 0" "one-off figures (E1 at its 35 actual hours, not its 40 sized)"
same "$(j '.oneoffs.marks_pct | join(",")')" "10,15,20,30" "the marks"
same "$(j '.demand | "\(.escalations) \(.sized_hours) \(.unsized) \(.budget_multiple) \(.decided) \(.refused) \(.refused_share_pct)"')" \
    "8 360 1 0.9 3 1 33.33" "demand"
same "$(j '.queue | "\(.count) \([.first[].id] | join(",")) \(.first[0].customers) \(.first[0].renewal_arr)"')" \
    "2 $E3,$E4 2 700000" "the queue"
same "$(j '[.postponed.items[] | "\(.roadmap_item):\(.for_escalation):\([.waiting[] | "\(.account)/\(.arr)/\(.renewal_on)"] | join("+"))"] | join(" ")')" \
    "$R1:$E1:Globex/200000/2031-02-15+Umbrella/70000/null $R4:$E2:Initech/90000/2031-06-30" "postponed work and who waits"
same "$(j '.postponed.arr_waiting')" 360000 "ARR waiting"
same "$(j '[.overrides[] | "\(.escalation) \(.by) \(.hours) \(.reason)"] | join("|")')" \
    "$E2 evan 200 Board commitment" "overrides"
same "$(j '[.returns[] | "\(.escalation) \(.via) \(.hours) \(.cost) \(.deal_value) \(.return_multiple) \(.meets_3x) \(.deal) \(.adopters) \(.few_adopters)"] | join("|")')" \
    "$E1 token 35 5250 300000 57.14 true won 3 false|$E2 override 200 30000 null null null null null null" "returns"
same "$(j '[.trend[] | "\(.quarter) \(.share_pct) \(.verdict)"] | join("|")')" \
    "$Q2 5 healthy|$Q1 12 coping|$Q0 5.88 healthy" "the trend"

say "a lost deal returns nothing"
sql "UPDATE outcome SET deal = 'lost' WHERE escalation_id = $E1" >/dev/null
same "$(field carol report --quarter "$Q0" '.returns[0] | "\(.deal) \(.return_multiple) \(.meets_3x)"')" \
    "lost 0 false" "a lost deal's return"
sql "UPDATE outcome SET deal = 'won' WHERE escalation_id = $E1" >/dev/null

say "one month's escalations"
ok carol report --quarter "$Q0" --month "$THIS_MONTH" --format json
same "$(echo "$OUT" | jq -r '"\(.month) \(.demand.escalations) \(.demand.sized_hours)"')" "$THIS_MONTH 8 360" "this month"
sql "UPDATE escalation SET filed_at = '$OTHER_MONTH-10 12:00Z' WHERE id IN ($E3, $E5)" >/dev/null
ok carol report --month "$OTHER_MONTH" --format json
same "$(echo "$OUT" | jq -r '"\(.quarter) \(.demand.escalations) \(.demand.sized_hours) \(.oneoffs.pending_hours) \(.demand.decided) \(.demand.refused) \(.oneoffs.share_pct)"')" \
    "$Q0 2 70 60 1 1 0" "the other month, its quarter found from it"
ok carol report --month "$OTHER_MONTH" --format csv
same "$(printf '%s\n' "$OUT" | tail -n +2 | cut -d, -f1 | tr '\n' ' ')" "$E3 $E5 " "the other month's CSV"
refused 1 INVALID_ARGUMENT carol report --quarter "$Q0" --month 1999-01
expect 1 carol report --month 2026-13
expect 1 carol report --month 2026-1
sql "UPDATE escalation SET filed_at = now() WHERE id IN ($E3, $E5)" >/dev/null

say "a quarter with its own dates: a month is found in it by its dates"
ok pat quarter open 2032Q1 --capacity-hours 1000 --budget-pct 0 --starts-on 2032-01-15 --ends-on 2032-04-14
same "$(field carol report --month 2032-04 '"\(.quarter) \(.month) \(.demand.budget_multiple)"')" \
    "2032Q1 2032-04 null" "April's quarter, without a budget"
ok carol report --month 2032-04
case "$OUT" in *"no one-off budget to measure it against"*) ;; *) fail "no budget: $OUT" ;; esac
refused 1 INVALID_ARGUMENT carol report --quarter 2032Q1 --month 2032-05
refused 3 QUARTER_NOT_FOUND carol report --month 2032-05

say "text: aligned, colour only on a terminal and without NO_COLOR"
ok carol report --quarter "$Q0"
printf '%s\n' "$OUT" >"$WORK/report.txt"
grep -q "OVERRIDE escalation $E2 \"On-prem installer\" for Umbrella, 200 h, by evan" "$WORK/report.txt" \
    || fail "no override line: $(cat "$WORK/report.txt")"
grep -Eq "one-off share +5.9 % \[######\.\.\.\.\|" "$WORK/report.txt" || fail "no share bar"
grep -q $'\033' "$WORK/report.txt" && fail "colour when not on a terminal"
TERM=xterm script -qec "'$ESC' --as carol report --quarter $Q0" /dev/null >"$WORK/tty.txt"
grep -q $'\033\\[31m' "$WORK/tty.txt" || fail "no red on a terminal"
NO_COLOR=1 TERM=xterm script -qec "'$ESC' --as carol report --quarter $Q0" /dev/null >"$WORK/nocolor.txt"
grep -q $'\033' "$WORK/nocolor.txt" && fail "colour despite NO_COLOR"

say "csv: the quarter's escalations, for spreadsheets"
ok carol report --quarter "$Q0" --format csv
printf '%s\n' "$OUT" >"$WORK/report.csv"
same "$(head -n 1 "$WORK/report.csv" | cut -d, -f1-5 | tr -d '\r')" "id,quarter,state,account,title" "the CSV header"
same "$(($(wc -l <"$WORK/report.csv") - 1))" 9 "CSV rows"
grep -q "^$E4,$Q0,sized,Acme,\"Bulk API, nightly\",the problem," "$WORK/report.csv" || fail "a quoted title"

say "html: one self-contained page, rendered by Chromium"
ok carol report --quarter "$Q0" --format html
printf '%s\n' "$OUT" >"$WORK/report.html"
grep -Eq '(src|href)=|https?://|@import|url\(' "$WORK/report.html" && fail "the page fetches something"
grep -q "<svg class=\"pie\"" "$WORK/report.html" || fail "no pie"
grep -q 'class="override"' "$WORK/report.html" || fail "no override row"
render_page "$WORK/report.html" "$WORK/report.png" 2000 D62728 4E79A7 59A14F F28E2B 2E7D32
[ -n "${ESC_REPORT_SCREENSHOT:-}" ] && cp "$WORK/report.png" "$ESC_REPORT_SCREENSHOT"
# what people typed is shown, never run
sql "UPDATE escalation SET title = '<script>alert(1)</script> & \"co\"' WHERE id = $E4" >/dev/null
ok carol report --quarter "$Q0" --format html
grep -q "<script" <<<"$OUT" && fail "a title's markup reached the page"
grep -qF "&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;co&quot;" <<<"$OUT" || fail "the title is not escaped"
sql "UPDATE escalation SET title = 'Bulk API, nightly' WHERE id = $E4" >/dev/null

say "account import: a CRM export, all or nothing"
cat >"$WORK/crm.csv" <<'CSV'
"Account Name","ARR (USD)","Renewal Date",Owner
"Hooli, Inc.","$1,200,000.00",03/31/2031,gavin
Pied Piper,"85,000.00",,richard
"Acme",650000,2031-04-30,sam
"Vandelay ""Import/Export""",12.50,2031-12-01,art
CSV
ok alice account import "$WORK/crm.csv"
same "$OUT" "4 accounts imported: 3 new, 1 updated" "the import's summary"
same "$(sql "SELECT arr || ' ' || coalesce(renewal_on::text, '-') FROM account WHERE name = 'Hooli, Inc.'")" \
    "1200000 2031-03-31" "a quoted name, a currency amount, a US date"
same "$(sql "SELECT arr || ' ' || renewal_on FROM account WHERE name = 'Acme'")" "650000 2031-04-30" "Acme updated"
same "$(sql "SELECT arr FROM account WHERE name = 'Vandelay \"Import/Export\"'")" 13 "cents rounded"
COUNT=$(sql "SELECT count(*) FROM account")
cat >"$WORK/bad.csv" <<'CSV'
name,arr,renewal
Fine One,100,2031-01-01
Bad Money,lots,
Bad Date,100,someday
Euro GmbH,"1.234,56",
Old Date,100,1/2/31
CSV
refused 1 IMPORT_REJECTED alice account import "$WORK/bad.csv"
case "$ERR" in *"line 3: ARR 'lots' is not an amount"*"line 4: renewal date 'someday'"*"line 5: ARR '1.234,56'"*"line 6: renewal date '1/2/31'"*) ;;
    *) fail "bad rows: $ERR" ;; esac
cat >"$WORK/bad2.csv" <<'CSV'
company,annual recurring revenue,contract end date
Twin,100,2031-02-30
Twin,200,
,300,
Fine Two,-5,
CSV
refused 1 IMPORT_REJECTED alice account import "$WORK/bad2.csv"
case "$ERR" in *"4 of 4 rows are wrong"*"line 2: renewal_on 2031-02-30 does not exist"*"line 3: account 'Twin' is on line 2 already"*"line 4: name is required"*"line 5: arr must be between 0"*) ;;
    *) fail "rows escd refused: $ERR" ;; esac
{ echo name,arr,renewal; for _ in $(seq 1 300); do echo Twin,100,2031-02-30; done; } >"$WORK/twins.csv"
refused 1 IMPORT_REJECTED alice account import "$WORK/twins.csv"   # once crashed escd
case "$ERR" in *"300 of 300 rows are wrong"*) ;; *) fail "300 bad twins: $ERR" ;; esac
printf 'name,arr\n"unterminated,5\n' >"$WORK/bad3.csv"
refused 1 IMPORT_REJECTED alice account import "$WORK/bad3.csv"
printf 'who,what\nx,y\n' >"$WORK/bad4.csv"
refused 1 IMPORT_REJECTED alice account import "$WORK/bad4.csv"
expect 2 alice account import "$WORK/missing.csv"
{ echo name,arr; seq -f 'Many %g,1' 1 10001; } >"$WORK/many.csv"
refused 1 FIELD_TOO_LONG alice account import "$WORK/many.csv"
case "$ERR" in *"at most 10000 accounts"*) ;; *) fail "too many rows: $ERR" ;; esac
{ echo name,arr; seq -f "Large %g $(printf 'x%.0s' $(seq 1 150)),1" 1 9000; } >"$WORK/large.csv"
refused 2 REQUEST_TOO_LARGE alice account import "$WORK/large.csv"
refused 4 PERMISSION_DENIED evan account import "$WORK/crm.csv"
same "$(sql "SELECT count(*) FROM account")" "$COUNT" "accounts after the refused imports"
echo "report: all steps passed"
