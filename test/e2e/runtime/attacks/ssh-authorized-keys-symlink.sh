#!/bin/sh
# action: ModifyAuthorizedKeys (symlink an attacker file into place)
# expect: system/key-file-change
# where: container
mkdir -p /root/.ssh && echo "ssh-ed25519 AAAA x" > /var/tmp/k && ln -sf /var/tmp/k /root/.ssh/authorized_keys
