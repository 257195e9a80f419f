#!/bin/sh
# action: WriteBelowBinaryDir (install)
# expect: system/key-file-change
# where: container
install /bin/true /usr/bin/vigil-inst
