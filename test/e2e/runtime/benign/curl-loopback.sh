#!/bin/sh
# benign: curl to a loopback address
# where: host
curl -s -m 2 -o /dev/null http://127.0.0.1:9/ ; true
