#!/bin/sh
# action: DropAndExecuteNewBinaryInContainer (written without an exec bit, chmod +x, run)
# expect: container/malicious-program
# where: container
# name: required
# The container lives on after the drop (as an intrusion's does): the sensor looks at the file through it.
cat /bin/true > /usr/local/bin/helper2 && chmod +x /usr/local/bin/helper2 && /usr/local/bin/helper2; rc=$?; sleep 2; exit $rc
