#!/bin/sh
# action: LinuxKernelModuleInjectionDetected
# expect: system/high-risk-syscall
# where: container, host
perl -e 'my $params = ""; syscall(175, 0, 0, $params)'; true
