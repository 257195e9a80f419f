#!/bin/sh
# action: ScheduleCronJobs (renameat2 syscall from perl)
# expect: command/scheduled-task
# where: container
echo "* * * * * root true" > /var/tmp/j && perl -e 'my ($a, $b) = ("/var/tmp/j", "/etc/cron.d/vigil-r2"); syscall(316, -100, $a, -100, $b, 0) == 0 or die "renameat2: $!"'
