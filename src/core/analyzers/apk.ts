// The apk analyzer: installed Alpine (and Wolfi/Chainguard) packages from
// /lib/apk/db/installed, or /usr/lib/apk/db/installed where /lib is a link
// to usr/lib (Wolfi, Chainguard: merged /usr). Records are blank-line separated `X:value` lines:
// P name, V version, A arch, o origin (the source package; it shares the
// version), L license, m maintainer, F directory and R file (the files a
// package owns are the R entries under the preceding F).
import { InputError, LimitError } from '../errors.js';
import type { Package } from '../inventory/types.js';
import { forEachLine, isAlnum, latin1ToUtf8, latin1ToUtf8Lenient, onlyChars } from './decode.js';
import { layerAttribution, layerRef, packageKey } from './layer-attribution.js';
import type { Analyzer, AnalyzerFile, AnalyzerInput, AnalyzerResult } from './types.js';
import type { FileEntry } from '../inventory/types.js';

export const APK_INSTALLED = '/lib/apk/db/installed';
/** Where merged-/usr distributions (Wolfi, Chainguard) keep it: /lib is a symlink to usr/lib. */
export const APK_INSTALLED_USR = '/usr/lib/apk/db/installed';

export interface ApkLimits {
  maxRecords: number;
  /** Largest record; big packages own tens of thousands of files (~40 bytes per R line). */
  maxRecordBytes: number;
}

export const DEFAULT_APK_LIMITS: ApkLimits = { maxRecords: 200_000, maxRecordBytes: 32 * 1024 * 1024 };

interface ApkRecord {
  name: string;
  version: string;
  arch?: string;
  origin?: string;
  license?: string;
  maintainer?: string;
  files: string[];
}

const isNameChar = (c: number): boolean => isAlnum(c) || c === 0x2b || c === 0x2d || c === 0x2e || c === 0x5f; // + - . _
const isVersionChar = (c: number): boolean => isAlnum(c) || c === 0x2e || c === 0x5f || c === 0x2d || c === 0x2b || c === 0x7e; // . _ - + ~

function check(value: string, ok: (c: number) => boolean, field: string, where: string): string {
  if (!value || !onlyChars(value, ok)) throw new InputError('APK_BAD_FIELD', `invalid ${field} "${latin1ToUtf8Lenient(value).slice(0, 80)}"`, where);
  return value;
}

export function parseApkInstalled(content: Buffer, path: string, limits: ApkLimits = DEFAULT_APK_LIMITS): ApkRecord[] {
  const records: ApkRecord[] = [];
  let rec: (Partial<ApkRecord> & { files: string[] }) | null = null;
  let recLine = 0;
  let recOffset = 0;
  let dir = '';
  const finish = (): void => {
    if (!rec) return;
    const where = `${path}:${recLine}`;
    if (!rec.name) throw new InputError('APK_MISSING_FIELD', `record ${records.length + 1} has no P: (name)`, where);
    if (!rec.version) throw new InputError('APK_MISSING_FIELD', `package ${rec.name} has no V: (version)`, where);
    if (records.length >= limits.maxRecords) throw new LimitError('LIMIT_APK_RECORDS', `more than ${limits.maxRecords} records`, path);
    records.push(rec as ApkRecord);
    rec = null;
    dir = '';
  };
  forEachLine(content.toString('latin1'), (line, lineNo, offset) => {
    if (line === '') {
      finish();
      return;
    }
    const where = `${path}:${lineNo}`;
    if (!rec) {
      rec = { files: [] };
      recLine = lineNo;
      recOffset = offset;
    }
    if (offset + line.length - recOffset > limits.maxRecordBytes) {
      throw new LimitError('LIMIT_APK_RECORD_SIZE', `record ${records.length + 1} is larger than ${limits.maxRecordBytes} bytes`, where);
    }
    if (line.length < 2 || line.charCodeAt(1) !== 0x3a) throw new InputError('APK_SYNTAX', 'expected "X:value"', where);
    const value = line.slice(2);
    const r: Partial<ApkRecord> & { files: string[] } = rec;
    switch (line.charAt(0)) {
      case 'P':
        r.name = check(latin1ToUtf8(value, 'APK_NOT_UTF8', 'P:', where), isNameChar, 'package name', where);
        break;
      case 'V':
        r.version = check(value, isVersionChar, 'version', where);
        break;
      case 'A':
        r.arch = check(value, isNameChar, 'architecture', where);
        break;
      case 'o':
        r.origin = check(value, isNameChar, 'origin', where);
        break;
      case 'L':
        r.license = latin1ToUtf8Lenient(value);
        break;
      case 'm':
        r.maintainer = latin1ToUtf8Lenient(value);
        break;
      case 'F':
        dir = latin1ToUtf8Lenient(value);
        break;
      case 'R':
        r.files.push(dir ? `/${dir}/${latin1ToUtf8Lenient(value)}` : `/${latin1ToUtf8Lenient(value)}`);
        break;
      default:
        // C checksum, S size, I installed size, T description, U url, D depends, p provides, a/M acls, Z file checksum, ...
        break;
    }
  });
  finish();
  return records;
}

export const apkAnalyzer: Analyzer = {
  id: 'apk',
  version: 2,
  kind: 'package',
  pkgType: 'os',
  claims: { paths: [APK_INSTALLED, APK_INSTALLED_USR] },
  required(path: string, entry: FileEntry): boolean {
    return (path === APK_INSTALLED || path === APK_INSTALLED_USR) && (entry.kind === 'file' || entry.kind === 'hardlink');
  },
  analyze(input: AnalyzerInput): AnalyzerResult {
    const db = input.files.find((f) => f.path === APK_INSTALLED) ?? input.files.find((f) => f.path === APK_INSTALLED_USR);
    if (!db) return {};
    const keysOf = (f: AnalyzerFile): Set<string> => new Set(parseApkInstalled(f.content, f.path).map((r) => packageKey(r.name, r.version, r.arch)));
    const layerOf = layerAttribution(input.versions(db.path), keysOf);
    const packages: Package[] = parseApkInstalled(db.content, db.path).map((r) => {
      const pkg: Package = {
        type: 'apk',
        name: r.name,
        version: r.version,
        arch: r.arch,
        sourceName: r.origin ?? r.name,
        sourceVersion: r.version,
        files: r.files,
        layer: layerRef(layerOf(packageKey(r.name, r.version, r.arch), db.entry.layer), input.layers),
      };
      if (r.license) pkg.licenses = [r.license];
      if (r.maintainer) pkg.maintainer = r.maintainer;
      return pkg;
    });
    packages.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    return { packages };
  },
};
