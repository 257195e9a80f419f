#!/bin/sh
# action: ModifyShellConfigurationFile (sed -i: temp file renamed over .bashrc)
# expect: system/key-file-change
# where: container
touch /root/.bashrc && sed -i "\$a alias ls=true" /root/.bashrc
