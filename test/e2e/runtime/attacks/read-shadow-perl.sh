#!/bin/sh
# action: ReadSensitiveFileUntrusted (perl open)
# expect: user/password-theft
# where: container, host
perl -e 'open(my $f, "<", "/etc/shadow") or die; my @l = <$f>'
