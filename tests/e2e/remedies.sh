#!/usr/bin/env bash
# remedies.sh: the essays' remedies, across quarters, against figures worked
# out by hand: what a one-off really cost (claimed, sized, actual, and the
# support it takes in later quarters), on one basis everywhere (budget,
# quarter show, the report's share, a month judged against its share of
# capacity); the plan's life (a committed baseline, work done, work carried
# from quarter to quarter); in every format of the report.
. "$(dirname "$0")/lib.sh"

init_server
add_cast
start_escd a

# two quarters: the one holding today (Q0) and the one before (Q1)
Y=$(date -u +%Y) N=$(( ($(date -u +%-m) - 1) / 3 + 1 ))      # escd's months are UTC
Q0="${Y}Q$N"
if [ "$N" -gt 1 ]; then Q1="${Y}Q$((N - 1))"; else Q1="$((Y - 1))Q4"; fi
file_as() { ok "$1" --quiet file --quarter "$2" --account "$3" --title "$4" --problem "the problem" "${@:5}"; echo "$OUT"; }

say "the dataset"
ok pat quarter open "$Q1" --capacity-hours 2000 --tokens 2 --hourly-cost 100 --max-token-hours 200 \
    --relief-oneoff -50
ok pat quarter open "$Q0" --capacity-hours 4000 --hourly-cost 150
ok alice account add Acme --arr 500000
ok alice account add Globex --arr 200000
# last quarter's plan, committed: 1,000 h in three items
ok pat --quiet roadmap add --quarter "$Q1" --title SSO --category feature --hours 300 --waiting Globex
R1=$OUT
ok pat --quiet roadmap add --quarter "$Q1" --title Billing --category feature --hours 500
R2=$OUT
ok pat --quiet roadmap add --quarter "$Q1" --title Audit --category ility --hours 200 --waiting Acme
R3=$OUT
ok pat quarter commit "$Q1"
same "$OUT" "quarter $Q1 committed: its plan of 1,000 h is the baseline from $(field carol quarter show "$Q1" .plan_committed_at)" \
    "the commit's confirmation"
# last quarter: claimed 20 h, sized 40, delivered in 60, won
E1=$(file_as alice "$Q1" Acme "Custom export" --deal-value 300000 --claimed-hours 20)
ok pat size "$E1" --hours 40 --viable yes
ok carol spend "$E1"
ok pat deliver "$E1" --actual-hours 60
ok carol outcome "$E1" --deal won --adopters 1
# this quarter: a token on 50 sized h (claimed 10, then 12), an override
# delivered in 45 of its 30 sized
E2=$(file_as alice "$Q0" Globex "Bulk API" --claimed-hours 10)
ok alice edit "$E2" --claimed-hours 12                  # the filer, while filed
refused 4 NOT_FILER bob edit "$E2" --claimed-hours 1
ok pat size "$E2" --hours 50 --viable yes
ok carol spend "$E2"
E3=$(file_as bob "$Q0" Acme "Mainframe bridge")
ok pat size "$E3" --hours 30 --viable yes
ok evan override "$E3" --reason "Board commitment"
ok pat deliver "$E3" --actual-hours 45

say "claimed hours: filed, corrected by the filer, shown"
same "$(field carol show "$E1" '.claimed_hours')" 20 "the claim, as filed"
same "$(field carol history "$E2" '[.[] | select(.type == "escalation.edited")][0] | "\(.data.changes.claimed_hours.old)>\(.data.changes.claimed_hours.new)"')" \
    "10>12" "the claim's correction, on the record"
refused 1 OUT_OF_RANGE bob file --quarter "$Q0" --account Acme --title T --problem p --claimed-hours 0
ok carol show "$E2"
grep -q "^  claimed:    12 h, by its filer$" <<<"$OUT" || fail "show lacks the claim: $OUT"

say "support: a delivered one-off, in its own quarter or a later open one (pm)"
ok pat support "$E1" --hours 5 --quarter "$Q1" --note "a patch for the export"
same "$OUT" "escalation $E1 supported: 5 h of support so far" "the confirmation"
ok pat support "$E1" --hours 12                             # the default quarter: Q0
same "$(field carol show "$E1" '"\(.state) \(.support_hours)"')" "closed 17" "support so far, state kept"
same "$(field carol history "$E1" '.[-1] | "\(.type) \(.quarter) \(.data.hours) \(.data.spent_in) \(.data.support_hours)"')" \
    "escalation.supported $Q0 12 $Q0 17" "the support's event"
history_says() {
    ok carol history "$1"
    grep -qF -- "$2" <<<"$OUT" || fail "history of $1 lacks '$2': $OUT"
}
history_says "$E1" "pat recorded 12 h of support on escalation $E1 \"Custom export\" for Acme in $Q0 (17 h so far)"
refused 1 INVALID_STATE pat support "$E2" --hours 3            # approved, not delivered
refused 4 PERMISSION_DENIED carol support "$E1" --hours 3
refused 1 QUARTER_BEFORE_ONEOFF pat support "$E3" --hours 3 --quarter "$Q1"
refused 1 OUT_OF_RANGE pat support "$E1" --hours 0
refused 3 ESCALATION_NOT_FOUND pat support 999999 --hours 3
ok carol show "$E1"
grep -q "^  support:    17 h since delivery$" <<<"$OUT" || fail "show lacks the support: $OUT"

say "one basis: actual once delivered, sized before, plus support; the budget counts it"
# Q1: E1's 60 actual + 5 of support; Q0: E2's 50 sized + E3's 45 actual + 12 of support
same "$(field carol quarter show "$Q1" '"\(.committed_hours) \(.support_hours)"')" "65 5" "Q1's one-off hours"
same "$(field carol quarter show "$Q0" '"\(.committed_hours) \(.support_hours)"')" "107 12" "Q0's one-off hours"
# Q1's budget is 200 h: 65 committed leaves 135, not the 160 the sizes alone would
E4=$(file_as bob "$Q1" Globex "Late one"); ok pat size "$E4" --hours 136 --viable yes --displaces "$R3"
refused 1 BUDGET_EXCEEDED carol spend "$E4"
ok pat size "$E4" --hours 135
ok carol spend "$E4"

say "the report: share, support, demand against capacity, claimed / sized / actual"
ok carol report --quarter "$Q0" --format json
echo "$OUT" >"$WORK/q0.json"
j() { jq -r "$1" "$WORK/q0.json"; }
# 50 + 45 + 12 = 107 of 4,000 h: 2.675 %
same "$(j '.oneoffs | "\(.approved_hours) \(.overridden_hours) \(.support_hours) \(.judged_capacity_hours) \(.share_pct)"')" \
    "50 45 12 4000 2.67" "Q0's one-off figures"
same "$(j '.demand | "\(.sized_hours) \(.budget_multiple) \(.capacity_multiple)"')" "80 0.2 0.02" \
    "demand: 80 sized h, of the 400 h budget and of the 4,000 h capacity"
same "$(j '.real_cost | "\(.actual_over_claimed) \(.actual_over_sized)"')" "null 1.5" \
    "Q0's medians: E3 took 45 of 30 sized, and claimed nothing"
same "$(j '[.real_cost.support[] | "\(.escalation) \(.quarter) \(.hours)"] | join(",")')" "$E1 $Q1 12" \
    "support of a past one-off, spent here"
same "$(j "[.returns[] | \"\(.escalation):\(.claimed_hours)/\(.sized_hours)/\(.actual_hours)/\(.support_hours)/\(.lifetime_hours)/\(.cost)\"] | join(\" \")")" \
    "$E2:12/50/null/0/50/7500 $E3:null/30/45/0/45/6750" "claimed / sized / actual / support / lifetime / cost"
same "$(j "[.trend[] | \"\(.quarter) \(.oneoff_hours) \(.actual_over_claimed) \(.actual_over_sized)\"] | join(\",\")")" \
    "$Q1 200 3 1.5,$Q0 107 null 1.5" "the trend of the ratios"
ok carol report --quarter "$Q1" --format json
echo "$OUT" >"$WORK/q1.json"
# E1: 60 actual + 17 support = 77 h at 100 = 7,700; 300,000 / 7,700 = 38.96x
same "$(jq -r "[.returns[] | select(.escalation == $E1) | \"\(.lifetime_hours) \(.cost) \(.return_multiple)\"][0]" "$WORK/q1.json")" \
    "77 7700 38.96" "a one-off's lifetime cost and return count all its support"
same "$(jq -r '.real_cost | "\(.actual_over_claimed) \(.actual_over_sized)"' "$WORK/q1.json")" "3 1.5" \
    "Q1's medians: 60 of 20 claimed, 60 of 40 sized"

say "a month is judged against its share of the quarter's capacity"
MONTH=$(date -u +%Y-%m)
ok carol quarter show "$Q0"
STARTS=$(field carol quarter show "$Q0" .starts_on) ENDS=$(field carol quarter show "$Q0" .ends_on)
QDAYS=$(( ($(date -u -d "$ENDS" +%s) - $(date -u -d "$STARTS" +%s)) / 86400 + 1 ))
MDAYS=$(date -u -d "$MONTH-01 +1 month -1 day" +%d)
MCAP=$(( 4000 * 10#$MDAYS / QDAYS ))
ok carol report --month "$MONTH" --format json
same "$(jq -r '.oneoffs | "\(.judged_capacity_hours) \(.budget_hours)"' <<<"$OUT")" "$MCAP $((MCAP / 10))" \
    "the month's capacity ($MDAYS of $QDAYS days) and budget"
same "$(jq -r '.oneoffs.share_pct * 100 | round' <<<"$OUT")" \
    "$(awk -v c="$MCAP" 'BEGIN { printf "%d", 107 * 10000 / c + 0.5 }')" "the month's share"

say "every format shows them"
ok carol report --quarter "$Q0"
printf '%s\n' "$OUT" >"$WORK/q0.txt"
grep -Eq "^  support of past one-offs +12 h$" "$WORK/q0.txt" || fail "text: the support line: $OUT"
grep -Eq "^  escalation $E1 +12 h  from $Q1 +Custom export$" "$WORK/q0.txt" || fail "text: the support list"
grep -q "0.2x the one-off budget, 0.02x the whole capacity" "$WORK/q0.txt" || fail "text: demand"
grep -q "median actual / claimed -, actual / sized 1.50x" "$WORK/q0.txt" || fail "text: the medians"
grep -Eq "^  $E2 +token +12 +50 +- +0 +7,500 " "$WORK/q0.txt" || fail "text: the returns' hours"
ok carol report --quarter "$Q0" --format html
printf '%s\n' "$OUT" >"$WORK/q0.html"
grep -q "support of past one-offs 12 h" "$WORK/q0.html" || fail "html: the pie's support slice"
grep -q "<h2>Support of past one-offs (12 h)</h2>" "$WORK/q0.html" || fail "html: the support section"
grep -q "actual over sized hours 1.50x" "$WORK/q0.html" || fail "html: the medians"
grep -q "0.02x</div><div class=\"l\">demand, as a multiple of the whole capacity" "$WORK/q0.html" \
    || fail "html: demand against capacity"
ok carol report --quarter "$Q1" --format csv
OUT=$(tr -d '\r' <<<"$OUT")                                  # CSV lines end CRLF
same "$(head -n 1 <<<"$OUT" | tr ',' '\n' | tail -n 3 | paste -sd,)" "claimed_hours,support_hours,partner" \
    "csv: the columns"
grep -q "^$E1,.*,20,17,$" <<<"$OUT" || fail "csv: E1's claim and support: $OUT"

say "the plan's life: committed once, done, carried to later quarters"
refused 1 PLAN_COMMITTED pat quarter commit "$Q1"
refused 4 PERMISSION_DENIED carol quarter commit "$Q0"
same "$(field carol roadmap list --quarter "$Q1" "[.[] | select(.id == $R3) | .state][0]")" postponed \
    "Audit, postponed by the spend on escalation $E4"
ok pat --quiet roadmap add --quarter "$Q1" --title Hotfix --category maintenance --hours 50
R4=$OUT
same "$(field carol roadmap list --quarter "$Q1" '[.[] | "\(.id):\(.added_after_commit)"] | join(" ")')" \
    "$R1:false $R2:false $R3:false $R4:true" "only what came after the commit is marked"
ok pat roadmap done "$R2" --actual-hours 550
same "$OUT" "roadmap item $R2 done: \"Billing\" (feature, 500 h, done in 550 h)" "done's confirmation"
ok pat roadmap done "$R4"
refused 1 NOTHING_CHANGED pat roadmap done "$R2" --actual-hours 550
ok pat roadmap done "$R2" --actual-hours 560
same "$(sql "SELECT data::json->'changes'->'actual_hours'->>'old' || '>' || (data::json->'changes'->'actual_hours'->>'new') FROM event WHERE type = 'roadmap.done' ORDER BY seq DESC LIMIT 1")" \
    "550>560" "done again corrects the hours, on the record"
ok pat roadmap done "$R2" --actual-hours 550
refused 1 INVALID_STATE pat roadmap done "$R3"              # postponed: carried first
refused 1 INVALID_STATE pat roadmap move "$R2" --quarter "$Q0"   # done work stays done
refused 1 QUARTER_NOT_LATER pat roadmap move "$R3" --quarter "$Q1"
refused 4 PERMISSION_DENIED carol roadmap move "$R3" --quarter "$Q0"
refused 3 ROADMAP_ITEM_NOT_FOUND pat roadmap done 999999
misused "--quarter is required" pat roadmap move "$R3"
# this quarter's plan, committed before Audit comes in
ok pat --quiet roadmap add --quarter "$Q0" --title Perf --category ility --hours 100
R5=$OUT
ok pat quarter commit "$Q0"
ok pat roadmap move "$R3" --quarter "$Q0"
same "$OUT" "roadmap item $R3 moved: \"Audit\" (ility, 200 h, planned in $Q0, carried 1 time)" \
    "move's confirmation"
same "$(field carol roadmap list --quarter "$Q0" "[.[] | select(.id == $R3) | \"\(.state) \(.added_after_commit) \(.moved_from | join(\",\")) \(.waiting | join(\",\"))\"][0]")" \
    "planned true $Q1 Acme" "carried with its waiting customer, after this quarter's commit"
# postponed again here, by an override, and carried once more
E5=$(file_as alice "$Q0" Acme "Urgent"); ok pat size "$E5" --hours 20 --viable yes --displaces "$R3"
ok evan override "$E5" --reason "Renewal at risk"
if [ "${Q0: -1}" -lt 4 ]; then QN="${Q0:0:4}Q$(( ${Q0: -1} + 1 ))"; else QN="$(( ${Q0:0:4} + 1 ))Q1"; fi
ok pat quarter open "$QN" --capacity-hours 1000
ok pat roadmap move "$R3" --quarter "$QN"
ev() { sql "SELECT $1 FROM event ORDER BY seq DESC LIMIT 1"; }
same "$(ev "type || ' ' || quarter || ' ' || (data::json->>'from') || ' ' || (data::json->>'times')")" \
    "roadmap.moved $QN $Q0 2" "the move's event"
history_line=$(ev summary)
same "$history_line" "pat moved postponed roadmap item $R3 \"Audit\" (200 h) from $Q0 to $QN, carried 2 times" \
    "the move's summary"
ok pat roadmap done "$R3" --actual-hours 210                 # carried twice, done at last

say "the report: the plan kept, and what was carried more than once"
ok carol report --quarter "$Q1" --format json
echo "$OUT" >"$WORK/q1-plan.json"
k() { jq -r "$1" "$WORK/q1-plan.json"; }
# baseline 1,000: Billing 500 done, Audit 200 carried away, SSO 300 open;
# outside the plan: E1 delivered in 60 (token), Hotfix's 50: 110 of 610 shipped
same "$(k '.plan_kept | "\(.baseline_items) \(.baseline_hours) \(.done_hours) \(.postponed_hours) \(.open_hours)"')" \
    "3 1000 500 200 300" "Q1's baseline and what became of it"
same "$(k '.plan_kept | "\(.oneoff_hours) \(.override_hours) \(.added_hours) \(.unplanned_hours) \(.unplanned_share_pct)"')" \
    "60 0 50 110 18.03" "Q1's shipped outside the plan"
same "$(k '[.plan_kept.carried[] | "\(.roadmap_item) \(.quarter) \(.moved_from | join(",")) \(.quarters_waiting) \(.arr_waiting)"] | join(";")')" \
    "$R3 $QN $Q1,$Q0 2 500000" "Audit, carried twice, Acme's 500,000 waiting"
ok carol report --quarter "$Q0" --format json
# baseline: Perf 100, open; outside it: E3's 45 delivered by override
same "$(jq -r '.plan_kept | "\(.baseline_hours) \(.done_hours) \(.postponed_hours) \(.open_hours) \(.unplanned_hours) \(.unplanned_share_pct)"' <<<"$OUT")" \
    "100 0 0 100 45 100" "Q0's plan kept"
same "$(jq -r '.plan_kept.carried | length' <<<"$OUT")" 1 "Audit, carried from this quarter too"
ok carol report --quarter "$QN" --format json
same "$(jq -r '.plan_kept.committed_at' <<<"$OUT")" null "a quarter without a commit has no baseline"
ok carol report --quarter "$Q1"
printf '%s\n' "$OUT" >"$WORK/q1.txt"
grep -q "^  baseline, committed .*: 1,000 h in 3 items$" "$WORK/q1.txt" || fail "text: the baseline: $OUT"
grep -Eq "^  postponed or carried +200 h$" "$WORK/q1.txt" || fail "text: postponed"
grep -q "^  shipped outside the plan: 110 h (18.0 % of all shipped): one-offs 60 h, overrides 0 h, items added after commit 50 h$" \
    "$WORK/q1.txt" || fail "text: outside the plan"
grep -q "^  carried 2 times: roadmap item $R3 \"Audit\", now in $QN, from $Q1, $Q0; waiting 2 quarters, renewal ARR 500,000$" \
    "$WORK/q1.txt" || fail "text: carried"
ok carol report --quarter "$Q1" --format html
grep -q "<h2>The plan kept</h2>" <<<"$OUT" || fail "html: the plan kept"
grep -q "110 h, 18.0 % of all that shipped" <<<"$OUT" || fail "html: outside the plan"
printf '%s\n' "$OUT" >"$WORK/q1.html"
# the pie's support slice, the carried item's red row
render_page "$WORK/q1.html" "$WORK/q1.png" 4000 EDC948 FDECEA
[ -n "${ESC_REPORT_SCREENSHOT:-}" ] && cp "$WORK/q1.png" "${ESC_REPORT_SCREENSHOT%.png}-remedies.png"
ok carol roadmap list --quarter "$Q1"
grep -Eq "^ *$R2 +done .* took 550 h$" <<<"$OUT" || fail "roadmap list: done work: $OUT"
grep -Eq "^ *$R4 +done .*added after commit$" <<<"$OUT" || fail "roadmap list: added after commit: $OUT"
ok carol quarter show "$Q1"
grep -q "^  plan:       committed " <<<"$OUT" || fail "quarter show: the commit"

say "incentives: teams, and quota credit at a negative one-off rate"
same "$(field carol quarter show "$Q1" '"\(.relief_standard_pct) \(.relief_oneoff_pct)"')" "100 -50" "Q1's rates"
same "$(field carol quarter show "$Q0" '"\(.relief_standard_pct) \(.relief_oneoff_pct)"')" "100 20" "the defaults"
refused 1 OUT_OF_RANGE pat quarter open 2035Q1 --capacity-hours 10 --relief-oneoff -101
ok ada user set alice --team EMEA
same "$OUT" "user alice changed (sales; team EMEA)" "user set's confirmation"
ok ada user set bob --team AMER
ok ada user add sam --role sales --team EMEA --key "$("$ESC" keygen sam)"
refused 1 NOTHING_CHANGED ada user set bob --team AMER
refused 4 PERMISSION_DENIED pat user set bob --team EMEA
refused 3 USER_NOT_FOUND ada user set nobody --team EMEA
ok ada user set sam --team ''
same "$(field ada user list '[.[] | "\(.name):\(.team)"] | join(" ")')" \
    "ada:null alice:EMEA bob:AMER carol:null chris:null evan:null pat:null sam:null" "teams"
ok ada user set sam --team EMEA
same "$(sql "SELECT coalesce(data::json->'changes'->'team'->>'old', 'none') || '>' || (data::json->'changes'->'team'->>'new') FROM event WHERE type = 'user.changed' ORDER BY seq DESC LIMIT 1")" \
    "none>EMEA" "the team's change, on the record"
E6=$(file_as sam "$Q1" Acme "Sam's first")
ok carol report --quarter "$Q1" --format json
echo "$OUT" >"$WORK/q1-credit.json"
c() { jq -r "$1" "$WORK/q1-credit.json"; }
# alice: won 300,000 (credit 300,000); E1's 77 lifetime h x 100 = 7,700, at -50 %: -3,850
# bob: E4's 135 h x 100 = 13,500, at -50 %: -6,750; sam: one filing, nothing decided
same "$(c '[.quota_credit.filers[] | "\(.name)/\(.team): \(.escalations) \(.hours_asked) \(.won_value) \(.standard_credit) \(.oneoff_hours) \(.oneoff_cost) \(.oneoff_credit) \(.total)"] | join("; ")')" \
    "alice/EMEA: 1 40 300000 300000 77 7700 -3850 296150; bob/AMER: 1 135 0 0 135 13500 -6750 -6750; sam/EMEA: 1 0 0 0 0 0 0 0" \
    "credit by filer"
same "$(c '[.quota_credit.teams[] | "\(.name): \(.escalations) \(.hours_asked) \(.won_value) \(.oneoff_credit) \(.total)"] | join("; ")')" \
    "AMER: 1 135 0 -6750 -6750; EMEA: 2 40 300000 -3850 296150" "credit by team: every team claims the allocation"
ok carol report --quarter "$Q1"
grep -q "^QUOTA CREDIT (100 % relief on won deal value, -50 % on one-offs' cost)$" <<<"$OUT" \
    || fail "text: the credit's heading: $OUT"
grep -Eq "^  bob +AMER +1 +135 h +0 +0 +135 h +-6,750 +-6,750$" <<<"$OUT" || fail "text: bob's credit: $OUT"
grep -Eq "^  EMEA +2 +40 h +300,000 +300,000 +77 h +-3,850 +296,150$" <<<"$OUT" || fail "text: EMEA's credit"
ok carol report --quarter "$Q1" --format html
grep -q "<h2>Quota credit</h2>" <<<"$OUT" || fail "html: quota credit"
grep -q '<td class="n flag">-6,750</td>' <<<"$OUT" || fail "html: a debit is flagged"

say "services partners: referred work leaves the roadmap's demand"
ok pat partner add "Initech Services"
same "$OUT" "partner Initech Services added" "partner add's confirmation"
refused 1 PARTNER_EXISTS carol partner add "initech services"
refused 4 PERMISSION_DENIED alice partner add Other
E7=$(file_as alice "$Q0" Globex "Data migration"); ok pat size "$E7" --hours 40 --viable yes
ok pat refer "$E7" --partner "Initech Services" --note "they do migrations"
same "$OUT" "escalation $E7 referred to partner Initech Services" "refer's confirmation"
E8=$(file_as bob "$Q0" Acme "Training")
refused 3 PARTNER_NOT_FOUND pat refer "$E8" --partner Nobody
refused 4 PERMISSION_DENIED evan refer "$E8" --partner "Initech Services"
ok carol refer "$E8" --partner "Initech Services"
refused 1 INVALID_STATE pat refer "$E7" --partner "Initech Services"     # final
refused 1 INVALID_STATE pat refer "$E2" --partner "Initech Services"     # approved
same "$(field carol show "$E7" '"\(.state) \(.partner) \(.referral_note)"')" \
    "referred Initech Services they do migrations" "the referral, shown"
ok carol show "$E7"
grep -q "^  referred:   to partner Initech Services$" <<<"$OUT" || fail "show: the referral: $OUT"
same "$(field carol history "$E7" '.[-1] | "\(.type) \(.data.partner)"')" "escalation.referred Initech Services" \
    "the referral's event"
same "$(field carol partner list '[.[] | "\(.name) \(.referred)"] | join(",")')" "Initech Services 2" "partner list"
ok carol report --quarter "$Q0" --format json
# demand: E2 50 + E3 30 + E5 20 = 100 sized h in 3; referred: E7's 40 h and the unsized E8
same "$(jq -r '"\(.demand.escalations) \(.demand.sized_hours) \(.referred.escalations) \(.referred.hours) \(.referred.share_pct)"' <<<"$OUT")" \
    "3 100 2 40 28.57" "referred work, out of the demand, as a share of all filed"
same "$(jq -r '[.referred.partners[] | "\(.partner) \(.escalations) \(.hours) \(.share_pct)"] | join(",")' <<<"$OUT")" \
    "Initech Services 2 40 28.57" "by partner"
ok carol report --quarter "$Q0"
grep -q "^  2 referred to services partners, 40 h: 28.6 % of all demand filed$" <<<"$OUT" \
    || fail "text: referred: $OUT"
grep -Eq "^    Initech Services +2 escalations, 40 h, 28.6 %$" <<<"$OUT" || fail "text: by partner"
ok carol report --quarter "$Q0" --format html
grep -q "<h2>Referred to services partners</h2>" <<<"$OUT" || fail "html: referred"
ok carol report --quarter "$Q0" --format csv
grep -q "^$E7,.*,Initech Services"$'\r'"$" <<<"$OUT" || fail "csv: the partner column"

say "a closed quarter takes no more support, commits or moves into it"
ok pat quarter close "$Q1" --yes
refused 1 QUARTER_CLOSED pat support "$E1" --hours 1 --quarter "$Q1"
ok pat quarter close "$QN" --yes
refused 1 QUARTER_CLOSED pat quarter commit "$QN"
ok pat roadmap done "$R1" --actual-hours 280                 # after its quarter, like a delivery

say "escd is alive"
kill -0 "$PID_a" || fail "escd died"
echo "remedies: all steps passed"
