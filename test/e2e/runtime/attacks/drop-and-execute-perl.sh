#!/bin/sh
# action: DropAndExecuteNewBinaryInContainer (perl copy + exec)
# expect: container/malicious-program
# where: container
perl -e 'open(my $i, "<:raw", "/bin/true") or die; my $d = do { local $/; <$i> }; open(my $o, ">:raw", "/opt/p") or die; print $o $d; close $o; chmod 0755, "/opt/p"; exec "/opt/p" or die'
