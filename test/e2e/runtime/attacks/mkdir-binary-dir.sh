#!/bin/sh
# action: MkdirBinaryDirs
# expect: system/key-file-change
# where: container
# known-miss: mkdir/mkdirat are not traced (no probe delivers them)
mkdir /bin/.vigil-dir && rmdir /bin/.vigil-dir
