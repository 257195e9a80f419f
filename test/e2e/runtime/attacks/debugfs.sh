#!/bin/sh
# action: DebugfsLaunchedInPrivilegedContainer
# expect: exploit/escape-file
# where: container
# docker: --cap-add SYS_ADMIN
debugfs -R 'stats' /dev/null > /dev/null 2>&1; true
