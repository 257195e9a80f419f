#!/bin/sh
# action: ScheduleCronJobs (a relative write from a cwd inside /etc)
# expect: command/scheduled-task
# where: container
# name: required
cd /etc && echo '* * * * * root true' > cron.d/vigil-rel
