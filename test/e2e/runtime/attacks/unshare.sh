#!/bin/sh
# action: ChangeNamespacePrivilegesViaUnshare
# expect: system/high-risk-syscall
# where: container
unshare --uts true 2>/dev/null; true
