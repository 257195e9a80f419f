#!/bin/sh
# benign: ssh-keygen writes a key pair in a work directory and fingerprints it
# where: host
d=$(mktemp -d /var/lib/vigil-k.XXXXXX) && ssh-keygen -q -t ed25519 -N "" -f "$d/id_ed25519" && ssh-keygen -lf "$d/id_ed25519.pub" > /dev/null; rc=$?; rm -rf "$d"; exit $rc
