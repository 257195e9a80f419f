#!/bin/sh
# benign: useradd, chpasswd, passwd -S, usermod, su to the new user and to nobody, userdel
# where: container
useradd -m -s /bin/sh appuser && echo appuser:S3cret-pw | chpasswd && passwd -S appuser > /dev/null && usermod -aG users appuser && su -s /bin/sh appuser -c id > /dev/null && su -s /bin/sh nobody -c "id -u" > /dev/null && su root -c true && userdel -r appuser 2> /dev/null; true
