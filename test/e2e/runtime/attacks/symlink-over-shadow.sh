#!/bin/sh
# action: CreateSymlinkOverSensitiveFiles
# expect: user/password-theft
# where: container, host
d=$(mktemp -d) && ln -s /etc/shadow "$d/s" && rm -rf "$d"
