#!/bin/sh
# action: RunShellUntrusted
# expect: malware/webshell
# where: container
cp /bin/dash /usr/local/bin/php-fpm && /usr/local/bin/php-fpm -c id > /dev/null
