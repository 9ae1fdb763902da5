#!/usr/bin/env bash
# unit.sh: deploy/escd.service as systemd reads it, and deploy/escd.conf
# against escd run's options.
#
#   * ExecStart runs /usr/sbin/escd run (where the package puts it) with
#     options escd run takes: --config the package's conffile, --home the
#     unit's StateDirectory;
#   * systemd-analyze verify has nothing to say (of a copy whose ExecStart
#     is this build's escd, its man page found in the build);
#   * systemd-analyze security --offline=yes rates its exposure at most
#     THRESHOLD (2.0, systemd's "OK" is below 4.0); the score is printed;
#   * escd.conf has one commented-out line per option of escd run, no
#     other key, each value the default escd run's help gives.
#
# Needs systemd-analyze (systemd).
set -euo pipefail

: "${ESC_BUILD:?run through ctest (ESC_BUILD names the build directory)}"
: "${ESC_SOURCE:?run through ctest}"
THRESHOLD=2.0
UNIT=$ESC_SOURCE/deploy/escd.service
CONF=$ESC_SOURCE/deploy/escd.conf
ESCD=$ESC_BUILD/escd
FAILED=0
bad() { echo "FAIL: $*" >&2; FAILED=1; }
die() { echo "FAIL: $*" >&2; exit 1; }
command -v systemd-analyze >/dev/null || die "no systemd-analyze (deploy/install-deps installs systemd)"
WORK=$(mktemp -d /tmp/esc-unit.XXXXXX)
trap 'rm -rf "$WORK"' EXIT

# escd run's options, one a line, as its help lists them: "name VALUE" or
# "name" for a flag, then the help text joined onto one line after a tab
"$ESCD" help run | awk '
    /^options:/ { on = 1; next }
    on && /^$/ { exit }
    on && /^  --/ { if (name) print name "\t" text; sub(/^  --/, ""); name = $1; $1 = "";
                    if ($0 ~ /^ [A-Z]+ /) { sub(/^ [A-Z]+ +/, "") } text = $0; next }
    on { sub(/^ +/, ""); text = text " " $0 }
    END { if (name) print name "\t" text }' >"$WORK/options"
[ "$(wc -l <"$WORK/options")" -gt 5 ] || die "could not read escd run's options: $(cat "$WORK/options")"
option_known() { cut -f1 "$WORK/options" | grep -qx -- "$1"; }

echo "== ExecStart"
[ "$(grep -c '^ExecStart=' "$UNIT")" = 1 ] || bad "escd.service has not exactly one ExecStart="
read -r -a exec <<<"$(sed -n 's/^ExecStart=//p' "$UNIT")"
[ "${exec[0]:-}" = /usr/sbin/escd ] && [ "${exec[1]:-}" = run ] \
    || bad "ExecStart is not /usr/sbin/escd run ...: ${exec[*]}"
for ((i = 2; i < ${#exec[@]}; i += 2)); do
    opt=${exec[i]#--}
    option_known "$opt" || bad "ExecStart's ${exec[i]} is not an option of escd run (escd help run)"
    case "$opt" in
        config) [ "${exec[i + 1]:-}" = /etc/escd/escd.conf ] || bad "--config is not the conffile" ;;
        home) [ "${exec[i + 1]:-}" = "/var/lib/$(sed -n 's/^StateDirectory=//p' "$UNIT")" ] \
                  || bad "--home is not the unit's StateDirectory" ;;
    esac
done
grep -qx 'Type=notify' "$UNIT" || bad "escd.service is not Type=notify"
grep -q '^WatchdogSec=[1-9]' "$UNIT" || bad "escd.service has no WatchdogSec="
grep -qx 'User=escd' "$UNIT" || bad "escd.service does not run as escd"

echo "== systemd-analyze verify"
sed "s|^ExecStart=/usr/sbin/escd |ExecStart=$ESCD |" "$UNIT" >"$WORK/escd.service"
# Documentation=man:escd(8): the build's page, as the package installs it
rc=0
out=$(MANPATH=$ESC_BUILD/man systemd-analyze verify "$WORK/escd.service" 2>&1) || rc=$?
# verify exits 0 after a line it could not parse: any word from it is a fault
[ "$rc" = 0 ] && [ -z "$out" ] || bad "systemd-analyze verify (exit $rc): $out"

echo "== systemd-analyze security --offline=yes"
systemd-analyze security --offline=yes --no-pager "$WORK/escd.service" >"$WORK/security" 2>&1 \
    || bad "systemd-analyze security failed: $(tail -n 5 "$WORK/security")"
grep '✗' "$WORK/security" || true
score=$(sed -n 's/.*Overall exposure level for escd.service: \([0-9.]*\) .*/\1/p' "$WORK/security")
[ -n "$score" ] || die "no exposure level in: $(tail -n 3 "$WORK/security")"
echo "exposure level $score (threshold $THRESHOLD)"
awk -v s="$score" -v t="$THRESHOLD" 'BEGIN { exit !(s <= t) }' \
    || bad "escd.service's exposure level $score is above $THRESHOLD"

echo "== escd.conf and escd run's options"
# its keys: "#key = value" (commented out: the defaults) or "key = value"
sed -nE 's/^#?([a-z][a-z-]*) = (.*)$/\1\t\2/p' "$CONF" >"$WORK/keys"
cut -f1 "$WORK/keys" | sort >"$WORK/conf.names"
[ "$(uniq -d "$WORK/conf.names")" = "" ] || bad "escd.conf names a key twice: $(uniq -d "$WORK/conf.names")"
# every option with a value, but --config itself (a file names no file)
awk -F'\t' '$1 != "config" && $1 != "help" && $1 != "version" { print $1 }' "$WORK/options" \
    | sort >"$WORK/run.names"
missing=$(comm -13 "$WORK/conf.names" "$WORK/run.names" | tr '\n' ' ')
extra=$(comm -23 "$WORK/conf.names" "$WORK/run.names" | tr '\n' ' ')
[ -z "$missing" ] || bad "escd.conf lacks escd run's options: $missing"
[ -z "$extra" ] || bad "escd.conf has keys escd run does not take: $extra"
grep -vE '^(#.*|[a-z][a-z-]* = .+|)$' "$CONF" && bad "escd.conf has lines neither comments nor key = value"
grep -E '^[a-z]' "$CONF" && bad "escd.conf sets a key: the example leaves every one commented out"
# each value the default the help gives, where it gives one word
while IFS=$'\t' read -r name value; do
    default=$(awk -F'\t' -v n="$name" '$1 == n { print $2 }' "$WORK/options" \
              | sed -nE 's/.*\(default ([^ ;,)]+)[;)].*/\1/p')
    [ -z "$default" ] || [ "$value" = "$default" ] \
        || bad "escd.conf's $name = $value, but escd run's default is $default"
done <"$WORK/keys"

[ "$FAILED" = 0 ] || exit 1
echo "unit: escd.service verifies, exposure $score, and escd.conf matches escd run"
