#!/bin/sh
# action: DropAndExecuteNewBinary (on the host, outside /tmp and /dev/shm)
# expect: malware/unclassified
# where: host
d=$(mktemp -d /opt/vigil-drop.XXXXXX) && cp /bin/true "$d/helper" && "$d/helper"; rc=$?; rm -rf "$d"; exit $rc
