#!/bin/sh
# action: DropAndExecuteNewBinaryInContainer
# expect: container/malicious-program
# where: container
cp /bin/true /usr/local/bin/helper && /usr/local/bin/helper
