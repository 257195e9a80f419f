#!/bin/sh
# action: PtraceAntiDebugAttempt
# expect: system/high-risk-syscall
# where: container, host
perl -e 'syscall(101, 0, 0, 0, 0)'
