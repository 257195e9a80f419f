#!/bin/sh
# action: UnprivilegedDelegationOfPageFaultsHandlingToAUserspaceProcess
# expect: system/high-risk-syscall
# where: container, host
perl -e 'syscall(323, 0)'; true
