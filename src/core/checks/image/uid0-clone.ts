// Check `account-uid0-clone`: an account other than root has uid 0 (a root clone, typical backdoor).
import { colonRecords, type ImageCheck } from './types.js';

export const uid0CloneCheck: ImageCheck = {
  id: 'account-uid0-clone',
  severity: 'critical',
  title: 'Account other than root with uid 0',
  rationale: 'Every account with uid 0 is root. A second one is how backdoors hide root access under an innocent name.',
  remedy: 'Remove the account or give it its own non-zero uid.',
  run: (i) =>
    colonRecords(i.files.get('/etc/passwd'))
      .filter((r) => r.length >= 3 && r[0] !== 'root' && r[2]!.trim() === '0')
      .map((r) => ({ detail: r[0]!, file: '/etc/passwd' })),
};
