// Go build information of an ELF executable, read as `go version -m` reads
// it: the `.go.buildinfo` section (or, without section headers, the first
// writable non-executable PT_LOAD segment), a 32-byte header starting with
// the magic `\xff Go buildinf:` on a 16-byte boundary, then either
//  - the 1.18+ inline layout (flags bit 2): the Go version and the module
//    info as two uvarint-length-prefixed strings right after the header, or
//  - the older pointer layout: two pointers (of the header's pointer size
//    and byte order) to Go string headers (data pointer, length) in the data
//    segments.
// The module info is tab-separated lines (`path`, `mod`, `dep`, `=>`,
// `build`) between 16-byte sentinels. Packages follow Trivy's Go binary
// parser: `stdlib` at the Go version with a `v` prefix, every dependency
// (the replacement when there is one), and the main module, whose `(devel)`
// version is dropped for a semver `-X ...version=` in `-ldflags`, else empty.
import type { ByteSource } from './byte-source.js';
import { fileSection, parseElf, readAt, sectionData, PF_W, PF_X, PT_LOAD, type ElfFile } from './elf.js';

const MAGIC = Buffer.from('\xff Go buildinf:', 'latin1');
const ALIGN = 16;
/** How far into the data segment the header is searched for (Go: 64 KiB). */
const SEARCH = 64 * 1024;
/** Longest string read through a pointer or a varint (Go: 20 MiB); real module info is a few KiB to a few hundred KiB. */
export const MAX_GO_STRING = 20 * 1024 * 1024;
/** Most module lines accepted. */
const MAX_LINES = 100_000;

export interface GoModule {
  path: string;
  version: string;
  sum?: string;
  replace?: GoModule;
}

export interface GoBuildInfo {
  goVersion: string;
  path?: string;
  main?: GoModule;
  deps: GoModule[];
  settings: Array<[string, string]>;
}

/**
 * Raw build info strings: `{ goVersion, modinfo }`; `undefined` when the file
 * is not a Go executable; a string when it is one but broken. Reads the file's
 * headers, then the build info only (through a ByteSource, a few KiB of a
 * large binary).
 */
export function readGoBuildInfoRaw(input: Buffer | ByteSource): { goVersion: string; modinfo: string } | string | undefined {
  const elf = parseElf(input);
  if (typeof elf === 'string') return undefined;
  return readFromElf(elf);
}

/** Up to `len` bytes from the start of the build info's search area: the `.go.buildinfo` section, else the first writable non-executable PT_LOAD segment. */
function searchArea(elf: ElfFile): ((len: number) => Buffer | undefined) | undefined {
  if (fileSection(elf, '.go.buildinfo')) return (len) => sectionData(elf, '.go.buildinfo', len);
  const s = elf.sections.find((x) => x.name === '.go.buildinfo');
  if (s) return (len) => readAt(elf, s.addr, len);
  for (const p of elf.segments) if (p.type === PT_LOAD && (p.flags & (PF_X | PF_W)) === PF_W) return (len) => readAt(elf, p.vaddr, len);
  return undefined;
}

/** The raw build info of a parsed ELF file (see readGoBuildInfoRaw). */
export function readFromElf(elf: ElfFile): { goVersion: string; modinfo: string } | string | undefined {
  const area = searchArea(elf);
  const data = area?.(SEARCH);
  if (!area || !data) return undefined;
  let at = -1;
  for (let i = data.indexOf(MAGIC); i >= 0; i = data.indexOf(MAGIC, i + 1)) {
    if (i % ALIGN === 0) {
      at = i;
      break;
    }
  }
  if (at < 0 || data.length - at < 32) return undefined;
  let h = data.subarray(at);
  const ptrSize = h[14]!;
  const flags = h[15]!;
  let goVersion: string | undefined;
  let modinfo: string | undefined;
  if (flags & 2) {
    // Inline strings may run past the search window (module info of more than 64 KiB): read on as far as their lengths say.
    const strings = (): [ReturnType<typeof uvarintString>, ReturnType<typeof uvarintString>] => {
      const v = uvarintString(h.subarray(32));
      const m = typeof v === 'string' ? v : uvarintString(h.subarray(32 + v.next));
      return [v, m];
    };
    let [v, m] = strings();
    const short = (x: typeof v): boolean => x === OUTSIDE || x === TRUNCATED;
    if (short(v) || short(m)) {
      const longer = area(at + 32 + 2 * (MAX_GO_STRING + 10));
      if (longer && longer.length > data.length) {
        h = longer.subarray(at);
        [v, m] = strings();
      }
    }
    if (typeof v === 'string') return `Go version: ${v}`;
    if (typeof m === 'string') return `module info: ${m}`;
    goVersion = v.s;
    modinfo = m.s;
  } else {
    if (ptrSize !== 4 && ptrSize !== 8) return `pointer size ${ptrSize}`;
    const be = (flags & 1) !== 0;
    const readPtr = (b: Buffer): number | undefined => {
      if (b.length < ptrSize) return undefined;
      if (ptrSize === 4) return be ? b.readUInt32BE(0) : b.readUInt32LE(0);
      const v = be ? b.readBigUInt64BE(0) : b.readBigUInt64LE(0);
      return v > BigInt(Number.MAX_SAFE_INTEGER) ? undefined : Number(v);
    };
    const readString = (addr: number | undefined): string | undefined => {
      if (addr === undefined) return undefined;
      const hdr = readAt(elf, addr, 2 * ptrSize);
      if (!hdr || hdr.length < 2 * ptrSize) return undefined;
      const p = readPtr(hdr);
      const n = readPtr(hdr.subarray(ptrSize));
      if (p === undefined || n === undefined || n > MAX_GO_STRING) return undefined;
      const b = readAt(elf, p, n);
      return b && b.length === n ? b.toString('utf8') : undefined;
    };
    goVersion = readString(readPtr(h.subarray(16)));
    modinfo = readString(readPtr(h.subarray(16 + ptrSize))) ?? '';
  }
  if (!goVersion) return 'no Go version in the build info';
  // The module info sits between 16-byte sentinels; without them there is none (GOPATH builds).
  if (modinfo.length >= 33 && modinfo.charCodeAt(modinfo.length - 17) === 10) modinfo = modinfo.slice(16, -16);
  else modinfo = '';
  return { goVersion, modinfo };
}

const OUTSIDE = 'string outside the section';
const TRUNCATED = 'truncated length';

function uvarintString(b: Buffer): { s: string; next: number } | string {
  let n = 0;
  let shift = 0;
  let i = 0;
  for (; ; i++) {
    if (i >= b.length || i >= 10) return TRUNCATED;
    const c = b[i]!;
    n += (c & 0x7f) * 2 ** shift;
    shift += 7;
    if (c < 0x80) break;
  }
  if (n > MAX_GO_STRING) return `string of ${n} bytes`;
  if (i + 1 + n > b.length) return OUTSIDE;
  return { s: b.toString('utf8', i + 1, i + 1 + n), next: i + 1 + n };
}

function moduleLine(elem: string[]): GoModule | undefined {
  if (elem.length !== 2 && elem.length !== 3) return undefined;
  const m: GoModule = { path: elem[0]!, version: elem[1]! };
  if (elem.length === 3 && elem[2]) m.sum = elem[2];
  return m;
}

function unquote(s: string): string {
  if (s.length >= 2 && s.startsWith('"') && s.endsWith('"')) {
    try {
      const v: unknown = JSON.parse(s);
      if (typeof v === 'string') return v;
    } catch {
      /* kept as written */
    }
  }
  return s;
}

/** The module info text (`debug.BuildInfo.String()` form) parsed; an error message for a malformed line. */
export function parseModinfo(goVersion: string, text: string): GoBuildInfo | string {
  const info: GoBuildInfo = { goVersion, deps: [], settings: [] };
  let last: GoModule | undefined;
  const lines = text.split('\n');
  if (lines.length > MAX_LINES) return `more than ${MAX_LINES} module info lines`;
  for (const [i, raw] of lines.entries()) {
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (!line) continue;
    const tab = line.indexOf('\t');
    const key = tab < 0 ? line : line.slice(0, tab);
    const val = tab < 0 ? '' : line.slice(tab + 1);
    if (key === 'go') continue;
    if (key === 'path') info.path = val;
    else if (key === 'mod') {
      const m = moduleLine(val.split('\t'));
      if (!m) return `line ${i + 1}: malformed "mod" line`;
      info.main = last = m;
    } else if (key === 'dep') {
      const m = moduleLine(val.split('\t'));
      if (!m) return `line ${i + 1}: malformed "dep" line`;
      info.deps.push(m);
      last = m;
    } else if (key === '=>') {
      const m = moduleLine(val.split('\t'));
      if (!m || !last) return `line ${i + 1}: malformed replacement`;
      last.replace = m;
      last = undefined;
    } else if (key === 'build') {
      // `key=value`; a key or value with spaces, tabs, quotes or `=` is quoted.
      let k: string;
      let v: string;
      if (val.startsWith('"')) {
        const end = /^"(?:[^"\\]|\\.)*"/.exec(val)?.[0];
        if (!end || val[end.length] !== '=') return `line ${i + 1}: malformed build setting`;
        k = unquote(end);
        v = unquote(val.slice(end.length + 1));
      } else {
        const eq = val.indexOf('=');
        if (eq <= 0) return `line ${i + 1}: malformed build setting`;
        k = val.slice(0, eq);
        v = unquote(val.slice(eq + 1));
      }
      info.settings.push([k, v]);
    }
    // Unknown keys are ignored, as Go ignores them.
  }
  return info;
}

// ---- Trivy's rules for the main module's version ----

const GO_SEMVER = /^v(0|[1-9]\d*)(?:\.(0|[1-9]\d*)(?:\.(0|[1-9]\d*)(?:-[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?(?:\+[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?)?)?$/;
/** golang.org/x/mod/semver validity: `v` then major[.minor[.patch[-pre][+build]]]. */
export function isGoSemver(v: string): boolean {
  if (!GO_SEMVER.test(v)) return false;
  // Pre-release identifiers that are numeric may not have leading zeros.
  const pre = /^[^-+]*-([^+]*)/.exec(v)?.[1];
  return !pre || pre.split('.').every((p) => !/^0\d+$/.test(p));
}

const PSEUDO = /^v[0-9]+\.(0\.0-|\d+\.\d+-([^+]*\.)?0\.)\d{14}-[A-Za-z0-9]+(\+[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*)?$/;
/** golang.org/x/mod/module.IsPseudoVersion. */
export function isPseudoVersion(v: string): boolean {
  return v.includes('-') && isGoSemver(v) && PSEUDO.test(v);
}

/** Shell-style words of an `-ldflags` value (quotes and backslashes as a POSIX shell reads them). */
export function shellWords(s: string): string[] | undefined {
  const out: string[] = [];
  let cur = '';
  let has = false;
  let q: '"' | "'" | '' = '';
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (q === "'") {
      if (c === "'") q = '';
      else cur += c;
    } else if (q === '"') {
      if (c === '"') q = '';
      else if (c === '\\' && i + 1 < s.length && '"\\$`'.includes(s[i + 1]!)) cur += s[++i];
      else cur += c;
    } else if (c === "'" || c === '"') {
      q = c;
      has = true;
    } else if (c === '\\' && i + 1 < s.length) {
      cur += s[++i];
      has = true;
    } else if (/\s/.test(c)) {
      if (has || cur) out.push(cur);
      cur = '';
      has = false;
    } else cur += c;
  }
  if (q) return undefined;
  if (has || cur) out.push(cur);
  return out;
}

const VERSION_PREFIXES = new Set(['main', 'common', 'version', 'cmd']);

/** The main module's version stamped with `-X <pkg>.version=<semver>` in `-ldflags`, chosen as Trivy chooses; "" when none or ambiguous. */
export function versionFromLdflags(module: string, ldflags: string | undefined): string {
  if (!ldflags) return '';
  const words = shellWords(ldflags);
  if (!words) return '';
  const x = new Map<string, string>();
  for (let i = 0; i < words.length; i++) {
    const w = words[i]!;
    let kv: string | undefined;
    if (w === '-X' || w === '--X') kv = words[++i];
    else if (w.startsWith('-X=')) kv = w.slice(3);
    else if (w.startsWith('--X=')) kv = w.slice(4);
    else if (w.startsWith('-X') && !w.startsWith('--')) kv = w.slice(2);
    if (kv === undefined) continue;
    const eq = kv.indexOf('=');
    if (eq <= 0) continue;
    x.set(kv.slice(0, eq), kv.slice(eq + 1));
  }
  const tiers: string[][] = [[], [], []];
  for (let [k, v] of x) {
    k = k.replace(/^'+/, '');
    v = v.replace(/'+$/, '');
    const lk = k.toLowerCase();
    if (!(lk.endsWith('.version') || lk.endsWith('.ver'))) continue;
    if (!(isGoSemver(v) || isGoSemver(`v${v}`))) continue;
    const prefix = k
      .slice(k.lastIndexOf('/') + 1)
      .split('.', 1)[0]!
      .toLowerCase();
    if (k.startsWith(`${module}/cmd/`)) tiers[0]!.push(v);
    else if (VERSION_PREFIXES.has(prefix)) tiers[1]!.push(v);
    else tiers[2]!.push(v);
  }
  for (const t of tiers) {
    if (t.length === 0) continue;
    return t.length === 1 ? t[0]! : '';
  }
  return '';
}

/** `go1.22.1`, `go1.22.1 X:boringcrypto`, `go1.26.0-X:foo`, `go1.21.0 (Red Hat 1.21.0-1.el9)` -> `v1.22.1`. */
export function stdlibVersion(goVersion: string): string {
  let v = goVersion.startsWith('go') ? goVersion.slice(2) : goVersion;
  v = v.split(' ', 1)[0]!;
  const x = v.indexOf('-X:');
  if (x >= 0) v = v.slice(0, x);
  return `v${v}`;
}

export interface GoPackage {
  name: string;
  version: string;
  relationship: 'root' | 'direct' | 'unknown';
}

/** The packages of a binary's build info, as Trivy lists them (stdlib, dependencies, main module). */
export function goBinaryPackages(info: GoBuildInfo): GoPackage[] {
  const out: GoPackage[] = [{ name: 'stdlib', version: stdlibVersion(info.goVersion), relationship: 'direct' }];
  const devel = (v: string): string => (v === '(devel)' ? '' : v);
  for (const d of info.deps) {
    // Old toolchains list the main module as a dependency with an empty path.
    if (!d.path) continue;
    const m = d.replace ?? d;
    out.push({ name: m.path, version: devel(m.version), relationship: 'unknown' });
  }
  if (info.main?.path) {
    const v = devel(info.main.version);
    const ld = versionFromLdflags(info.main.path, info.settings.find(([k]) => k === '-ldflags')?.[1]);
    const version = v && !isPseudoVersion(v) ? v : ld || v;
    out.push({ name: info.main.path, version, relationship: 'root' });
  }
  return out;
}
