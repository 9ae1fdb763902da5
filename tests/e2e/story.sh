#!/usr/bin/env bash
# story.sh: the whole escalation workflow through esc, escd and PostgreSQL,
# as DESIGN tells it: a PM opens the quarter and plans it, sales files, a PM
# sizes, the CRO spends the single token, an executive overrides, and every
# rule refuses what it must with the exit code and reason of the contract.
. "$(dirname "$0")/lib.sh"

init_server
add_cast
start_escd main

# The quarter that holds today, so that commands without --quarter find it.
Y=$(date +%Y)
Q="${Y}Q$(( ($(date +%-m) - 1) / 3 + 1 ))"

say "a quarter is opened and planned"
refused 4 PERMISSION_DENIED alice quarter open "$Q" --capacity-hours 4000
ok pat quarter open "$Q" --capacity-hours 4000 --tokens 1 --max-token-hours 80 --budget-pct 10
refused 1 QUARTER_EXISTS pat quarter open "$Q" --capacity-hours 10
same "$(field carol quarter show '.budget_hours')" 400 "budget of 10 % of 4000 h"
ok alice account add Acme --arr 500000 --renewal 2027-03-31
ok alice account add Globex --arr 200000 --renewal 2027-01-15
ok pat account add "Initech, Inc" --arr 90000
ok pat account add Umbrella --arr 70000
refused 1 ACCOUNT_EXISTS alice account add Acme --arr 1
ok pat --quiet roadmap add --title "SSO everywhere" --category feature --hours 300 --waiting Globex,Umbrella
R1=$OUT
ok pat --quiet roadmap add --title "Upgrade PostgreSQL" --category maintenance --hours 80
R2=$OUT
ok pat --quiet roadmap add --title "Usage analytics" --category discovery --hours 120 --quarter "$Q"
R3=$OUT
refused 3 ACCOUNT_NOT_FOUND pat roadmap add --title X --category feature --hours 1 --waiting Nobody
misused "--category must be one of feature, ility, maintenance, discovery (not 'fun')" \
    pat roadmap add --title X --category fun --hours 1
refused 4 PERMISSION_DENIED alice roadmap add --title X --category feature --hours 1

say "sales files: the problem is required"
misused "--problem is required" alice file --account Acme --title "Custom export"
refused 1 MISSING_ARGUMENT alice file --account Acme --title "Custom export" --problem "   "
refused 3 ACCOUNT_NOT_FOUND alice file --account Nobody --title T --problem P
refused 4 PERMISSION_DENIED pat file --account Acme --title T --problem P
ok alice --quiet file --account Acme --title "Custom export" --problem "Finance cannot reconcile invoices" \
    --solution "A CSV export" --deal-value 300000 --needed-by "$((Y + 1))-12-15" --also-needed-by Globex
X1=$OUT
[[ "$X1" =~ ^[0-9]+$ ]] || fail "esc file printed '$X1', not an id"
same "$(field bob show "$X1" '.state')" filed "a new escalation"
same "$(field bob show "$X1" '.customers')" 2 "Acme and Globex need it"
same "$(field bob show "$X1" '.renewal_arr')" 700000 "their ARR, once each"

say "a PM sizes, naming the planned work it displaces"
refused 4 PERMISSION_DENIED alice size "$X1" --hours 40 --viable yes
refused 3 ROADMAP_ITEM_NOT_FOUND pat size "$X1" --hours 40 --viable yes --displaces 999999
ok pat size "$X1" --hours 40 --viable yes --displaces "$R1,$R2" --note "two engineer-weeks"
same "$(field carol show "$X1" '.hours')" 40 "sized hours"
same "$(field carol show "$X1" '.displaces|join(",")')" "$R1,$R2" "displaced items"
refused 1 OUT_OF_RANGE pat size "$X1" --hours -3 --viable yes
expect 2 pat size "$X1" --hours lots --viable yes

say "a token buys only a small project"
ok alice --quiet file --account Globex --title "Custom SAML flow" --problem "Their IdP is unusual"
X2=$OUT
ok pat size "$X2" --hours 120 --viable yes
refused 1 SIZE_LIMIT_EXCEEDED carol spend "$X2"
same "$(field carol quarter show '.tokens_spent')" 0 "a refused spend spends nothing"

say "an executive overrides, loudly, beyond the size and the budget"
ok bob --quiet file --account Umbrella --title "On-prem installer" --problem "Air-gapped site"
X3=$OUT
refused 1 INVALID_STATE evan override "$X3" --reason "strategic"
ok pat size "$X3" --hours 370 --viable yes --displaces "$R3"
refused 4 PERMISSION_DENIED carol override "$X3" --reason "strategic"
misused "--reason is required" evan override "$X3"
ok evan override "$X3" --reason "Board commitment to Umbrella"
same "$(field carol show "$X3" '.approved_via')" override "approved by override"
same "$(field carol show "$X3" '.override_reason')" "Board commitment to Umbrella" "the reason"
same "$(field carol roadmap list '[.[]|select(.state=="postponed")|.id]|join(",")')" "$R3" \
    "the override postponed what it displaced"
same "$(field carol quarter show '.committed_hours')" 370 "overrides count in the one-off hours"
refused 1 INVALID_DISPLACEMENT pat size "$X2" --hours 120 --viable yes --displaces "$R3"

say "the budget: 370 h approved + 40 h > 400 h"
refused 1 BUDGET_EXCEEDED carol spend "$X1"
ok pat size "$X1" --hours 30 --viable yes --displaces "$R1,$R2"

say "the CRO spends the single token; the displaced work is postponed"
refused 4 PERMISSION_DENIED alice spend "$X1"
refused 4 PERMISSION_DENIED evan spend "$X1"
ok carol spend "$X1" --note "biggest renewal this quarter"
case "$OUT" in *"approved with token 1"*) ;; *) fail "spend said '$OUT'" ;; esac
same "$(field carol show "$X1" '.state')" approved "after the spend"
same "$(field carol show "$X1" '.token')" 1 "token number"
same "$(field carol roadmap list "[.[]|select(.id==$R1 or .id==$R2)|.state]|unique|join(\",\")")" \
    postponed "displaced items are postponed"
same "$(field carol roadmap list "[.[]|select(.id==$R1)|.waiting[]]|join(\",\")")" "Globex,Umbrella" \
    "who waits for the postponed work"
same "$(field carol quarter show '.committed_hours')" 400 "exactly the budget"

say "a second spend is refused: the token is spent"
ok alice --quiet file --account Acme --title "Bulk API" --problem "Nightly sync is too slow"
X4=$OUT
ok pat size "$X4" --hours 10 --viable yes
refused 1 TOKEN_ALREADY_SPENT carol spend "$X4"
refused 1 TOKEN_ALREADY_SPENT chris spend "$X4"
refused 1 INVALID_STATE chris spend "$X1"
same "$(sql "SELECT count(*) FROM token_spend")" 1 "token spends in the database"

say "an approval finds its displaced work still planned, or asks for a new sizing"
ok pat --quiet roadmap add --title "Audit trail" --category ility --hours 40
R4=$OUT
ok pat size "$X4" --hours 10 --viable yes --displaces "$R4"
ok alice --quiet file --account Umbrella --title "Audit API" --problem "Compliance"
X10=$OUT
ok pat size "$X10" --hours 10 --viable yes --displaces "$R4"
ok evan override "$X10" --reason "Regulator deadline"
refused 1 INVALID_DISPLACEMENT evan override "$X4" --reason "also"
case "$ERR" in *"size escalation $X4 again"*) ;; *) fail "stale sizing: $ERR" ;; esac
refused 1 INVALID_DISPLACEMENT pat size "$X4" --hours 10 --viable yes --displaces "$R4"
# sizing again keeps what it is not told: the stale item must be let go
refused 1 INVALID_DISPLACEMENT pat size "$X4" --hours 10 --viable yes
ok pat size "$X4" --displaces none

say "not viable means no token"
ok alice --quiet file --account Acme --title "Mainframe port" --problem "Legacy host"
X9=$OUT
ok pat size "$X9" --hours 20 --viable no
refused 1 NOT_VIABLE carol spend "$X9"

say "return and refile, by the filer only"
ok alice --quiet file --account Acme --title "Report tweak" --problem "vague"
X5=$OUT
refused 4 PERMISSION_DENIED alice return "$X5" --reason "which report?"
ok pat return "$X5" --reason "Which report, which columns?"
same "$(field pat show "$X5" '.state')" returned "after return"
same "$(field pat show "$X5" '.state_reason')" "Which report, which columns?" "return reason"
refused 4 NOT_FILER bob refile "$X5" --problem "The Q3 revenue report lacks region"
ok alice refile "$X5" --problem "The Q3 revenue report lacks a region column"
same "$(field pat show "$X5" '.state')" filed "after refile"
same "$(field pat show "$X5" '.problem')" "The Q3 revenue report lacks a region column" "new problem"
refused 1 INVALID_STATE alice refile "$X5"

say "decline"
ok carol decline "$X5" --reason "Covered by the roadmap's reporting work"
same "$(field pat show "$X5" '.state')" declined "after decline"
refused 1 INVALID_STATE pat decline "$X5" --reason again
refused 1 INVALID_STATE pat size "$X5" --hours 5 --viable yes

say "withdraw, by the filer only"
ok alice --quiet file --account Globex --title "Dark mode" --problem "Night shift eyestrain"
X6=$OUT
refused 4 NOT_FILER bob withdraw "$X6"
refused 4 PERMISSION_DENIED pat withdraw "$X6"
ok alice withdraw "$X6"
same "$(field pat show "$X6" '.state')" withdrawn "after withdraw"

say "merge and unmerge: accounts counted once"
ok alice --quiet file --account Globex --title "Audit log export" --problem "Auditors need logs"
X7=$OUT
ok bob --quiet file --account "Initech, Inc" --title "Export audit logs" --problem "SOX audit" --also-needed-by Globex
X8=$OUT
refused 4 PERMISSION_DENIED carol merge "$X8" --into "$X7"
refused 1 INVALID_MERGE_TARGET pat merge "$X8" --into "$X8"
refused 1 INVALID_MERGE_TARGET pat merge "$X8" --into "$X5"
ok pat merge "$X8" --into "$X7"
same "$(field pat show "$X8" '.state')" merged "the duplicate"
same "$(field pat show "$X8" '.merged_into')" "$X7" "merged into"
same "$(field pat show "$X7" '.customers')" 2 "Globex and Initech, once each"
same "$(field pat show "$X7" '.also_needed_by|join("|")')" "Initech, Inc" "joined accounts"
same "$(field pat show "$X7" '.merged|join(",")')" "$X8" "duplicates listed"
refused 1 INVALID_STATE pat merge "$X8" --into "$X7"
ok pat unmerge "$X8"
same "$(field pat show "$X8" '.state')" filed "after unmerge"
same "$(field pat show "$X7" '.customers')" 1 "back to Globex alone"
refused 1 INVALID_STATE pat unmerge "$X8"

say "delivery and outcome"
refused 1 INVALID_STATE pat deliver "$X4" --actual-hours 9
refused 4 PERMISSION_DENIED carol deliver "$X1" --actual-hours 35
ok pat deliver "$X1" --actual-hours 35
refused 4 PERMISSION_DENIED pat outcome "$X1" --deal won
misused "--deal must be one of won, lost (not 'maybe')" carol outcome "$X1" --deal maybe
ok carol outcome "$X1" --deal won --adopters 3
same "$(field alice show "$X1" '.state')" closed "after the outcome"
same "$(field alice show "$X1" '.actual_hours'),$(field alice show "$X1" '.deal'),$(field alice show "$X1" '.adopters')" \
    "35,won,3" "delivery and outcome"

say "lists and filters"
same "$(field pat list '.total')" 10 "escalations this quarter"
same "$(field pat list '.escalations|length')" 10 "escalations in the first page"
same "$(field pat list --state sized '[.escalations[].id]|join(",")')" "$X2,$X4,$X9" "sized ones"
# Globex's: filed for it, or naming it among the others that need the same
same "$(field pat list --account Globex '[.escalations[].id]|join(",")')" "$X1,$X2,$X6,$X7,$X8" "Globex's"
same "$(field bob list --mine '[.escalations[].id]|join(",")')" "$X3,$X8" "bob's own"
ok carol list
case "$OUT" in *"Custom export"*) ;; *) fail "list text lacks a title: $OUT" ;; esac
case "$OUT" in *"10 escalations") ;; *) fail "list text lacks its count: $OUT" ;; esac

say "lists come a page at a time"
ALL=$(field pat list '[.escalations[].id]|join(",")')
same "$(field pat list --limit 4 '[.escalations[].id]|join(",")')" "$(echo "$ALL" | cut -d, -f1-4)" "the first page"
same "$(field pat list --limit 4 '.total')" 10 "the first page's total"
NEXT=$(field pat list --limit 4 '.next_after')
same "$NEXT" "$(echo "$ALL" | cut -d, -f4)" "the next page's start"
same "$(field pat list --limit 4 --after "$NEXT" '[.escalations[].id]|join(",")')" "$(echo "$ALL" | cut -d, -f5-8)" "the second page"
same "$(field pat list --limit 4 --after "$(echo "$ALL" | cut -d, -f8)" '.next_after')" null "the last page"
same "$(field pat list --limit 3 --all '[.escalations[].id]|join(",")')" "$ALL" "every page"
ok pat list --limit 4
case "$OUT" in *"4 of 10 escalations; the next page: esc list --after $NEXT"*) ;;
    *) fail "a page's text says not how to go on: $OUT" ;; esac
ok pat list --limit 3 --all
same "$(printf '%s\n' "$OUT" | grep -c '^ID ')" 1 "one header for every page"
same "$(printf '%s\n' "$OUT" | tail -n 1)" "10 escalations" "the count after every page"
expect 2 pat list --limit 0
misused "--state must be one of filed, sized," carol list --state pending

say "history of an escalation, in order"
same "$(field carol history "$X1" '[.[].type]|join(",")')" \
    "escalation.filed,escalation.sized,escalation.sized,escalation.approved,escalation.delivered,escalation.closed" \
    "events of X1"
same "$(field carol history "$X1" '[.[].actor]|join(",")')" "alice,pat,pat,carol,pat,carol" "actors"
same "$(field carol history "$X7" '[.[].type]|join(",")')" \
    "escalation.filed,escalation.merged,escalation.unmerged" "a merge shows in the target's history"
SEQS=$(field carol history "$X1" '[.[].seq]|join(" ")')
same "$(sql "SELECT count(*) FROM event") $(sql "SELECT max(seq) FROM event")" \
    "$(sql "SELECT last_seq FROM event_counter") $(sql "SELECT last_seq FROM event_counter")" \
    "event sequence without gaps"
[ -n "$SEQS" ] || fail "no sequence numbers"

say "not found, and usage"
refused 3 ESCALATION_NOT_FOUND carol show 999999
refused 3 QUARTER_NOT_FOUND carol quarter show 2001Q1
expect 2 carol show
expect 2 carol show twelve
expect 2 carol spend "$X4" --colour red
expect 2 carol frobnicate
ok carol spend --help
case "$OUT" in *"usage: esc spend ID"*) ;; *) fail "spend --help: $OUT" ;; esac

say "the quarter closes: no more filings or spends"
expect 2 pat quarter close "$Q"
case "$ERR" in *"pass --yes"*) ;; *) fail "a close without a terminal: $ERR" ;; esac
ok pat quarter close "$Q" --yes
numbered=$(sql "SELECT last_value FROM escalation_id_seq")
refused 1 QUARTER_CLOSED alice file --quarter "$Q" --account Acme --title Late --problem "Too late"
refused 3 QUARTER_NOT_FOUND alice file --quarter 2040Q1 --account Acme --title Late --problem "Too late"
refused 1 NO_OPEN_QUARTER alice file --account Acme --title Late --problem "Too late"
same "$(sql "SELECT last_value FROM escalation_id_seq")" "$numbered" \
    "a refused filing takes no escalation number"
refused 1 QUARTER_CLOSED carol spend "$X4"
refused 1 QUARTER_CLOSED evan override "$X4" --reason "still"
refused 1 INVALID_STATE pat quarter close "$Q" --yes
refused 1 NO_OPEN_QUARTER carol list
same "$(field carol list --quarter "$Q" '.total')" 10 "a closed quarter is still readable"

say "refusals changed nothing"
same "$(sql "SELECT count(*) FROM escalation WHERE title IN ('T', 'Late')")" 0 \
    "no refused filing in the database (one refused on its quarter is undone)"
same "$(sql "SELECT count(*) FROM token_spend") $(sql "SELECT count(*) FROM override")" "1 2" \
    "one token spend and two overrides in the database"
same "$(sql "SELECT count(*) FROM postponement")" 4 "four roadmap items postponed"
echo "story: all steps passed"
