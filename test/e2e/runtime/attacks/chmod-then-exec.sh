#!/bin/sh
# action: DropAndExecuteNewBinaryInContainer (written without an exec bit, chmod +x, run)
# expect: container/malicious-program
# where: container
cat /bin/true > /usr/local/bin/helper2 && chmod +x /usr/local/bin/helper2 && /usr/local/bin/helper2
