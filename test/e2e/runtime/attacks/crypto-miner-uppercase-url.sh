#!/bin/sh
# action: DetectCryptoMinersUsingTheStratumProtocol (--url=STRATUM+TCP://, upper case)
# expect: container/malicious-program
# where: container
/bin/true --url=STRATUM+TCP://pool.example:3333 -u wallet
