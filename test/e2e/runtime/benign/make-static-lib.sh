#!/bin/sh
# benign: make + cc + ar: a static library, a program linked against it and run from the build directory
# where: host
d=$(mktemp -d /var/lib/vigil-b.XXXXXX) && cd "$d" && printf 'int f(void){return 0;}\n' > f.c && printf 'int f(void);\nint main(void){return f();}\n' > m.c && printf 'all: t\n\t./t\nt: m.o libf.a\n\tcc -o t m.o libf.a\nlibf.a: f.o\n\tar rcs libf.a f.o\n' > Makefile && make -s > /dev/null; rc=$?; cd / && rm -rf "$d"; exit $rc
