#!/bin/sh
# action: ScheduleCronJobs (install -m 644)
# expect: command/scheduled-task
# where: container
echo "* * * * * root true" > /var/tmp/j && install -m 644 /var/tmp/j /etc/cron.d/vigil-inst
