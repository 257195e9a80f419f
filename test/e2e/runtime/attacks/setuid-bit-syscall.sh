#!/bin/sh
# action: SetSetuidOrSetgidBit (perl chmod 04755)
# expect: system/file-privilege-escalation
# where: container
cp /bin/true /var/tmp/suid && perl -e 'chmod 04755, "/var/tmp/suid" or die'
