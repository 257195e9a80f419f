#!/bin/sh
# action: ScheduleCronJobs (write through /proc/self/root)
# expect: command/scheduled-task
# where: container, host
echo "# * * * * * root true" > /proc/self/root/etc/cron.d/vigil-pr && rm -f /etc/cron.d/vigil-pr
