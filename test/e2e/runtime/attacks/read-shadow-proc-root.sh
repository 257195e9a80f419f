#!/bin/sh
# action: ReadSensitiveFileUntrusted (/proc/self/root/etc/shadow)
# expect: user/password-theft
# where: container, host
cat /proc/self/root/etc/shadow > /dev/null
