#!/bin/sh
# action: ModifyShellConfigurationFile
# expect: system/key-file-change
# where: container
echo 'alias ls=true' >> /root/.bashrc
