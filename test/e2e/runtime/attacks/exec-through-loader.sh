#!/bin/sh
# action: ExecutionFromTmp through the dynamic loader (ld.so /tmp/x: the payload itself is never exec'd)
# expect: malware/unclassified
# where: container, host
d=$(mktemp -d /tmp/vl.XXXXXX); cp /bin/true "$d/.p" && /lib64/ld-linux-x86-64.so.2 "$d/.p"; rm -rf "$d"
