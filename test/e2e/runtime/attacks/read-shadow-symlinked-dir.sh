#!/bin/sh
# action: ReadSensitiveFileUntrusted (through a symlink to /etc)
# expect: user/password-theft
# where: container
# known-miss: in a container a file opened through a symlinked directory keeps the name the process gave (/var/tmp/vs.X/e/shadow): the kernel's dentry chain names only relative opens and files of the host's root device, and the container's own /etc/shadow inode is not among the sensitive inodes
d=$(mktemp -d /var/tmp/vs.XXXXXX); ln -s /etc "$d/e" && cat "$d/e/shadow" > /dev/null; rm -rf "$d"
