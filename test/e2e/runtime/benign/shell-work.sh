#!/bin/sh
# benign: Shell scripting: loops, text tools, temp files, archives
# where: container
d=$(mktemp -d) && cd "$d" && for i in 1 2 3; do echo line $i >> notes.txt; done && sort -r notes.txt | uniq | wc -l > /dev/null && grep -c line notes.txt > /dev/null && tar czf a.tgz notes.txt && tar xzf a.tgz -O > /dev/null && sed -i 's/line/row/' notes.txt && cd / && rm -rf "$d"
