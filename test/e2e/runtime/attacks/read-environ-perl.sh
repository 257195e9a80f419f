#!/bin/sh
# action: ReadEnvironmentOfAnotherProcess (perl)
# expect: user/password-theft
# where: container, host
sleep 30 & perl -e 'open(my $f, "<", "/proc/$ARGV[0]/environ") or die; my $e = <$f>' $!; kill $!
