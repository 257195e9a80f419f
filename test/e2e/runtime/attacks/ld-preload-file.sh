#!/bin/sh
# action: Write /etc/ld.so.preload (a library injected into every program)
# expect: system/key-file-change
# where: container
echo /usr/lib/x.so > /etc/ld.so.preload
