// Cargo.lock: the `[[package]]` tables (name, version, source, dependencies)
// of every lockfile version (v1 with its `[metadata]` checksums, v2, v3,
// v4). Cargo writes a small, regular subset of TOML; this reads that subset
// (`key = "string"`, `key = integer`, string arrays over several lines,
// table headers, comments) and rejects anything else with the line number,
// rather than guessing. Bounded: file size, lines, packages.

export const MAX_CARGO_LOCK = 32 * 1024 * 1024;
const MAX_LINES = 2_000_000;
const MAX_PACKAGES = 100_000;

export interface CargoLockPackage {
  name: string;
  version: string;
  source?: string;
  dependencies: string[];
}

function tomlString(s: string): string | undefined {
  // Triple-quoted strings on one line (`"""1.7.2"""`, `'''x'''`).
  if (s.length >= 6 && ((s.startsWith('"""') && s.endsWith('"""')) || (s.startsWith("'''") && s.endsWith("'''")))) {
    const inner = s.slice(3, -3);
    return s[0] === "'" ? inner : tomlString(`"${inner.replace(/(^|[^\\])"/g, '$1\\"')}"`);
  }
  if (s.startsWith('"')) {
    const m = /^"((?:[^"\\]|\\.)*)"$/.exec(s);
    if (!m) return undefined;
    try {
      return JSON.parse(`"${m[1]!.replace(/\\U([0-9a-fA-F]{8})/g, (_, h: string) => String.fromCodePoint(parseInt(h, 16)))}"`) as string;
    } catch {
      return undefined;
    }
  }
  if (s.startsWith("'")) {
    const m = /^'([^']*)'$/.exec(s);
    return m ? m[1] : undefined;
  }
  return undefined;
}

/** Strips a trailing `# comment` outside strings. */
function stripComment(line: string): string {
  let q = '';
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (q) {
      if (c === '\\' && q === '"') i++;
      else if (c === q) q = '';
    } else if (c === '"' || c === "'") q = c;
    else if (c === '#') return line.slice(0, i);
  }
  return line;
}

/** The packages of a Cargo.lock, or an error message naming the line. */
export function parseCargoLock(text: string): CargoLockPackage[] | string {
  const lines = text.replace(/^\uFEFF/, '').split('\n');
  if (lines.length > MAX_LINES) return `more than ${MAX_LINES} lines`;
  const out: CargoLockPackage[] = [];
  let cur: (Partial<CargoLockPackage> & { dependencies: string[] }) | undefined;
  let inPackage = false;
  let array: string[] | undefined;
  let arrayKey = '';
  const finish = (n: number): string | undefined => {
    if (!cur) return undefined;
    if (!cur.name || !cur.version) return `line ${n}: [[package]] without name or version`;
    out.push({ name: cur.name, version: cur.version, ...(cur.source ? { source: cur.source } : {}), dependencies: cur.dependencies });
    if (out.length > MAX_PACKAGES) return `more than ${MAX_PACKAGES} packages`;
    cur = undefined;
    return undefined;
  };
  for (let i = 0; i < lines.length; i++) {
    const n = i + 1;
    const line = stripComment(lines[i]!.replace(/\r$/, '')).trim();
    if (!line) continue;
    if (array) {
      // Inside a multi-line array: string items separated by commas, closed by `]`.
      let rest = line;
      while (rest) {
        if (rest.startsWith(']')) {
          if (inPackage && cur && arrayKey === 'dependencies') cur.dependencies = array;
          array = undefined;
          rest = rest.slice(1).trim();
          if (rest) return `line ${n}: unexpected text after ]`;
          break;
        }
        const m = /^("(?:[^"\\]|\\.)*"|'[^']*')\s*,?\s*/.exec(rest);
        if (!m) return `line ${n}: malformed array item`;
        const v = tomlString(m[1]!);
        if (v === undefined) return `line ${n}: malformed string`;
        array.push(v);
        rest = rest.slice(m[0].length);
      }
      continue;
    }
    if (line.startsWith('[')) {
      const e = finish(n);
      if (e) return e;
      if (line === '[[package]]') {
        inPackage = true;
        cur = { dependencies: [] };
      } else if (/^\[\[?[A-Za-z0-9_.\-" ]+\]\]?$/.test(line)) inPackage = false;
      else return `line ${n}: malformed table header`;
      continue;
    }
    const kv = /^([A-Za-z0-9_-]+|"[^"]*")\s*=\s*(.*)$/.exec(line);
    if (!kv) return `line ${n}: not a key = value line`;
    const key = kv[1]!.replace(/^"|"$/g, '');
    const raw = kv[2]!.trim();
    let value: string | string[] | undefined;
    if (raw.startsWith('[')) {
      const inner = raw.slice(1).trim();
      if (inner.endsWith(']')) {
        const items = inner.slice(0, -1).trim();
        value = [];
        for (const m of items.matchAll(/("(?:[^"\\]|\\.)*"|'[^']*')\s*(?:,|$)\s*/g)) {
          const v = tomlString(m[1]!);
          if (v === undefined) return `line ${n}: malformed string`;
          value.push(v);
        }
      } else if (inner === '' || inner.startsWith('"') || inner.startsWith("'")) {
        array = [];
        arrayKey = key;
        if (inner) {
          lines[i] = inner;
          i--;
        }
        continue;
      } else return `line ${n}: malformed array`;
    } else if (raw.startsWith('"') || raw.startsWith("'")) {
      value = tomlString(raw);
      if (value === undefined) return `line ${n}: malformed string`;
    } else if (/^[+-]?\d+$|^true$|^false$/.test(raw)) value = raw;
    else if (raw.startsWith('{')) value = raw;
    else return `line ${n}: unsupported value`;
    if (!inPackage || !cur) continue;
    if (key === 'name' && typeof value === 'string') cur.name = value;
    else if (key === 'version' && typeof value === 'string') cur.version = value;
    else if (key === 'source' && typeof value === 'string') cur.source = value;
    else if (key === 'dependencies' && Array.isArray(value)) cur.dependencies = value;
  }
  if (array) return 'unterminated array';
  const e = finish(lines.length);
  return e ?? out;
}
