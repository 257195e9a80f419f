#!/bin/sh
# action: ScheduleCronJobs
# expect: command/scheduled-task
# where: container
echo '* * * * * root true' > /etc/cron.d/vigil-job
