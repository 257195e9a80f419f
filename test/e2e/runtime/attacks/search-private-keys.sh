#!/bin/sh
# action: SearchPrivateKeysOrPasswords
# expect: user/password-theft
# where: container, host
find /etc -name 'id_rsa*' > /dev/null 2>&1; true
