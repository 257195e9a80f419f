#!/bin/sh
# action: DropAndExecuteNewBinaryInContainer (perl copy + exec)
# expect: container/malicious-program
# where: container
# The container lives on 2 s after the action, as chmod-then-exec.sh does: a container that is gone within milliseconds of a chmod leaves no root to read the file through (docs/runtime.md).
perl -e 'open(my $i, "<:raw", "/bin/true") or die; my $d = do { local $/; <$i> }; open(my $o, ">:raw", "/opt/p") or die; print $o $d; close $o; chmod 0755, "/opt/p"; exec "/opt/p" or die'; rc=$?; sleep 2; exit $rc
