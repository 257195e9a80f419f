#!/bin/sh
# action: WriteCorePattern
# expect: exploit/escape-vulnerability
# where: container
# docker: --cap-add SYS_ADMIN
# known-miss: /proc/sys is read-only without --privileged (which runc cannot start on this machine), so the write fails; the rule looks at writes that succeed
cat /proc/sys/kernel/core_pattern > /tmp/cp && cat /tmp/cp > /proc/sys/kernel/core_pattern
