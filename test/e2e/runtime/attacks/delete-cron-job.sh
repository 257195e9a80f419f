#!/bin/sh
# action: ScheduleCronJobs (deletion)
# expect: command/scheduled-task
# where: container
# unreliable: the relative path is resolved in user space from /proc/PID/cwd after the event; a process that has exited by then (cat, rm) leaves it relative and the path rules do not match
mkdir -p /etc/cron.d && : > /tmp/x && cd /etc/cron.d && touch job && rm job
