#!/bin/sh
# action: ScheduleCronJobs (symlink into /etc/cron.d)
# expect: command/scheduled-task
# where: container
echo "* * * * * root true" > /var/tmp/j && ln -s /var/tmp/j /etc/cron.d/vigil-sym
