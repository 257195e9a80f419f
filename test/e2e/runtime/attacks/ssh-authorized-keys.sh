#!/bin/sh
# action: ModifyAuthorizedKeys
# expect: system/key-file-change
# where: container
mkdir -p /root/.ssh && echo 'ssh-ed25519 AAAA x' >> /root/.ssh/authorized_keys
