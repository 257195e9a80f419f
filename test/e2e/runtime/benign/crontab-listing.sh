#!/bin/sh
# benign: Listing cron jobs
# where: host
crontab -l > /dev/null 2>&1; ls /etc/cron.d > /dev/null 2>&1; true
