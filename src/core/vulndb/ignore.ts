// The ignore file (`.vigilignore`, `--ignore-file`): YAML
// (`vulnerabilities: [{id, packages, expires, reason}]`) or Trivy-style lines
// (`CVE-2023-1234 [pkg:npm/lodash|name] [exp:2026-01-31] [# reason]`).
// An entry ignores findings whose id or alias it names, optionally only for
// the packages it lists, until its expiry date.
import { parse as parseYaml } from 'yaml';
import { InputError } from '../errors.js';
import type { VulnerabilityFinding } from '../scan/types.js';
import { purlMatches } from '../inventory/purl.js';

export interface IgnoreEntry {
  id: string;
  /** purls or package names; empty = every package. */
  packages: string[];
  /** Expiry (UTC midnight of the date); the entry no longer ignores from then on. */
  expires?: Date;
  reason?: string;
  /** Line or item number in the file, for messages. */
  line: number;
}

const MAX_ENTRIES = 100_000;
const DATE_RE = /^\d{4}-\d{2}-\d{2}$/;

function parseDate(s: string, where: string): Date {
  const d = new Date(`${s}T00:00:00Z`);
  if (!DATE_RE.test(s) || Number.isNaN(d.getTime()))
    throw new InputError('IGNORE_FILE_INVALID', `invalid expiry date "${s.slice(0, 40)}" (want YYYY-MM-DD)`, where);
  return d;
}

function fromYaml(doc: unknown, where: string): IgnoreEntry[] {
  const list = Array.isArray(doc) ? doc : (doc as { vulnerabilities?: unknown }).vulnerabilities;
  if (!Array.isArray(list)) throw new InputError('IGNORE_FILE_INVALID', '"vulnerabilities" must be a list', where);
  if (list.length > MAX_ENTRIES) throw new InputError('IGNORE_FILE_INVALID', `more than ${MAX_ENTRIES} entries`, where);
  return list.map((e, i) => {
    const w = `${where}: entry ${i + 1}`;
    if (typeof e !== 'object' || e === null || typeof (e as { id?: unknown }).id !== 'string')
      throw new InputError('IGNORE_FILE_INVALID', 'entry without an "id"', w);
    const o = e as Record<string, unknown>;
    const pk = [o.packages, o.purls, o.package, o.purl].flatMap((x) => (Array.isArray(x) ? x : x === undefined ? [] : [x]));
    if (pk.some((x) => typeof x !== 'string')) throw new InputError('IGNORE_FILE_INVALID', '"packages" must be strings', w);
    const exp = o.expires ?? o.expired_at ?? o.expiry;
    let expires: Date | undefined;
    if (exp instanceof Date) expires = exp;
    else if (typeof exp === 'string') expires = parseDate(exp, w);
    else if (exp !== undefined) throw new InputError('IGNORE_FILE_INVALID', '"expires" must be a date (YYYY-MM-DD)', w);
    const reason = o.reason ?? o.statement;
    return { id: o.id as string, packages: pk as string[], ...(expires ? { expires } : {}), ...(typeof reason === 'string' ? { reason } : {}), line: i + 1 };
  });
}

function fromLines(text: string, where: string): IgnoreEntry[] {
  const out: IgnoreEntry[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const hash = raw.indexOf('#');
    const body = (hash >= 0 ? raw.slice(0, hash) : raw).trim();
    const comment = hash >= 0 ? raw.slice(hash + 1).trim() : '';
    if (!body) return;
    const [id, ...rest] = body.split(/\s+/) as [string, ...string[]];
    const w = `${where}:${i + 1}`;
    if (!/^[A-Za-z][\w.:-]*$/.test(id)) throw new InputError('IGNORE_FILE_INVALID', `"${id.slice(0, 40)}" is not a vulnerability id`, w);
    const e: IgnoreEntry = { id, packages: [], line: i + 1 };
    for (const tok of rest) {
      if (tok.startsWith('exp:')) e.expires = parseDate(tok.slice(4), w);
      else e.packages.push(tok);
    }
    if (comment) e.reason = comment;
    out.push(e);
    if (out.length > MAX_ENTRIES) throw new InputError('IGNORE_FILE_INVALID', `more than ${MAX_ENTRIES} entries`, where);
  });
  return out;
}

export function parseIgnoreFile(text: string, where: string): IgnoreEntry[] {
  const t = text.replace(/^\uFEFF/, '');
  if (/^\s*(vulnerabilities\s*:|-\s+id\s*:)/m.test(t)) {
    let doc: unknown;
    try {
      doc = parseYaml(t, { maxAliasCount: 100 });
    } catch (e) {
      throw new InputError('IGNORE_FILE_INVALID', `invalid YAML (${e instanceof Error ? e.message.split('\n', 1)[0] : e})`, where);
    }
    return fromYaml(doc, where);
  }
  return fromLines(t, where);
}

function packageMatches(pattern: string, f: Pick<VulnerabilityFinding, 'package' | 'sourcePackage' | 'pkgPath' | 'purl'>): boolean {
  if (pattern.startsWith('pkg:')) return purlMatches(pattern, f.purl);
  return pattern === f.package || pattern === f.sourcePackage || pattern === f.pkgPath;
}

/** The entries in force at `now` (not expired). */
export function activeIgnores(entries: readonly IgnoreEntry[], now: Date): IgnoreEntry[] {
  return entries.filter((e) => !e.expires || now.getTime() < e.expires.getTime());
}

/**
 * The first entry that ignores this finding: it names the finding's id or an
 * alias, and lists no packages or one the finding is (name, source package,
 * path or purl). The one matching rule of the CLI's ignore file and the
 * server's ignores.
 */
export function ignoreEntryFor(
  f: Pick<VulnerabilityFinding, 'id' | 'aliases' | 'package' | 'sourcePackage' | 'pkgPath' | 'purl'>,
  entries: readonly IgnoreEntry[],
): IgnoreEntry | undefined {
  const ids = new Set([f.id, ...(f.aliases ?? [])]);
  return entries.find((x) => ids.has(x.id) && (x.packages.length === 0 || x.packages.some((p) => packageMatches(p, f))));
}

/** Marks findings named by active entries as ignored (in place); returns the count. */
export function applyIgnores(findings: VulnerabilityFinding[], entries: IgnoreEntry[], now: Date): number {
  const active = activeIgnores(entries, now);
  let n = 0;
  for (const f of findings) {
    if (f.ignored) continue;
    const e = ignoreEntryFor(f, active);
    if (!e) continue;
    f.ignored = true;
    f.ignoreReason = `ignore file${e.reason ? `: ${e.reason}` : ` entry ${e.id}`}${e.expires ? ` (until ${e.expires.toISOString().slice(0, 10)})` : ''}`;
    n++;
  }
  return n;
}

/** `--ignore-unfixed`: findings without a fixed version are ignored. */
export function applyIgnoreUnfixed(findings: VulnerabilityFinding[]): number {
  let n = 0;
  for (const f of findings) {
    if (f.ignored || f.fixedVersion) continue;
    f.ignored = true;
    f.ignoreReason = `no fixed version (${f.status}; --ignore-unfixed)`;
    n++;
  }
  return n;
}
