#!/bin/sh
# action: ClearLogActivities
# expect: system/high-risk-command
# where: container
mkdir -p /var/log && echo x > /var/log/app.log && : > /var/log/app.log
