// What changed in a root's account files between two readings, as findings
// of `user/illegal-account`: a clone account (a second uid 0, or a group with
// gid 0 besides root), a duplicate uid, a hidden account (in shadow, not in
// passwd), and an account (or a member of a privileged group) added while no
// package manager ran. Each finding carries the line that changed (masked).
// Only changes are findings: what the first reading holds is the baseline
// (the image's accounts are the image scan's business, image.baseline).
import { parseAccountFile, type AccountEntry, type AccountFile, type ParsedAccounts } from './files.js';

export type AccountFindingKind = 'uid0-clone' | 'gid0-clone' | 'duplicate-uid' | 'hidden-account' | 'unmanaged-account' | 'privileged-group-member';

export interface AccountFinding {
  kind: AccountFindingKind;
  file: AccountFile;
  account: string;
  /** uid (passwd) or gid (group). */
  id?: number;
  change: 'added' | 'modified';
  lineno: number;
  /** The changed line, password hashes masked. */
  line: string;
  /** One clause saying why (shown in the alert). */
  detail: string;
}

/** Parsed account files of one root; a file that is missing or unreadable is absent. */
export type AccountSnapshot = Partial<Record<AccountFile, ParsedAccounts>>;

export function snapshotOf(texts: Partial<Record<AccountFile, string>>): AccountSnapshot {
  const s: AccountSnapshot = {};
  for (const f of ['passwd', 'shadow', 'group'] as const) {
    const t = texts[f];
    if (t !== undefined) s[f] = parseAccountFile(f, t);
  }
  return s;
}

/** Groups whose members can read secrets or become root. */
export const PRIVILEGED_GROUPS: ReadonlySet<string> = new Set(['root', 'sudo', 'wheel', 'adm', 'shadow', 'docker', 'disk', 'admin', 'lxd', 'kvm']);

function changed(prev: ParsedAccounts | undefined, next: ParsedAccounts): Array<{ e: AccountEntry; change: 'added' | 'modified'; before?: AccountEntry }> {
  if (!prev) return [];
  const out: Array<{ e: AccountEntry; change: 'added' | 'modified'; before?: AccountEntry }> = [];
  for (const e of next.entries.values()) {
    const before = prev.entries.get(e.name);
    if (!before) out.push({ e, change: 'added' });
    else if (before.raw !== e.raw) out.push({ e, change: 'modified', before });
  }
  // A second line for an existing name (a later `root:x:0:0` line, say): new when the earlier reading had fewer.
  const prevRepeated = new Set(prev.repeated.map((r) => r.raw));
  for (const r of next.repeated) if (!prevRepeated.has(r.raw)) out.push({ e: r, change: 'added' });
  return out;
}

export interface DiffOptions {
  /** A package manager ran in this root recently: added accounts and group members are its doing. */
  packageManager: boolean;
}

export function diffAccounts(prev: AccountSnapshot, next: AccountSnapshot, o: DiffOptions): AccountFinding[] {
  const out: AccountFinding[] = [];
  const pw = next.passwd;
  if (pw) {
    const byUid = new Map<number, string[]>();
    for (const e of [...pw.entries.values(), ...pw.repeated]) {
      const l = byUid.get(e.id!);
      if (l) l.push(e.name);
      else byUid.set(e.id!, [e.name]);
    }
    for (const { e, change, before } of changed(prev.passwd, pw)) {
      const base = { file: 'passwd' as const, account: e.name, id: e.id!, change, lineno: e.lineno, line: e.line };
      const sharing = (byUid.get(e.id!) ?? []).filter((n) => n !== e.name);
      if (e.id === 0 && e.name !== 'root') {
        out.push({ ...base, kind: 'uid0-clone', detail: `${e.name} has uid 0 (a root clone)` });
      } else if (sharing.length && (change === 'added' || before?.id !== e.id)) {
        out.push({ ...base, kind: 'duplicate-uid', detail: `${e.name} shares uid ${e.id} with ${sharing.join(', ')}` });
      } else if (change === 'added' && !o.packageManager) {
        out.push({ ...base, kind: 'unmanaged-account', detail: `${e.name} (uid ${e.id}) was added while no package manager ran` });
      }
    }
  }
  const sh = next.shadow;
  if (sh && pw && prev.shadow) {
    for (const e of sh.entries.values()) {
      if (pw.entries.has(e.name)) continue;
      // Newly hidden: a new shadow entry, or its passwd entry went away.
      const wasHidden = prev.shadow.entries.has(e.name) && (!prev.passwd || !prev.passwd.entries.has(e.name));
      if (wasHidden && prev.shadow.entries.get(e.name)!.raw === e.raw) continue;
      out.push({
        kind: 'hidden-account',
        file: 'shadow',
        account: e.name,
        change: prev.shadow.entries.has(e.name) ? 'modified' : 'added',
        lineno: e.lineno,
        line: e.line,
        detail: `${e.name} is in shadow but not in passwd (a hidden account)`,
      });
    }
  }
  const gr = next.group;
  if (gr) {
    for (const { e, change, before } of changed(prev.group, gr)) {
      const base = { file: 'group' as const, account: e.name, id: e.id!, change, lineno: e.lineno, line: e.line };
      if (e.id === 0 && e.name !== 'root') {
        out.push({ ...base, kind: 'gid0-clone', detail: `group ${e.name} has gid 0 (a root group clone)` });
        continue;
      }
      if (o.packageManager || !PRIVILEGED_GROUPS.has(e.name)) continue;
      const had = new Set(before?.members ?? []);
      const added = (e.members ?? []).filter((m) => !had.has(m));
      if (added.length)
        out.push({
          ...base,
          account: added.join(','),
          kind: 'privileged-group-member',
          detail: `${added.join(', ')} added to group ${e.name} while no package manager ran`,
        });
    }
  }
  return out;
}
