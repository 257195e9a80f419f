#!/bin/sh
# benign: ldd on system binaries (runs the dynamic loader)
# where: container, host
ldd /bin/ls > /dev/null; ldd /usr/bin/perl > /dev/null; true
