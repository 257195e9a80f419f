#!/bin/sh
# action: WriteBelowBinaryDir (through /proc/self/root)
# expect: system/key-file-change
# where: container
cp /bin/true /proc/self/root/usr/bin/vigil-pr
