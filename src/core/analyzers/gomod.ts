// go.mod and go.sum of Go source trees, read as Trivy's gomod analyzer reads
// them: every `require` (indirect ones only from Go 1.17 on, where go.mod
// lists the whole build list), `replace` directives applied (a replacement
// by a local path drops the module; one with a version names the module that
// is built), the main module (`module`, no version); for a go.mod older than
// Go 1.17, the modules of the go.sum beside it that go.mod does not list.
// Bounded: file size, line count and line length.

export const MAX_GOMOD = 8 * 1024 * 1024;
const MAX_LINES = 200_000;

export interface GoModFile {
  module?: string;
  go?: string;
  requires: Array<{ path: string; version: string; indirect: boolean }>;
  replaces: Array<{ oldPath: string; oldVersion?: string; newPath: string; newVersion?: string }>;
}

/** go.mod tokens of one line: quoted strings (`"..."`, `` `...` ``) unquoted, `//` comments kept as one token. */
function tokens(line: string): string[] | string {
  const out: string[] = [];
  let i = 0;
  while (i < line.length) {
    const c = line[i]!;
    if (c === ' ' || c === '\t') {
      i++;
      continue;
    }
    if (line.startsWith('//', i)) {
      out.push(line.slice(i));
      break;
    }
    if (c === '"') {
      const m = /^"(?:[^"\\]|\\.)*"/.exec(line.slice(i));
      if (!m) return 'unterminated string';
      try {
        out.push(JSON.parse(m[0]) as string);
      } catch {
        return 'malformed string';
      }
      i += m[0].length;
      continue;
    }
    if (c === '`') {
      const end = line.indexOf('`', i + 1);
      if (end < 0) return 'unterminated string';
      out.push(line.slice(i + 1, end));
      i = end + 1;
      continue;
    }
    let j = i;
    while (j < line.length && line[j] !== ' ' && line[j] !== '\t' && !line.startsWith('//', j)) j++;
    out.push(line.slice(i, j));
    i = j;
  }
  return out;
}

/** The directives of a go.mod; an error message naming the line when malformed. */
export function parseGoMod(text: string): GoModFile | string {
  const out: GoModFile = { requires: [], replaces: [] };
  const lines = text.split('\n');
  if (lines.length > MAX_LINES) return `more than ${MAX_LINES} lines`;
  let block: string | undefined;
  for (const [n, raw] of lines.entries()) {
    const t = tokens(raw.replace(/\r$/, ''));
    if (typeof t === 'string') return `line ${n + 1}: ${t}`;
    const comment = t.length && t[t.length - 1]!.startsWith('//') ? t.pop()! : '';
    if (t.length === 0) continue;
    let verb: string;
    let args: string[];
    if (block) {
      if (t[0] === ')') {
        block = undefined;
        continue;
      }
      verb = block;
      args = t;
    } else {
      verb = t[0]!;
      args = t.slice(1);
      if (args.length === 1 && args[0] === '(') {
        block = verb;
        continue;
      }
    }
    const bad = (): string => `line ${n + 1}: malformed ${verb}`;
    if (verb === 'module') {
      if (args.length !== 1) return bad();
      out.module = args[0];
    } else if (verb === 'go') {
      if (args.length !== 1) return bad();
      out.go = args[0];
    } else if (verb === 'require') {
      if (args.length !== 2) return bad();
      out.requires.push({ path: args[0]!, version: args[1]!, indirect: /^\/\/\s*indirect\b/.test(comment) || /;\s*indirect\b/.test(comment) });
    } else if (verb === 'replace') {
      const arrow = args.indexOf('=>');
      if (arrow !== 1 && arrow !== 2) return bad();
      const left = args.slice(0, arrow);
      const right = args.slice(arrow + 1);
      if (right.length !== 1 && right.length !== 2) return bad();
      out.replaces.push({ oldPath: left[0]!, ...(left[1] ? { oldVersion: left[1] } : {}), newPath: right[0]!, ...(right[1] ? { newVersion: right[1] } : {}) });
    }
    // exclude, retract, toolchain, godebug, tool, ignore: nothing to list.
  }
  if (block) return `unterminated ${block} block`;
  return out;
}

/** go.sum's modules: the last version recorded for each path (`/go.mod` suffixes dropped), as Trivy reads it. */
export function parseGoSum(text: string): Map<string, string> {
  const out = new Map<string, string>();
  let n = 0;
  for (const line of text.split('\n')) {
    if (++n > MAX_LINES) break;
    const f = line.trim().split(/\s+/);
    if (f.length < 2 || !f[0]) continue;
    out.set(f[0], f[1]!.replace(/\/go\.mod$/, ''));
  }
  return out;
}

/** Whether a go.mod's `go` version is below 1.17 (its requires are then only the direct ones). */
export function goBelow117(go: string | undefined): boolean {
  if (!go) return true;
  const m = /^(\d+)\.(\d+)$/.exec(go) ?? /^(\d+)\.(\d+)\./.exec(go);
  if (!m) return false;
  return Number(m[1]) <= 1 && Number(m[2]) < 17;
}

export interface GoModPackage {
  name: string;
  version: string;
  relationship: 'root' | 'direct' | 'indirect';
}

/** Packages of a parsed go.mod (and its go.sum when go.mod lists no indirect module, as before Go 1.17). */
export function goModPackages(mod: GoModFile, sum?: Map<string, string>): GoModPackage[] {
  const skipIndirect = goBelow117(mod.go);
  const pkgs = new Map<string, GoModPackage>();
  for (const r of mod.requires) {
    if (skipIndirect && r.indirect) continue;
    pkgs.set(r.path, { name: r.path, version: r.version, relationship: r.indirect ? 'indirect' : 'direct' });
  }
  for (const rep of mod.replaces) {
    const old = pkgs.get(rep.oldPath);
    if (!old) continue;
    if (rep.oldVersion && old.version !== rep.oldVersion) continue;
    pkgs.delete(rep.oldPath);
    if (!rep.newVersion) continue;
    pkgs.set(rep.newPath, { name: rep.newPath, version: rep.newVersion, relationship: old.relationship });
  }
  if (mod.module) pkgs.set(mod.module, { name: mod.module, version: '', relationship: 'root' });
  // Trivy merges go.sum when go.mod lists no indirect module (Go 1.16 and older list only direct ones).
  if (sum && ![...pkgs.values()].some((p) => p.relationship === 'indirect')) {
    for (const [path, version] of sum) if (!pkgs.has(path)) pkgs.set(path, { name: path, version, relationship: 'indirect' });
  }
  return [...pkgs.values()];
}
