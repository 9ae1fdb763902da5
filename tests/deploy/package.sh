#!/usr/bin/env bash
# package.sh: the Debian package as cpack makes it from this build
# (cmake/package.cmake), into $ESC_BUILD/deb/esc_VERSION_ARCH.deb, where
# deploy_boot installs it from: its control fields (Depends computed by
# dpkg-shlibdeps), the conffile, the maintainer scripts; unpacked into a
# fresh root, esc and escd run and say their version, the unit, the
# example config, the manual pages, the completion and the copyright are
# there as the tree has them; lintian finds no error and no warning but
# those deploy/debian/lintian-overrides accepts; and a plain
# `cmake --install` installs none of the package's own system files.
#
# Needs dpkg-dev (cpack's dpkg-shlibdeps) and lintian.
set -euo pipefail

: "${ESC_BUILD:?run through ctest (ESC_BUILD names the build directory)}"
: "${ESC_SOURCE:?run through ctest}"
FAILED=0
bad() { echo "FAIL: $*" >&2; FAILED=1; }
die() { echo "FAIL: $*" >&2; exit 1; }
for tool in cpack dpkg-deb dpkg-shlibdeps lintian; do
    command -v "$tool" >/dev/null || die "no $tool (deploy/install-deps installs it)"
done
WORK=$(mktemp -d /tmp/esc-package.XXXXXX)
trap 'rm -rf "$WORK"' EXIT

VERSION=$(sed -n 's/^project(esc VERSION \([0-9.]*\).*/\1/p' "$ESC_SOURCE/CMakeLists.txt")
ARCH=$(dpkg --print-architecture)
OUT=$ESC_BUILD/deb
DEB=$OUT/esc_${VERSION}_$ARCH.deb

echo "== cpack -G DEB"
rm -rf "$OUT"
(cd "$ESC_BUILD" && cpack -G DEB --config CPackConfig.cmake -B "$OUT") >"$WORK/cpack.log" 2>&1 \
    || { cat "$WORK/cpack.log"; die "cpack failed"; }
[ -f "$DEB" ] || die "cpack made no $DEB: $(ls "$OUT")"
[ "$(ls "$OUT"/*.deb | wc -l)" = 1 ] || bad "cpack made more than one package: $(ls "$OUT"/*.deb)"

echo "== the control fields"
field() { dpkg-deb -f "$DEB" "$1"; }
[ "$(field Package)" = esc ] || bad "Package: $(field Package)"
[ "$(field Version)" = "$VERSION" ] || bad "Version: $(field Version), expected $VERSION"
[ "$(field Architecture)" = "$ARCH" ] || bad "Architecture: $(field Architecture)"
[ "$(field Section)" = net ] || bad "Section: $(field Section)"
case "$(field Maintainer)" in
    *" <"*@*.*">") ;;
    *) bad "Maintainer is not NAME <ADDRESS>: $(field Maintainer)" ;;
esac
# what escd and esc link, found by dpkg-shlibdeps, and adduser for postinst
for dep in adduser libc6 libzmq5 libpq5 libsodium23 libprotobuf-c1; do
    field Depends | tr ',' '\n' | grep -q "^ *$dep\b" || bad "Depends lacks $dep: $(field Depends)"
done
[ "$(field Description | wc -l)" -gt 3 ] || bad "no long description"

echo "== the control files: the conffile and the maintainer scripts"
mkdir "$WORK/control"
dpkg-deb -e "$DEB" "$WORK/control"
[ "$(cat "$WORK/control/conffiles")" = /etc/escd/escd.conf ] \
    || bad "conffiles: '$(cat "$WORK/control/conffiles" 2>/dev/null)', expected /etc/escd/escd.conf"
for script in postinst prerm postrm; do
    [ -x "$WORK/control/$script" ] || { bad "no executable $script"; continue; }
    cmp -s "$WORK/control/$script" "$ESC_SOURCE/deploy/debian/$script" \
        || bad "$script is not deploy/debian/$script"
    sh -n "$WORK/control/$script" || bad "$script is not valid sh"
done

echo "== unpacked into a fresh root"
ROOT=$WORK/root
dpkg-deb -x "$DEB" "$ROOT"
same_file() {   # same_file PACKAGED SOURCE
    [ -f "$ROOT/$1" ] || { bad "/$1 is not in the package"; return; }
    cmp -s "$ROOT/$1" "$2" || bad "/$1 is not $2"
}
same_file lib/systemd/system/escd.service "$ESC_SOURCE/deploy/escd.service"
same_file etc/escd/escd.conf "$ESC_SOURCE/deploy/escd.conf"
same_file usr/share/bash-completion/completions/esc "$ESC_SOURCE/deploy/completion/esc.bash"
same_file usr/share/zsh/vendor-completions/_esc "$ESC_SOURCE/deploy/completion/esc.zsh"
same_file usr/share/doc/esc/copyright "$ESC_SOURCE/deploy/debian/copyright"
same_file usr/share/lintian/overrides/esc "$ESC_SOURCE/deploy/debian/lintian-overrides"
for page in man1/esc.1 man8/escd.8; do
    [ -f "$ROOT/usr/share/man/$page.gz" ] || { bad "/usr/share/man/$page.gz is not in the package"; continue; }
    zcat "$ROOT/usr/share/man/$page.gz" | cmp -s - "$ESC_BUILD/man/$page" \
        || bad "/usr/share/man/$page.gz is not the build's $page"
done
zcat "$ROOT/usr/share/doc/esc/changelog.gz" | cmp -s - "$ESC_SOURCE/deploy/debian/changelog" \
    || bad "/usr/share/doc/esc/changelog.gz is not deploy/debian/changelog"
# the unit starts the escd the package installs
grep -q "^ExecStart=/usr/sbin/escd run " "$ROOT/lib/systemd/system/escd.service" \
    || bad "the unit's ExecStart does not start /usr/sbin/escd run"
[ -x "$ROOT/usr/sbin/escd" ] || bad "no /usr/sbin/escd"
[ -x "$ROOT/usr/bin/esc" ] || bad "no /usr/bin/esc"
got=$("$ROOT/usr/bin/esc" --version 2>&1) || bad "the packaged esc --version failed: $got"
[ "$got" = "esc $VERSION" ] || bad "the packaged esc --version says '$got'"
got=$("$ROOT/usr/sbin/escd" --version 2>&1) || bad "the packaged escd --version failed: $got"
case "$got" in "escd (esc $VERSION, schema "[0-9]*")") ;; *) false ;; esac || bad "the packaged escd --version says '$got'"
# stripped, as Debian ships binaries (the symbols stay in the build)
for binary in usr/bin/esc usr/sbin/escd; do
    if readelf -S "$ROOT/$binary" | grep -qE '\.symtab|\.comment|\.debug_'; then
        bad "/$binary is not stripped: $(readelf -S "$ROOT/$binary" | grep -oE '\.(symtab|comment|debug_[a-z]+)' | tr '\n' ' ')"
    fi
done
# nothing but what the package means to hold
find "$ROOT" -mindepth 1 -maxdepth 1 | sed "s|^$ROOT/||" | sort | tr '\n' ' ' >"$WORK/top"
[ "$(cat "$WORK/top")" = "etc lib usr " ] || bad "the package's top directories: $(cat "$WORK/top")"

echo "== lintian"
# as root lintian says it would rather not be: that line is not a finding
lintian --fail-on error,warning --display-info --show-overrides "$DEB" >"$WORK/lintian.log" 2>&1 \
    || bad "lintian: $(grep -v '^running with root privileges' "$WORK/lintian.log")"
grep -v '^running with root privileges' "$WORK/lintian.log" || true

echo "== a plain cmake --install installs none of the package's system files"
DESTDIR=$WORK/plain cmake --install "$ESC_BUILD" >/dev/null
[ -z "$(find "$WORK/plain" -path '*/etc/*' -o -path '*/systemd/*' -o -path '*/doc/esc/*')" ] \
    || bad "cmake --install installed the package's own files: $(find "$WORK/plain" -path '*/etc/*' -o -path '*/systemd/*' -o -path '*/doc/esc/*')"
find "$WORK/plain" -name escd -path '*/sbin/*' | grep -q . || bad "cmake --install did not install escd in sbin"

[ "$FAILED" = 0 ] || exit 1
echo "package: $(basename "$DEB") holds what it should, and lintian is content"
