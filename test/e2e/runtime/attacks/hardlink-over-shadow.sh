#!/bin/sh
# action: CreateHardlinkOverSensitiveFiles
# expect: user/password-theft
# where: container
ln /etc/shadow /etc/.vigil-h && rm -f /etc/.vigil-h
