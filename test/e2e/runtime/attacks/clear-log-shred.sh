#!/bin/sh
# action: ClearLogActivities (shred -u)
# expect: system/high-risk-command
# where: container
mkdir -p /var/log && echo x > /var/log/app.log && shred -u /var/log/app.log
