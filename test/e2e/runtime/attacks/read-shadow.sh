#!/bin/sh
# action: ReadSensitiveFileUntrusted
# expect: user/password-theft
# where: container, host
cat /etc/shadow > /dev/null
