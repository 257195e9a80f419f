#!/bin/sh
# action: ReadSensitiveFileUntrusted (relative path)
# expect: user/password-theft
# where: container, host
cd /etc && cat shadow > /dev/null
