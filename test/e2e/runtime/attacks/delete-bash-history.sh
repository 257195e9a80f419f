#!/bin/sh
# action: DeleteBashHistory
# expect: system/high-risk-command
# where: container
echo ls > /root/.bash_history && rm -f /root/.bash_history
