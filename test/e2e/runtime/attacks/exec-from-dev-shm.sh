#!/bin/sh
# action: ExecutionFromDevShm
# expect: malware/unclassified
# where: container
# known-miss: Docker mounts /dev/shm noexec, so the exec fails; the rule looks at programs that start (see exec-from-tmp)
cp /bin/true /dev/shm/x && chmod +x /dev/shm/x && /dev/shm/x
