#!/bin/sh
# action: SetSetuidOrSetgidBit (perl chmod 04755)
# expect: system/file-privilege-escalation
# where: container
# known-miss: the kernel program reports chmod only as an exec-bit change for drop-then-run (Cx) and emits no chmod event with its mode and result, so a set-id bit set by the chmod system call (perl, python, install -m 4755) is not seen; chmod u+s / chmod 4755 are caught by their command line
cp /bin/true /var/tmp/suid && perl -e 'chmod 04755, "/var/tmp/suid" or die'
