#!/bin/sh
# action: DetectCryptoMinersUsingTheStratumProtocol
# expect: container/malicious-program
# where: container
cp /bin/true /usr/local/bin/worker && /usr/local/bin/worker -o stratum+tcp://127.0.0.1:3333 -u x
