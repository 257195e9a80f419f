#!/bin/sh
# benign: A build tool writes a helper, chmods it and runs it (make)
# where: host
command -v make > /dev/null || exit 0
d=$(mktemp -d /opt/vigil-mk.XXXXXX) && printf 'all:\n\tcat /bin/true > tool && chmod +x tool && ./tool\n' > "$d/Makefile" && make -s -C "$d"; rc=$?; rm -rf "$d"; exit $rc
