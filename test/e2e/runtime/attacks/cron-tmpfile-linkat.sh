#!/bin/sh
# action: ScheduleCronJobs (O_TMPFILE + linkat via /proc/self/fd)
# expect: command/scheduled-task
# where: container
perl -e 'my $dir = "/etc/cron.d"; my $fd = syscall(257, -100, $dir, 020200002, 0644); die "O_TMPFILE: $!" if $fd < 0; my $l = "* * * * * root true\n"; syscall(1, $fd, $l, length $l); my ($a, $b) = ("/proc/self/fd/$fd", "/etc/cron.d/vigil-tmpf"); syscall(265, -100, $a, -100, $b, 0x400) == 0 or die "linkat: $!"'
