#!/bin/sh
# action: PortForwardingWithSocat (network tunnel tools)
# expect: network/port-forwarding
# where: container
cp /bin/true /usr/local/bin/socat && /usr/local/bin/socat TCP-LISTEN:8080,fork TCP:10.0.0.1:80
