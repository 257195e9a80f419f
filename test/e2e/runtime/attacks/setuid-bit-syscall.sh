#!/bin/sh
# action: SetSetuidOrSetgidBit (perl chmod 04755)
# expect: system/file-privilege-escalation
# where: container
# The container lives on 2 s after the action, as chmod-then-exec.sh does: a container that is gone within milliseconds of a chmod leaves no root to read the file through (docs/runtime.md).
cp /bin/true /var/tmp/suid && perl -e 'chmod 04755, "/var/tmp/suid" or die'; rc=$?; sleep 2; exit $rc
