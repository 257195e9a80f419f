#!/bin/sh
# benign: git: init, commit, log, archive
# where: host
d=$(mktemp -d) && cd "$d" && git init -q && echo x > a && git add a && git -c user.email=a@b -c user.name=a commit -qm one && git log --oneline > /dev/null && git archive HEAD | tar t > /dev/null && cd / && rm -rf "$d"
