#!/bin/sh
# action: DeleteBashHistory (symlink to /dev/null)
# expect: system/high-risk-command
# where: container
echo ls > /root/.bash_history && ln -sf /dev/null /root/.bash_history
