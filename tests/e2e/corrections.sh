#!/usr/bin/env bash
# corrections.sh: every mistake can be corrected, on the record. Each
# correction through esc, escd and PostgreSQL: the change applied; its
# event on the feed (a watcher follows it from the start) with the old and
# new values; a line for people in the history; refused for the wrong role
# and, unless it says otherwise, in a closed quarter. Also: a re-size keeps
# what it is not told, so a later spend postpones what the first sizing
# displaced; a refile must answer its return; a stop counts in the report at
# the hours spent; closing a quarter asks first, and a close can be undone.
. "$(dirname "$0")/lib.sh"

init_server
add_cast
start_escd main

# the quarter holding today, and the one after it
Y=$(date +%Y) N=$(( ($(date +%-m) - 1) / 3 + 1 ))
Q="${Y}Q$N"
if [ "$N" -lt 4 ]; then LATER="${Y}Q$((N + 1))"; else LATER="$((Y + 1))Q1"; fi

# the feed, from its first event, as a client sees it
"$ESC" --as evan --json watch --since 0 >"$WORK/feed.jsonl" 2>"$WORK/watch.err" &

# event: the event the last command wrote (the head of the log), once the
# watcher has it: one line of JSON.
event() {
    local seq
    seq=$(head_seq)
    wait_seq "$WORK/feed.jsonl" "$seq" 60
    jq -c "select(.seq == $seq)" "$WORK/feed.jsonl"
}
# ev FILTER: a jq FILTER over that event.
ev() { event | jq -r "$1"; }
# history_says ID TEXT: the history of escalation ID, as people read it, has TEXT.
history_says() {
    ok carol history "$1"
    case "$OUT" in *"$2"*) ;; *) fail "history of $1 lacks '$2': $OUT" ;; esac
}
# unchanged SEQ: no event was written since SEQ.
unchanged() { same "$(head_seq)" "$1" "events after a refusal"; }

ok pat quarter open "$Q" --capacity-hours 4000 --tokens 1 --max-token-hours 80
ok alice account add Acme --arr 500000 --renewal 2031-03-31
ok alice account add Globex --arr 200000
ok pat account add Initech --arr 90000
ok pat --quiet roadmap add --title "SSO everywhere" --category feature --hours 300 --waiting Globex
R1=$OUT
ok pat --quiet roadmap add --title "Upgrade PostgreSQL" --category maintenance --hours 80
R2=$OUT

say "edit: the filer corrects a filing while it is filed or returned"
ok alice --quiet file --account Acme --title "Custom exprot" --problem "Finance cannot reconcile" \
    --deal-value 100000 --needed-by 2031-12-15
X1=$OUT
ok alice edit "$X1" --title "Custom export"
same "$(field bob show "$X1" '.title')" "Custom export" "the corrected title"
same "$(ev '"\(.type) \(.actor) \(.escalation) \(.data.state)"')" "escalation.edited alice $X1 filed" "the edit's event"
same "$(ev '.data.changes | "\(.title.old)|\(.title.new)|\(keys | join(","))"')" \
    "Custom exprot|Custom export|title" "the edit's old and new title"
history_says "$X1" "alice edited escalation $X1 \"Custom export\" for Acme: title \"Custom exprot\" -> \"Custom export\""
ok alice edit "$X1" --problem $'Finance cannot reconcile invoices\nwith the ledger' \
    --deal-value 250000 --also-needed-by Globex --needed-by none
same "$(field bob show "$X1" '"\(.deal_value) \(.needed_by) \(.also_needed_by | join(",")) \(.customers)"')" \
    "250000 null Globex 2" "the corrections applied"
same "$(ev '.data.changes | "\(.deal_value.old)>\(.deal_value.new) \(.needed_by.old)>\(.needed_by.new) \(.also_needed_by.old | length)>\(.also_needed_by.new | join(",")) \(.problem.new | contains("ledger"))"')" \
    "100000>250000 2031-12-15>null 0>Globex true" "old and new of each"
same "$(ev '.summary')" \
    "alice edited escalation $X1 \"Custom export\" for Acme: problem changed; deal value 100,000 -> 250,000; needed by 2031-12-15 -> none; also needed by none -> Globex" \
    "the sentence names what changed, not the problem's text"
SEQ=$(head_seq)
refused 1 NOTHING_CHANGED alice edit "$X1" --title "Custom export"
refused 4 NOT_FILER bob edit "$X1" --title "Mine now"
refused 4 PERMISSION_DENIED carol edit "$X1" --title "CRO's title"
refused 4 PERMISSION_DENIED evan edit "$X1" --title "Exec's title"
refused 4 NOT_FILER pat edit "$X1" --problem "a PM restates it"
expect 1 alice edit "$X1"
case "$ERR" in *MISSING_ARGUMENT*) ;; *) fail "an edit of nothing: $ERR" ;; esac
unchanged "$SEQ"
ok pat edit "$X1" --title "Custom CSV export"
same "$(ev '"\(.actor) \(.data.changes.title.new)"')" "pat Custom CSV export" "a PM fixes the title"
ok alice edit "$X1" --also-needed-by ""
same "$(field bob show "$X1" '.customers')" 1 "the other accounts cleared"

say "size again keeps what it is not told"
ok pat size "$X1" --hours 40 --viable yes --displaces "$R1" --note "two engineer-weeks"
refused 1 INVALID_STATE alice edit "$X1" --problem "too late: it is sized"
ok pat edit "$X1" --title "Custom export"
ok pat size "$X1" --hours 45
same "$(field carol show "$X1" '"\(.hours) \(.viable) \(.displaces | join(",")) \(.sizing_note)"')" \
    "45 true $R1 two engineer-weeks" "a re-size keeps viable, the displaced items and the note"
same "$(ev '"\(.type) \(.data.hours) \(.data.displaces | join(",")) \(.data.changes | keys | join(",")) \(.data.changes.hours.old)>\(.data.changes.hours.new)"')" \
    "escalation.sized 45 $R1 hours 40>45" "the re-size's event: old and new hours, nothing else changed"
history_says "$X1" "pat re-sized escalation $X1 \"Custom export\" for Acme: 45 h, viable; hours 40 -> 45"
SEQ=$(head_seq)
refused 1 NOTHING_CHANGED pat size "$X1" --hours 45 --viable yes
refused 4 PERMISSION_DENIED alice size "$X1" --hours 50
unchanged "$SEQ"
ok alice --quiet file --account Globex --title "SAML flow" --problem "Their IdP is unusual"
X2=$OUT
refused 1 MISSING_ARGUMENT pat size "$X2" --hours 10
case "$ERR" in *viable*) ;; *) fail "a first sizing without viable: $ERR" ;; esac
ok pat size "$X2" --hours 10 --viable yes --displaces "$R2" --note "a sprint"
ok pat size "$X2" --displaces none --note ""
same "$(field carol show "$X2" '"\(.hours) \(.displaces | length) \(.sizing_note)"')" "10 0 null" \
    "--displaces none and an empty note clear them"
same "$(ev '"\(.data.changes.displaces.old | join(","))>\(.data.changes.displaces.new | length) \(.data.changes.note.new)"')" \
    "$R2>0 null" "cleared: old and new"

say "the spend postpones what the first sizing displaced; its note is shown"
ok carol spend "$X1" --note $'Biggest renewal this quarter\nand Globex watches'
same "$(field carol roadmap list "[.[] | select(.id == $R1) | .state][0]")" postponed \
    "the item the sizing displaced, kept through the re-size"
ok carol show "$X1"
grep -q "  note:       Biggest renewal this quarter" <<<"$OUT" || fail "show lacks the note: $OUT"
grep -q "^              and Globex watches" <<<"$OUT" || fail "show lacks the note's second line: $OUT"
history_says "$X1" "    note: Biggest renewal this quarter"
history_says "$X1" "          and Globex watches"
same "$(field carol show "$X1" '.spend_note')" $'Biggest renewal this quarter\nand Globex watches' "the note in JSON"

say "refile must answer the return"
ok bob --quiet file --account Initech --title "Report tweak" --problem "vague"
X3=$OUT
ok pat return "$X3" --reason "Which report, which columns?"
SEQ=$(head_seq)
refused 1 NOTHING_CHANGED bob refile "$X3"
case "$ERR" in *--answer*) ;; *) fail "what a refile needs: $ERR" ;; esac
refused 1 NOTHING_CHANGED bob refile "$X3" --problem "vague"
refused 4 NOT_FILER alice refile "$X3" --answer "not mine"
unchanged "$SEQ"
ok bob refile "$X3" --answer "The Q3 revenue report, a region column"
same "$(field carol show "$X3" '"\(.state)|\(.refile_question)|\(.refile_answer)"')" \
    "filed|Which report, which columns?|The Q3 revenue report, a region column" "the answer kept with its question"
ok carol show "$X3"
grep -q "asked:      Which report, which columns?" <<<"$OUT" || fail "show lacks the question: $OUT"
grep -q "answer:     The Q3 revenue report, a region column" <<<"$OUT" || fail "show lacks the answer: $OUT"
same "$(ev '"\(.type)|\(.data.question)|\(.data.answer)|\(.data.changes)"')" \
    "escalation.refiled|Which report, which columns?|The Q3 revenue report, a region column|null" "the refile's event"
history_says "$X3" "bob refiled escalation $X3 \"Report tweak\" for Initech: answered \"The Q3 revenue report, a region column\""
ok pat return "$X3" --reason "Which quarter?"
ok bob refile "$X3" --problem "The Q3 revenue report lacks a region column"
same "$(ev '"\(.data.changes | keys | join(",")) \(.data.answer)"')" "problem null" "a refile that changes the filing"
history_says "$X3" "for Initech: problem changed"

say "account set: ARR, renewal, name"
ok pat account set Acme --arr 600000
same "$(field carol account list '.[] | select(.name == "Acme") | .arr')" 600000 "the corrected ARR"
same "$(ev '"\(.type) \(.account) \(.data.changes.arr.old)>\(.data.changes.arr.new)"')" \
    "account.changed Acme 500000>600000" "the account's event"
same "$(ev .summary)" "pat corrected account Acme: ARR 500,000 -> 600,000" "its sentence"
ok alice account set Acme --rename "Acme Corp" --renewal none
same "$(field carol show "$X1" '.account')" "Acme Corp" "escalations follow the renamed account"
same "$(ev '"\(.account) \(.data.changes.name.old)>\(.data.changes.name.new) \(.data.changes.renewal_on.old)>\(.data.changes.renewal_on.new)"')" \
    "Acme Corp Acme>Acme Corp 2031-03-31>null" "the rename's event"
SEQ=$(head_seq)
refused 1 ACCOUNT_EXISTS alice account set "Acme Corp" --rename globex
case "$ERR" in *"'globex' exists already as 'Globex'"*) ;; *) fail "the taken name: $ERR" ;; esac
refused 1 NOTHING_CHANGED pat account set "Acme Corp" --arr 600000
refused 3 ACCOUNT_NOT_FOUND pat account set Acme --arr 1
refused 4 PERMISSION_DENIED carol account set "Acme Corp" --arr 1
unchanged "$SEQ"
ok alice account set "Acme Corp" --rename "ACME Corp"
same "$(field carol account list '[.[] | .name] | join(",")')" "ACME Corp,Globex,Initech" "a name in another case"

say "roadmap set: planned work only"
ok pat roadmap set "$R2" --hours 120 --waiting Globex,Initech
same "$(field carol roadmap list "[.[] | select(.id == $R2) | \"\(.hours) \(.waiting | join(\",\"))\"][0]")" \
    "120 Globex,Initech" "the corrected item"
same "$(ev '"\(.type) \(.quarter) \(.data.roadmap_item) \(.data.changes.hours.old)>\(.data.changes.hours.new) \(.data.changes.waiting.new | join(","))"')" \
    "roadmap.changed $Q $R2 80>120 Globex,Initech" "the item's event"
same "$(ev .summary)" "pat changed roadmap item $R2 \"Upgrade PostgreSQL\" in $Q: hours 80 -> 120; waiting none -> Globex, Initech" \
    "its sentence"
SEQ=$(head_seq)
refused 1 INVALID_STATE pat roadmap set "$R1" --hours 10
refused 1 NOTHING_CHANGED pat roadmap set "$R2" --hours 120
misused "--category must be one of feature, ility, maintenance, discovery (not 'ilities')" pat roadmap set "$R2" --category ilities
refused 4 PERMISSION_DENIED alice roadmap set "$R2" --hours 10
refused 3 ROADMAP_ITEM_NOT_FOUND pat roadmap set 999999 --hours 10
unchanged "$SEQ"

say "delivery and outcome, corrected"
ok pat deliver "$X1" --actual-hours 35
ok pat deliver "$X1" --actual-hours 38
same "$(field carol show "$X1" '"\(.state) \(.actual_hours)"')" "delivered 38" "the corrected hours"
same "$(ev '"\(.type) \(.data.actual_hours) \(.data.changes.actual_hours.old)>\(.data.changes.actual_hours.new)"')" \
    "escalation.delivered 38 35>38" "the correction's event"
history_says "$X1" "pat corrected the delivery of escalation $X1 \"Custom export\" for ACME Corp: actual hours 35 -> 38"
refused 1 NOTHING_CHANGED pat deliver "$X1" --actual-hours 38
refused 4 PERMISSION_DENIED carol deliver "$X1" --actual-hours 40
ok carol outcome "$X1" --deal won --adopters 3
ok carol outcome "$X1" --deal lost
same "$(field carol show "$X1" '"\(.state) \(.deal) \(.adopters)"')" "closed lost 3" "corrected, adopters kept"
same "$(ev '"\(.data.changes.deal.old)>\(.data.changes.deal.new) \(.data.changes | keys | join(","))"')" \
    "won>lost deal" "the outcome's correction"
history_says "$X1" "carol corrected the outcome of escalation $X1 \"Custom export\" for ACME Corp: deal won -> lost"
refused 1 NOTHING_CHANGED carol outcome "$X1" --deal lost
refused 4 PERMISSION_DENIED pat outcome "$X1" --deal won
ok pat deliver "$X1" --actual-hours 36
same "$(field carol show "$X1" '"\(.state) \(.actual_hours)"')" "closed 36" "a closed one's hours corrected"

say "a deal lost before delivery; the work stopped at the hours spent"
ok alice --quiet file --account Globex --title "On-prem installer" --problem "Air-gapped site" --deal-value 90000
X4=$OUT
ok pat size "$X4" --hours 60 --viable yes
ok evan override "$X4" --reason "Board commitment"
ok bob --quiet file --account Initech --title "Installer too" --problem "Also air-gapped"
X5=$OUT
ok pat merge "$X5" --into "$X4"
refused 1 INVALID_STATE carol outcome "$X4" --deal won
case "$ERR" in *"only a lost deal"*) ;; *) fail "a win before delivery: $ERR" ;; esac
ok carol outcome "$X4" --deal lost
same "$(field carol show "$X4" '"\(.state) \(.deal)"')" "approved lost" "lost before delivery: still approved"
same "$(ev '"\(.type) \(.data.state) \(.data.deal)"')" "escalation.closed approved lost" "the outcome's event"
SEQ=$(head_seq)
refused 1 MISSING_ARGUMENT pat stop "$X4" --reason "The deal is lost"
case "$ERR" in *actual_hours*) ;; *) fail "a stop without its hours: $ERR" ;; esac
refused 4 PERMISSION_DENIED carol stop "$X4" --reason "lost" --actual-hours 12
refused 1 INVALID_STATE pat stop "$X3" --reason "not approved" --actual-hours 1
unchanged "$SEQ"
ok pat stop "$X4" --reason "The deal is lost; nobody else needs it" --actual-hours 12
same "$(field carol show "$X4" '"\(.state)|\(.state_reason)|\(.actual_hours)"')" \
    "stopped|The deal is lost; nobody else needs it|12" "stopped"
same "$(ev '"\(.type) \(.data.actual_hours) \(.data.reason)"')" \
    "escalation.stopped 12 The deal is lost; nobody else needs it" "the stop's event"
history_says "$X4" "pat stopped the work on escalation $X4 \"On-prem installer\" for Globex after 12 h: The deal is lost; nobody else needs it"
same "$(field carol show "$X5" '"\(.state) \(.merged_into)"')" "filed null" "its duplicate given back"
same "$(field carol history "$X5" '[.[] | select(.type == "escalation.unmerged") | .data.because][0]')" \
    "escalation $X4 was stopped" "why the duplicate came back"
ok pat stop "$X4" --actual-hours 14
same "$(field carol show "$X4" '"\(.actual_hours)|\(.state_reason)"')" "14|The deal is lost; nobody else needs it" \
    "the hours corrected, the reason kept"
same "$(ev '"\(.data.changes | keys | join(",")) \(.data.changes.actual_hours.old)>\(.data.changes.actual_hours.new)"')" \
    "actual_hours 12>14" "the stop's correction"
refused 1 NOTHING_CHANGED pat stop "$X4" --actual-hours 14
refused 1 INVALID_STATE pat deliver "$X4" --actual-hours 20
ok ada user list
same "$(field carol show "$X4" '.state')" stopped "stopped stays stopped"

say "the report counts the stop at its hours spent"
# one-offs: X1 by token, delivered in 36 h (sized 45), X4 by override stopped at 14 h
same "$(field carol quarter show '.committed_hours')" 50 "committed: the 36 actual + the 14 spent, not the sizes"
ok carol report --format json
echo "$OUT" >"$WORK/report.json"
j() { jq -r "$1" "$WORK/report.json"; }
same "$(j '.oneoffs | "\(.approved_hours) \(.overridden_hours) \(.stopped) \(.stopped_hours)"')" \
    "36 14 1 14" "one-off hours: actual once delivered, the stopped one at its hours spent"
same "$(j "[.returns[] | select(.escalation == $X4) | \"\(.state) \(.hours) \(.cost) \(.deal)\"][0]")" \
    "stopped 14 2100 lost" "the stopped one-off's cost"
same "$(j "[.returns[] | select(.escalation == $X1) | .note][0]")" \
    $'Biggest renewal this quarter\nand Globex watches' "the spend's note in the report"
ok carol report
grep -q "stopped early  *14 h in 1 escalation, counted above at the hours spent" <<<"$OUT" \
    || fail "the text report lacks the stop: $OUT"
grep -q "On-prem installer  (STOPPED: hours spent)" <<<"$OUT" || fail "the returns lack the stop: $OUT"
grep -q "note: Biggest renewal this quarter" <<<"$OUT" || fail "the text report lacks the note: $OUT"
ok carol report --format html
grep -q "<div class=\"note\">note: <bdi>Biggest renewal" <<<"$OUT" || fail "the page lacks the note"
ok carol report --format csv
head -n 1 <<<"$OUT" | grep -q ",spend_note" || fail "the CSV lacks the note's column"

say "quarter close asks first; a script must say --yes"
SEQ=$(head_seq)
expect 2 pat quarter close "$Q"
case "$ERR" in *"pass --yes"*) ;; *) fail "a close without a terminal: $ERR" ;; esac
printf 'n\n' | TERM=dumb script -qec "'$ESC' --as pat quarter close $Q" /dev/null >"$WORK/no.txt" || true
grep -q "close quarter $Q? No more filings, plans or approvals. \[y/N\]" "$WORK/no.txt" \
    || fail "no question on a terminal: $(cat "$WORK/no.txt")"
grep -q "was not closed" "$WORK/no.txt" || fail "a 'no' closed it: $(cat "$WORK/no.txt")"
same "$(field carol quarter show "$Q" '.state')" open "after a 'no'"
unchanged "$SEQ"
printf 'y\n' | TERM=dumb script -qec "'$ESC' --as pat quarter close $Q" /dev/null >"$WORK/yes.txt" \
    || fail "a 'yes' on a terminal: $(cat "$WORK/yes.txt")"
same "$(field carol quarter show "$Q" '.state')" closed "after a 'yes'"
same "$(ev '"\(.type) \(.quarter)"')" "quarter.closed $Q" "the close's event"

say "in a closed quarter: no edit, sizing or plan; accounts, deliveries, outcomes and stops go on"
SEQ=$(head_seq)
refused 1 QUARTER_CLOSED alice edit "$X5" --title "Too late"
refused 1 QUARTER_CLOSED pat edit "$X5" --title "Too late"
refused 1 QUARTER_CLOSED pat size "$X2" --hours 11
refused 1 QUARTER_CLOSED pat size "$X5" --hours 11 --viable yes
refused 1 QUARTER_CLOSED pat roadmap set "$R2" --hours 100
ok pat return "$X2" --reason "Which IdP?"
refused 1 QUARTER_CLOSED alice refile "$X2" --answer "Okta"
ok pat account set Globex --arr 210000
ok pat deliver "$X1" --actual-hours 37
ok carol outcome "$X1" --deal won
ok pat stop "$X4" --actual-hours 15
same "$(field carol show "$X4" '.actual_hours')" 15 "a stop corrected after the close"

say "quarter reopen undoes a close, while no later quarter is open"
ok pat quarter open "$LATER" --capacity-hours 1000
SEQ=$(head_seq)
refused 1 LATER_QUARTER_OPEN pat quarter reopen "$Q"
case "$ERR" in *"$LATER"*) ;; *) fail "the later quarter is not named: $ERR" ;; esac
refused 4 PERMISSION_DENIED carol quarter reopen "$Q"
refused 1 INVALID_STATE pat quarter reopen "$LATER"
unchanged "$SEQ"
ok pat quarter close "$LATER" --yes
ok pat quarter reopen "$Q"
same "$(field carol quarter show "$Q" '.state')" open "reopened"
same "$(ev '"\(.type) \(.actor) \(.quarter)"')" "quarter.reopened pat $Q" "the reopen's event"
same "$(ev .summary)" "pat reopened quarter $Q" "its sentence"
ok alice refile "$X2" --answer "Okta, with a custom claim"
refused 1 INVALID_STATE pat quarter reopen "$Q"

say "the feed saw every event once, in order"
consecutive "$WORK/feed.jsonl" 1 "$(head_seq)"
same "$(jq -r .type "$WORK/feed.jsonl" | grep -c '^escalation.edited$')" 5 "edits on the feed"
echo "corrections: all steps passed"
