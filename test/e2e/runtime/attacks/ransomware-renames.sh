#!/bin/sh
# action: RemoveBulkDataFromDisk / mass rename
# expect: malware/ransomware
# where: container
mkdir -p /data && cd /data && i=0; while [ $i -lt 120 ]; do : > f$i.doc; mv f$i.doc f$i.doc.locked; i=$((i+1)); done
