#!/bin/sh
# action: LaunchSuspiciousNetworkToolInContainer
# expect: malware/hacktool
# where: container
cp /bin/true /usr/local/bin/nmap && /usr/local/bin/nmap -sS 127.0.0.1
