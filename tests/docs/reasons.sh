#!/bin/sh
# reasons.sh: docs/protocol.md names every reason code esc and escd can
# give, and nothing else. The reasons are read out of the C sources, where
# they stand as string literals: the reason of every esc_fail (the third
# argument, a call may span lines), a literal right after a status
# constant (refuse helpers, store_exec_one's callers), a literal right
# after an `err` argument, a fallback after `reason ? ... :`, and an
# "esc: REASON:" a client prints itself; and, to catch a reason passed
# some other way, every literal shaped like one (A_B) that is not an
# environment variable or a socket option. Each must be a row of the
# matching table of docs/protocol.md (each table follows a marker line
# <!-- reasons:NAME -->), and each row must be a reason the code has:
#   escd  reasons escd sends on the wire: server/ and common/
#   cli   reasons escd's own commands print (init, migrate, user add):
#         server/migrate.c and server/main.c (these may be in escd too)
#   esc   reasons esc makes up itself: client/
# The status of each row must be the status the code pairs with the
# reason, and for escd's table the exit code must be the one esc's
# session_exit_code (client/session.c) gives that status.
#
# Usage: reasons.sh [--list] [SOURCE_DIR]   (default: the repository
# holding it). --list prints what the code says, table by table, as
# "STATUS REASON" lines ("-" when no status is paired with it), and stops:
# a start for a new row.
# Needs only sh, grep, sed, awk, sort, tr, comm.
set -eu

LIST=
if [ "${1:-}" = --list ]; then LIST=1; shift; fi
ROOT=${1:-$(cd "$(dirname "$0")/../.." && pwd)}
DOC=$ROOT/docs/protocol.md
PROTO=$ROOT/proto/esc.proto
WORK=$(mktemp -d "${TMPDIR:-/tmp}/esc-reasons.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
FAILED=0

die() { echo "reasons.sh: $*" >&2; exit 1; }
bad() { echo "FAIL: $*" >&2; FAILED=1; }

[ -n "$LIST" ] || [ -f "$DOC" ] || die "no $DOC"
[ -f "$PROTO" ] || die "no $PROTO"

# ---- The statuses: names and numbers from proto/esc.proto -----------------

awk '/^enum Status/ { on = 1; next } on && /^}/ { on = 0 }
     on && /=/ { gsub(/[ ;]/, ""); split($0, kv, "="); sub(/\/\/.*/, "", kv[2]); print kv[1], kv[2] }' \
    "$PROTO" >"$WORK/statuses"
[ "$(wc -l <"$WORK/statuses")" -ge 5 ] || die "found no enum Status in $PROTO"
STATUS_RE=$(awk '{ printf "%s%s", sep, $1; sep = "|" }' "$WORK/statuses")

# ---- Reading reasons out of C ----------------------------------------------

# extract FILE...: "STATUS REASON" lines (STATUS "-" when the code pairs
# none with it) for every reason literal in the files, comments removed and
# the files joined into one line so that calls may span lines.
extract() {
    # a getenv's argument is an environment variable, never a reason
    cat "$@" | tr '\n' ' ' | sed 's:/\*\([^*]\|\*\+[^*/]\)*\*\+/: :g' \
        | sed -E 's/getenv \("[A-Z0-9_]+"\)/getenv ()/g' >"$WORK/joined"
    {
        # a literal after a status constant: esc_fail (err, ESC_X, "R", ...),
        # refuse (s, p, ESC_X, "R", ...)
        grep -oE "ESC_($STATUS_RE) *, *\"[A-Z][A-Z0-9_]*\"" "$WORK/joined" \
            | sed -E 's/^ESC_([A-Z_]+) *, *"([A-Z0-9_]+)"$/\1 \2/' || true
        # the third argument of esc_fail, when it holds a literal (a ternary's
        # fallback, or a status that is not a constant)
        grep -oE 'esc_fail *\( *[^,;]+, *[^,;]+, *[^,;]+,' "$WORK/joined" \
            | sed -E 's/^esc_fail *\( *[^,;]+, *[^,;]+, *//' \
            | grep -oE '"[A-Z][A-Z0-9_]*"' | tr -d '"' | sed 's/^/- /' || true
        # a literal after an err argument: store_exec_one (..., err, "R", fmt)
        grep -oE '\berr *, *"[A-Z][A-Z0-9_]*"' "$WORK/joined" \
            | grep -oE '"[A-Z0-9_]+"' | tr -d '"' | sed 's/^/- /' || true
        # a fallback: reply->reason ? reply->reason : "R"
        grep -oE 'reason *\? *[^:;"]*: *"[A-Z][A-Z0-9_]*"' "$WORK/joined" \
            | grep -oE '"[A-Z0-9_]+"$' | tr -d '"' | sed 's/^/- /' || true
        # what a client prints itself: "esc: R: ..."
        grep -oE '"esc: [A-Z][A-Z0-9_]+:' "$WORK/joined" \
            | sed -E 's/^"esc: ([A-Z0-9_]+):$/- \1/' || true
        # anything else shaped like a reason: A_B, but for environment
        # variables (ESC_..., ESCD_..., NO_COLOR), socket options (ZMQ_...),
        # the journal's fields (ESC_..., SYSLOG_IDENTIFIER) and the status
        # names themselves (status.c spells them)
        grep -oE '"[A-Z][A-Z0-9]*(_[A-Z0-9]+)+"' "$WORK/joined" | tr -d '"' \
            | grep -vE "^(ESC_|ESCD_|ZMQ_)|^NO_COLOR\$|^JOURNAL_STREAM\$|^SYSLOG_IDENTIFIER\$|^XDG_CONFIG_HOME\$|^($STATUS_RE)\$" | sed 's/^/- /' || true
    }
}

# reasons PAIRS: the distinct reasons of a list of pairs.
reasons() { awk '{ print $2 }' "$1" | sort -u; }

# ---- The extraction checks itself first ------------------------------------

cat >"$WORK/sample.c" <<'SAMPLE'
/* a comment: esc_fail (err, ESC_INTERNAL, "NOT_A_REASON", "x") */
return esc_fail (err, ESC_FAILED_PRECONDITION,
                 "SAMPLE_SPLIT", "over %s",
                 "lines");
refuse (s, p, ESC_RESOURCE_EXHAUSTED, "SAMPLE_REFUSE", "m");
esc_fail (&e, (esc_status_t) reply->status, reply->reason ? reply->reason : "SAMPLE_FALLBACK", "%s", m);
r = store_exec_one (self, "SELECT 1", &p, err,
    "SAMPLE_ONE", "row %lld", id);
fprintf (stderr, "esc: SAMPLE_PRINTED: %s\n", m);
x = r && r->reason ? r->reason : "SAMPLEWORD";
static const char *passed = "SAMPLE_LOOSE";
getenv ("ESC_HOME"); zmq_setsockopt (s, ZMQ_LINGER, "ZMQ_LINGER"); getenv ("NO_COLOR");
SAMPLE
extract "$WORK/sample.c" | sort -u >"$WORK/sample.pairs"
printf '%s\n' SAMPLEWORD SAMPLE_FALLBACK SAMPLE_LOOSE SAMPLE_ONE SAMPLE_PRINTED SAMPLE_REFUSE \
    SAMPLE_SPLIT >"$WORK/sample.want"
reasons "$WORK/sample.pairs" >"$WORK/sample.got"
cmp -s "$WORK/sample.want" "$WORK/sample.got" \
    || die "the extraction misreads its own sample: got $(tr '\n' ' ' <"$WORK/sample.got")"
grep -qx 'FAILED_PRECONDITION SAMPLE_SPLIT' "$WORK/sample.pairs" \
    || die "the extraction lost the status of a call over several lines"

# ---- The code's reasons ----------------------------------------------------

CLI_FILES="$ROOT/server/migrate.c $ROOT/server/main.c"
WIRE_FILES=$(for f in "$ROOT"/server/*.[ch] "$ROOT"/common/*.[ch]; do
                 case " $CLI_FILES " in *" $f "*) ;; *) echo "$f" ;; esac
             done)
# shellcheck disable=SC2086
extract $WIRE_FILES | sort -u >"$WORK/escd.pairs"
# shellcheck disable=SC2086
extract $CLI_FILES | sort -u >"$WORK/cli.pairs"
extract "$ROOT"/client/*.[ch] | sort -u >"$WORK/esc.pairs"
for t in escd cli esc; do
    reasons "$WORK/$t.pairs" >"$WORK/$t.code"
    [ -s "$WORK/$t.code" ] || die "read no reason at all out of the sources for table '$t'"
    grep -qv '^-' "$WORK/$t.pairs" || die "read no status paired with a reason for table '$t'"
done
[ "$(wc -l <"$WORK/escd.code")" -ge 20 ] \
    || die "read only $(wc -l <"$WORK/escd.code") reasons out of server/ and common/"
if [ -n "$LIST" ]; then
    for t in escd cli esc; do echo "== $t"; cat "$WORK/$t.pairs"; done
    exit 0
fi

# ---- The documented reasons ------------------------------------------------

# rows NAME: the table after <!-- reasons:NAME -->, as
# "REASON<TAB>STATUS CELL<TAB>EXIT CELL" lines.
rows() {
    awk -v want="<!-- reasons:$1 -->" '
        index($0, want) == 1 { on = 1; next }
        on == 1 && /^[ \t]*$/ { next }
        on == 1 && /^\|/ { on = 2 }
        on == 1 { exit }
        on == 2 && !/^\|/ { exit }
        on == 2 {
            n = split($0, cell, "|")
            r = cell[2]; gsub(/[ `]/, "", r)
            if (r == "reason" || r ~ /^:?-+:?$/) next
            print r "\t" cell[3] "\t" cell[n - 1]
        }
    ' "$DOC" >"$WORK/$1.rows.raw"
    cut -f1 "$WORK/$1.rows.raw" | sort >"$WORK/$1.doc"
    [ -s "$WORK/$1.doc" ] || die "docs/protocol.md has no table after <!-- reasons:$1 -->"
    dups=$(uniq -d "$WORK/$1.doc")
    [ -z "$dups" ] || bad "docs/protocol.md lists twice in table '$1': $dups"
    sort -u -o "$WORK/$1.doc" "$WORK/$1.doc"
}
for t in escd cli esc; do rows "$t"; done

# ---- Code and tables agree -------------------------------------------------

# Every reason of the code is in its table (a reason of escd's commands
# may be in escd's table instead), and every row is a reason of the code.
comm -23 "$WORK/escd.code" "$WORK/escd.doc" | while read -r r; do
    echo "FAIL: reason $r (server/ or common/) is not in docs/protocol.md's table of escd's reasons" >&2
    echo x
done >"$WORK/missing"
sort -u "$WORK/escd.doc" "$WORK/cli.doc" >"$WORK/escd+cli.doc"
comm -23 "$WORK/cli.code" "$WORK/escd+cli.doc" | while read -r r; do
    echo "FAIL: reason $r (server/migrate.c, server/main.c) is in no escd table of docs/protocol.md" >&2
    echo x
done >>"$WORK/missing"
comm -23 "$WORK/esc.code" "$WORK/esc.doc" | while read -r r; do
    echo "FAIL: reason $r (client/) is not in docs/protocol.md's table of esc's own reasons" >&2
    echo x
done >>"$WORK/missing"
[ -s "$WORK/missing" ] && FAILED=1
for t in escd cli esc; do
    comm -13 "$WORK/$t.code" "$WORK/$t.doc" | while read -r r; do
        echo "FAIL: docs/protocol.md's table '$t' lists $r, which the code no longer has" >&2
        echo x
    done >"$WORK/stale.$t"
    [ -s "$WORK/stale.$t" ] && FAILED=1
done

# The status the code pairs with each reason is in the row's status cell.
for t in escd cli esc; do
    sort -u "$WORK/$t.rows.raw" >"$WORK/$t.rows"
    [ "$t" = cli ] && cat "$WORK/escd.rows" >>"$WORK/$t.rows"
    grep -v '^-' "$WORK/$t.pairs" | while read -r status reason; do
        cell=$(awk -F '\t' -v r="$reason" '$1 == r { print $2; exit }' "$WORK/$t.rows")
        [ -z "$cell" ] && continue          # reported above
        printf '%s\n' "$cell" | grep -qw "$status" || {
            echo "FAIL: docs/protocol.md gives $reason the status '$cell'; the code sends it as $status" >&2
            echo x
        }
    done >"$WORK/status.$t"
    [ -s "$WORK/status.$t" ] && FAILED=1
done

# Each status cell names statuses with their wire numbers: NAME (N).
for t in escd esc; do
    while IFS="$(printf '\t')" read -r reason cell _; do
        for status in $(printf '%s\n' "$cell" | grep -oE "\b($STATUS_RE)\b"); do
            n=$(awk -v s="$status" '$1 == s { print $2 }' "$WORK/statuses")
            printf '%s\n' "$cell" | grep -qE "\b$status \($n\)" \
                || bad "docs/protocol.md: $reason's status $status should read '$status ($n)'"
        done
        printf '%s\n' "$cell" | grep -qE "\b($STATUS_RE)\b" || [ "$t" = esc ] \
            || bad "docs/protocol.md: $reason names no status"
    done <"$WORK/$t.rows"
done

# The exit code of escd's reasons is what esc's session_exit_code gives
# their status (client/session.c, with the numbers of client/session.h).
awk '/^session_exit_code/ { on = 1 } on && /^}/ { exit }
     on {
         line = $0
         while (match(line, /case ESC_[A-Z_]+:/)) {
             pending = pending " " substr(line, RSTART + 9, RLENGTH - 10)
             line = substr(line, RSTART + RLENGTH)
         }
         if (line ~ /default:/) pending = pending " *"
         if (match(line, /return EXIT_[A-Z_]+/)) {
             e = substr(line, RSTART + 7, RLENGTH - 7)
             n = split(pending, s, " ")
             for (i = 1; i <= n; i++) print s[i], e
             pending = ""
         }
     }' "$ROOT/client/session.c" >"$WORK/exit.names"
awk '/EXIT_[A-Z_]+ *= *[0-9]+/ { match($0, /EXIT_[A-Z_]+/); name = substr($0, RSTART, RLENGTH)
                                 match($0, /= *[0-9]+/); v = substr($0, RSTART, RLENGTH)
                                 gsub(/[= ]/, "", v); print name, v }' \
    "$ROOT/client/session.h" >"$WORK/exit.values"
grep -q '^\* ' "$WORK/exit.names" && [ -s "$WORK/exit.values" ] \
    || die "cannot read session_exit_code's cases out of client/session.c (or the EXIT_ values out of session.h): update this script to its new shape"
exit_of() {
    e=$(awk -v s="$1" '$1 == s { print $2 }' "$WORK/exit.names")
    [ -n "$e" ] || e=$(awk '$1 == "*" { print $2 }' "$WORK/exit.names")
    awk -v e="$e" '$1 == e { print $2 }' "$WORK/exit.values"
}
while IFS="$(printf '\t')" read -r reason cell exits; do
    for status in $(printf '%s\n' "$cell" | grep -oE "\b($STATUS_RE)\b"); do
        want=$(exit_of "$status")
        printf '%s\n' "$exits" | grep -qw "$want" \
            || bad "docs/protocol.md: $reason ($status) gives esc's exit '$exits'; session_exit_code says $want"
    done
done <"$WORK/escd.rows"

if [ "$FAILED" -ne 0 ]; then
    echo "reasons.sh: docs/protocol.md and the code disagree (see above): fix the tables" >&2
    exit 1
fi
echo "reasons.sh: $(wc -l <"$WORK/escd.code") escd, $(wc -l <"$WORK/cli.code") escd command and $(wc -l <"$WORK/esc.code") esc reasons, each documented with its status"
echo "1 passed, 0 failed"
