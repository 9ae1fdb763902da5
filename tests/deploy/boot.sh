#!/usr/bin/env bash
# boot.sh: the package installed and escd run by systemd, for real. A
# container (systemd-nspawn, its own network) boots this machine's own
# system from a throwaway overlay of its root, with the test cluster's
# socket bound in, and there, as an administrator would:
#
#   dpkg -i: the escd user and group, /var/lib/escd (0700, escd's), the
#     conffile registered, the unit known but neither enabled nor started;
#   escd init as escd, db = in /etc/escd/escd.conf, systemctl start: it
#     returns once escd said READY=1, so esc status answers at once;
#     escd runs as escd, without privileges, under seccomp;
#   the watchdog (WatchdogSec=4s here, by a drop-in): a serving escd is
#     left alone, a hung one (SIGSTOP) is killed and restarted;
#   systemctl reload: the same escd reads escd.conf again;
#   dpkg -i again (an upgrade) restarts the running escd and keeps the
#     edited conffile; systemctl stop is a clean stop;
#   dpkg --purge of a running escd: stopped, and the user, the group,
#     /var/lib/escd, /etc/escd and the unit are gone.
#
# Needs root (it mounts the overlay and boots the container; without root
# it is skipped, exit 77), systemd-nspawn (systemd-container), and the
# package deploy_package made.
set -euo pipefail
if [ "$(id -u)" != 0 ]; then
    echo "SKIP: boot.sh mounts an overlay and boots a container: it needs root"
    exit 77
fi
. "$(dirname "$0")/../e2e/lib.sh"

command -v systemd-nspawn >/dev/null || fail "no systemd-nspawn (deploy/install-deps installs systemd-container)"
command -v unshare >/dev/null || fail "no unshare (util-linux)"
VERSION=$(sed -n 's/^project(esc VERSION \([0-9.]*\).*/\1/p' "$ESC_SOURCE/CMakeLists.txt")
DEB=$ESC_BUILD/deb/esc_${VERSION}_$(dpkg --print-architecture).deb
[ -f "$DEB" ] || fail "no $DEB (deploy_package makes it)"
PGHOST=$(printf '%s' "$DB" | sed -n 's/.*[?&]host=\([^&]*\).*/\1/p')
[ -S "$PGHOST/.s.PGSQL.5432" ] || fail "the test cluster's socket is not in '$PGHOST'"

# ---- what runs inside, as a oneshot unit of the booted container ----------
cat >"$WORK/inside.sh" <<'INSIDE'
#!/bin/bash
# inside.sh (written by boot.sh): the administrator's steps, each checked;
# the last line of /root/inside.log says whether all held.
exec >/root/inside.log 2>&1
. /root/env
FAILS=0
fail() { echo "FAIL: $*"; FAILS=1; }
say() { echo "== $*"; }
prop() { systemctl show escd -p "$1" --value; }
# wait_for SECONDS COMMAND...: until COMMAND succeeds; 1 when it never does
wait_for() {
    local n=$(($1 * 10)); shift
    until "$@" >/dev/null 2>&1; do n=$((n - 1)); [ "$n" -gt 0 ] || return 1; sleep 0.1; done
}
finish() {
    journalctl -u escd --no-pager -o short-monotonic | tail -n 40
    [ "$FAILS" = 0 ] && echo "inside: every step held" || echo "inside: some step failed"
    systemctl --no-block poweroff 2>/dev/null   # not in the log: its last line is the verdict
    exit 0
}

say "dpkg -i"
# this machine's own policy-rc.d (a container image's) would keep the
# maintainer scripts from starting and stopping escd; a server has none
rm -f /usr/sbin/policy-rc.d
dpkg -i /root/esc.deb || { fail "dpkg -i"; finish; }
IFS=: read -r _ _ uid gid _ home shell <<<"$(getent passwd escd)"
[ -n "$uid" ] && [ "$uid" -lt 1000 ] || fail "escd is not a system user (uid '$uid')"
[ "$(getent group escd | cut -d: -f3)" = "$gid" ] || fail "escd's group is not escd"
[ "$home" = /var/lib/escd ] || fail "escd's home is '$home'"
[ "$shell" = /usr/sbin/nologin ] || fail "escd's shell is '$shell'"
[ "$(stat -c '%a %U %G' /var/lib/escd)" = "700 escd escd" ] \
    || fail "/var/lib/escd is $(stat -c '%a %U %G' /var/lib/escd)"
dpkg-query -W -f='${Conffiles}\n' esc | grep -q '^ /etc/escd/escd.conf [0-9a-f]' \
    || fail "dpkg has no conffile /etc/escd/escd.conf: $(dpkg-query -W -f='${Conffiles}' esc)"
[ "$(systemctl is-enabled escd)" = disabled ] || fail "the package enabled escd"
[ "$(systemctl is-active escd)" = inactive ] || fail "the package started escd"

say "escd init as escd; escd.conf's db line; a user"
runuser -u escd -- escd init --db "$DB" --home /var/lib/escd >/root/server.pub 2>/root/init.log \
    || { cat /root/init.log; fail "escd init"; finish; }
[ "$(stat -c '%a %U' /var/lib/escd/server.key)" = "600 escd" ] \
    || fail "server.key is $(stat -c '%a %U' /var/lib/escd/server.key)"
APP=$(sed -n 's/^escd: app URL: //p' /root/init.log)
echo "db = $APP" >>/etc/escd/escd.conf
export ESC_HOME=/root/esc ESC_SERVER_KEY
ESC_SERVER_KEY=$(cat /root/server.pub)
escd user add root --role admin --key "$(esc keygen root)" --db "$DB" || fail "escd user add"
# the watchdog's test, in seconds rather than the unit's half minute
mkdir -p /etc/systemd/system/escd.service.d
printf '[Service]\nWatchdogSec=4s\n' >/etc/systemd/system/escd.service.d/watchdog.conf
systemctl daemon-reload

say "systemctl start returns when escd is ready: esc status answers at once"
systemctl start escd || { systemctl status escd --no-pager; fail "systemctl start"; finish; }
esc --as root --timeout 2 status || fail "esc status right after systemctl start"
[ "$(prop ActiveState)/$(prop SubState)" = active/running ] \
    || fail "escd is $(prop ActiveState)/$(prop SubState)"
[ "$(prop StatusText)" = "serving requests on tcp://127.0.0.1:7770, the feed on tcp://127.0.0.1:7771" ] \
    || fail "StatusText: $(prop StatusText)"
PID=$(prop MainPID)
grep -E '^(Uid|NoNewPrivs|Seccomp|CapEff|CapBnd):' "/proc/$PID/status"
[ "$(awk '/^Uid:/ { print $2 }' "/proc/$PID/status")" = "$uid" ] || fail "escd does not run as escd"
[ "$(awk '/^NoNewPrivs:/ { print $2 }' "/proc/$PID/status")" = 1 ] || fail "escd may gain privileges"
[ "$(awk '/^Seccomp:/ { print $2 }' "/proc/$PID/status")" = 2 ] || fail "escd runs without seccomp"
[ "$(awk '/^CapBnd:/ { print $2 }' "/proc/$PID/status")" = 0000000000000000 ] \
    || fail "escd has capabilities in its bounding set"

say "the watchdog: a serving escd is left alone, a hung one restarted"
BEAT=$(prop WatchdogTimestampMonotonic)
sleep 6
[ "$(prop MainPID)" = "$PID" ] && [ "$(prop NRestarts)" = 0 ] \
    || fail "a serving escd was restarted (NRestarts $(prop NRestarts))"
[ "$(prop WatchdogTimestampMonotonic)" -gt "$BEAT" ] || fail "no WATCHDOG=1 in 6 s"
kill -STOP "$PID"
restarted() { [ "$(prop NRestarts)" = 1 ] && [ "$(prop SubState)" = running ]; }
wait_for 20 restarted || fail "a hung escd was not restarted (NRestarts $(prop NRestarts), $(prop SubState))"
journalctl -u escd --no-pager | grep -q "Watchdog timeout" || fail "systemd did not say the watchdog fired"
esc --as root --timeout 2 status >/dev/null || fail "esc status after the restart"
PID=$(prop MainPID)

say "systemctl reload: the same escd reads escd.conf again"
echo "write-rate = 1024" >>/etc/escd/escd.conf
systemctl reload escd || fail "systemctl reload"
sleep 1
[ "$(prop MainPID)" = "$PID" ] && [ "$(prop SubState)" = running ] || fail "reload did not leave the same escd running"
journalctl -u escd --no-pager | grep -q "write-rate: 2048 -> 1024" || fail "escd did not take the new write-rate"

say "dpkg -i again, an upgrade: escd restarted, the edited conffile kept"
dpkg -i /root/esc.deb || fail "dpkg -i over itself"
wait_for 10 test "$(prop SubState)" = running || fail "escd is not running after the upgrade"
[ "$(prop MainPID)" != "$PID" ] || fail "the upgrade did not restart escd"
grep -q "^db = $APP\$" /etc/escd/escd.conf || fail "the upgrade lost the edited escd.conf"
esc --as root --timeout 2 status >/dev/null || fail "esc status after the upgrade"

say "systemctl stop: a clean stop"
systemctl stop escd
[ "$(prop ActiveState)" = inactive ] && [ "$(prop Result)" = success ] && [ "$(prop ExecMainStatus)" = 0 ] \
    || fail "stop: $(prop ActiveState), $(prop Result), status $(prop ExecMainStatus)"

say "dpkg --purge of a running escd"
systemctl start escd || fail "systemctl start again"
dpkg --purge esc || fail "dpkg --purge"
pgrep -x escd && fail "escd still runs after the purge"
getent passwd escd && fail "the user escd is left"
getent group escd && fail "the group escd is left"
for path in /var/lib/escd /etc/escd /lib/systemd/system/escd.service /usr/sbin/escd; do
    [ ! -e "$path" ] || fail "$path is left"
done
finish
INSIDE
# the cluster's socket directory is bound into the container under /run:
# escd's PrivateTmp hides the host's /tmp, where a clone may well be built
printf 'DB=%q\n' "${DB//host=$PGHOST/host=/run/esc-test-pg}" >"$WORK/env"

# ---- outside: an overlay of / in a mount namespace of its own, booted ------
cat >"$WORK/boot" <<'OUTSIDE'
#!/bin/bash
# boot WORK DEB PGHOST (in a private mount namespace: the overlay ends with it)
set -euo pipefail
W=$1
mkdir -p "$W/upper" "$W/overlay-work" "$W/root"
mount -t overlay overlay -o "lowerdir=/,upperdir=$W/upper,workdir=$W/overlay-work" "$W/root"
R=$W/root
cp "$2" "$R/root/esc.deb"
install -m 0755 "$W/inside.sh" "$R/root/inside.sh"
cp "$W/env" "$R/root/env"
: >"$R/etc/machine-id"          # a machine of its own
cat >"$R/etc/systemd/system/esc-boot-test.service" <<EOF
[Unit]
Description=esc's boot test (tests/deploy/boot.sh)
After=basic.target
[Service]
Type=oneshot
ExecStart=/root/inside.sh
[Install]
WantedBy=multi-user.target
EOF
ln -sf /etc/systemd/system/esc-boot-test.service \
    "$R/etc/systemd/system/multi-user.target.wants/esc-boot-test.service"
# under a running systemd nspawn gets a scope of its own; without one (a
# container's init) it stays in the cgroup it was started in
keep=()
[ -d /run/systemd/system ] || keep=(--keep-unit)
rc=0
timeout 300 systemd-nspawn -q --register=no "${keep[@]}" --private-network --console=pipe \
    --bind="$3:/run/esc-test-pg" -D "$R" -b </dev/null >"$W/console.log" 2>&1 || rc=$?
cp "$R/root/inside.log" "$W/inside.log" 2>/dev/null || true
exit "$rc"
OUTSIDE
say "booting a container of this system with the package (systemd-nspawn)"
rc=0
unshare -m --propagation private bash "$WORK/boot" "$WORK" "$DEB" "$PGHOST" || rc=$?
if [ ! -f "$WORK/inside.log" ]; then
    tail -n 40 "$WORK/console.log"
    fail "the container did not run the test (systemd-nspawn exit $rc)"
fi
cat "$WORK/inside.log"
[ "$(tail -n 1 "$WORK/inside.log")" = "inside: every step held" ] || fail "a step failed in the container"
[ "$rc" = 0 ] || { tail -n 20 "$WORK/console.log"; fail "systemd-nspawn exited $rc"; }
echo "boot: installed, served, watched, reloaded, upgraded, stopped and purged under systemd"
