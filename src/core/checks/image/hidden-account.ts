// Check `account-hidden`: an account has a password entry in /etc/shadow but is not in /etc/passwd.
import { colonRecords, type ImageCheck } from './types.js';

export const hiddenAccountCheck: ImageCheck = {
  id: 'account-hidden',
  severity: 'high',
  title: 'Account in /etc/shadow but not in /etc/passwd',
  rationale: 'A shadow entry without a passwd entry is left over from a removed account or was added by hand to hide credentials from `getent passwd`.',
  remedy: 'Remove the entry from /etc/shadow (or restore the account in /etc/passwd if it is needed).',
  run: (i) => {
    const shadow = i.files.get('/etc/shadow');
    const passwd = i.files.get('/etc/passwd');
    if (shadow === undefined || passwd === undefined) return [];
    const names = new Set(colonRecords(passwd).map((r) => r[0]));
    return colonRecords(shadow)
      .filter((r) => r[0] && !names.has(r[0]))
      .map((r) => ({ detail: r[0]!, file: '/etc/shadow' }));
  },
};
