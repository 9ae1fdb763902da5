#!/usr/bin/env bash
# cli.sh: the command line people expect. Versions; help for esc, a group
# and a command; a short usage for a bare esc; "did you mean" for unknown
# commands, subcommands and options (exit 2); required options, enumerated
# values (in any case, and listed when wrong), dates and amounts as an
# import reads them, a needed-by date in the past, options that contradict
# each other; and shell completion, from the tables and from a live escd,
# through esc __complete and the bash script. (The man pages: docs_man.)
. "$(dirname "$0")/lib.sh"

# run_bare ARGS...: esc without --as; OUT, ERR and RC as run_esc.
run_bare() {
    set +e
    OUT=$("$ESC" "$@" 2>"$WORK/stderr")
    RC=$?
    set -e
    ERR=$(cat "$WORK/stderr")
}
# says TEXT WHAT: stdout or stderr of the last run holds TEXT.
says() {
    case "$OUT$ERR" in *"$1"*) ;; *) fail "$2: expected '$1' in: $OUT $ERR" ;; esac
}
# completes WORDS...: esc __complete's candidates, one a line, in OUT.
completes() {
    set +e
    OUT=$("$ESC" __complete "$@" 2>"$WORK/stderr")
    RC=$?
    set -e
}

VERSION=$(sed -n 's/^project(esc VERSION \([0-9.]*\).*/\1/p' "$ESC_SOURCE/CMakeLists.txt")
[ -n "$VERSION" ] || fail "no project version in CMakeLists.txt"

say "versions, from CMake's project version"
run_bare --version
same "$RC.$OUT" "0.esc $VERSION" "esc --version"
run_bare --as nobody list --version
same "$RC.$OUT" "0.esc $VERSION" "--version anywhere"
# and the newest migration escd applies: the last file of sql/
SCHEMA=$(basename "$(ls "$ESC_SOURCE"/sql/[0-9]*.sql | sort | tail -n 1)" | cut -d_ -f1)
set +e; OUT=$("$ESCD" --version); RC=$?; set -e
same "$RC.$OUT" "0.escd (esc $VERSION, schema $((10#$SCHEMA)))" "escd --version"

say "a bare esc: a short usage, exit 2"
run_bare
same "$RC" 2 "esc alone"
[ -z "$OUT" ] || fail "esc alone wrote to stdout: $OUT"
[ "$(printf '%s\n' "$ERR" | wc -l)" -le 15 ] || fail "esc alone said $(printf '%s\n' "$ERR" | wc -l) lines"
says "usage: esc" "esc alone"
says "esc help" "esc alone points at esc help"

say "esc help = esc --help; esc help COMMAND = esc COMMAND --help"
run_bare --help
same "$RC" 0 "esc --help"
HELP=$OUT
run_bare help
same "$RC.$OUT" "0.$HELP" "esc help"
for word in "quarter open" file "account import" "user key" watch; do
    run_bare help $word
    same "$RC" 0 "esc help $word"
    BY_HELP=$OUT
    run_bare $word --help
    same "$RC.$OUT" "0.$BY_HELP" "esc $word --help"
    says "usage: esc $word" "esc help $word"
    grep -qF "$word" <<<"$HELP" || fail "esc --help does not list $word"
done
run_bare help quarter open
says "--capacity-hours N" "esc help quarter open"
says "(required)" "a required option is marked"
run_bare help roadmap add
says "(one of: feature, ility, maintenance, discovery)" "an enumeration is listed"

say "groups: esc quarter (exit 2) and esc quarter --help (exit 0) list their commands"
for group in quarter:"open close reopen commit show list" account:"add list import" \
             roadmap:"add done move list" user:"add list revoke key"; do
    name=${group%%:*}
    run_bare "$name"
    same "$RC" 2 "esc $name"
    for sub in ${group#*:}; do says "  $sub" "esc $name lists $sub"; done
    [ "$(printf '%s\n' "$ERR" | wc -l)" -le 12 ] || fail "esc $name said more than its commands: $ERR"
    run_bare "$name" --help
    same "$RC" 0 "esc $name --help"
    for sub in ${group#*:}; do says "  $sub" "esc $name --help lists $sub"; done
    run_bare help "$name"
    same "$RC" 0 "esc help $name"
done

say "did you mean: commands, subcommands and options, exit 2"
run_bare lst
same "$RC" 2 "esc lst"
says "esc: unknown command 'lst'; did you mean 'list'?" "esc lst"
run_bare quater list
says "did you mean 'quarter'?" "esc quater"
run_bare quarter opne 2031Q1
same "$RC" 2 "esc quarter opne"
says "esc: unknown command 'quarter opne'; did you mean 'quarter open'?" "esc quarter opne"
run_bare help repotr
same "$RC" 2 "esc help repotr"
says "did you mean 'report'?" "esc help repotr"
run_bare frobnicate
same "$RC" 2 "esc frobnicate"
case "$ERR" in *"did you mean"*) fail "esc frobnicate suggested: $ERR" ;; esac
run_bare --as alice file --tittle T
same "$RC" 2 "esc file --tittle"
says "esc: unknown option '--tittle'; did you mean --title?" "esc file --tittle"
says "usage: esc file --account A --title T --problem P [OPTIONS]" "the usage follows"
run_bare --as alice list --jsn
says "unknown option '--jsn'; did you mean --json?" "a global option is suggested too"
run_bare --jsno list
same "$RC" 2 "esc --jsno list"
says "did you mean --json?" "esc --jsno"
set +e; ERR=$("$ESCD" rnu 2>&1); RC=$?; set -e
same "$RC" 2 "escd rnu"
says "escd: unknown command 'rnu'; did you mean 'run'?" "escd rnu"
set +e; ERR=$("$ESCD" run --bnd tcp://127.0.0.1:1 2>&1); RC=$?; set -e
same "$RC" 2 "escd run --bnd"
says "did you mean --bind?" "escd run --bnd"
set +e; ERR=$("$ESCD" run --role pm 2>&1); RC=$?; set -e
same "$RC" 2 "escd run --role"
says "--role is not an option of escd run" "escd run --role"

init_server
add_cast
start_escd cli

Y=$(date -u +%Y)
N=$((Y + 1))
Q="${Y}Q$(( ($(date -u +%-m) - 1) / 3 + 1 ))"
q=${Q,,}                                                # 2026q4
EVENTS=$(sql "SELECT count(*) FROM event")

say "a missing required option is esc's usage error, named by its flag"
misused "--capacity-hours is required" pat quarter open "$q"
says "usage: esc quarter open Q --capacity-hours N [OPTIONS]" "the usage follows"
misused "--arr is required" alice account add Acme
misused "--problem is required" alice file --account Acme --title T
misused "--reason is required" pat return 1
misused "missing ID" pat size --hours 3 --viable yes
same "$(sql "SELECT count(*) FROM event")" "$EVENTS" "nothing reached escd"

say "quarter names, enumerated values and states in any case"
ok pat quarter open "$q" --capacity-hours 4,000
same "$(field pat quarter show "$q" '.name')" "$Q" "quarter $q is $Q"
same "$(field pat quarter show '.capacity_hours')" 4000 "4,000 hours"
ok pat --quiet roadmap add --title "SSO" --category FEATURE --hours 300 --quarter "$q"
R1=$OUT
same "$(sql "SELECT category FROM roadmap_item WHERE id = $R1")" feature "stored in its spelling"
misused "--category must be one of feature, ility, maintenance, discovery (not 'ilities')" \
    pat roadmap add --title X --category ilities --hours 1
misused "--state must be one of filed, sized, returned, declined, withdrawn, merged, approved, delivered, closed, stopped, referred (not 'pending')" \
    pat list --state pending
misused "--viable takes yes or no, not 'maybe'" pat size 1 --hours 3 --viable maybe

say "amounts and dates as an import reads them; a day that does not exist"
ok alice account add Acme --arr 2,000,000 --renewal 06/30/$N
same "$(sql "SELECT arr || ' ' || renewal_on FROM account WHERE name = 'Acme'")" \
    "2000000 $N-06-30" "--arr 2,000,000 --renewal 06/30/$N"
ok alice account add "Initech, Inc" --arr '$250,000'
same "$(sql "SELECT arr FROM account WHERE name = 'Initech, Inc'")" 250000 "\$250,000"
misused "--renewal 2027-02-30 does not exist" alice account add Globex --arr 1 --renewal 2027-02-30
misused "--renewal takes a date YYYY-MM-DD or MM/DD/YYYY, not 'soon'" \
    alice account add Globex --arr 1 --renewal soon
misused "--arr '12.500' is ambiguous" alice account add Globex --arr 12.500
misused "--deal-value takes an amount like 2000000, 2,000,000 or \$2,000,000, not 'lots'" \
    alice file --account Acme --title T --problem P --deal-value lots

say "a needed-by date that has passed is refused by escd (NEEDED_BY_PAST)"
refused 1 NEEDED_BY_PAST alice file --account Acme --title T --problem P --needed-by 2020-01-01
ok alice --quiet file --account Acme --title "Custom export" --problem "Finance cannot reconcile" \
    --needed-by "12/31/$N" --deal-value '$300,000'
X1=$OUT
same "$(field alice show "$X1" '.needed_by')" "$N-12-31" "needed by, as YYYY-MM-DD"
same "$(field alice show "$X1" '.deal_value')" 300000 "deal value"
ok alice --quiet file --account "Initech, Inc" --title "Audit log" --problem "SOX"
X2=$OUT
ok pat return "$X2" --reason "which logs?"
refused 1 NEEDED_BY_PAST alice refile "$X2" --needed-by 01/02/2020
ok alice refile "$X2" --needed-by "$N-01-31"
ok alice list --state FILED
same "$(field alice list --state Filed '.escalations | length')" 2 "--state Filed"
ok pat size "$X1" --hours 40 --viable YES
ok carol spend "$X1"
ok pat deliver "$X1" --actual-hours 1,200
ok carol outcome "$X1" --deal WON --adopters 3
same "$(field carol show "$X1" '.deal')" won "--deal WON"

say "options that contradict each other"
misused "--format csv and --json cannot go together: give one of them" carol --json report --format csv
misused "--format html and --json cannot go together" carol report --format html --json
ok carol --json report --format json
ok carol report --format CSV
misused "--key $ESC_SERVER_KEY and --new cannot go together" ada user key ada --key "$ESC_SERVER_KEY" --new

say "completion: commands, options and values from the tables"
completes ""
for word in quarter account roadmap file size list show report watch help; do
    grep -qx "$word" <<<"$OUT" || fail "esc __complete '' lacks $word: $OUT"
done
completes qu
same "$OUT" quarter "qu"
completes quarter ""
same "$(tr '\n' ' ' <<<"$OUT")" "open close reopen commit show list " "quarter's commands"
completes roadmap add --category m
same "$OUT" maintenance "--category m"
completes file --ne
same "$OUT" --needed-by "file --ne"
completes report --format ""
same "$(tr '\n' ' ' <<<"$OUT")" "text json html csv " "--format's values"
completes account import ""
same "$RC" 1 "a file name: the shell completes it"

say "completion: escalation ids, accounts and quarters from escd"
completes --as alice show ""
same "$(tr '\n' ' ' <<<"$OUT")" "$X1 $X2 " "escalation ids"
completes --as alice file --account ""
same "$(tr '\n' ' ' <<<"$OUT")" "Acme Initech, Inc " "account names"
completes --as alice file --account I
same "$OUT" "Initech, Inc" "account names by prefix"
completes --as alice roadmap add --waiting Acme,I
same "$OUT" "Acme,Initech, Inc" "the last of a comma list"
completes --as pat quarter close ""
same "$OUT" "$Q" "quarters"
completes --as pat size "$X1" --displaces ""
same "$OUT" "$R1" "roadmap items"
completes --as ada user revoke ""
grep -qx carol <<<"$OUT" || fail "user names: $OUT"
completes --as ""
grep -qx alice <<<"$OUT" || fail "--as: the keys here: $OUT"
started=$SECONDS
completes --as alice --endpoint tcp://127.0.0.1:1 show ""
same "$RC.$OUT" "0." "no escd: nothing"
[ $((SECONDS - started)) -le 3 ] || fail "completion waited $((SECONDS - started)) s for an absent escd"

say "completion: the bash script"
bash_complete() {
    PATH="$ESC_BUILD:$PATH" bash -c 'source "$1/deploy/completion/esc.bash"; shift
        COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _esc; printf "%s\n" "${COMPREPLY[@]}"' \
        sh "$ESC_SOURCE" "$@"
}
same "$(bash_complete esc qu)" quarter "bash: esc qu"
same "$(bash_complete esc roadmap add --category "" | tr '\n' ' ')" \
    "feature ility maintenance discovery " "bash: --category's values"
same "$(bash_complete esc --as alice show "" | tr '\n' ' ')" "$X1 $X2 " "bash: escalation ids"
same "$(bash_complete esc --as alice file --account In)" 'Initech\,\ Inc' "bash: a name with a space, quoted"
same "$(bash_complete esc --as = alice show "" | tr '\n' ' ')" "$X1 $X2 " "bash: --as=alice"
same "$(bash_complete esc account import "")" "" "bash: files left to bash"

say "completion: the zsh script (compadd and _files stand in for zsh's)"
if command -v zsh >/dev/null; then
    zsh_complete() {
        PATH="$ESC_BUILD:$PATH" zsh -fc 'compadd() { print -l -- "${@[${@[(i)--]}+1,-1]}"; }
            _files() { print FILES; }; compdef() { :; }
            source "$1/deploy/completion/esc.zsh"; shift
            words=("$@"); CURRENT=$#; _esc' sh "$ESC_SOURCE" "$@"
    }
    same "$(zsh_complete esc qu)" quarter "zsh: esc qu"
    same "$(zsh_complete esc roadmap add --category=m)" --category=maintenance "zsh: --category=m"
    same "$(zsh_complete esc --as alice show "" | tr '\n' ' ')" "$X1 $X2 " "zsh: escalation ids"
    same "$(zsh_complete esc account import "")" FILES "zsh: files left to zsh"
else
    echo "cli: no zsh here: its completion script is not tried"
fi

say "one confirmation style for every write, --quiet for scripts, figures people read"
ok alice file --account Acme --title "Dark mode" --problem "Night shift eyestrain"
X3=${OUT#escalation }
X3=${X3% filed}
same "$OUT" "escalation $X3 filed" "esc file"
ok pat size "$X3" --hours 1500 --viable yes
same "$OUT" "escalation $X3 sized: 1,500 h, viable" "esc size"
ok evan override "$X3" --reason "board"
same "$OUT" "escalation $X3 approved by OVERRIDE (evan)" "esc override"
ok alice account add Hooli --arr 1234567
same "$OUT" "account Hooli added: ARR 1,234,567" "esc account add"
ok alice --quiet account set Hooli --arr 7654321
same "$OUT" "Hooli" "esc --quiet account set"
ok evan --quiet list
same "$(tr '\n' ' ' <<<"$OUT")" "$X1 $X2 $X3 " "esc --quiet list: ids only"
ok evan list
says "3 escalations" "the count under the list"
grep -q "^ *$X3  approved  Acme  *1,500 " <<<"$OUT" || fail "hours with separators: $OUT"
ok carol show "$X1"
says "  outcome:    deal won, 3 adopters" "plural"
says "  delivered:  1,200 h actual" "figures in show"
ok pat quarter show "$q"
says "  capacity:   4,000 h" "quarter show"
says "OVER BUDGET by " "a quarter over its one-off budget says so"

say "colour only on a terminal and never with NO_COLOR; reset before the newline"
on_terminal() {   # on_terminal ENV... -- ARGS: esc under a pseudo-terminal
    local envs=()
    while [ "$1" != -- ]; do envs+=("$1"); shift; done
    shift
    env "${envs[@]}" script -qec "$(printf '%q ' "$ESC" "$@")" /dev/null
}
COLOURED=$(on_terminal NO_COLOR= TERM=xterm -- --as pat quarter show "$q")
grep -q $'\e\\[31m.*OVER BUDGET.*\e\\[0m\r*$' <<<"$COLOURED" || fail "no red over budget on a terminal: $COLOURED"
PLAIN=$(on_terminal NO_COLOR=1 TERM=xterm -- --as pat quarter show "$q")
! grep -q $'\e' <<<"$PLAIN" || fail "colour with NO_COLOR: $PLAIN"
ok pat quarter show "$q"
! grep -q $'\e' <<<"$OUT" || fail "colour through a pipe: $OUT"
COLOURED=$(on_terminal NO_COLOR= TERM=xterm -- --as evan history "$X3")
grep -q $'\e\\[31m#[0-9]* .*OVERRODE.*\e\\[0m\r*$' <<<"$COLOURED" || fail "no red override in history: $COLOURED"
COLOURED=$(on_terminal NO_COLOR= TERM=xterm -- --as carol report --quarter "$q")
grep -q $'\e\\[31mOVERRIDE escalation '"$X3" <<<"$COLOURED" || fail "no red override in the report: $COLOURED"
grep -q $'\e\\[31mOVER BUDGET by ' <<<"$COLOURED" || fail "no red over budget in the report: $COLOURED"

echo "cli: versions, help, did-you-mean, usage errors, enumerations, dates, amounts, completion, output style, colour"
