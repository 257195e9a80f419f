#!/bin/sh
# benign: A compiler building and running a program (gcc) in a work directory (a program run from /tmp raises
# malware/unclassified on purpose: /tmp, /var/tmp and /dev/shm are staging locations, see docs/runtime.md)
# where: host
d=$(mktemp -d /var/lib/vigil-build.XXXXXX) && printf '#include <stdio.h>\nint main(void){puts("ok");return 0;}\n' > "$d/m.c" && gcc -O1 -o "$d/m" "$d/m.c" && "$d/m" > /dev/null && rm -rf "$d"
