#!/bin/sh
# action: ExecutionFromTmp (via /proc/self/root/tmp)
# expect: malware/unclassified
# where: container
cp /bin/true /tmp/.p && chmod +x /tmp/.p && /proc/self/root/tmp/.p
