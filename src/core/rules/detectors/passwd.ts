// /etc/passwd analysis: accounts with uid 0 other than root (clone
// accounts) and uids shared by several accounts (hidden duplicates).
export interface IllegalAccount {
  name: string;
  uid: number;
  reason: 'uid0-clone' | 'duplicate-uid';
  /** For duplicates: the other accounts with that uid. */
  others?: string[];
  line: number;
}

/** Lines beyond this are ignored: a passwd file is small; this bounds hostile input. */
export const MAX_PASSWD_LINES = 100_000;

export function findIllegalAccounts(content: string): IllegalAccount[] {
  const byUid = new Map<number, Array<{ name: string; line: number }>>();
  const lines = content.split('\n', MAX_PASSWD_LINES);
  lines.forEach((raw, i) => {
    const line = raw.trim();
    if (!line || line.startsWith('#') || line.startsWith('+') || line.startsWith('-')) return;
    const f = line.split(':');
    if (f.length < 4) return;
    const uid = Number(f[2]);
    if (!Number.isInteger(uid) || uid < 0) return;
    let arr = byUid.get(uid);
    if (!arr) byUid.set(uid, (arr = []));
    arr.push({ name: f[0]!, line: i + 1 });
  });
  const out: IllegalAccount[] = [];
  for (const [uid, accts] of byUid) {
    if (uid === 0) {
      for (const a of accts) if (a.name !== 'root') out.push({ name: a.name, uid, reason: 'uid0-clone', line: a.line });
    } else if (accts.length > 1) {
      for (const a of accts.slice(1))
        out.push({ name: a.name, uid, reason: 'duplicate-uid', others: accts.filter((x) => x !== a).map((x) => x.name), line: a.line });
    }
  }
  return out.sort((a, b) => a.line - b.line);
}
