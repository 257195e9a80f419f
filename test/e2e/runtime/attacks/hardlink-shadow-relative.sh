#!/bin/sh
# action: CreateHardlinkOverSensitiveFiles (relative source from a cwd in /etc)
# expect: user/password-theft
# where: container, host
cd /etc && ln shadow "/var/tmp/.vigil-s-$$"; rc=$?; rm -f "/var/tmp/.vigil-s-$$"; exit $rc
