#!/bin/sh
# action: WriteBelowBinaryDir (symlink into /usr/bin)
# expect: system/key-file-change
# where: container
ln -s /var/tmp/x /usr/bin/vigil-ln
