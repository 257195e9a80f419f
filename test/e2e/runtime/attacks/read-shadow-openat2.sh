#!/bin/sh
# action: ReadSensitiveFileUntrusted (openat2 syscall)
# expect: user/password-theft
# where: container, host
perl -e 'my $how = pack("QQQ", 0, 0, 0); my $p = "/etc/shadow"; my $fd = syscall(437, -100, $p, $how, 24); die "openat2: $!" if $fd < 0; open(my $f, "<&=", $fd) or die; my @l = <$f>'
