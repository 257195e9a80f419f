#!/bin/sh
# action: MountLaunchedInPrivilegedContainer
# expect: system/high-risk-syscall
# where: container
# docker: --cap-add SYS_ADMIN
mkdir -p /mnt/t && mount -t tmpfs none /mnt/t && umount /mnt/t
