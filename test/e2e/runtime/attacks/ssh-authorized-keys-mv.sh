#!/bin/sh
# action: ModifyAuthorizedKeys (mv a staged file into place)
# expect: system/key-file-change
# where: container
mkdir -p /root/.ssh && echo "ssh-ed25519 AAAA x" > /var/tmp/k && mv /var/tmp/k /root/.ssh/authorized_keys
