#!/bin/sh
# standalone.sh: the project stands on its own. Nothing in it points at a
# directory outside the repository (../shared, where the brief it grew
# from lives), README links the design and the protocol in docs/, and
# every relative link of README.md and docs/*.md names a file that exists.
#
# Usage: standalone.sh [SOURCE_DIR]   (default: the repository holding it)
set -eu

ROOT=${1:-$(cd "$(dirname "$0")/../.." && pwd)}
cd "$ROOT"
FAILED=0
bad() { echo "FAIL: $*" >&2; FAILED=1; }

# the project's files: git's list when there is one, else the tree without
# build directories
if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
    files=$(git ls-files)
else
    files=$(find . -type f ! -path './.git/*' ! -path './build*' ! -path './var/*' | sed 's|^\./||')
fi
[ -n "$files" ] || { echo "standalone.sh: found no files under $ROOT" >&2; exit 1; }

# this script names the pattern it looks for, and nothing else may
for f in $files; do
    [ "$f" = tests/docs/standalone.sh ] && continue
    [ -f "$f" ] || continue
    if grep -nI -e '\.\./shared' -e 'shared/DESIGN\.md' "$f" >/dev/null 2>&1; then
        bad "$f points outside the repository: $(grep -nI -e '\.\./shared' -e 'shared/DESIGN\.md' "$f" | head -n 3)"
    fi
done

for doc in docs/design.md docs/protocol.md; do
    [ -f "$doc" ] || bad "$doc is missing"
    grep -q "($doc)" README.md || bad "README.md does not link $doc"
done

# relative links [text](path) and [text](path#anchor) of the documents
for md in README.md docs/*.md; do
    dir=$(dirname "$md")
    grep -oE '\]\([^)#]+(#[^)]*)?\)' "$md" | sed -E 's/^\]\(([^)#]*).*$/\1/' | sort -u |
        while read -r target; do
            case "$target" in *://*|mailto:*|'') continue ;; esac
            [ -e "$dir/$target" ] || echo "FAIL: $md links $target, which does not exist" >&2
            [ -e "$dir/$target" ] || echo x
        done >"${TMPDIR:-/tmp}/standalone.$$"
    [ -s "${TMPDIR:-/tmp}/standalone.$$" ] && FAILED=1
    rm -f "${TMPDIR:-/tmp}/standalone.$$"
done

[ "$FAILED" -eq 0 ] || { echo "standalone.sh: the project points outside itself or at missing files" >&2; exit 1; }
echo "1 passed, 0 failed"
