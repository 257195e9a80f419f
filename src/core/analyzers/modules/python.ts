// Python packages installed anywhere in the image (system dist-packages and
// site-packages, virtualenvs): the core metadata (an RFC 822-style header
// block) of `<name>-<ver>.dist-info/METADATA` (wheels, pip),
// `<name>-<ver>.egg-info/PKG-INFO` (setuptools, Debian's python3-* packages),
// single-file `<name>-<ver>.egg-info` (distutils) and eggs (`EGG-INFO/PKG-INFO`
// of a zipped `.egg` file or an unzipped `.egg` directory). Name, version and
// licence, with Trivy's precedence: License-Expression, else the License
// classifiers, else License. Metadata without a name or version, or not text,
// is skipped with a notice.
// Then the lockfiles (poetry.lock, Pipfile.lock, uv.lock, requirements*.txt):
// their packages that no installed metadata covers (same normalised name) are
// reported as declared (`declared: true`), not as present in the image.
import type { Package } from '../../inventory/types.js';
import { normalizePypiName } from '../../ecosystems/pypi.js';
import { layerRef } from '../layer-attribution.js';
import { PackageCollector } from '../package-files.js';
import { MAX_PYTHON_LOCKFILE, isTomlLock, loadToml, parsePythonLockfile, pythonLockKind } from '../python-lockfiles.js';
import type { Analyzer, AnalyzerFile } from '../types.js';
import { ZipError, zipEntries, zipRead } from '../zip.js';

/** Largest metadata file read (METADATA embeds the long description; real ones stay far below). */
export const MAX_METADATA = 4 * 1024 * 1024;
/** Header fields read before the body; real files have a few hundred at most. */
const MAX_HEADERS = 10_000;
const MAX_FIELD = 256;

function base(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

/** Largest zipped egg read. */
export const MAX_EGG = 64 * 1024 * 1024;

/** Whether `path` is a zipped egg (`<name>-<ver>[-pyX.Y].egg` file). */
export function isEggFile(path: string, kind: string): boolean {
  return kind === 'file' && path.endsWith('.egg') && base(path).length > '.egg'.length;
}

/** Whether `path` is a metadata file this analyzer reads. */
export function isPythonMetadata(path: string, kind: string): boolean {
  if (kind !== 'file') return false;
  if (path.endsWith('.egg/EGG-INFO/PKG-INFO')) return true;
  if (path.endsWith('.dist-info/METADATA')) return base(path.slice(0, -'/METADATA'.length)).length > '.dist-info'.length;
  if (path.endsWith('.egg-info/PKG-INFO')) return base(path.slice(0, -'/PKG-INFO'.length)).length > '.egg-info'.length;
  return path.endsWith('.egg-info') && base(path).length > '.egg-info'.length;
}

/** The header fields of a core-metadata file (repeated fields keep every value), or an error message. */
export function parseCoreMetadata(buf: Buffer): Map<string, string[]> | string {
  if (buf.includes(0)) return 'binary content (NUL bytes)';
  const text = buf.toString('utf8');
  if (text.includes('\uFFFD')) return 'not UTF-8 text';
  const fields = new Map<string, string[]>();
  let last: string[] | undefined;
  let n = 0;
  for (const line of text.replace(/^\uFEFF/, '').split(/\r?\n/)) {
    if (line === '') break; // end of the header block: the rest is the description
    if (/^[ \t]/.test(line)) {
      // Folded continuation of the previous field (multi-line License texts).
      if (!last) return 'continuation line before any field';
      last[last.length - 1] += `\n${line.trim()}`;
      continue;
    }
    const colon = line.indexOf(':');
    if (colon <= 0) return `line ${n + 1} is not a "Field: value" header`;
    if (++n > MAX_HEADERS) return `more than ${MAX_HEADERS} header fields`;
    const key = line.slice(0, colon).trim().toLowerCase();
    const list = fields.get(key) ?? [];
    list.push(line.slice(colon + 1).trim());
    fields.set(key, list);
    last = list;
  }
  return fields;
}

function licensesOf(fields: Map<string, string[]>): string[] | undefined {
  const expr = fields.get('license-expression')?.[0];
  if (expr && expr.length <= MAX_FIELD) return [expr];
  // The classifiers name the licence; License then only adds terms (core metadata spec), as Trivy reads it.
  const fromClassifiers = (fields.get('classifier') ?? [])
    .filter((c) => c.startsWith('License ::'))
    .map((c) =>
      c
        .split('::')
        .map((s) => s.trim())
        .pop()!,
    )
    .filter((c) => c && c !== 'OSI Approved');
  if (fromClassifiers.length) return [...new Set(fromClassifiers)];
  const lic = fields.get('license')?.[0];
  // The License field sometimes holds the whole licence text: only a short one-line value names it.
  if (lic && lic.toUpperCase() !== 'UNKNOWN' && !lic.includes('\n') && lic.length <= MAX_FIELD) return [lic];
  return undefined;
}

function fromMetadata(f: AnalyzerFile, layers: Parameters<typeof layerRef>[1], content = f.content): Package | string {
  if (content.length > MAX_METADATA) return `larger than ${MAX_METADATA} bytes`;
  const fields = parseCoreMetadata(content);
  if (typeof fields === 'string') return fields;
  const name = fields.get('name')?.[0];
  const version = fields.get('version')?.[0];
  if (!name) return 'no Name field';
  if (!version) return 'no Version field';
  if (name.length > MAX_FIELD || /\s/.test(name)) return 'Name is not a project name';
  if (version.length > MAX_FIELD || /\s/.test(version)) return 'Version is not a version';
  const licenses = licensesOf(fields);
  return { type: 'pypi', name, version, ...(licenses ? { licenses } : {}), filePath: f.path, layer: layerRef(f.entry.layer, layers) };
}

/** The EGG-INFO/PKG-INFO of a zipped egg, or why there is none. */
function eggMetadata(f: AnalyzerFile): Buffer | string {
  if (f.content.length > MAX_EGG) return `larger than ${MAX_EGG} bytes`;
  try {
    const limits = { maxEntries: 100_000, maxEntryBytes: MAX_METADATA };
    const e = zipEntries(f.content, limits).find((x) => x.name === 'EGG-INFO/PKG-INFO');
    return e ? zipRead(f.content, e, limits) : 'no EGG-INFO/PKG-INFO';
  } catch (err) {
    if (err instanceof ZipError) return `not a readable zip archive: ${err.message}`;
    throw err;
  }
}

const python: Analyzer = {
  id: 'python',
  version: 2,
  kind: 'package',
  claims: { names: ['METADATA', 'PKG-INFO', 'poetry.lock', 'Pipfile.lock', 'uv.lock'], suffixes: ['.egg-info', '.egg', '.txt'] },
  required(path, entry) {
    // Oversized files are claimed too (up to a bound), so that they are reported rather than silently missed.
    if (isPythonMetadata(path, entry.kind)) return entry.size <= MAX_METADATA * 4;
    if (isEggFile(path, entry.kind)) return entry.size <= MAX_EGG * 2;
    return entry.kind === 'file' && pythonLockKind(path) !== undefined && entry.size <= MAX_PYTHON_LOCKFILE * 2;
  },
  async analyze(input) {
    if (input.files.some((f) => isTomlLock(pythonLockKind(f.path)))) await loadToml();
    const out = new PackageCollector(input.layers);
    for (const f of input.files) {
      let p: Package | string;
      if (isPythonMetadata(f.path, f.entry.kind)) p = fromMetadata(f, input.layers);
      else if (isEggFile(f.path, f.entry.kind)) {
        const meta = eggMetadata(f);
        // A file named .egg without egg metadata is not an egg (Trivy skips it too).
        if (meta === 'no EGG-INFO/PKG-INFO') continue;
        p = typeof meta === 'string' ? meta : fromMetadata(f, input.layers, meta);
      } else continue;
      if (typeof p === 'string') out.skip(f.path, 'Python package metadata', p);
      else out.packages.push(p);
    }
    const installed = new Set(out.packages.map((p) => normalizePypiName(p.name)));
    for (const f of input.files) {
      const kind = pythonLockKind(f.path);
      if (!kind || f.entry.kind !== 'file') continue;
      const locked = out.parsed(f, 'Python lockfile', parsePythonLockfile(kind, f.content));
      if (!locked) continue;
      const seen = new Set<string>();
      for (const l of locked) {
        const n = normalizePypiName(l.name);
        if (installed.has(n) || seen.has(`${n}@${l.version}`)) continue;
        seen.add(`${n}@${l.version}`);
        out.add(f, { type: 'pypi', name: l.name, version: l.version, declared: true });
      }
    }
    return out.result();
  },
};

export default python;
