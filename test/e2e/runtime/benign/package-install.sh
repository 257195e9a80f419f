#!/bin/sh
# benign: Installing a package from a local .deb (the package manager writes and runs its files)
# where: container
dpkg -i /suite-debs/python3-idna_*.deb > /dev/null 2>&1 || true; dpkg -s python3-idna > /dev/null 2>&1; true
