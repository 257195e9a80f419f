#!/bin/sh
# action: PacketSocketCreatedInContainer
# expect: system/high-risk-syscall
# where: container
# docker: --cap-add NET_RAW
perl -e 'socket(my $s, 17, 3, 0) or exit 0'
