// Check `account-duplicate-id`: two accounts share a uid, or two groups a gid.
import { colonRecords, type ImageCheck, type ImageCheckHit } from './types.js';

function dups(records: string[][], file: string, what: string, skipZeroRoot: boolean): ImageCheckHit[] {
  const by = new Map<string, string[]>();
  for (const r of records) {
    if (r.length < 3 || r[0] === '') continue;
    const id = r[2]!.trim();
    // uid 0 is the uid-0 clone check's finding.
    if (skipZeroRoot && id === '0') continue;
    const l = by.get(id);
    if (l) l.push(r[0]!);
    else by.set(id, [r[0]!]);
  }
  return [...by].filter(([, n]) => n.length > 1).map(([id, n]) => ({ detail: `${what} ${id}: ${n.join(', ')}`, file }));
}

export const duplicateIdsCheck: ImageCheck = {
  id: 'account-duplicate-id',
  severity: 'medium',
  title: 'Duplicate uid or gid',
  rationale: 'Accounts that share a uid are the same user to the kernel: files, processes and audit records cannot tell them apart.',
  remedy: 'Give every account its own uid and every group its own gid.',
  run: (i) => [
    ...dups(colonRecords(i.files.get('/etc/passwd')), '/etc/passwd', 'uid', true),
    ...dups(colonRecords(i.files.get('/etc/group')), '/etc/group', 'gid', false),
  ],
};
