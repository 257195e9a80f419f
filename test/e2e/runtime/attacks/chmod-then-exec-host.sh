#!/bin/sh
# action: DropAndExecuteNewBinary (on the host: written without an exec bit, chmod +x, run)
# expect: malware/unclassified
# where: host
d=$(mktemp -d /opt/vigil-cx.XXXXXX) && cd "$d" && cat /bin/true > helper && chmod +x helper && ./helper; rc=$?; rm -rf "$d"; exit $rc
