#!/bin/sh
# action: Write a sudoers drop-in (NOPASSWD)
# expect: system/key-file-change
# where: container
mkdir -p /etc/sudoers.d && echo "x ALL=(ALL) NOPASSWD:ALL" > /etc/sudoers.d/vigil
