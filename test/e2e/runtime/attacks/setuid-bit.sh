#!/bin/sh
# action: SetSetuidOrSetgidBit
# expect: system/file-privilege-escalation
# where: container
cp /bin/true /tmp/suid && chmod u+s /tmp/suid
