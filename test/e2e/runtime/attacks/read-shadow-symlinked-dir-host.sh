#!/bin/sh
# action: ReadSensitiveFileUntrusted (through a symlink to /etc)
# expect: user/password-theft
# where: host
d=$(mktemp -d /var/tmp/vs.XXXXXX); ln -s /etc "$d/e" && cat "$d/e/shadow" > /dev/null; rm -rf "$d"
