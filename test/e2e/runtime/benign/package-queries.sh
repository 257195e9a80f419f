#!/bin/sh
# benign: Package queries and listing
# where: container
dpkg -l > /dev/null && dpkg -S /bin/ls > /dev/null && apt-cache policy bash > /dev/null 2>&1; true
