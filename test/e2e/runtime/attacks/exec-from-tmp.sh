#!/bin/sh
# action: ExecutionFromTmp (a payload staged in /tmp)
# expect: malware/unclassified
# where: container
cp /bin/true /tmp/.x-payload && chmod +x /tmp/.x-payload && /tmp/.x-payload
