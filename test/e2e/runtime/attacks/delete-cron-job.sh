#!/bin/sh
# action: ScheduleCronJobs (deletion)
# expect: command/scheduled-task
# where: container
mkdir -p /etc/cron.d && : > /tmp/x && cd /etc/cron.d && touch job && rm job
