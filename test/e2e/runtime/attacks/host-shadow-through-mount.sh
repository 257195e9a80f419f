#!/bin/sh
# action: ReadSensitiveFileUntrusted (host file through a bind mount)
# expect: exploit/escape-file
# where: container
# docker: -v /etc:/host-etc:ro
cat /host-etc/shadow > /dev/null
