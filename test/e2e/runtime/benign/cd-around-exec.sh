#!/bin/sh
# benign: A shell script that cds around and runs programs by relative paths
# where: host
cd /usr && bin/true && cd bin && ./true && cd ../.. && ./usr/bin/env true && cd /etc && ls > /dev/null; true
