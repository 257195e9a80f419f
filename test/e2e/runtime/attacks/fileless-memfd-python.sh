#!/bin/sh
# action: FilelessExecutionViaMemfdCreate (python os.memfd_create + execve)
# expect: system/high-risk-syscall
# where: host
python3 -c "import os; fd=os.memfd_create(\"x\"); os.write(fd, open(\"/bin/true\",\"rb\").read()); os.execv(\"/proc/self/fd/%d\" % fd, [\"x\"])"
