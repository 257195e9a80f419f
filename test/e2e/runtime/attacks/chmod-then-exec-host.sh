#!/bin/sh
# action: DropAndExecuteNewBinary (on the host: written without an exec bit, chmod +x, run)
# expect: malware/unclassified
# where: host
# The file stays 2 s after the run before it is removed: the mode is read after the chmod event from user space, so a file removed within milliseconds of its chmod can be missed (docs/runtime.md).
d=$(mktemp -d /opt/vigil-cx.XXXXXX) && cd "$d" && cat /bin/true > helper && chmod +x helper && ./helper; rc=$?; sleep 2; rm -rf "$d"; exit $rc
