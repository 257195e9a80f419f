#!/bin/sh
# benign: dpkg -i of a local .deb (a Java library), listing and removing it; apt-get install of the same local file
# where: container
ls /suite-lang/libcommons-lang3-java_*.deb > /dev/null 2>&1 || exit 0
dpkg -i /suite-lang/libcommons-lang3-java_*.deb > /dev/null 2>&1; dpkg -L libcommons-lang3-java > /dev/null 2>&1; dpkg -r libcommons-lang3-java > /dev/null 2>&1
apt-get install -y -q --no-download /suite-lang/libcommons-lang3-java_*.deb > /dev/null 2>&1; true
