#!/bin/sh
# action: FilelessExecutionViaMemfdCreate
# expect: system/high-risk-syscall
# where: container, host
perl -e 'my $fd = syscall(319, my $n = "x", 0); die "memfd_create: $!" if $fd < 0; open(my $i, "<:raw", "/bin/true") or die; my $d = do { local $/; <$i> }; open(my $o, ">&=", $fd) or die; syswrite($o, $d) or die; exec { "/proc/self/fd/$fd" } "x"'
