#!/bin/sh
# benign: curl downloading a file from a loopback HTTP server (perl, ephemeral port) into a work directory
# where: host
d=$(mktemp -d /var/lib/vigil-c.XXXXXX)
perl -MIO::Socket::INET -e '$l=IO::Socket::INET->new(LocalAddr=>"127.0.0.1:0",Listen=>1) or die; open(my $p,">",$ARGV[0]); print $p $l->sockport; close $p; if(my $c=$l->accept){ <$c>; print $c "HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nok"; close $c }' "$d/port" &
i=0; while [ ! -s "$d/port" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i+1)); done
curl -s -m 5 -o "$d/out" "http://127.0.0.1:$(cat "$d/port")/file.txt"; rc=$?; wait; rm -rf "$d"; exit $rc
