#!/bin/sh
# benign: Reading ordinary config files and process status
# where: container
cat /etc/passwd /etc/hostname /etc/os-release > /dev/null; cat /proc/self/status > /dev/null; id > /dev/null; ps > /dev/null 2>&1; true
