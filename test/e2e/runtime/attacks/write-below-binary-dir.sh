#!/bin/sh
# action: WriteBelowBinaryDir
# expect: system/key-file-change
# where: container
echo x > /bin/vigil-dropped && rm -f /bin/vigil-dropped
