#!/bin/sh
# benign: Cron listing and log rotation
# where: container
ls /etc/cron.d /etc/cron.daily > /dev/null 2>&1; mkdir -p /var/log/app && echo x >> /var/log/app/app.log && mv /var/log/app/app.log /var/log/app/app.log.1 && gzip -f /var/log/app/app.log.1; true
