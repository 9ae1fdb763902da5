#!/bin/sh
# man.sh: the man pages the build writes from esc's and escd's tables
# (man/man1/esc.1, man/man8/escd.8) render without a warning at 80 columns,
# and name every command and option the programs take: esc's as its own
# completion lists them (esc __complete), escd's as its --help does.
#
# Usage: man.sh BUILD_DIR
# Needs man (man-db) and groff.
set -eu

BUILD=${1:?usage: man.sh BUILD_DIR}
ESC=$BUILD/esc
ESCD=$BUILD/escd
FAILED=0
bad() { echo "FAIL: $*" >&2; FAILED=1; }
command -v man >/dev/null || { echo "man.sh: no man (apt-get install man-db)" >&2; exit 1; }
WORK=$(mktemp -d "${TMPDIR:-/tmp}/esc-man.XXXXXX")
trap 'rm -rf "$WORK"' EXIT

for page in "$BUILD/man/man1/esc.1" "$BUILD/man/man8/escd.8"; do
    [ -s "$page" ] || { bad "$page was not built"; continue; }
    warnings=$(MANWIDTH=80 man -l "$page" 2>&1 >/dev/null)
    [ -z "$warnings" ] || bad "man -l $page warns: $warnings"
    # groff's own warnings, all of them
    warnings=$(groff -man -ww -z "$page" 2>&1)
    [ -z "$warnings" ] || bad "groff warns about $page: $warnings"
done

# esc(1): every command word and every option of every command
MANWIDTH=80 man -l "$BUILD/man/man1/esc.1" 2>/dev/null >"$WORK/esc.txt"
has() { grep -qF -- "$2" "$WORK/$1.txt" || bad "$1's man page does not mention '$2'"; }
"$ESC" __complete "" | grep -vx help >"$WORK/words"
[ "$(wc -l <"$WORK/words")" -ge 10 ] || bad "esc __complete listed $(wc -l <"$WORK/words") commands"
while read -r word; do
    subs=$("$ESC" __complete "$word" "")
    for sub in ${subs:-""}; do
        has esc "esc $word${sub:+ $sub}"
        for option in $("$ESC" __complete "$word" ${sub:+"$sub"} --); do
            has esc "$option"
        done
    done
done <"$WORK/words"
has esc "EXIT STATUS"
has esc "ESC_HOME"

# escd(8): every command and option of escd --help
MANWIDTH=80 man -l "$BUILD/man/man8/escd.8" 2>/dev/null >"$WORK/escd.txt"
"$ESCD" --help >"$WORK/escd.help"
for option in $(grep -oE '^  --[a-z-]+' "$WORK/escd.help"); do
    has escd "$option"
done
for cmd in init migrate "user add" run; do
    has escd "escd $cmd"
done

[ "$FAILED" -eq 0 ] || { echo "man.sh: the man pages fall short (see above)" >&2; exit 1; }
echo "man.sh: esc(1) and escd(8) render cleanly and name every command and option"
echo "1 passed, 0 failed"
