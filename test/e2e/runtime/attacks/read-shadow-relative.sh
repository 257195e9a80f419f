#!/bin/sh
# action: ReadSensitiveFileUntrusted (relative path)
# expect: user/password-theft
# where: container, host
# unreliable: the relative path is resolved in user space from /proc/PID/cwd after the event; a process that has exited by then (cat, rm) leaves it relative and the path rules do not match
cd /etc && cat shadow > /dev/null
