#!/bin/sh
# action: ReadEnvironmentOfAnotherProcess
# expect: user/password-theft
# where: container, host
# Another process of the same user (pid 1 is not readable on every host: on the CI VM its environ
# is refused to root, the open fails, and a failed open is not a read).
sleep 30 &
cat /proc/$!/environ > /dev/null
kill $!
