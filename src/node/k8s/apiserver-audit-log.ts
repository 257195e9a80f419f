// Finding the kube-apiserver's audit log on this node: the --audit-log-path
// of a local kube-apiserver process, read from /proc. Its own module so the
// agent can look at every start without loading the audit follower and its
// event parser (./audit-follow.ts), which it imports only when there is a
// log to follow.
import { readdirSync, readFileSync } from 'node:fs';
import { isAbsolute } from 'node:path';
import { parseFlags } from '../../core/k8s/apiserver-check.js';

/** The --audit-log-path of a kube-apiserver running on this node (file backend only), if any. */
export function findApiserverAuditLog(proc = '/proc'): string | undefined {
  let pids: string[];
  try {
    pids = readdirSync(proc).filter((d) => /^\d+$/.test(d));
  } catch {
    return undefined;
  }
  for (const pid of pids) {
    try {
      if (readFileSync(`${proc}/${pid}/comm`, 'utf8').trim() !== 'kube-apiserver') continue;
      const argv = readFileSync(`${proc}/${pid}/cmdline`, 'utf8')
        .slice(0, 256 * 1024)
        .split('\0')
        .filter(Boolean);
      const path = parseFlags(argv).get('--audit-log-path');
      // "-" is the apiserver's stdout; a relative path is relative to its cwd, which we do not follow.
      if (path && path !== '-' && isAbsolute(path)) return path;
    } catch {
      // gone, or not readable
    }
  }
  return undefined;
}
