#!/bin/sh
# action: ReadEnvironmentOfAnotherProcess
# expect: user/password-theft
# where: container, host
# unreliable: on the host (pid 1 of this VM is process_api) it was missed in two runs out of two; cause not found yet, the container run is detected
cat /proc/1/environ > /dev/null
