#!/bin/sh
# benign: ps, top -bn1, ss, netstat, find over /usr and /etc, ldconfig -p, reading /proc of its own processes
# where: host
ps aux > /dev/null; top -bn1 > /dev/null; ss -tlnp > /dev/null 2>&1; netstat -an > /dev/null 2>&1; find /usr /etc -name vigil-nothing-here 2> /dev/null; ldconfig -p > /dev/null
cat /proc/self/status /proc/self/environ > /dev/null; cat /proc/$$/status > /dev/null; true
