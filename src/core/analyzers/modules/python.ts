// Python packages installed anywhere in the image (system dist-packages and
// site-packages, virtualenvs): the core metadata (an RFC 822-style header
// block) of `<name>-<ver>.dist-info/METADATA` (wheels, pip),
// `<name>-<ver>.egg-info/PKG-INFO` (setuptools, Debian's python3-* packages)
// and single-file `<name>-<ver>.egg-info` (distutils). Name, version and
// license (License-Expression, else License, else the License classifiers);
// metadata without a name or version, or not text, is skipped with a notice.
import type { Notice, Package } from '../../inventory/types.js';
import { layerRef } from '../layer-attribution.js';
import type { Analyzer, AnalyzerFile } from '../types.js';

/** Largest metadata file read (METADATA embeds the long description; real ones stay far below). */
export const MAX_METADATA = 4 * 1024 * 1024;
/** Header fields read before the body; real files have a few hundred at most. */
const MAX_HEADERS = 10_000;
const MAX_FIELD = 256;

function base(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

/** Whether `path` is a metadata file this analyzer reads. */
export function isPythonMetadata(path: string, kind: string): boolean {
  if (kind !== 'file') return false;
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
  const lic = fields.get('license')?.[0];
  // The License field sometimes holds the whole licence text: only a short one-line value names it.
  if (lic && lic.toUpperCase() !== 'UNKNOWN' && !lic.includes('\n') && lic.length <= MAX_FIELD) return [lic];
  const fromClassifiers = (fields.get('classifier') ?? [])
    .filter((c) => c.startsWith('License ::'))
    .map((c) =>
      c
        .split('::')
        .map((s) => s.trim())
        .pop()!,
    )
    .filter((c) => c && c !== 'OSI Approved');
  return fromClassifiers.length ? [...new Set(fromClassifiers)] : undefined;
}

function fromMetadata(f: AnalyzerFile, layers: Parameters<typeof layerRef>[1]): Package | string {
  if (f.content.length > MAX_METADATA) return `larger than ${MAX_METADATA} bytes`;
  const fields = parseCoreMetadata(f.content);
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

const python: Analyzer = {
  id: 'python',
  version: 1,
  kind: 'package',
  required(path, entry) {
    // Oversized files are claimed too, so that they are reported rather than silently missed.
    return isPythonMetadata(path, entry.kind) && entry.size <= MAX_METADATA * 4;
  },
  analyze(input) {
    const packages: Package[] = [];
    const notices: Notice[] = [];
    for (const f of input.files) {
      if (!isPythonMetadata(f.path, f.entry.kind)) continue;
      const p = fromMetadata(f, input.layers);
      if (typeof p === 'string') notices.push({ kind: 'package-db-unreadable', message: `Python package metadata ${f.path} skipped: ${p}`, path: f.path });
      else packages.push(p);
    }
    return { packages, notices };
  },
};

export default python;
