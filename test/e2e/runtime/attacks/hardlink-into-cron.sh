#!/bin/sh
# action: ScheduleCronJobs (a hard link into /etc/cron.d, relative to the cwd)
# expect: command/scheduled-task
# where: container, host
d=$(mktemp -d /var/tmp/vigil-hl.XXXXXX) && echo '* * * * * root true' > "$d/job" && cd /etc && ln "$d/job" "cron.d/vigil-hl-$$"; rc=$?; rm -f "/etc/cron.d/vigil-hl-$$"; rm -rf "$d"; exit $rc
