#!/bin/sh
# action: RemoveBulkDataFromDisk (rm -rf /)
# expect: system/high-risk-command
# where: container
rm -rf / 2>/dev/null; true
