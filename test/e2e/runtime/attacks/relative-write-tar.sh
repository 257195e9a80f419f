#!/bin/sh
# action: WriteBelowBinaryDir (GNU tar -C /usr/bin: openat on a directory fd)
# expect: system/key-file-change
# where: container
# name: required
d=$(mktemp -d) && echo x > "$d/vigil-tar" && tar -C "$d" -cf "$d/p.tar" vigil-tar && tar -C /usr/bin -xf "$d/p.tar"
