// Check `capabilities`: capabilities added beyond the runtime's default set
// (Docker's default list), or ALL.
import type { EnvCheck } from './spec.js';

/** Docker's default capability set (moby/oci caps defaults). */
export const DEFAULT_CAPABILITIES: ReadonlySet<string> = new Set([
  'CHOWN',
  'DAC_OVERRIDE',
  'FSETID',
  'FOWNER',
  'MKNOD',
  'NET_RAW',
  'SETGID',
  'SETUID',
  'SETFCAP',
  'SETPCAP',
  'NET_BIND_SERVICE',
  'SYS_CHROOT',
  'KILL',
  'AUDIT_WRITE',
]);

/** Capabilities that alone allow escaping or owning the host. */
const CRITICAL = new Set(['ALL', 'SYS_ADMIN', 'SYS_MODULE', 'SYS_PTRACE', 'SYS_RAWIO', 'DAC_READ_SEARCH', 'BPF', 'SYS_BOOT', 'NET_ADMIN']);

export function normaliseCap(c: string): string {
  const u = c.trim().toUpperCase();
  return u.startsWith('CAP_') ? u.slice(4) : u;
}

export const capabilitiesCheck: EnvCheck = {
  id: 'capabilities',
  version: 1,
  kind: 'security-option',
  title: 'Capabilities added beyond the runtime default',
  run(s) {
    const extra = [...new Set(s.capAdd.map(normaliseCap))].filter((c) => c && !DEFAULT_CAPABILITIES.has(c)).sort();
    if (!extra.length) return [];
    return [
      {
        check: 'capabilities',
        kind: 'security-option',
        severity: extra.some((c) => CRITICAL.has(c)) ? 'high' : 'medium',
        detail: `added capabilities beyond the default set: ${extra.join(', ')}`,
      },
    ];
  },
};
