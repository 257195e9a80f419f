// Python lockfiles and pinned requirement files, as Trivy reads them:
// `poetry.lock` (every [[package]]), `Pipfile.lock` (its `default` section),
// `uv.lock` (every [[package]], exactly one of them the project itself:
// `source = { editable | virtual = "." }`) and `requirements*.txt` (only
// `name==version` pins; extras, environment markers, hashes and comments
// dropped; UTF-16 files decoded). Each reader returns the pinned packages or
// the reason it refused the file.
import { lazyLibrary } from './lazy-library.js';
import { parsePep440 } from '../versions/pep440.js';

/** Largest lockfile or requirements file read. */
export const MAX_PYTHON_LOCKFILE = 32 * 1024 * 1024;
/** Packages read from one file. */
export const MAX_LOCKED_PACKAGES = 100_000;
const MAX_FIELD = 256;
/** PEP 508 project names. */
const NAME = /^[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?$/;

export interface LockedPackage {
  name: string;
  version: string;
}

export type PythonLockKind = 'poetry' | 'pipenv' | 'uv' | 'requirements';

/** Which lockfile `path` is, if any. */
export function pythonLockKind(path: string): PythonLockKind | undefined {
  const b = path.slice(path.lastIndexOf('/') + 1);
  // Lockfiles inside installed packages describe their authors' trees, not this image.
  if (/\/(site|dist)-packages\//.test(path)) return undefined;
  if (b === 'poetry.lock') return 'poetry';
  if (b === 'Pipfile.lock') return 'pipenv';
  if (b === 'uv.lock') return 'uv';
  if (/^requirements.*\.txt$/.test(b)) return 'requirements';
  return undefined;
}

/** The TOML library (poetry.lock, uv.lock), loaded only when such a lockfile is read (lazy-library.ts). */
const tomlLib = lazyLibrary('the TOML library', () => import('smol-toml'));
export const loadToml = tomlLib.load;

/** Whether a lockfile of this kind is TOML (parsePythonLockfile needs loadToml() first). */
export const isTomlLock = (kind: PythonLockKind | undefined): boolean => kind === 'poetry' || kind === 'uv';

type Obj = Record<string, unknown>;
const isObj = (x: unknown): x is Obj => typeof x === 'object' && x !== null && !Array.isArray(x);

function ok(name: unknown, version: unknown): name is string {
  return (
    typeof name === 'string' && typeof version === 'string' && name.length <= MAX_FIELD && version.length > 0 && version.length <= MAX_FIELD && NAME.test(name)
  );
}

function decode(buf: Buffer): string | undefined {
  let t: string;
  if (buf[0] === 0xff && buf[1] === 0xfe) t = buf.subarray(2).toString('utf16le');
  else if (buf[0] === 0xfe && buf[1] === 0xff) t = Buffer.from(buf.subarray(2)).swap16().toString('utf16le');
  else {
    if (buf.includes(0)) return undefined;
    t = buf.toString('utf8').replace(/^\uFEFF/, '');
  }
  return t.includes('\uFFFD') ? undefined : t;
}

function toml(text: string): Obj | string {
  try {
    return tomlLib.get().parse(text) as Obj;
  } catch (e) {
    return `not TOML (${(e as Error).message.split('\n')[0]})`;
  }
}

function fromPackages(list: unknown): LockedPackage[] {
  const out: LockedPackage[] = [];
  if (!Array.isArray(list)) return out;
  for (const p of list) {
    if (out.length >= MAX_LOCKED_PACKAGES) break;
    if (isObj(p) && ok(p.name, p.version)) out.push({ name: p.name, version: p.version as string });
  }
  return out;
}

export function parsePoetryLock(text: string): LockedPackage[] | string {
  const doc = toml(text);
  if (typeof doc === 'string') return doc;
  if (!Array.isArray(doc.package)) return 'no [[package]] entries';
  return fromPackages(doc.package);
}

export function parseUvLock(text: string): LockedPackage[] | string {
  const doc = toml(text);
  if (typeof doc === 'string') return doc;
  if (!Array.isArray(doc.package)) return 'no [[package]] entries';
  const roots = doc.package.filter((p) => isObj(p) && isObj(p.source) && (p.source.editable === '.' || p.source.virtual === '.'));
  if (roots.length !== 1) return `${roots.length} root packages (a uv lockfile has exactly one)`;
  return fromPackages(doc.package);
}

export function parsePipfileLock(text: string): LockedPackage[] | string {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    return `not JSON (${(e as Error).message.split('\n')[0]})`;
  }
  if (!isObj(doc) || !isObj(doc.default)) return 'no "default" section';
  const out: LockedPackage[] = [];
  for (const [name, v] of Object.entries(doc.default)) {
    if (out.length >= MAX_LOCKED_PACKAGES) break;
    // Pins read `==1.2.3`; git and path dependencies have no version.
    const version = isObj(v) && typeof v.version === 'string' ? v.version.replace(/^==/, '') : undefined;
    if (ok(name, version)) out.push({ name, version: version! });
  }
  return out;
}

export function parseRequirements(text: string): LockedPackage[] {
  const out: LockedPackage[] = [];
  // Backslash continuations join a requirement and its --hash options.
  for (const raw of text.replace(/\\\r?\n/g, ' ').split(/\r?\n/)) {
    if (out.length >= MAX_LOCKED_PACKAGES) break;
    let line = raw.replace(/#.*$/, '').trim(); // comments, also without a space before `#` (as Trivy)
    if (!line || line.startsWith('-')) continue; // -r, -c, -e, --index-url ...
    line = line.replace(/\s--?\S.*$/, ''); // per-requirement options (--hash=...)
    line = line.split(';')[0]!.trim(); // environment markers
    const m = /^([^\s=<>!~[\]]+)\s*(?:\[[^\]]*\])?\s*==\s*([^\s,]+)$/.exec(line);
    if (!m) continue;
    const [, name, version] = m;
    if (!ok(name, version) || !parsePep440(version!)) continue;
    out.push({ name: name!, version: version! });
  }
  return out;
}

/** Packages of a Python lockfile by kind, or why the file was refused. */
export function parsePythonLockfile(kind: PythonLockKind, buf: Buffer): LockedPackage[] | string {
  if (buf.length > MAX_PYTHON_LOCKFILE) return `larger than ${MAX_PYTHON_LOCKFILE} bytes`;
  const text = decode(buf);
  if (text === undefined) return 'not text';
  if (kind === 'poetry') return parsePoetryLock(text);
  if (kind === 'uv') return parseUvLock(text);
  if (kind === 'pipenv') return parsePipfileLock(text);
  return parseRequirements(text);
}
