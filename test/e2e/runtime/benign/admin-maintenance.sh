#!/bin/sh
# benign: update-alternatives, ldconfig, tmpfiles-style cleanup of /tmp (find -delete, rm -rf), find / -name, reading /proc of its own processes
# where: container
update-alternatives --install /usr/bin/vigil-editor vigil-editor /bin/cat 10 > /dev/null && vigil-editor /etc/hostname > /dev/null && update-alternatives --remove vigil-editor /bin/cat > /dev/null
ldconfig && ldconfig -p > /dev/null
mkdir -p /tmp/old1/a /tmp/old2 && touch /tmp/old1/a/f /tmp/old2/g /tmp/x.tmp && find /tmp -mindepth 1 -maxdepth 1 -name "old*" -exec rm -rf {} + && find /tmp -type f -name "*.tmp" -delete
find / -xdev -name vigil-nothing-here 2> /dev/null; ls -la / /etc > /dev/null
cat /proc/self/status /proc/self/maps /proc/self/cmdline /proc/self/environ > /dev/null; ls -l /proc/self/fd > /dev/null; cat /proc/$$/status > /dev/null; true
