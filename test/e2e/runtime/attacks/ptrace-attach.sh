#!/bin/sh
# action: PtraceAttachedToProcess
# expect: system/high-risk-syscall
# where: container, host
# docker: --cap-add SYS_PTRACE
sleep 5 & perl -e 'syscall(101, 16, $ARGV[0], 0, 0)' $!; kill -9 $! 2>/dev/null; true
