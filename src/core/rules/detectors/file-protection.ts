// container/sensitive-file-access: a change (open for write, create, rename,
// unlink, chmod, content change) under a path the container's
// file-protection policy protects (product.md policy.file-protection).
import type { SyscallEvent } from '../event.js';
import type { Detector } from './types.js';
import { openAccessMode } from '../fields/arg-render.js';
import { isUnder } from '../../policy/evaluate.js';

const OPENS = new Set(['open', 'openat', 'openat2']);

/** The path a changing event touches, or undefined when the event changes nothing. */
function changedPath(e: SyscallEvent): string | undefined {
  if (e.res !== undefined && e.res < 0) return undefined;
  switch (e.type) {
    case 'open': case 'openat': case 'openat2': {
      const m = openAccessMode(e.args.flags);
      return m === 1 || m === 2 ? e.fd?.name ?? (e.args.name as string | undefined) : undefined;
    }
    case 'creat': return e.fd?.name ?? (e.args.name as string | undefined);
    case 'rename': case 'renameat': case 'renameat2': return (e.args.newpath ?? e.args.oldpath) as string | undefined;
    case 'unlink': case 'unlinkat': case 'rmdir': case 'mkdir': case 'mkdirat': case 'chmod': case 'fchmodat': case 'chown': case 'fchownat':
      return (e.args.path ?? e.args.name ?? e.fd?.name) as string | undefined;
    case 'filechange': return e.args.path as string | undefined;
    default: return undefined;
  }
}

function under(path: string, prefixes: string[]): string | undefined {
  for (const p of prefixes) if (isUnder(path, p)) return p;
  return undefined;
}

export const fileProtectionDetector: Detector = {
  id: 'file-protection',
  version: 1,
  type: 'container/sensitive-file-access',
  source: 'syscall',
  evtTypes: [...OPENS, 'creat', 'rename', 'renameat', 'renameat2', 'unlink', 'unlinkat', 'rmdir', 'mkdir', 'mkdirat', 'chmod', 'fchmodat', 'chown', 'fchownat', 'filechange'],
  severity: 'high',
  desc: 'A container changed a path its file-protection policy protects.',
  remedy: 'Find which process changed the file and why; restore it from the image, and keep protected paths read-only (readOnlyRootFilesystem).',
  create(ctx) {
    const lookup = ctx.policies;
    if (!lookup) return undefined;
    return (ev) => {
      const e = ev as SyscallEvent;
      const c = e.container;
      if (!c || c.id === 'host') return undefined;
      const path = changedPath(e);
      if (!path) return undefined;
      const pol = lookup(c, e);
      const prot = pol?.protectedPaths;
      if (!pol || !prot) return undefined;
      const hit = under(path, prot);
      if (!hit) return undefined;
      return {
        message: `Protected path ${path} changed (${e.type}) by ${e.proc.name} (pid ${e.proc.pid}) in container ${c.name ?? c.id.slice(0, 12)}; policy protects ${hit}`,
        fields: { 'fd.name': path, 'evt.type': e.type, 'proc.name': e.proc.name },
        ...(pol.mode === 'enforce' ? { action: { kind: 'killed' as const, detail: 'file protection in enforce mode' } } : {}),
      };
    };
  },
};
