#!/bin/sh
# benign: a cron job's redirection creating a NEW log under /var/log (`cmd > /var/log/job.log`): the open carries O_TRUNC but creates the file
# where: host
f=/var/log/vigil-cron-job-$$.log && rm -f "$f" && sh -c "date > $f" && sh -c "echo done >> $f"; rc=$?; rm -f "$f"; exit $rc
