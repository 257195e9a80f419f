#!/bin/sh
# action: DetectReleaseAgentFileContainerEscapes
# expect: exploit/escape-vulnerability
# where: container
# docker: --cap-add SYS_ADMIN
mkdir -p /tmp/cg && (mount -t cgroup -o rdma cgroup /tmp/cg 2>/dev/null || true) && echo /x > /tmp/cg/release_agent; umount /tmp/cg 2>/dev/null; true
