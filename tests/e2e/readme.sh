#!/usr/bin/env bash
# readme.sh: README's examples run as written. The blocks of its "Using
# esc", "Correcting mistakes", "The quarter's scoreboard" and "The
# remedies" sections run
# line by line, in order, against a fresh escd with the quickstart's demo
# users; a line whose comment says "(exit N)" must exit N, every other line
# 0. (The quickstart's own export line is the suite's: ESC_HOME and PATH.)
. "$(dirname "$0")/lib.sh"

init_server
add_user alice sales
add_user pat pm
add_user carol cro
add_user evan exec
add_user ada admin
start_escd a
export PATH="$ESC_BUILD:$PATH"

# block HEADING: the first ```sh block after "## HEADING" in README.md.
block() {
    awk -v h="## $1" '
        $0 == h { found = 1; next }
        found && /^## / { exit }
        found && /^```sh$/ { inside = 1; next }
        inside && /^```$/ { exit }
        inside { print }' "$ESC_SOURCE/README.md"
}

mkdir -p "$WORK/readme"
cd "$WORK/readme"
# the scoreboard section imports "a CRM export": name, ARR, renewal date
printf 'name,arr,renewal\nInitech,"1,200,000",2031-09-30\nUmbrella,350000,\n' >crm-export.csv

RAN=0
for heading in "Using esc" "Correcting mistakes" "The quarter's scoreboard" \
               "The remedies: the plan's life, the real cost, the incentives"; do
    say "README: $heading"
    LINES=$(block "$heading")
    [ -n "$LINES" ] || fail "README has no sh block under '## $heading'"
    while IFS= read -r line; do
        case "$line" in
            export\ *) continue ;;              # the quickstart's environment: ours
            "" | \#*) continue ;;
        esac
        want=0
        [[ "$line" =~ \(exit\ ([0-9]+)\) ]] && want=${BASH_REMATCH[1]}
        set +e
        OUT=$(bash -c "$line" 2>"$WORK/stderr")
        RC=$?
        set -e
        [ "$RC" -eq "$want" ] || fail "README line exited $RC, expected $want: $line
stdout: $OUT
stderr: $(cat "$WORK/stderr")"
        RAN=$((RAN + 1))
    done <<<"$LINES"
done

# what the lines did, checked where it is cheapest
same "$(field evan show 1 '.state')" delivered "escalation 1, token spent and delivered"
same "$(field evan show 1 '.actual_hours')" 38 "the corrected hours"
same "$(field evan show 2 '.state')" stopped "escalation 2, overridden then stopped"
same "$(field evan show 2 '.hours')" 14 "sized again"
same "$(field evan quarter show 2026Q4 '.state')" open "the quarter, reopened"
same "$(sql "SELECT count(*) FROM account")" 4 "Acme Corp, Globex and the two imported"
[ -s 2026Q4.html ] && [ -s escalations.csv ] || fail "the report's files were not written"
same "$(field evan roadmap list --quarter 2027Q1 '[.[] | "\(.id) \(.state) \(.moved_from | join(","))"] | join(";")')" \
    "1 planned 2026Q4" "SSO, carried into 2027Q1"
same "$(field evan show 3 '"\(.state) \(.claimed_hours) \(.partner)"')" "referred 8 Initech Services" \
    "escalation 3, claimed and referred"
same "$(field evan report --quarter 2026Q4 '"\(.plan_kept.baseline_hours) \(.plan_kept.done_hours) \(.referred.escalations) \(.oneoffs.support_hours)"')" \
    "120 120 1 0" "the baseline (Audit trail, done), a referral; the support went to 2027Q1"
same "$(field evan quarter show 2027Q1 '"\(.support_hours) \(.relief_oneoff_pct)"')" "6 -50" "2027Q1's support and rate"
echo "readme: $RAN lines of README ran as written"
