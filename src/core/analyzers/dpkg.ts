// The dpkg analyzer: installed Debian packages from /var/lib/dpkg/status
// (or the distroless /var/lib/dpkg/status.d/<pkg> files), their owned files
// from info/<pkg>[:<arch>].list (distroless: status.d/<pkg>.md5sums), and
// licenses from DEP-5 /usr/share/doc/<pkg>/copyright files.
//
// A package counts when dpkg considers it installed: Status want `install` or
// `hold` and state `installed`, `triggers-awaited` or `triggers-pending`
// (all configured); removed packages that left config files behind do not.
// Distroless status.d records carry no Status field and all count.
import { InputError } from '../errors.js';
import type { Package } from '../inventory/types.js';
import { latin1ToUtf8, latin1ToUtf8Lenient, isAlnum, onlyChars, forEachLine } from './decode.js';
import { parseControlFile, type ControlRecord } from './deb822.js';
import { dep5Licenses } from './dpkg-copyright.js';
import { layerAttribution, layerRef, packageKey } from './layer-attribution.js';
import type { Analyzer, AnalyzerFile, AnalyzerInput, AnalyzerResult } from './types.js';
import type { FileEntry } from '../inventory/types.js';

export const DPKG_STATUS = '/var/lib/dpkg/status';
export const DPKG_STATUS_D = '/var/lib/dpkg/status.d/';
const INFO_DIR = '/var/lib/dpkg/info/';
const DOC_DIR = '/usr/share/doc/';

const INSTALLED_WANT = new Set(['install', 'hold']);
const INSTALLED_STATE = new Set(['installed', 'triggers-awaited', 'triggers-pending']);

interface DpkgRecord {
  name: string;
  version: string;
  arch?: string;
  sourceName: string;
  sourceVersion: string;
  maintainer?: string;
  installed: boolean;
}

const isNameChar = (c: number): boolean => isAlnum(c) || c === 0x2b || c === 0x2d || c === 0x2e; // + - .
const isVersionChar = (c: number): boolean => isAlnum(c) || c === 0x2e || c === 0x2b || c === 0x7e || c === 0x2d || c === 0x3a; // . + ~ - :

function checkName(value: string, field: string, where: string): string {
  if (!value || !onlyChars(value, isNameChar) || !isAlnum(value.charCodeAt(0))) {
    throw new InputError('DPKG_BAD_FIELD', `invalid ${field} "${latin1ToUtf8Lenient(value).slice(0, 80)}"`, where);
  }
  return value;
}

function checkVersion(value: string, field: string, where: string): string {
  const colon = value.indexOf(':');
  const epochOk = colon < 0 || (colon > 0 && onlyChars(value.slice(0, colon), (c) => c >= 0x30 && c <= 0x39));
  if (!value || !onlyChars(value, isVersionChar) || !epochOk || colon === value.length - 1) {
    throw new InputError('DPKG_BAD_VERSION', `invalid ${field} "${latin1ToUtf8Lenient(value).slice(0, 80)}"`, where);
  }
  return value;
}

/** Interpret one paragraph; `requireStatus` is true for the dpkg status file, false for distroless records. */
function readRecord(rec: ControlRecord, path: string, requireStatus: boolean): DpkgRecord {
  const where = `${path}:${rec.line}`;
  const get = (f: string): string | undefined => rec.fields.get(f);
  const name = get('package');
  if (name === undefined) throw new InputError('DPKG_MISSING_FIELD', `record ${rec.index} has no Package field`, where);
  checkName(latin1ToUtf8(name, 'DPKG_NOT_UTF8', 'Package', where), 'Package', where);
  const status = get('status');
  let installed = true;
  if (status !== undefined) {
    const words = status.split(/[ \t]+/);
    if (words.length !== 3) throw new InputError('DPKG_BAD_STATUS', `package ${name}: invalid Status "${latin1ToUtf8Lenient(status).slice(0, 80)}"`, where);
    installed = INSTALLED_WANT.has(words[0]!) && INSTALLED_STATE.has(words[2]!);
  } else if (requireStatus) {
    // dpkg reads a status record without Status as not installed.
    installed = false;
  }
  // Records that do not count are not validated further: a leftover of a removed package must not fail the scan.
  if (!installed) return { name, version: '', sourceName: name, sourceVersion: '', installed };
  const version = get('version');
  if (version === undefined) throw new InputError('DPKG_MISSING_FIELD', `package ${name}: no Version field`, where);
  checkVersion(version, 'Version', where);
  let sourceName = name;
  let sourceVersion = version;
  const source = get('source');
  if (source !== undefined) {
    // `Source: name` or `Source: name (version)` (binNMUs and renamed binaries).
    const open = source.indexOf('(');
    if (open < 0) {
      sourceName = checkName(source.trim(), 'Source', where);
    } else {
      const close = source.indexOf(')', open);
      if (close < 0 || source.slice(close + 1).trim() !== '')
        throw new InputError('DPKG_BAD_FIELD', `package ${name}: invalid Source "${latin1ToUtf8Lenient(source).slice(0, 80)}"`, where);
      sourceName = checkName(source.slice(0, open).trim(), 'Source', where);
      sourceVersion = checkVersion(source.slice(open + 1, close).trim(), 'Source version', where);
    }
  }
  const arch = get('architecture');
  if (arch !== undefined) checkName(arch, 'Architecture', where);
  const maintainer = get('maintainer');
  return {
    name,
    version,
    arch: arch || undefined,
    sourceName,
    sourceVersion,
    maintainer: maintainer === undefined ? undefined : latin1ToUtf8Lenient(maintainer),
    installed,
  };
}

function installedRecords(file: AnalyzerFile, requireStatus: boolean): DpkgRecord[] {
  return parseControlFile(file.content, file.path)
    .map((r) => readRecord(r, file.path, requireStatus))
    .filter((r) => r.installed);
}

/** Owned files from a .list file: one absolute path per line; directories (paths with children in the list, or directories in the image) are left out. */
function parseList(content: Buffer, tree: AnalyzerInput['tree']): string[] {
  const lines = content.toString('latin1').split('\n');
  const parents = new Set<string>();
  for (const line of lines) {
    const slash = line.lastIndexOf('/');
    if (slash > 0) parents.add(line.slice(0, slash));
  }
  const out: string[] = [];
  for (const raw of lines) {
    const p = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (p.charCodeAt(0) !== 0x2f || p === '/.' || parents.has(p)) continue;
    const path = latin1ToUtf8Lenient(p);
    if (tree.get(path)?.kind === 'dir') continue;
    out.push(path);
  }
  return out;
}

/** Owned files from a distroless md5sums file: `<md5>  <path relative to />`. */
function parseMd5sums(content: Buffer): string[] {
  const out: string[] = [];
  forEachLine(content.toString('latin1'), (line) => {
    const sep = line.indexOf('  ');
    if (sep > 0 && sep + 2 < line.length) out.push(`/${latin1ToUtf8Lenient(line.slice(sep + 2))}`);
  });
  return out;
}

function isCopyright(path: string): boolean {
  if (!path.startsWith(DOC_DIR) || !path.endsWith('/copyright')) return false;
  const middle = path.slice(DOC_DIR.length, -'/copyright'.length);
  return middle.length > 0 && !middle.includes('/');
}

export const dpkgAnalyzer: Analyzer = {
  id: 'dpkg',
  version: 1,
  kind: 'package',
  pkgType: 'os',
  claims: { dirs: ['/var/lib/dpkg/'], names: ['copyright'] },
  required(path: string, entry: FileEntry): boolean {
    if (entry.kind !== 'file' && entry.kind !== 'hardlink') return false;
    if (path === DPKG_STATUS || path.startsWith(DPKG_STATUS_D)) return true;
    if (path.startsWith(INFO_DIR) && path.endsWith('.list')) return true;
    return isCopyright(path);
  },
  analyze(input: AnalyzerInput): AnalyzerResult {
    const byPath = new Map(input.files.map((f) => [f.path, f]));
    const packages = new Map<string, Package>();
    const add = (rec: DpkgRecord, files: string[] | undefined, layer: number): void => {
      const id = `${rec.name}:${rec.arch ?? ''}`;
      if (packages.has(id)) return;
      const pkg: Package = {
        type: 'deb',
        name: rec.name,
        version: rec.version,
        arch: rec.arch,
        sourceName: rec.sourceName,
        sourceVersion: rec.sourceVersion,
        layer: layerRef(layer, input.layers),
      };
      if (rec.maintainer) pkg.maintainer = rec.maintainer;
      if (files) pkg.files = files;
      const copyright = input.tree.resolve(`${DOC_DIR}${rec.name}/copyright`);
      const licenses = copyright ? dep5Licenses(byPath.get(copyright.path)?.content ?? Buffer.alloc(0)) : [];
      if (licenses.length) pkg.licenses = licenses;
      packages.set(id, pkg);
    };

    const status = byPath.get(DPKG_STATUS);
    if (status) {
      const keysOf = (f: AnalyzerFile): Set<string> => new Set(installedRecords(f, true).map((r) => packageKey(r.name, r.version, r.arch)));
      const layerOf = layerAttribution(input.versions(DPKG_STATUS), keysOf);
      for (const rec of installedRecords(status, true)) {
        const list = byPath.get(`${INFO_DIR}${rec.name}:${rec.arch}.list`) ?? byPath.get(`${INFO_DIR}${rec.name}.list`);
        add(rec, list ? parseList(list.content, input.tree) : undefined, layerOf(packageKey(rec.name, rec.version, rec.arch), status.entry.layer));
      }
    }

    // Distroless: one control file per package, its md5sums beside it.
    for (const file of input.files) {
      if (!file.path.startsWith(DPKG_STATUS_D) || file.path.endsWith('.md5sums') || file.path.slice(DPKG_STATUS_D.length).includes('/')) continue;
      const keysOf = (f: AnalyzerFile): Set<string> => new Set(installedRecords(f, false).map((r) => packageKey(r.name, r.version, r.arch)));
      const layerOf = layerAttribution(input.versions(file.path), keysOf);
      for (const rec of installedRecords(file, false)) {
        const sums = byPath.get(`${DPKG_STATUS_D}${rec.name}.md5sums`) ?? byPath.get(`${file.path}.md5sums`);
        add(rec, sums ? parseMd5sums(sums.content) : undefined, layerOf(packageKey(rec.name, rec.version, rec.arch), file.entry.layer));
      }
    }

    const list = [...packages.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : (a.arch ?? '') < (b.arch ?? '') ? -1 : 1));
    return { packages: list };
  },
};
