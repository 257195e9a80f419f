#!/bin/sh
# action: NonSudoSetuid
# expect: system/process-privilege-escalation
# where: container, host
setpriv --reuid=65534 --regid=65534 --clear-groups perl -e 'syscall(105, 0)'; true
