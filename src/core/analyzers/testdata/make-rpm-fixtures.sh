#!/bin/sh
# Builds the rpm database fixtures of the rpm analyzer tests from real tools:
#   rpm/sqlite/rpmdb.sqlite   written by rpm 4.18 (SQLite backend, RHEL 9+/Fedora)
#   rpm/bdb/Packages          Berkeley DB hash, 4096-byte pages (RHEL 7/8 layout)
#   rpm/bdb-512/Packages      the same records with 512-byte pages (long overflow chains, many buckets)
#   rpm/bdb-be/Packages       big-endian, as a big-endian host (s390x, ppc64) writes it, keys too
#   rpm/expected.tsv          what `rpm -qa` says about the database (name, evr, arch, source rpm, license)
# The Berkeley DB files hold the very header blobs rpm stored in SQLite, keyed
# by the 4-byte package number in host byte order (little endian on x86_64),
# plus record 0 (the next-instance counter old rpm versions keep), loaded with
# db5.3_load. Needs: rpm, rpmbuild, sqlite3, db5.3-util, gnupg.
# Run from anywhere; writes next to this script.
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
OUT="$HERE/rpm"
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
export SOURCE_DATE_EPOCH=1700000000
mkdir -p "$T/SPECS" "$T/db" "$T/gnupg" "$OUT/sqlite" "$OUT/bdb" "$OUT/bdb-512" "$OUT/bdb-be"
chmod 700 "$T/gnupg"

common='
%global debug_package %{nil}
%global __os_install_post %{nil}
BuildArch: noarch
Vendor: Vigil Fixtures
URL: https://vigil.invalid/
'

cat > "$T/SPECS/vigil-hello.spec" <<SPEC
Name: vigil-hello
Version: 1.2.3
Release: 4.el9
Summary: Tiny hello package
License: MIT
$common
%description
A tiny package with two files.
%install
mkdir -p %{buildroot}/usr/bin %{buildroot}/usr/share/doc/vigil-hello
printf '#!/bin/sh\necho hello\n' > %{buildroot}/usr/bin/vigil-hello
chmod 755 %{buildroot}/usr/bin/vigil-hello
echo readme > %{buildroot}/usr/share/doc/vigil-hello/README
%files
/usr/bin/vigil-hello
/usr/share/doc/vigil-hello/README
SPEC

cat > "$T/SPECS/vigil-epoch.spec" <<SPEC
Name: vigil-epoch
Epoch: 2
Version: 0.9
Release: 1.fc40
Summary: Package with an epoch
License: GPL-2.0-or-later AND BSD-3-Clause
$common
%description
A package with an epoch.
%install
mkdir -p %{buildroot}/etc
echo conf > %{buildroot}/etc/vigil-epoch.conf
%files
%config(noreplace) /etc/vigil-epoch.conf
SPEC

# A source package with a sub-package of another name (libvigil), and enough
# files that its header is bigger than a 4096-byte page (overflow pages).
cat > "$T/SPECS/vigil-tools.spec" <<SPEC
Name: vigil-tools
Version: 3.1
Release: 7.el8
Summary: Tools with a library sub-package
License: Apache-2.0
$common
%description
Tools.
%package -n libvigil
Summary: The library
License: Apache-2.0 OR MIT
%description -n libvigil
The library.
%install
mkdir -p %{buildroot}/usr/bin %{buildroot}/usr/lib/vigil %{buildroot}/usr/share/vigil-tools/data
echo tool > %{buildroot}/usr/bin/vigil-tool
echo lib > %{buildroot}/usr/lib/vigil/libvigil.so.3
i=0
while [ \$i -lt 150 ]; do echo \$i > %{buildroot}/usr/share/vigil-tools/data/item-\$i.txt; i=\$((i+1)); done
%files
/usr/bin/vigil-tool
/usr/share/vigil-tools
%files -n libvigil
/usr/lib/vigil
SPEC

for s in "$T"/SPECS/*.spec; do
  rpmbuild --quiet --define "_topdir $T" --define "_buildhost fixtures.vigil.invalid" \
    --define "use_source_date_epoch_as_buildtime 1" -bb "$s" >/dev/null
done

rpm --dbpath "$T/db" --initdb
rpm --dbpath "$T/db" -i --justdb --nodeps --noscripts "$T"/RPMS/noarch/*.rpm

# A gpg-pubkey pseudo-package, as `rpm --import` makes it (the analyzer skips it).
GNUPGHOME="$T/gnupg" gpg --batch --quiet --passphrase '' --quick-gen-key 'Vigil Fixtures <fixtures@vigil.invalid>' rsa2048 sign never 2>/dev/null
GNUPGHOME="$T/gnupg" gpg --batch --quiet --armor --export > "$T/key.asc"
rpm --dbpath "$T/db" --import "$T/key.asc"

# Fold the WAL into the main file so the fixture is one self-contained file.
sqlite3 "$T/db/rpmdb.sqlite" 'PRAGMA wal_checkpoint(TRUNCATE);' >/dev/null
cp "$T/db/rpmdb.sqlite" "$OUT/sqlite/rpmdb.sqlite"

rpm --dbpath "$T/db" -qa --qf '%{NAME}\t%|EPOCH?{%{EPOCH}:}|%{VERSION}-%{RELEASE}\t%{ARCH}\t%{SOURCERPM}\t%{LICENSE}\n' | sort > "$OUT/expected.tsv"

# db_load input: keys and values as hex ("bytevalue"), one per line, each with a leading space.
be32() { printf '%08x' "$1"; }
le32() { printf '%02x%02x%02x%02x' $(($1 & 255)) $((($1 >> 8) & 255)) $((($1 >> 16) & 255)) $((($1 >> 24) & 255)); }
# dump PAGESIZE [LORDER]: LORDER 1234 (little endian, default) or 4321 (big endian).
dump() {
  order=${2:-1234}
  key=le32
  [ "$order" = 4321 ] && key=be32
  printf 'VERSION=3\nformat=bytevalue\ntype=hash\ndb_pagesize=%s\ndb_lorder=%s\nHEADER=END\n' "$1" "$order"
  max=$(sqlite3 "$T/db/rpmdb.sqlite" 'SELECT max(hnum) FROM Packages;')
  printf ' %s\n %s\n' "$($key 0)" "$($key $((max + 1)))"
  sqlite3 -separator ' ' "$T/db/rpmdb.sqlite" 'SELECT hnum, lower(hex(blob)) FROM Packages ORDER BY hnum;' |
    while read -r hnum hexblob; do printf ' %s\n %s\n' "$($key "$hnum")" "$hexblob"; done
  printf 'DATA=END\n'
}
rm -f "$OUT/bdb/Packages" "$OUT/bdb-512/Packages" "$OUT/bdb-be/Packages"
dump 4096 | db5.3_load -t hash "$OUT/bdb/Packages"
dump 512 | db5.3_load -t hash "$OUT/bdb-512/Packages"
dump 4096 4321 | db5.3_load -t hash "$OUT/bdb-be/Packages"
echo "wrote $OUT"
