// container/abnormal-process: an exec in a container whose policy has a
// process whitelist, of an executable outside it (product.md policy.process-whitelist).
// Entries match the executable path, or the process name for bare entries.
import type { SyscallEvent } from '../event.js';
import type { Detector } from './types.js';
import { globMatcher } from './glob.js';

export const processWhitelistDetector: Detector = {
  id: 'process-whitelist',
  version: 1,
  type: 'container/abnormal-process',
  source: 'syscall',
  evtTypes: ['execve', 'execveat'],
  severity: 'medium',
  desc: 'A container ran a program outside its image\'s process whitelist.',
  remedy: 'Check whether the program is legitimate; if so add it to the image\'s whitelist policy, otherwise investigate the container and rebuild it.',
  create(ctx) {
    const lookup = ctx.policies;
    if (!lookup) return undefined;
    const cache = new WeakMap<string[], (s: string) => boolean>();
    return (ev) => {
      const e = ev as SyscallEvent;
      const c = e.container;
      if (!c || c.id === 'host' || (e.res !== undefined && e.res < 0)) return undefined;
      const pol = lookup(c, e);
      const wl = pol?.processWhitelist;
      if (!pol || !wl) return undefined;
      let m = cache.get(wl);
      if (!m) cache.set(wl, (m = globMatcher(wl)));
      const path = e.proc.exepath;
      if ((path && m(path)) || m(e.proc.name)) return undefined;
      const enforce = pol.mode === 'enforce';
      return {
        message: `Process ${path ?? e.proc.name} is not in the whitelist of image ${c.image ?? c.imageRepository ?? '?'} (container ${c.name ?? c.id.slice(0, 12)})`,
        fields: { 'proc.exepath': path, 'proc.name': e.proc.name, 'container.image': c.image },
        ...(enforce ? { action: { kind: 'killed' as const, detail: 'process whitelist in enforce mode' } } : {}),
      };
    };
  },
};
