#!/bin/sh
# action: DropAndExecuteNewBinaryInContainer
# expect: container/malicious-program
# where: container
# unreliable: missed once in a fresh-clone CI run at load ~20 after the session's merges (detected in the runs before); cause not found yet
cp /bin/true /usr/local/bin/helper && /usr/local/bin/helper
