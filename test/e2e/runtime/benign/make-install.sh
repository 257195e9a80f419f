#!/bin/sh
# benign: make install of a built tool into /usr/local/bin and /usr/lib (install under make)
# where: host
d=$(mktemp -d /var/lib/vigil-mi.XXXXXX) && cd "$d" && printf "int main(void){return 0;}\n" > t.c && printf "all: vigil-mi-tool\nvigil-mi-tool: t.c\n\tcc -o vigil-mi-tool t.c\ninstall: all\n\tinstall -m 755 vigil-mi-tool /usr/local/bin/vigil-mi-tool\n\tinstall -d /usr/lib/vigil-mi\n\tinstall -m 644 t.c /usr/lib/vigil-mi/t.c\n" > Makefile && make -s install && /usr/local/bin/vigil-mi-tool; rc=$?; rm -rf /usr/local/bin/vigil-mi-tool /usr/lib/vigil-mi "$d"; exit $rc
