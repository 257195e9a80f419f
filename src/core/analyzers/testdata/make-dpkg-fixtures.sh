#!/bin/sh
# Copies the dpkg fixtures of the dpkg and OS analyzer tests out of a real
# debootstrap'ed Debian 12 root (the CI one by default), trimmed to a few
# packages:
#   dpkg/debian/      status (+ one removed package left in config-files state,
#                     as dpkg writes it after `apt remove`), info/*.list,
#                     DEP-5 copyright files, os-release, debian_version
#   dpkg/distroless/  the distroless layout: status.d/<pkg> is
#                     `dpkg-deb --field` of the .deb and status.d/<pkg>.md5sums
#                     its md5sums control file; no status, no os-release
# Usage: make-dpkg-fixtures.sh [ROOT]
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=${1:-${VIGIL_TEST_DEBIAN_ROOTFS:-/var/cache/vigil-ci/bookworm-minbase}}
OUT="$HERE/dpkg"
rm -rf "$OUT"
D="$OUT/debian"
mkdir -p "$D/var/lib/dpkg/info" "$D/usr/lib" "$D/etc" "$D/usr/share/doc"
cp "$ROOT/usr/lib/os-release" "$D/usr/lib/os-release"
ln -s ../usr/lib/os-release "$D/etc/os-release"
cp "$ROOT/etc/debian_version" "$D/etc/debian_version"

# base-files: its own source; bash: `Source: bash (5.2.15-2)` (binNMU);
# bsdutils: epoch and `Source: util-linux (1:...)`; libc6: `Source: glibc`,
# Multi-Arch: same (info/libc6:amd64.list); coreutils: no Source line.
PKGS="base-files bash bsdutils coreutils libc6 zlib1g"
: > "$D/var/lib/dpkg/status"
for p in $PKGS; do
  awk -v p="$p" 'BEGIN{RS=""; ORS="\n\n"} $0 ~ ("^Package: " p "\n") {print}' "$ROOT/var/lib/dpkg/status" >> "$D/var/lib/dpkg/status"
  for l in "$ROOT/var/lib/dpkg/info/$p.list" "$ROOT/var/lib/dpkg/info/$p:"*.list; do
    [ -f "$l" ] && cp "$l" "$D/var/lib/dpkg/info/"
  done
  if [ -f "$ROOT/usr/share/doc/$p/copyright" ] && head -1 "$ROOT/usr/share/doc/$p/copyright" | grep -q '^Format:'; then
    mkdir -p "$D/usr/share/doc/$p"
    cp "$ROOT/usr/share/doc/$p/copyright" "$D/usr/share/doc/$p/copyright"
  fi
done
cat >> "$D/var/lib/dpkg/status" <<'REC'
Package: nano
Status: deinstall ok config-files
Priority: important
Section: editors
Installed-Size: 2637
Maintainer: Jordi Mallach <jordi@debian.org>
Architecture: amd64
Version: 7.2-1+deb12u1
Conffiles:
 /etc/nanorc 3ec06bf4e4ddd9ea9a0ba8da8d2ee9c6
Description: small, friendly text editor inspired by Pico
 GNU nano is an easy-to-use text editor originally designed as a replacement
 for Pico, the ncurses-based editor from the non-free mailer package Pine
 (itself now available under the Apache License as Alpine).
Homepage: https://www.nano-editor.org/

REC
dpkg-query --admindir="$D/var/lib/dpkg" -W -f '${db:Status-Abbrev}\t${Package}\t${Version}\t${Architecture}\t${source:Package}\t${source:Version}\n' |
  awk -F'\t' '$1 ~ /^ii/' | cut -f2- | sort > "$OUT/debian.expected.tsv"

S="$OUT/distroless/var/lib/dpkg/status.d"
mkdir -p "$S"
for p in base-files libc6 zlib1g; do
  deb=$(ls "$ROOT/var/cache/apt/archives/${p}_"*.deb | head -1)
  dpkg-deb --field "$deb" > "$S/$p"
  dpkg-deb -I "$deb" md5sums > "$S/$p.md5sums"
done
echo "wrote $OUT"
