// user/illegal-account: a `passwd` content event (the sensor read
// /etc/passwd after a change) with a uid-0 account besides root, or a uid
// shared by two accounts.
import type { SyscallEvent } from '../../events/event.js';
import type { Detector, DetectorHit } from './types.js';
import { findIllegalAccounts } from './passwd.js';

export const illegalAccountDetector: Detector = {
  id: 'illegal-account',
  version: 1,
  type: 'user/illegal-account',
  source: 'syscall',
  evtTypes: ['passwd'],
  severity: 'high',
  desc: 'A uid-0 account other than root, or two accounts sharing one uid, in /etc/passwd.',
  remedy: 'Remove or lock the account (usermod -L), check /etc/shadow and authorized_keys for it, and find how it was added.',
  create() {
    return (ev) => {
      const e = ev as SyscallEvent;
      const content = e.args.content;
      if (typeof content !== 'string') return undefined;
      const path = (e.args.path as string | undefined) ?? '/etc/passwd';
      const hits: DetectorHit[] = [];
      for (const a of findIllegalAccounts(content)) {
        hits.push({
          message:
            a.reason === 'uid0-clone'
              ? `Account '${a.name}' has uid 0 (a root clone) in ${path} line ${a.line}`
              : `Account '${a.name}' shares uid ${a.uid} with ${a.others!.join(', ')} in ${path} line ${a.line}`,
          rule: a.reason === 'uid0-clone' ? 'illegal-account/uid0-clone' : 'illegal-account/duplicate-uid',
          fields: { account: a.name, uid: a.uid, reason: a.reason, path },
        });
      }
      return hits.length ? hits : undefined;
    };
  },
};
