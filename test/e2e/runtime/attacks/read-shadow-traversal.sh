#!/bin/sh
# action: DirectoryTraversalMonitoredFileRead
# expect: user/password-theft
# where: container, host
cat /etc/../etc//shadow > /dev/null
