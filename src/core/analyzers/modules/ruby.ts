// Ruby gems: installed gems from the specification stubs RubyGems and
// Debian's rubygems-integration write (`.../specifications/<name>-<ver>.gemspec`,
// plain Ruby with `<var>.name = "..."` assignments, read without running
// Ruby), and gems a `Gemfile.lock` lists (its GEM, GIT and PATH `specs:`).
// Lockfile gems that no installed gemspec covers at the same version are
// reported as declared (`declared: true`), not as present in the image.
import { PackageCollector } from '../package-files.js';
import type { Analyzer, AnalyzerInput } from '../types.js';

/** Largest gemspec read (real ones are a few KiB; Debian's embed the file list). */
export const MAX_GEMSPEC = 1024 * 1024;
/** Largest Gemfile.lock read. */
export const MAX_GEMFILE_LOCK = 16 * 1024 * 1024;
const MAX_FIELD = 256;

export function isGemspec(path: string): boolean {
  // `specifications/default/` holds the gems bundled with Ruby itself (json, psych, ...).
  return /\/specifications\/(?:default\/)?[^/]+\.gemspec$/.test(path);
}

export function isGemfileLock(path: string): boolean {
  // Lockfiles inside installed gems describe their authors' development trees, not this image.
  return path.endsWith('/Gemfile.lock') && !/\/gems\/[^/]+\//.test(path);
}

function text(buf: Buffer): string | undefined {
  if (buf.includes(0)) return undefined;
  const t = buf.toString('utf8');
  return t.includes('\uFFFD') ? undefined : t.replace(/^\uFEFF/, '');
}

/** A Ruby string literal's value: `"x"`, `'x'`, `"x".freeze`, `%q<x>`, `%q{x}`. */
function rubyString(expr: string): string | undefined {
  const m = /^\s*(?:"([^"\\]*)"|'([^'\\]*)'|%q<([^>]*)>|%q\{([^}]*)\}|%q\(([^)]*)\))(?:\.freeze)?/.exec(expr);
  return m ? (m[1] ?? m[2] ?? m[3] ?? m[4] ?? m[5]) : undefined;
}

/** `["MIT".freeze, "Ruby".freeze]` -> ['MIT', 'Ruby']; undefined when not an array of string literals. */
function rubyStringArray(expr: string): string[] | undefined {
  const m = /^\s*\[([^\]]*)\]/.exec(expr);
  if (!m) return undefined;
  const out: string[] = [];
  for (const part of m[1]!.split(',')) {
    if (!part.trim()) continue;
    const s = rubyString(part);
    if (s === undefined) return undefined;
    out.push(s);
  }
  return out;
}

/** Name, version and licences of a gemspec, or why it was skipped. */
export function parseGemspec(buf: Buffer): { name: string; version: string; licenses?: string[] } | string {
  if (buf.length > MAX_GEMSPEC) return `larger than ${MAX_GEMSPEC} bytes`;
  const t = text(buf);
  if (t === undefined) return 'not UTF-8 text';
  const block = /Gem::Specification\.new\s+do\s*\|\s*(\w+)\s*\|/.exec(t);
  if (!block) return 'no Gem::Specification.new block';
  const v = block[1]!;
  const body = t.slice(block.index + block[0].length);
  const assigned = (field: string): string | undefined => {
    const m = new RegExp(`^\\s*${v}\\.${field}\\s*=\\s*(.*)$`, 'm').exec(body);
    return m?.[1];
  };
  const nameExpr = assigned('name');
  const versionExpr = assigned('version');
  const name = nameExpr !== undefined ? rubyString(nameExpr) : undefined;
  // Some writers use Gem::Version.new("1.2.3").
  const version = versionExpr !== undefined ? (rubyString(versionExpr) ?? rubyString(versionExpr.replace(/^\s*Gem::Version\.new\(/, ''))) : undefined;
  if (!name) return 'no name';
  if (!version) return 'no version';
  if (name.length > MAX_FIELD || /\s/.test(name)) return 'name is not a gem name';
  if (version.length > MAX_FIELD || /\s/.test(version)) return 'version is not a version';
  const licensesExpr = assigned('licenses');
  const licenseExpr = assigned('license');
  // `licenses` takes an array; a bare string there is not a licence list (RubyGems itself rejects it).
  const licenses =
    licensesExpr !== undefined
      ? rubyStringArray(licensesExpr)
      : licenseExpr !== undefined
        ? [rubyString(licenseExpr)].filter((x): x is string => !!x)
        : undefined;
  const lic = licenses?.filter((l) => l.length <= MAX_FIELD);
  return { name, version, ...(lic?.length ? { licenses: lic } : {}) };
}

export interface LockedGem {
  name: string;
  version: string;
}

/** The gems of a Gemfile.lock's `specs:` blocks (platform suffixes dropped), or why it was skipped. */
export function parseGemfileLock(buf: Buffer): LockedGem[] | string {
  if (buf.length > MAX_GEMFILE_LOCK) return `larger than ${MAX_GEMFILE_LOCK} bytes`;
  const t = text(buf);
  if (t === undefined) return 'not UTF-8 text';
  const out: LockedGem[] = [];
  const seen = new Set<string>();
  let section = '';
  let inSpecs = false;
  for (const line of t.split(/\r?\n/)) {
    if (/^\S/.test(line)) {
      section = line.trim();
      inSpecs = false;
      continue;
    }
    if (!['GEM', 'GIT', 'PATH', 'PLUGIN SOURCE'].includes(section)) continue;
    if (/^ {2}specs:\s*$/.test(line)) {
      inSpecs = true;
      continue;
    }
    if (/^ {2}\S/.test(line)) inSpecs = false;
    if (!inSpecs) continue;
    // Four spaces: a gem; six: one of its dependencies (a requirement, not a version).
    const m = /^ {4}([^\s(]+) \(([^)\s]+)\)\s*$/.exec(line);
    if (!m) continue;
    const name = m[1]!;
    const version = m[2]!.split('-')[0]!;
    if (name.length > MAX_FIELD || !version || version.length > MAX_FIELD) continue;
    const key = `${name}@${version}`;
    if (seen.has(key)) continue; // the same gem for several platforms
    seen.add(key);
    out.push({ name, version });
  }
  return out;
}

const ruby: Analyzer = {
  id: 'ruby',
  version: 1,
  kind: 'package',
  claims: { names: ['Gemfile.lock'], suffixes: ['.gemspec'] },
  required(path, entry) {
    if (entry.kind !== 'file') return false;
    // Oversized files are claimed (up to a bound) so that they are reported rather than silently missed.
    if (isGemspec(path)) return entry.size <= MAX_GEMSPEC * 4;
    return isGemfileLock(path) && entry.size <= MAX_GEMFILE_LOCK * 2;
  },
  analyze(input: AnalyzerInput) {
    const out = new PackageCollector(input.layers);
    const installed = new Set<string>();
    for (const f of input.files) {
      const g = isGemspec(f.path) ? out.parsed(f, 'Ruby gemspec', parseGemspec(f.content)) : undefined;
      if (!g) continue;
      installed.add(`${g.name}@${g.version}`);
      out.add(f, { type: 'gem', ...g });
    }
    for (const f of input.files) {
      const gems = isGemfileLock(f.path) ? out.parsed(f, 'Gemfile.lock', parseGemfileLock(f.content)) : undefined;
      for (const g of gems ?? []) {
        if (!installed.has(`${g.name}@${g.version}`)) out.add(f, { type: 'gem', name: g.name, version: g.version, declared: true });
      }
    }
    return out.result();
  },
};

export default ruby;
