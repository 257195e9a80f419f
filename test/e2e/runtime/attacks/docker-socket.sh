#!/bin/sh
# action: ContainerRuntimeSocketAccess
# expect: exploit/escape-file
# where: container
perl -MSocket -e 'socket(my $s, AF_UNIX, SOCK_STREAM, 0) or die; connect($s, pack_sockaddr_un("/var/run/docker.sock")); exit 0'
