// user/brute-force, "success" half: a successful login from an address that
// failed at least 5 times in the previous 10 minutes (event time). The
// failure bursts themselves are rules (rules/builtin/user.yaml); this needs
// state across failure and success, so it is a detector. Memory is bounded:
// at most MAX_SOURCES addresses are remembered, oldest dropped first.
import type { SyscallEvent } from '../../events/event.js';
import type { Detector } from './types.js';

export const BRUTE_FORCE_FAILURES = 5;
export const BRUTE_FORCE_WINDOW_MS = 10 * 60_000;
const MAX_SOURCES = 50_000;

export const bruteForceSuccessDetector: Detector = {
  id: 'brute-force-success',
  version: 1,
  type: 'user/brute-force',
  source: 'syscall',
  evtTypes: ['auth'],
  severity: 'critical',
  desc: 'A login succeeded from an address that had just failed repeatedly: a brute force that worked.',
  remedy: 'Treat the account as compromised: lock it, kill its sessions, rotate its credentials, and block the source address.',
  create() {
    const failures = new Map<string, number[]>();
    return (ev) => {
      const e = ev as SyscallEvent;
      const sip = e.args.sip;
      const service = String(e.args.service ?? '');
      if (typeof sip !== 'string' || !sip) return undefined;
      const key = `${service}\u001f${sip}`;
      if (e.args.result === 'failure') {
        let t = failures.get(key);
        if (!t) {
          if (failures.size >= MAX_SOURCES) failures.delete(failures.keys().next().value as string);
          failures.set(key, (t = []));
        }
        t.push(e.time);
        if (t.length > 64) t.splice(0, t.length - 64);
        return undefined;
      }
      if (e.args.result !== 'success') return undefined;
      const t = failures.get(key);
      if (!t) return undefined;
      const recent = t.filter((x) => e.time - x <= BRUTE_FORCE_WINDOW_MS).length;
      failures.delete(key);
      if (recent < BRUTE_FORCE_FAILURES) return undefined;
      return {
        message: `Login to ${service || 'a service'} as ${String(e.args.user ?? '?')} from ${sip} succeeded after ${recent} failures`,
        rule: 'brute-force-success',
        fields: { service, user: e.args.user, sip, failures: recent },
      };
    };
  },
};
