#!/bin/sh
# benign: Creating, renaming and deleting files in a work directory
# where: container
mkdir -p /work && cd /work && i=0; while [ $i -lt 30 ]; do echo $i > f$i.txt; mv f$i.txt g$i.txt; i=$((i+1)); done; rm -f g*.txt
