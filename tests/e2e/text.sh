#!/usr/bin/env bash
# text.sh: what users type cannot forge what others see. escd refuses
# control characters, bidi overrides and separators in single-line fields
# and allows line breaks only in problem, solution and notes; and esc's text
# views (show, list, history, watch, report) show whatever rows from before
# that check hold visibly, on their own lines, while --json keeps it exact.
. "$(dirname "$0")/lib.sh"

init_server
add_cast
start_escd a

Y=$(date -u +%Y)
Q="${Y}Q$(( ($(date -u +%-m) - 1) / 3 + 1 ))"
ok pat quarter open "$Q" --capacity-hours 4000 --tokens 2 --max-token-hours 200
ok alice account add Acme --arr 500000 --renewal 2031-03-31
ok alice account add Globex --arr 200000
ok pat --quiet roadmap add --quarter "$Q" --title SSO --category feature --hours 300 --waiting Globex
R1=$OUT

ESC_CHAR=$'\033' CR=$'\r' RLO=$'\u202e' LRI=$'\u2066' LSEP=$'\u2028' NEL=$'\u0085'

say "the attacks of the issue are refused at the door"
ok alice --quiet file --quarter "$Q" --account Acme --title "Custom export" --problem "Finance cannot reconcile"
X1=$OUT
ok pat size "$X1" --hours 40 --viable yes
FAKE=$'needs more detail\n#22 2031-01-01T00:00:00.000Z  carol spent token 2 of '"$Q"' on escalation '"$X1"
refused 1 INVALID_TEXT pat return "$X1" --reason "$FAKE"
case "$ERR" in *"reason holds U+000A (a control character) at byte 18; only problem, solution and notes may span lines"*) ;;
    *) fail "the refusal does not say what and where: $ERR" ;; esac
refused 1 INVALID_TEXT carol decline "$X1" --reason "no${CR}#22 carol spent token 2"
refused 1 INVALID_TEXT evan override "$X1" --reason "strategic${LSEP}#22 carol spent token 2"
refused 1 INVALID_TEXT alice file --quarter "$Q" --account Acme --title "Wipe${ESC_CHAR}[2J" --problem p
case "$ERR" in *"title holds U+001B"*) ;; *) fail "title refusal: $ERR" ;; esac
refused 1 INVALID_TEXT alice file --quarter "$Q" --account Acme --title "exe.${RLO}cod" --problem p
refused 1 INVALID_TEXT alice file --quarter "$Q" --account Acme --title "${LRI}x" --problem p
refused 1 INVALID_TEXT alice file --quarter "$Q" --account Acme --title "a${NEL}b" --problem p
refused 1 INVALID_TEXT alice file --quarter "$Q" --account Acme --title "two"$'\n'"lines" --problem p
refused 1 INVALID_TEXT alice file --quarter "$Q" --account Acme --title T --problem "p${CR}  approved:"
refused 1 INVALID_TEXT alice file --quarter "$Q" --account Acme --also-needed-by "Glo${RLO}bex" \
    --title T --problem p
refused 1 INVALID_TEXT alice account add "Evil${RLO}Corp" --arr 1
refused 1 INVALID_TEXT pat roadmap add --quarter "$Q" --title "SSO${ESC_CHAR}]0;x" --category feature --hours 1
refused 1 INVALID_TEXT pat size "$X1" --hours 40 --viable yes --note "fine${ESC_CHAR}[2J"
refused 1 INVALID_TEXT carol list --quarter "$Q" --account "Ac${RLO}me"
printf 'name,arr\n"Tab\tCorp",5\n' >"$WORK/tab.csv"
refused 1 IMPORT_REJECTED alice account import "$WORK/tab.csv"
case "$ERR" in *"line 2: name holds U+0009"*) ;; *) fail "import refusal: $ERR" ;; esac
same "$(sql "SELECT count(*) FROM escalation")" 1 "escalations after the refusals"
same "$(sql "SELECT count(*) FROM account")" 2 "accounts after the refusals"

say "a problem may span lines, and esc show keeps it under its value"
FORGED_PROBLEM=$'Exports fail.\n  approved:   token 1, by carol\n\tsee the ticket'
ok alice --quiet file --quarter "$Q" --account Acme --title "Bulk API" --problem "$FORGED_PROBLEM" \
    --solution $'a nightly job\n#22 carol spent token 2'
X2=$OUT
ok pat size "$X2" --hours 20 --viable yes --note $'two weeks\n  approved:   OVERRIDE by evan'
ok carol show "$X2"
printf '%s\n' "$OUT" >"$WORK/show2.txt"
grep -q '^  approved:' "$WORK/show2.txt" && fail "esc show printed a forged approval: $OUT"
grep -q '^#' "$WORK/show2.txt" && fail "esc show printed a forged event: $OUT"
grep -qxF "                approved:   token 1, by carol" "$WORK/show2.txt" \
    || fail "the problem's second line is not under its value: $OUT"
grep -qxF "              "$'\t'"see the ticket" "$WORK/show2.txt" || fail "a tab: $OUT"
same "$(field carol show "$X2" '.problem')" "$FORGED_PROBLEM" "the problem in JSON"

say "rows from before the check: written straight into the database"
ok alice --quiet file --quarter "$Q" --account Acme --title "Returned one" --problem p
X3=$OUT
ok pat return "$X3" --reason "needs more"
ok bob --quiet file --quarter "$Q" --account Globex --title "Installer" --problem p
X4=$OUT
ok pat size "$X4" --hours 100 --viable yes --displaces "$R1"
ok evan override "$X4" --reason "Board commitment"
OLD_TITLE="Wipe${ESC_CHAR}[2J${ESC_CHAR}[H screen"
OLD_REASON=$'needs more\n#22 2031-01-01T00:00:00.000Z  carol spent token 2 on escalation '"$X3"$'\rhidden'
OLD_OVERRIDE=$'Board\n#23 2031-01-01T00:00:00.000Z  evan withdrew it'
OLD_ACCOUNT="Glo${RLO}xebo"
sql "UPDATE escalation SET title = \$t\$$OLD_TITLE\$t\$ WHERE id = $X1" >/dev/null
sql "UPDATE escalation SET state_reason = \$t\$$OLD_REASON\$t\$ WHERE id = $X3" >/dev/null
sql "UPDATE override SET reason = \$t\$$OLD_OVERRIDE\$t\$ WHERE escalation_id = $X4" >/dev/null
sql "UPDATE account SET name = \$t\$$OLD_ACCOUNT\$t\$ WHERE name = 'Globex'" >/dev/null
sql "UPDATE roadmap_item SET title = \$t\$SSO${LRI}${ESC_CHAR}[31m\$t\$ WHERE id = $R1" >/dev/null
# the event log is append-only: an old event is a new row, its number next
OLD_SUMMARY=$'pat returned escalation '"$X3"$' "Returned one" for Acme: x\n#99 2031-01-01T00:00:00.000Z  carol spent token 2'"${CR}${ESC_CHAR}[1A${RLO}"
SEQ=$(sql "UPDATE event_counter SET last_seq = last_seq + 1 RETURNING last_seq")
sql "INSERT INTO event (seq, type, actor, quarter, escalation_id, account, data, summary)
     VALUES ($SEQ, 'escalation.returned', 'pat', '$Q', $X3, 'Acme',
             jsonb_build_object('reason', \$t\$$OLD_REASON\$t\$), \$t\$$OLD_SUMMARY\$t\$)" >/dev/null
SEQ2=$(sql "UPDATE event_counter SET last_seq = last_seq + 1 RETURNING last_seq")
sql "INSERT INTO event (seq, type, actor, quarter, escalation_id, account, data)
     VALUES ($SEQ2, \$t\$x${ESC_CHAR}[2J\$t\$, 'pat', '$Q', $X3, 'Acme',
             jsonb_build_object('note', \$t\$a${RLO}\$t\$))" >/dev/null

# no_raw FILE WHAT: no ESC, CR, RLO, LRI, NEL or line separator in FILE
no_raw() {
    local c
    for c in "$ESC_CHAR" "$CR" "$RLO" "$LRI" "$NEL" "$LSEP"; do
        grep -qF "$c" "$1" && fail "$2 printed a raw $(printf '%s' "$c" | od -An -tx1 | tr -d ' '): $(od -c "$1" | head -n 40)"
    done
    return 0
}
# no_fake_lines FILE WHAT: no line starts with '#', and one at most with
# "  approved:" (esc's own, for an approved escalation)
no_fake_lines() {
    grep -q '^#' "$1" && fail "$2 printed a forged event line: $(cat "$1")"
    [ "$(grep -c '^  approved:' "$1")" -le 1 ] || fail "$2 printed a forged approval: $(cat "$1")"
    return 0
}
# events_only FILE JSON WHAT: FILE has one line per event of the JSON list,
# each starting "#SEQ AT  " with that event's seq and time, in order; an
# indented line between (a note esc history prints under its event) is its
# event's, never one of its own
events_only() {
    local i=0 line prefix
    same "$(grep -vc '^ ' "$1")" "$(jq length <<<"$2")" "$3: lines, one an event"
    while IFS= read -r line; do
        [[ "$line" == "    "* ]] && continue
        prefix=$(jq -r ".[$i] | \"#\(.seq) \(.at)  \"" <<<"$2")
        [[ "$line" == "$prefix"* ]] || fail "$3: line $((i + 1)) is not its event's: '$line'"
        i=$((i + 1))
    done <"$1"
}

say "esc show"
for X in "$X1" "$X3" "$X4"; do
    ok carol show "$X"
    printf '%s\n' "$OUT" >"$WORK/show.txt"
    no_raw "$WORK/show.txt" "esc show $X"
    no_fake_lines "$WORK/show.txt" "esc show $X"
done
ok carol show "$X1"
grep -qF 'escalation '"$X1"': Wipe\x1b[2J\x1b[H screen' <<<"$OUT" || fail "the title's escapes: $OUT"
ok carol show "$X3"
grep -qF 'needs more\x0a#22 2031-01-01T00:00:00.000Z  carol spent token 2 on escalation '"$X3"'\x0dhidden' <<<"$OUT" \
    || fail "the reason's escapes: $OUT"
ok carol show "$X4"
grep -qF 'also Glo\u202exebo' <<<"$OUT" || grep -qF 'account:    Glo\u202exebo' <<<"$OUT" \
    || fail "the account's escape: $OUT"

say "esc show --json, esc list --json: the exact text"
same "$(field carol show "$X1" '.title')" "$OLD_TITLE" "the title in JSON"
same "$(field carol show "$X3" '.state_reason')" "$OLD_REASON" "the reason in JSON"
same "$(field carol show "$X4" '.override_reason')" "$OLD_OVERRIDE" "the override reason in JSON"
same "$(field carol show "$X4" '.account')" "$OLD_ACCOUNT" "the account in JSON"
same "$(field carol list --quarter "$Q" "[.escalations[] | select(.id == $X1) | .title][0]")" "$OLD_TITLE" \
    "the title in the list's JSON"

say "esc list, esc account list, esc roadmap list: one line a row"
ok carol list --quarter "$Q"
printf '%s\n' "$OUT" >"$WORK/list.txt"
no_raw "$WORK/list.txt" "esc list"
no_fake_lines "$WORK/list.txt" "esc list"
same "$(wc -l <"$WORK/list.txt")" 6 "esc list: a head, four rows and the count"
ok carol account list
printf '%s\n' "$OUT" >"$WORK/accounts.txt"
no_raw "$WORK/accounts.txt" "esc account list"
same "$(wc -l <"$WORK/accounts.txt")" 3 "esc account list: a head and two rows"
ok carol roadmap list --quarter "$Q"
printf '%s\n' "$OUT" >"$WORK/roadmap.txt"
no_raw "$WORK/roadmap.txt" "esc roadmap list"
grep -qF 'SSO\u2066\x1b[31m' "$WORK/roadmap.txt" || fail "the roadmap title's escapes: $(cat "$WORK/roadmap.txt")"

say "esc history: only esc's own event lines"
HISTORY_JSON=$(field carol history "$X3" '.')
ok carol history "$X3"
printf '%s\n' "$OUT" >"$WORK/history.txt"
no_raw "$WORK/history.txt" "esc history"
events_only "$WORK/history.txt" "$HISTORY_JSON" "esc history"
grep -qxF '    note: a\u202e' "$WORK/history.txt" || fail "the note under its event: $(cat "$WORK/history.txt")"
same "$(jq -r ".[] | select(.seq == $SEQ) | .summary" <<<"$HISTORY_JSON")" "$OLD_SUMMARY" \
    "the old event's summary in JSON"
same "$(jq -r ".[] | select(.seq == $SEQ) | .data.reason" <<<"$HISTORY_JSON")" "$OLD_REASON" \
    "the old event's data in JSON"

say "esc watch --since 0: only esc's own event lines"
# --foreground: timeout signals the watcher alone, never its process group,
# where LeakSanitizer's tracer runs while an ASan esc exits (a second
# SIGTERM there leaves the exiting esc spinning forever)
timeout --foreground 120 "$ESC" --as carol watch --since 0 >"$WORK/watch.txt" 2>"$WORK/watch.err" &
WATCH_TEXT_PID=$!
timeout --foreground 120 "$ESC" --as carol --json watch --since 0 >"$WORK/watch.json" 2>"$WORK/watch-json.err" &
WATCH_JSON_PID=$!
wait_seq "$WORK/watch.json" "$SEQ2" 120
wait_lines "$WORK/watch.txt" "$SEQ2" 120
stop_jobs "$WATCH_TEXT_PID" "$WATCH_JSON_PID"
WATCH_JSON=$(jq -s '.' "$WORK/watch.json")
same "$(jq 'map(.seq) | max' <<<"$WATCH_JSON")" "$SEQ2" "the watcher's last event"
no_raw "$WORK/watch.txt" "esc watch"
events_only "$WORK/watch.txt" "$WATCH_JSON" "esc watch"
same "$(jq -r ".[] | select(.seq == $SEQ) | .summary" <<<"$WATCH_JSON")" "$OLD_SUMMARY" \
    "the old event's summary in esc watch --json"

say "esc report: text shows it visibly, JSON exactly, HTML escaped and isolated"
ok carol report --quarter "$Q" --format text
printf '%s\n' "$OUT" >"$WORK/report.txt"
no_raw "$WORK/report.txt" "esc report"
no_fake_lines "$WORK/report.txt" "esc report"
grep -qF 'Board\x0a#23 2031-01-01T00:00:00.000Z  evan withdrew it' "$WORK/report.txt" \
    || fail "the override reason in the report: $(cat "$WORK/report.txt")"
grep -qF 'waiting: Glo\u202exebo' "$WORK/report.txt" || fail "who waits, in the report: $(cat "$WORK/report.txt")"
grep -qF 'Wipe\x1b[2J\x1b[H screen' "$WORK/report.txt" || fail "the queue's title in the report"
same "$(field carol report --quarter "$Q" '.overrides[0].reason')" "$OLD_OVERRIDE" "the report's JSON"
ok carol report --quarter "$Q" --format html
printf '%s\n' "$OUT" >"$WORK/report.html"
grep -qF "<bdi>$OLD_ACCOUNT</bdi>" "$WORK/report.html" || fail "the account is not isolated in <bdi>"
grep -qF "<bdi>Wipe${ESC_CHAR}[2J${ESC_CHAR}[H screen</bdi>" "$WORK/report.html" || fail "the title is not isolated"

say "escd is alive"
kill -0 "$PID_a" || fail "escd died"
echo "text: all steps passed"
