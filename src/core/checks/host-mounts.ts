// Check `host-mounts`: host paths that give the container the host (kernel
// interfaces, devices, configuration, runtime sockets, kubelet credentials).
// /etc/hosts, /etc/resolv.conf and /etc/hostname are allowed (the runtime
// itself mounts them). A subpath of a dangerous directory is dangerous too,
// except for `/`, which is dangerous only as itself.
import type { EnvCheck } from './spec.js';
import { normalizePath } from '../image/path.js';

export const DANGEROUS_HOST_PATHS: readonly string[] = [
  '/',
  '/boot',
  '/dev',
  '/etc',
  '/sys',
  '/proc',
  '/root',
  '/var/run',
  '/run',
  '/var/lib/kubelet',
  '/var/run/docker.sock',
  '/run/docker.sock',
  '/run/containerd',
  '/var/run/containerd',
  '/run/crio',
  '/var/run/crio',
  '/var/lib/docker',
  '/var/lib/containerd',
  '/run/podman',
  '/var/run/cri-dockerd.sock',
];
export const ALLOWED_HOST_PATHS: readonly string[] = ['/etc/hosts', '/etc/resolv.conf', '/etc/hostname'];

const SOCKET = /\.sock$|\/docker\.sock|containerd|crio|podman/;

/**
 * Normalise a host path: collapse slashes and dots, drop a trailing slash (so
 * `/etc/` and `/etc/.` are `/etc`), `..` clamped at the root. The same rule as
 * a path inside an image, so one function serves both.
 */
export const normalisePath = normalizePath;

export function dangerousHostPath(path: string): string | undefined {
  const p = normalisePath(path);
  if (ALLOWED_HOST_PATHS.includes(p)) return undefined;
  for (const d of DANGEROUS_HOST_PATHS) {
    if (d === '/') {
      if (p === '/') return d;
      continue;
    }
    if (p === d || p.startsWith(`${d}/`)) return d;
  }
  return undefined;
}

export const hostMountsCheck: EnvCheck = {
  id: 'host-mounts',
  version: 1,
  kind: 'mount',
  title: 'Dangerous host path mounted',
  run(s) {
    const out = [];
    for (const m of s.mounts) {
      if (m.type !== 'bind' && m.type !== 'hostPath') continue;
      const hit = dangerousHostPath(m.source);
      if (!hit) continue;
      const p = normalisePath(m.source);
      out.push({
        check: 'host-mounts',
        kind: 'mount' as const,
        severity: (SOCKET.test(p) || p === '/' || hit === '/proc' || hit === '/etc' || hit === '/root' || hit === '/var/lib/kubelet' ? 'high' : 'medium') as
          'high' | 'medium',
        detail: `host path ${p} mounted at ${m.destination}${m.readOnly ? ' (read-only)' : ''}`,
      });
    }
    return out;
  },
};
