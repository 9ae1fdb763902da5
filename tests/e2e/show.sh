#!/usr/bin/env bash
# show.sh: esc list in every order, and one account or roadmap item with
# what concerns it, through esc, escd and PostgreSQL. Each order of esc list
# (--sort id|hours|arr|deal|needed-by|filed) gives the order it promises,
# ties by id; paged by --limit and --all, or by hand from page to page
# (--cursor in JSON and as the text's hint says), it gives every escalation
# once, with no gap, however the pages fall across ties. --state takes a
# comma list, --account also finds the escalations naming the account among
# the others that need the same, and an unknown account is
# ACCOUNT_NOT_FOUND. esc account show NAME: the account, its escalations in
# every quarter and the roadmap items it waits for; esc roadmap show RID:
# the item and its history (planned, corrected, postponed by which
# escalation). Text, JSON and --quiet; a clear error for what is not there.
. "$(dirname "$0")/lib.sh"

init_server
add_cast
start_escd main

# the quarter holding today, and the one after it
Y=$(date +%Y) N=$(( ($(date +%-m) - 1) / 3 + 1 ))
Q="${Y}Q$N"
if [ "$N" -lt 4 ]; then LATER="${Y}Q$((N + 1))"; else LATER="$((Y + 1))Q1"; fi
SOON="$((Y + 1))-06-30" LATE="$((Y + 2))-01-15"

say "a quarter, accounts (two with the same ARR), planned work"
ok pat quarter open "$Q" --capacity-hours 4000 --tokens 1 --max-token-hours 80
ok pat quarter open "$LATER" --capacity-hours 4000
ok alice account add Acme --arr 500000 --renewal "$((Y + 3))-03-31"
ok alice account add Globex --arr 200000
ok alice account add Initech --arr 200000
ok alice account add Hooli --arr 90000
ok pat --quiet roadmap add --title "SSO everywhere" --category feature --hours 300 --waiting Acme,Globex
R1=$OUT
ok pat --quiet roadmap add --quarter "$LATER" --title "Audit trail" --category ility --hours 120 \
    --waiting Acme
R2=$OUT
ok pat --quiet roadmap add --title "Upgrade PostgreSQL" --category maintenance --hours 80
R3=$OUT

say "escalations with ties in every order"
# file ACCOUNT TITLE [OPTIONS]: files as alice; the id in X
file() {
    local account=$1 title=$2; shift 2
    ok alice --quiet file --account "$account" --title "$title" --problem "the problem of $title" "$@"
    X=$OUT
}
file Acme "Custom export" --deal-value 100000 --needed-by "$SOON"; E1=$X
file Globex "SAML flow" --deal-value 100000 --needed-by "$SOON"; E2=$X
file Initech "Dark mode"; E3=$X
file Acme "Audit log" --deal-value 50000 --needed-by "$LATE"; E4=$X
file Globex "Webhooks" --deal-value 100000 --needed-by "$SOON" --also-needed-by Hooli; E5=$X
file Initech "Bulk API" --also-needed-by Hooli,Acme; E6=$X
file Acme "Reports" --deal-value 50000; E7=$X
file Acme "Next quarter's" --quarter "$LATER"; E8=$X

say "a filing's reply is the escalation as esc show gives it"
# escd builds a new filing's reply from what its insert returned, not from
# escalation_view: the two must agree, field for field, with every optional
# field given or none, and with other accounts named (the view's way)
ok alice account add Umbrella --arr 70000
ok alice account add Soylent --arr 30000
ok alice account add Tyrell --arr 40000
for args in "--solution s --deal-value 5 --needed-by $SOON --claimed-hours 12" "" \
            "--also-needed-by Tyrell,Soylent"; do
    # shellcheck disable=SC2086
    ok alice --json file --account Umbrella --title "Reply of '$args'" --problem p \
        --quarter "$LATER" $args
    FILED=$(printf '%s' "$OUT" | jq -S .)
    ok alice --json show "$(printf '%s' "$FILED" | jq -r .id)"
    same "$FILED" "$(printf '%s' "$OUT" | jq -S .)" "esc file --json $args, then esc show --json"
done
ok pat size "$E1" --hours 40 --viable yes --displaces "$R1"
ok pat size "$E2" --hours 40 --viable yes
ok pat size "$E4" --hours 80 --viable yes
ok pat size "$E5" --hours 40 --viable yes
ok pat size "$E7" --hours 80 --viable yes
ok pat roadmap set "$R1" --hours 280
ok carol spend "$E1" --note "the biggest renewal"
ok pat decline "$E3" --reason "not for us"
# four filed at the same instant: a tie in the filing order
sql "UPDATE escalation SET filed_at = (SELECT filed_at FROM escalation WHERE id = $E3)
      WHERE id IN ($E2, $E4, $E5)" >/dev/null
same "$(sql "SELECT count(DISTINCT filed_at) FROM escalation WHERE id IN ($E2, $E3, $E4, $E5)")" 1 \
    "the tie in filing time"

# ids ARGS...: the ids of one page of esc list ARGS (as pat), comma-joined
ids() { field pat list --limit 1000 "$@" '[.escalations[].id]|join(",")'; }
# every_page ARGS...: the ids of esc list ARGS --all, comma-joined
every_page() { field pat list --all "$@" '[.escalations[].id]|join(",")'; }
# by_cursor LIMIT SORT: the ids of every page in SORT's order, asking for
# each next one with only the reply's next_cursor (a cursor carries its
# order), comma-joined into GOT; PAGES counts the pages
by_cursor() {
    local got="" page
    local -a from=(--sort "$2")
    PAGES=0
    while :; do
        ok pat --json list --limit "$1" "${from[@]}"
        page=$(printf '%s' "$OUT" | jq -r '[.escalations[].id]|join(",")')
        got=${got:+$got${page:+,}}$page
        PAGES=$((PAGES + 1))
        from=(--cursor "$(printf '%s' "$OUT" | jq -r '.next_cursor // empty')")
        [ -n "${from[1]}" ] || break
        [ "$PAGES" -le 20 ] || fail "esc list --sort $2 pages on and on"
    done
    GOT=$got
}

say "every order, as it promises, ties by id"
ID_ORDER="$E1,$E2,$E3,$E4,$E5,$E6,$E7"
same "$(ids)" "$ID_ORDER" "the id order, the default"
same "$(ids --sort id)" "$ID_ORDER" "the id order, asked for"
same "$(ids --sort hours)" "$E4,$E7,$E1,$E2,$E5,$E3,$E6" "most hours first, unsized last"
same "$(ids --sort arr)" "$E1,$E4,$E7,$E2,$E3,$E5,$E6" "highest ARR first; Globex and Initech tie"
same "$(ids --sort deal)" "$E1,$E2,$E5,$E4,$E7,$E3,$E6" "highest deal first, none last"
same "$(ids --sort needed-by)" "$E1,$E2,$E5,$E4,$E3,$E6,$E7" "soonest first, none last"
same "$(ids --sort filed)" "$E7,$E6,$E2,$E3,$E4,$E5,$E1" "newest first; four filed at once"
same "$(ids --sort NEEDED-BY)" "$E1,$E2,$E5,$E4,$E3,$E6,$E7" "an order's name in any case"

say "paging in every order: each escalation once, no gap, however pages fall on ties"
for sort in id hours arr deal needed-by filed; do
    whole=$(ids --sort "$sort")
    for limit in 1 2 3; do
        same "$(every_page --sort "$sort" --limit "$limit")" "$whole" "--sort $sort --limit $limit --all"
    done
    by_cursor 2 "$sort"
    same "$GOT" "$whole" "--sort $sort, page by page with next_cursor"
    same "$PAGES" 4 "--sort $sort: 7 escalations in pages of 2"
done
# in the id order a page also says its next AFTER, as it always did
same "$(field pat list --limit 2 '"\(.next_after) \(.next_cursor)"')" "$E2 id/$E2" "the id order's next page"
same "$(field pat list --limit 2 --sort deal '.next_after')" null "no AFTER in another order"
same "$(field pat list --sort deal '"\(.next_after) \(.next_cursor) \(.total)"')" "null null 7" \
    "the last page says no next"

say "the text's hint leads to the next page"
ok pat list --sort deal --limit 3
case "$OUT" in *"3 of 7 escalations; the next page: esc list --cursor deal/"*) ;;
    *) fail "a page in deal order says not how to go on: $OUT" ;; esac
HINT=$(printf '%s\n' "$OUT" | sed -n 's/.*the next page: esc list \(--cursor [^ ]*\).*/\1/p')
# shellcheck disable=SC2086
ok pat --json list --limit 3 $HINT
same "$(printf '%s' "$OUT" | jq -r '[.escalations[].id]|join(",")')" "$E4,$E7,$E3" "the page the hint names"
ok pat list --sort filed --limit 3 --all
same "$(printf '%s\n' "$OUT" | grep -c '^ *ID ')" 1 "one header for every page"
same "$(printf '%s\n' "$OUT" | tail -n 1)" "7 escalations" "the count after every page"
# --quiet: the ids alone on standard output, the hint aside
ok pat --quiet list --sort hours --limit 4
same "$(printf '%s\n' "$OUT" | paste -sd,)" "$E4,$E7,$E1,$E2" "--quiet: ids only"
case "$ERR" in *"--cursor hours/"*) ;; *) fail "--quiet's hint on stderr: '$ERR'" ;; esac

say "what a cursor may not be"
refused 1 INVALID_ARGUMENT pat list --cursor "hours/forty/$E1"
refused 1 INVALID_ARGUMENT pat list --cursor "drop table escalation"
refused 1 INVALID_ARGUMENT pat list --cursor "filed/2026-02-30T00:00:00.000000Z/$E1"
refused 1 INVALID_ARGUMENT pat list --sort deal --cursor "hours/40/$E1"
case "$ERR" in *"hours order, not the deal order"*) ;; *) fail "a cursor of another order: $ERR" ;; esac
refused 1 INVALID_ARGUMENT pat list --sort hours --after "$E1"
expect 2 pat list --after "$E1" --cursor "id/$E1"
misused "--sort must be one of id, hours, arr, deal, needed-by, filed (not 'size')" pat list --sort size

say "--state takes a comma list"
same "$(ids --state filed,sized)" "$E2,$E4,$E5,$E6,$E7" "filed or sized"
same "$(ids --state SIZED,Approved --sort hours)" "$E4,$E7,$E1,$E2,$E5" "sized or approved, by hours"
same "$(every_page --state sized,declined --sort arr --limit 2)" "$E4,$E7,$E2,$E3,$E5" \
    "sized or declined by ARR, a page at a time"
same "$(ids --state declined)" "$E3" "one state, as before"
misused "--state must be one of filed, sized," pat list --state filed,pending

say "--account: filed for it, or naming it among the others that need the same"
same "$(ids --account Hooli)" "$E5,$E6" "Hooli only ever among the others"
same "$(ids --account Acme)" "$E1,$E4,$E6,$E7" "Acme's, and the one naming Acme"
same "$(ids --account Acme --sort deal)" "$E1,$E4,$E7,$E6" "Acme's by deal"
same "$(every_page --account Acme --sort needed-by --limit 1)" "$E1,$E4,$E6,$E7" "Acme's a page at a time"
same "$(ids --account Globex --state sized --sort filed)" "$E2,$E5" "Globex's sized, by filing time"
same "$(field pat list --account Acme '.total')" 4 "the count of Acme's"
refused 3 ACCOUNT_NOT_FOUND pat list --account Nobody
case "$ERR" in *"account 'Nobody' is not known"*) ;; *) fail "the unknown account is not named: $ERR" ;; esac
refused 3 ACCOUNT_NOT_FOUND pat list --account Nobody --sort hours

say "the next page's command repeats the options that chose the list"
ok pat list --sort deal --limit 2 --account Acme --state sized,APPROVED
HINT="esc list --cursor deal/50000/$E4 --state sized,approved --account Acme --limit 2"
case "$OUT" in *"the next page: $HINT (or --all"*) ;; *) fail "the hint: $OUT" ;; esac
eval "set -- ${HINT#esc list }"
same "$(field pat list "$@" '[.escalations[].id]|join(",")')" "$E7" "the hint's page"
ok alice account add "O'Brien & Sons" --arr 1000
file "O'Brien & Sons" "First" --quarter "$LATER"; O1=$X
file "O'Brien & Sons" "Second" --quarter "$LATER"; O2=$X
ok pat list --quarter "$LATER" --account "O'Brien & Sons" --limit 1 --mine
same "$(printf '%s\n' "$OUT" | tail -n 1)" \
    "0 escalations" "none of them pat's"
ok alice list --quarter "$LATER" --account "O'Brien & Sons" --limit 1
HINT="esc list --after $O1 --quarter $LATER --account 'O'\\''Brien & Sons' --limit 1"
case "$OUT" in *"1 of 2 escalations; the next page: $HINT (or --all"*) ;; *) fail "the quoted hint: $OUT" ;; esac
eval "set -- ${HINT#esc list }"
same "$(field alice list "$@" '[.escalations[].id]|join(",")')" "$O2" "the quoted hint's page"
ok alice list --quarter "$LATER" --account "O'Brien & Sons" --limit 1 --mine
case "$OUT" in *"--limit 1 --mine (or --all"*) ;; *) fail "--mine in the hint: $OUT" ;; esac

say "esc account show: the account, its escalations in every quarter, what it waits for"
ok bob account show Acme
for text in "account Acme" "  ARR:        500,000" "  renewal:    $((Y + 3))-03-31" \
            "escalations filed for it or naming it (5):" "$LATER" "Next quarter's" "Bulk API" \
            "roadmap items it waits for (2):" "SSO everywhere" "Audit trail"; do
    case "$OUT" in *"$text"*) ;; *) fail "account show lacks '$text': $OUT" ;; esac
done
case "$OUT" in *"Dark mode"*) fail "account show holds another account's escalation: $OUT" ;; esac
same "$(field bob account show Acme '"\(.account.name) \(.account.arr) \(.account.renewal_on)"')" \
    "Acme 500000 $((Y + 3))-03-31" "the account in JSON"
same "$(field bob account show Acme '[.escalations[].id]|join(",")')" "$E8,$E7,$E6,$E4,$E1" \
    "its escalations, the latest first, across quarters"
same "$(field bob account show Acme '[.escalations[]|select(.id=='"$E6"')|.account]|join(",")')" \
    Initech "the one naming Acme is Initech's filing"
same "$(field bob account show Acme '"\(.escalations_total) \(.waiting_for_total)"')" "5 2" "the counts"
same "$(field bob account show Acme '[.waiting_for[]|"\(.id):\(.quarter):\(.state)"]|join(",")')" \
    "$R2:$LATER:planned,$R1:$Q:postponed" "the roadmap items it waits for, the latest first"
same "$(field bob account show Acme '.escalations[0]|"\(.quarter) \(.state) \(.hours)"')" \
    "$LATER filed null" "a row's fields"
ok carol --quiet account show Acme
same "$(printf '%s\n' "$OUT" | paste -sd,)" "$E8,$E7,$E6,$E4,$E1" "--quiet: its escalations' ids"
ok carol account show Hooli
for text in "  ARR:        90,000" "  renewal:    none" "escalations filed for it or naming it (2):" \
            "roadmap items it waits for: none"; do
    case "$OUT" in *"$text"*) ;; *) fail "account show Hooli lacks '$text': $OUT" ;; esac
done
same "$(field carol account show Hooli '"\(.waiting_for|length) \(.waiting_for_total)"')" "0 0" \
    "nothing it waits for"
ok evan account show " Acme "
refused 3 ACCOUNT_NOT_FOUND evan account show Nobody
case "$ERR" in *"account 'Nobody' is not known"*) ;; *) fail "account show of nobody: $ERR" ;; esac
refused 3 ACCOUNT_NOT_FOUND evan --json account show Nobody
same "$(printf '%s' "$OUT" | jq -r '.error.reason')" ACCOUNT_NOT_FOUND "the error in JSON"
expect 2 evan account show
expect 2 evan account show Acme Globex

say "esc roadmap show: the item and its history"
ok alice roadmap show "$R1"
for text in "roadmap item $R1: SSO everywhere" "  state:      postponed by escalation $E1" \
            "  quarter:    $Q" "  category:   feature" "  hours:      280" \
            "  waiting:    Acme, Globex" "history (3):" "planned roadmap item $R1" \
            "hours 300 -> 280" "on escalation $E1 \"Custom export\" for Acme (40 h); postponed roadmap item $R1"; do
    case "$OUT" in *"$text"*) ;; *) fail "roadmap show lacks '$text': $OUT" ;; esac
done
same "$(field alice roadmap show "$R1" '"\(.item.state) \(.postponed_by) \(.history_total)"')" \
    "postponed $E1 3" "the item in JSON"
same "$(field alice roadmap show "$R1" '[.history[].type]|join(",")')" \
    "roadmap.added,roadmap.changed,escalation.approved" "planned, corrected, postponed: in order"
same "$(field alice roadmap show "$R1" '.history[1].data.changes.hours|"\(.old)>\(.new)"')" "300>280" \
    "the correction's old and new"
same "$(field alice roadmap show "$R1" '.history[2]|"\(.escalation) \(.data.postponed|join(","))"')" \
    "$E1 $R1" "the approval that postponed it"
ok alice --quiet roadmap show "$R1"
same "$(printf '%s\n' "$OUT" | wc -l)" 3 "--quiet: its events' seqs"
ok alice roadmap show "$R3"
for text in "  state:      planned" "  waiting:    nobody named" "history (1):"; do
    case "$OUT" in *"$text"*) ;; *) fail "roadmap show $R3 lacks '$text': $OUT" ;; esac
done
case "$OUT" in *" by escalation"*) fail "a planned item postponed by someone: $OUT" ;; esac
same "$(field alice roadmap show "$R3" '"\(.postponed_by) \([.history[].type]|join(","))"')" \
    "null roadmap.added" "a planned item in JSON"

say "esc roadmap show: done, carried into a later quarter, postponed there again"
ok pat roadmap done "$R3" --actual-hours 90
ok alice roadmap show "$R3"
for text in "  state:      done" "  plan:       took 90 h" "history (2):" "finished roadmap item $R3"; do
    case "$OUT" in *"$text"*) ;; *) fail "roadmap show of done work lacks '$text': $OUT" ;; esac
done
same "$(field alice roadmap show "$R3" '"\(.item.actual_hours) \([.history[].type]|join(","))"')" \
    "90 roadmap.added,roadmap.done" "done work in JSON"
ok pat roadmap move "$R1" --quarter "$LATER"
ok alice roadmap show "$R1"
for text in "  state:      planned" "  quarter:    $LATER" "  plan:       carried from $Q" \
            "history (4):" "moved postponed roadmap item $R1"; do
    case "$OUT" in *"$text"*) ;; *) fail "roadmap show of carried work lacks '$text': $OUT" ;; esac
done
case "$OUT" in *" by escalation"*) fail "carried work still postponed by someone: $OUT" ;; esac
same "$(field alice roadmap show "$R1" '"\(.postponed_by) \([.history[].type]|join(","))"')" \
    "null roadmap.added,roadmap.changed,escalation.approved,roadmap.moved" "carried work in JSON"
ok pat size "$E8" --hours 20 --viable yes --displaces "$R1"
ok carol spend "$E8"
same "$(field alice roadmap show "$R1" '"\(.item.state) \(.postponed_by) \([.history[]|.escalation // .type]|join(","))"')" \
    "postponed $E8 roadmap.added,roadmap.changed,$E1,roadmap.moved,$E8" \
    "postponed again in the later quarter, by another escalation"
ok alice roadmap show "$R1"
case "$OUT" in *"  state:      postponed by escalation $E8"*) ;; *) fail "the last postponement: $OUT" ;; esac
refused 3 ROADMAP_ITEM_NOT_FOUND alice roadmap show 999999
for rid in abc 0 -4; do
    expect 2 alice roadmap show "$rid"
    same "$ERR" "esc roadmap show: '$rid' is not a roadmap item id" "roadmap show $rid"
done

say "both are reads: anyone may, and nothing is written"
SEQ=$(head_seq)
for who in alice pat carol evan; do
    ok "$who" account show Globex
    ok "$who" roadmap show "$R2"
done
same "$(head_seq)" "$SEQ" "events after reads"

say "a read is what the database holds, whichever escd changed it since"
# escd answers a read asked again at the same event head from memory
# (server/answered.c): the answer must follow every change, made through
# any escd, and be the asking user's own
start_escd b
file Acme "Yearly export"; EC=$X
same "$(field evan show "$EC" .title)" "Yearly export" "shown once"
same "$(field evan show "$EC" .title)" "Yearly export" "shown again, from escd's memory"
# mine: the list of the asking user, not of whoever asked first
MINE=$(field alice list --quarter "$LATER" --mine '[.escalations[].id] | length')
[ "$MINE" -gt 0 ] || fail "alice's own list is empty"
same "$(field alice list --quarter "$LATER" --mine '[.escalations[].id] | length')" "$MINE" \
    "alice's own list, again"
same "$(field pat list --quarter "$LATER" --mine '[.escalations[].id] | length')" 0 \
    "pat's own list at the same head"
same "$(field evan list '.escalations[] | select(.id == '"$EC"') | .title')" "Yearly export" \
    "listed once"
same "$(field evan quarter show "$Q" .name)" "$Q" "the quarter, shown once"
# asked again with nothing changed: from memory, a light read on the loop,
# a heavy one (a list, answered first on the reader) on the loop as well
same "$(field evan quarter show "$Q" .name)" "$Q" "the quarter, shown again"
same "$(field evan list '.escalations[] | select(.id == '"$EC"') | .title')" "Yearly export" \
    "listed again"
grep -q "evan quarter show OK request=[^ ]* (from memory)" "$WORK/escd-main.log" \
    || fail "the quarter shown again was not answered from memory"
grep -q "evan list OK request=[^ ]* (from memory)" "$WORK/escd-main.log" \
    || fail "the list asked again was not answered from memory"
ok alice --endpoint "$ENDPOINT_b" edit "$EC" --title "Yearly export, monthly"
same "$(field evan show "$EC" .title)" "Yearly export, monthly" "shown after another escd's edit"
same "$(field evan list '.escalations[] | select(.id == '"$EC"') | .title')" \
    "Yearly export, monthly" "listed after another escd's edit"
ok pat --endpoint "$ENDPOINT_b" size "$EC" --hours 30 --viable yes
same "$(field evan show "$EC" '"\(.state) \(.hours)"')" "sized 30" "shown after another escd's sizing"
same "$(field evan quarter show "$LATER" .state)" open "the quarter shown before it closed"
ok pat --endpoint "$ENDPOINT_b" quarter close "$LATER" --yes
same "$(field evan quarter show "$LATER" .state)" closed "the quarter shown after another escd closed it"
ok evan show "$EC"
ok ada --endpoint "$ENDPOINT_b" user revoke evan
refused 4 UNAUTHENTICATED evan show "$EC"
# by hand, with no event to tell escd: an answer escd found in memory is
# replied to only once the database, asked after the request came, says
# that the head and the users still stand
same "$(field alice show "$EC" .title)" "Yearly export, monthly" "shown to alice"
same "$(field alice show "$EC" .title)" "Yearly export, monthly" "shown to alice again"
grep -q "alice show OK request=[^ ]* (from memory)" "$WORK/escd-main.log" \
    || fail "alice's show asked again was not answered from memory"
sql "UPDATE app_user SET revoked_at = now(), revoked_by = 'ada' WHERE name = 'alice'"
refused 4 UNAUTHENTICATED alice show "$EC"

echo "show: all good"
