// Check `host-namespaces`: the container shares the host's PID, network or IPC namespace.
import type { CheckFinding, EnvCheck } from './spec.js';

export const hostNamespacesCheck: EnvCheck = {
  id: 'host-namespaces',
  version: 1,
  kind: 'namespace',
  title: 'Host namespace shared',
  run(s) {
    const out: CheckFinding[] = [];
    if (s.hostPID) out.push({ check: 'host-namespaces', kind: 'namespace', severity: 'high', detail: 'host PID namespace (hostPID / --pid=host)' });
    if (s.hostNetwork)
      out.push({ check: 'host-namespaces', kind: 'namespace', severity: 'medium', detail: 'host network namespace (hostNetwork / --network=host)' });
    if (s.hostIPC) out.push({ check: 'host-namespaces', kind: 'namespace', severity: 'medium', detail: 'host IPC namespace (hostIPC / --ipc=host)' });
    return out;
  },
};
