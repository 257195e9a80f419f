// Java archives (jar, war, ear, par, Jenkins jpi/hpi) anywhere in the image,
// and the archives nested in them (WEB-INF/lib/*.jar, Spring Boot's
// BOOT-INF/lib, shaded jars), as Trivy reads them offline:
// - every `pom.properties` (META-INF/maven/<g>/<a>/pom.properties) gives
//   `groupId:artifactId` at `version` (a shaded jar lists each bundled library);
// - when none of them is the archive itself (by its file name), the main
//   section of `META-INF/MANIFEST.MF` is the fallback: group from
//   Implementation-Vendor-Id, Bundle-SymbolicName (without its last part),
//   Implementation-Vendor or Specification-Vendor; artifact from
//   Implementation-Title, Specification-Title or Bundle-Name; version from
//   Implementation-Version, Specification-Version or Bundle-Version.
// Licences, as Trivy attaches them: the `<licenses>` names of the embedded
// META-INF/maven/<g>/<a>/pom.xml for that g:a; else, for the packages of the
// archive itself, the manifest's Jenkins `Plugin-License-Name[-N]` or OSGi
// `Bundle-License` (well-known licence URLs named by their SPDX id).
// Nested archives are inflated one at a time under a depth, size and total
// budget; anything past a limit is a notice naming the archive.
import type { Notice, Package } from '../../inventory/types.js';
import { layerRef } from '../layer-attribution.js';
import type { Analyzer, AnalyzerInput } from '../types.js';
import { ZipError, zipEntries, zipRead, type ZipLimits } from '../zip.js';

/** Largest archive in the image that is read. */
export const MAX_ARCHIVE = 256 * 1024 * 1024;
/** Archive levels below the image's own file that are opened (a war's jars are level 1). */
export const MAX_NESTING = 4;
/** Largest nested archive inflated. */
export const MAX_NESTED_ARCHIVE = 64 * 1024 * 1024;
/** Bytes inflated for nested archives of one archive in the image, all levels together. */
export const MAX_INFLATED_TOTAL = 512 * 1024 * 1024;
const LIMITS: ZipLimits = { maxEntries: 200_000, maxEntryBytes: 1024 * 1024 };
const MAX_FIELD = 256;

const ARCHIVE = /\.(jar|war|ear|par|jpi|hpi)$/i;

export function isJavaArchive(path: string): boolean {
  return ARCHIVE.test(path);
}

function base(p: string): string {
  return p.slice(p.lastIndexOf('/') + 1);
}

/** `commons-lang3-3.12.0.jar` -> artifact `commons-lang3`, version `3.12.0`. */
export function parseArchiveName(path: string): { artifactId: string; version: string } | undefined {
  const m = /^(.+?)-(\d[^/]*)$/.exec(base(path).replace(ARCHIVE, ''));
  return m ? { artifactId: m[1]!, version: m[2]! } : undefined;
}

/** Java .properties `key=value` / `key: value` lines (comments and continuations handled). */
export function parseProperties(text: string): Map<string, string> {
  const out = new Map<string, string>();
  const lines = text.replace(/\\\r?\n[ \t]*/g, '').split(/\r?\n/);
  for (const raw of lines) {
    const line = raw.trim();
    if (!line || line.startsWith('#') || line.startsWith('!')) continue;
    const m = /^([^=:\s]+)\s*[=:\s]\s*(.*)$/.exec(line);
    if (m) out.set(m[1]!, m[2]!.trim());
  }
  return out;
}

/** Main-section attributes of a MANIFEST.MF (72-byte continuation lines joined). */
export function parseManifest(text: string): Map<string, string> {
  const out = new Map<string, string>();
  let last = '';
  for (const line of text.split(/\r?\n/)) {
    if (line === '') break;
    if (line.startsWith(' ')) {
      if (last) out.set(last, out.get(last)! + line.slice(1));
      continue;
    }
    const i = line.indexOf(':');
    if (i <= 0) continue;
    last = line.slice(0, i).trim();
    out.set(last, line.slice(i + 1).trim());
  }
  return out;
}

interface Coordinates {
  name: string;
  version: string;
  licenses?: string[];
}

const XML_ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

/** The `<licenses><license><name>` values of a pom.xml. */
export function pomLicenseNames(xml: string): string[] {
  const block = /<licenses>([\s\S]*?)<\/licenses>/.exec(xml)?.[1];
  if (!block) return [];
  const out: string[] = [];
  for (const m of block.matchAll(/<license>[\s\S]*?<name>([\s\S]*?)<\/name>[\s\S]*?<\/license>/g)) {
    const name = m[1]!.replace(/&(amp|lt|gt|quot|apos);/g, (_, e: string) => XML_ENTITIES[e]!).trim();
    if (name && name.length <= MAX_FIELD) out.push(name);
  }
  return out;
}

const LICENSE_URLS: Array<[RegExp, string]> = [
  [/^https?:\/\/(www\.)?apache\.org\/licenses\/LICENSE-2\.0(\.txt|\.html)?$/i, 'Apache-2.0'],
  [/^https?:\/\/(www\.)?opensource\.org\/licenses\/MIT(\.php|-license\.php)?$/i, 'MIT'],
  [/^https?:\/\/(www\.)?eclipse\.org\/legal\/epl-2\.0\/?$/i, 'EPL-2.0'],
  [/^https?:\/\/(www\.)?eclipse\.org\/legal\/epl-v10\.html$/i, 'EPL-1.0'],
];

/** Licence names a MANIFEST.MF declares (Jenkins plugin names first, else OSGi Bundle-License). */
export function manifestLicenseNames(m: Map<string, string>): string[] {
  const jenkins = [...m.entries()].filter(([k]) => /^Plugin-License-Name(-\d+)?$/.test(k)).map(([, v]) => v);
  if (jenkins.length) return jenkins.filter((v) => v && v.length <= MAX_FIELD);
  const bundle = m.get('Bundle-License');
  if (!bundle) return [];
  return bundle
    .split(',')
    .map((x) => x.split(';')[0]!.trim())
    .filter((x) => x && x.length <= MAX_FIELD)
    .map((x) => LICENSE_URLS.find(([re]) => re.test(x))?.[1] ?? x);
}

function valid(g: string | undefined, a: string | undefined, v: string | undefined): Coordinates | undefined {
  if (!g || !a || !v || g.length > MAX_FIELD || a.length > MAX_FIELD || v.length > MAX_FIELD) return undefined;
  return { name: `${g}:${a}`, version: v };
}

export function manifestCoordinates(m: Map<string, string>): Coordinates | undefined {
  const first = (...keys: string[]): string | undefined => keys.map((k) => m.get(k)).find((v) => !!v);
  let group = m.get('Implementation-Vendor-Id');
  if (!group) {
    const bsn = m.get('Bundle-SymbolicName')?.split(';')[0]?.trim();
    if (bsn) group = bsn.lastIndexOf('.') > 0 ? bsn.slice(0, bsn.lastIndexOf('.')) : bsn;
  }
  group ||= first('Implementation-Vendor', 'Specification-Vendor');
  return valid(
    group,
    first('Implementation-Title', 'Specification-Title', 'Bundle-Name'),
    first('Implementation-Version', 'Specification-Version', 'Bundle-Version'),
  );
}

interface Walk {
  notices: Notice[];
  /** Bytes still allowed for nested archives of the current top-level archive. */
  budget: number;
  imagePath: string;
}

/** The packages of one archive (and its nested archives), each with the path of the archive that holds it. */
function readArchive(buf: Buffer, path: string, depth: number, w: Walk, out: Array<Coordinates & { filePath: string }>): void {
  let entries;
  try {
    entries = zipEntries(buf, LIMITS);
  } catch (e) {
    if (!(e instanceof ZipError)) throw e;
    w.notices.push({ kind: 'package-db-unreadable', message: `Java archive ${path} skipped: ${e.message}`, path: w.imagePath });
    return;
  }
  const own = parseArchiveName(path);
  const found: Coordinates[] = [];
  let foundSelf = false;
  let manifest: Map<string, string> | undefined;
  const pomLicenses = new Map<string, string[]>();
  const small = (e: (typeof entries)[number]): string | undefined => {
    try {
      return zipRead(buf, e, LIMITS).toString('utf8');
    } catch (err) {
      if (!(err instanceof ZipError)) throw err;
      w.notices.push({ kind: 'package-db-unreadable', message: `Java archive ${path}: ${err.message}`, path: w.imagePath });
      return undefined;
    }
  };
  for (const e of entries) {
    if (e.name.endsWith('/')) continue;
    const b = base(e.name);
    if (b === 'pom.properties') {
      const text = small(e);
      if (text === undefined) continue;
      const p = parseProperties(text);
      const c = valid(p.get('groupId'), p.get('artifactId'), p.get('version'));
      if (!c) continue;
      if (own && own.artifactId === p.get('artifactId') && own.version === c.version) foundSelf = true;
      found.push(c);
    } else if (b === 'pom.xml') {
      const ga = /^META-INF\/maven\/([^/]+)\/([^/]+)\/pom\.xml$/.exec(e.name);
      const text = ga ? small(e) : undefined;
      if (ga && text !== undefined) pomLicenses.set(`${ga[1]}:${ga[2]}`, pomLicenseNames(text));
    } else if (b === 'MANIFEST.MF') {
      const text = small(e);
      if (text !== undefined) manifest = parseManifest(text);
    } else if (isJavaArchive(e.name)) {
      const inner = `${path}/${e.name}`;
      if (depth >= MAX_NESTING) {
        w.notices.push({
          kind: 'package-db-unreadable',
          message: `Java archive ${inner} skipped: nested deeper than ${MAX_NESTING} archives`,
          path: w.imagePath,
        });
        continue;
      }
      const cap = Math.min(MAX_NESTED_ARCHIVE, w.budget);
      let bytes: Buffer;
      try {
        bytes = zipRead(buf, e, { ...LIMITS, maxEntryBytes: cap });
      } catch (err) {
        if (!(err instanceof ZipError)) throw err;
        const why = cap < MAX_NESTED_ARCHIVE ? `the ${MAX_INFLATED_TOTAL}-byte budget for nested archives is spent` : err.message;
        w.notices.push({ kind: 'package-db-unreadable', message: `Java archive ${inner} skipped: ${why}`, path: w.imagePath });
        continue;
      }
      w.budget -= bytes.length;
      readArchive(bytes, inner, depth + 1, w, out);
    }
  }
  const here: Array<Coordinates & { filePath: string }> = found.map((c) => ({ ...c, filePath: path }));
  if (!foundSelf && manifest) {
    const m = manifestCoordinates(manifest);
    if (m) here.push({ ...m, filePath: path });
  }
  const fromManifest = manifest ? manifestLicenseNames(manifest) : [];
  for (const p of here) {
    const lic = pomLicenses.get(p.name);
    if (lic?.length) p.licenses = lic;
    else if (fromManifest.length) p.licenses = fromManifest;
    out.push(p);
  }
}

/** Packages of an archive's bytes; `path` is its path in the image. */
export function javaPackages(buf: Buffer, path: string): { packages: Array<Coordinates & { filePath: string }>; notices: Notice[] } {
  const w: Walk = { notices: [], budget: MAX_INFLATED_TOTAL, imagePath: path };
  const out: Array<Coordinates & { filePath: string }> = [];
  readArchive(buf, path, 0, w, out);
  // One package per name@version@archive (the same pom.properties copied twice in a fat jar).
  const seen = new Set<string>();
  const packages = out.filter((p) => {
    const k = `${p.name}\u0000${p.version}\u0000${p.filePath}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
  return { packages, notices: w.notices };
}

const java: Analyzer = {
  id: 'java',
  version: 2,
  kind: 'package',
  claims: { suffixes: ['.jar', '.war', '.ear', '.par', '.jpi', '.hpi'] },
  required(path, entry) {
    return entry.kind === 'file' && isJavaArchive(path) && entry.size <= MAX_ARCHIVE;
  },
  analyze(input: AnalyzerInput) {
    const packages: Package[] = [];
    const notices: Notice[] = [];
    for (const f of input.files) {
      if (!isJavaArchive(f.path)) continue;
      const r = javaPackages(f.content, f.path);
      notices.push(...r.notices);
      for (const p of r.packages)
        packages.push({ type: 'maven', name: p.name, version: p.version, filePath: p.filePath, layer: layerRef(f.entry.layer, input.layers) });
    }
    return { packages, notices };
  },
};

export default java;
