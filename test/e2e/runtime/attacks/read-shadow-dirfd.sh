#!/bin/sh
# action: ReadSensitiveFileUntrusted (openat on an /etc dirfd)
# expect: user/password-theft
# where: container, host
perl -MFcntl -e 'sysopen(my $d, "/etc", O_RDONLY|O_DIRECTORY) or die; my $n = "shadow"; my $fd = syscall(257, fileno($d), $n, 0); die "openat: $!" if $fd < 0'
