#!/bin/sh
# benign: logrotate on an application log under /var/log: copytruncate + compress, then create mode (the log is created by appending, as daemons do)
# where: host
command -v logrotate > /dev/null || exit 0
d=$(mktemp -d /var/log/vigil-lr.XXXXXX) && seq 1 200 >> "$d/app.log" && printf '%s/app.log {\n  rotate 2\n  copytruncate\n  compress\n  missingok\n}\n' "$d" >> "$d/conf" \
  && logrotate -f -s "$d/state" "$d/conf" && logrotate -f -s "$d/state" "$d/conf" && printf '%s/app.log {\n  rotate 1\n  create\n  missingok\n}\n' "$d" >> "$d/conf2" \
  && seq 1 5 >> "$d/app.log" && logrotate -f -s "$d/state" "$d/conf2"; rc=$?; rm -rf "$d"; exit $rc
