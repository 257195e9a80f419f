#!/bin/sh
# benign: Hard links inside a work directory (build trees, backups, git's object store)
# where: container, host
d=$(mktemp -d /var/tmp/vigil-hlb.XXXXXX) && cd "$d" && echo x > a && ln a b && mkdir sub && cd sub && ln ../a c; rc=$?; cd / && rm -rf "$d"; exit $rc
