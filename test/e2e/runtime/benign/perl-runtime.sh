#!/bin/sh
# benign: A language runtime doing normal work
# where: container
perl -e 'my %h; $h{$_}++ for split //, join q(), 1..500; open my $f, q(<), q(/etc/os-release) or die; my @l = <$f>; print scalar(@l) > 0 ? q() : q(x)'
