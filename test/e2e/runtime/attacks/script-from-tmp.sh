#!/bin/sh
# action: ExecutionFromTmp (a shell script staged in /tmp, run by sh)
# expect: malware/unclassified
# where: container
# known-miss: the exec is of /bin/sh, whose file is not in /tmp; the script is an argument, and scripts run from /tmp by their interpreter are too common (installers, build tools) to flag by path alone
printf "true\n" > /tmp/.s.sh && sh /tmp/.s.sh
