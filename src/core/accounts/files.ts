// The account files: /etc/passwd, /etc/shadow and /etc/group read into
// entries by name, with the line number and the line itself, and the line
// as it may be shown (a shadow line's password hash never leaves this module
// unmasked). Bounded: at most MAX_ACCOUNT_LINES lines; a line that is not of
// the format is counted as bad, not guessed at.

export type AccountFile = 'passwd' | 'shadow' | 'group';

export const ACCOUNT_FILES: readonly AccountFile[] = ['passwd', 'shadow', 'group'];
export const MAX_ACCOUNT_LINES = 100_000;
const MIN_FIELDS: Record<AccountFile, number> = { passwd: 7, shadow: 2, group: 4 };

export interface AccountEntry {
  name: string;
  /** passwd: uid; group: gid; shadow: undefined. */
  id?: number;
  /** group: members. */
  members?: string[];
  /** 1-based. */
  lineno: number;
  /** The line as it may be shown (shadow: the hash masked). */
  line: string;
  /** The line as read, for change detection only: never shown. */
  raw: string;
}

export interface ParsedAccounts {
  entries: Map<string, AccountEntry>;
  /** Names defined on more than one line (the later lines). */
  repeated: AccountEntry[];
  bad: number;
}

/** A password field as it may be shown: empty, the lock and placeholder markers, or `<hash>`. */
export function maskPassword(field: string): string {
  if (field === '' || field === 'x' || field === '*' || /^!+\*?$/.test(field)) return field;
  const locked = field.startsWith('!') ? '!' : '';
  return `${locked}<hash>`;
}

/** A crypt(3) hash (`$id$salt$hash`, `$id$params$salt$hash`) or a DES one: never shown, wherever it stands. */
const HASH_LIKE = /\$[^$]*\$|^[./0-9A-Za-z]{13}$/;

/** Whether a name can be an account's: the files backend of glibc accepts any name, so only empty and absurdly long ones are refused. */
export function plausibleName(name: string): boolean {
  return name.length > 0 && name.length <= 256;
}

/** Control characters shown escaped, so a hostile name cannot forge output lines. */
export function printable(s: string): string {
  return s.replace(/[\u0000-\u001f\u007f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

/** The line with its password field masked (any file: a passwd line may also carry a hash), and any other hash-like field. */
export function maskLine(file: AccountFile, raw: string): string {
  const f = raw.split(':');
  void file;
  if (f.length > 1) f[1] = maskPassword(f[1]!);
  for (let i = 0; i < f.length; i++) if (i !== 1 && HASH_LIKE.test(f[i]!) && /\$/.test(f[i]!)) f[i] = '<hash>';
  // Control characters never reach an alert as such.
  return printable(f.join(':'));
}

export function parseAccountFile(file: AccountFile, text: string): ParsedAccounts {
  const entries = new Map<string, AccountEntry>();
  const repeated: AccountEntry[] = [];
  let bad = 0;
  const lines = text.split('\n', MAX_ACCOUNT_LINES);
  lines.forEach((rawLine, i) => {
    const raw = rawLine.endsWith('\r') ? rawLine.slice(0, -1) : rawLine;
    if (!raw.trim() || raw.startsWith('#')) return;
    // NIS compat entries (+user, -user, +@netgroup) are no local accounts.
    if (raw.startsWith('+') || raw.startsWith('-')) return;
    const f = raw.split(':');
    const name = printable(f[0]!);
    if (f.length < MIN_FIELDS[file] || !plausibleName(name)) {
      bad++;
      return;
    }
    const e: AccountEntry = { name, lineno: i + 1, line: maskLine(file, raw), raw };
    if (file !== 'shadow') {
      const id = Number(f[2]);
      if (!/^\d+$/.test(f[2]!) || !Number.isSafeInteger(id)) {
        bad++;
        return;
      }
      e.id = id;
    }
    if (file === 'group') e.members = f[3]!.split(',').filter((m) => m.length > 0);
    if (entries.has(name)) repeated.push(e);
    else entries.set(name, e);
  });
  return { entries, repeated, bad };
}
