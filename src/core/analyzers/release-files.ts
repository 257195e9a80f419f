// Parsers of the files that name a Linux distribution: os-release
// (freedesktop.org format: KEY=value, shell-style quoting), the one-line
// `<Name> release <version> (<codename>)` files of the Red Hat family, and
// the bare version files of Alpine and Debian. Bounded: these are tiny files,
// anything above MAX_RELEASE_FILE_BYTES is not one.
import { InputError, LimitError } from '../errors.js';
import { forEachLine, utf8Strict } from './decode.js';

export const MAX_RELEASE_FILE_BYTES = 64 * 1024;

function readText(bytes: Buffer, path: string): string {
  if (bytes.length > MAX_RELEASE_FILE_BYTES) throw new LimitError('LIMIT_RELEASE_FILE_SIZE', `larger than ${MAX_RELEASE_FILE_BYTES} bytes`, path);
  return utf8Strict(bytes, 'OS_RELEASE_NOT_UTF8', 'content', path);
}

/** Parse an os-release file into its variables. */
export function parseOsRelease(bytes: Buffer, path: string): Map<string, string> {
  const vars = new Map<string, string>();
  forEachLine(readText(bytes, path), (raw, lineNo) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const where = `${path}:${lineNo}`;
    const eq = line.indexOf('=');
    const key = eq > 0 ? line.slice(0, eq) : '';
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(key)) throw new InputError('OS_RELEASE_SYNTAX', 'expected KEY=value', where);
    vars.set(key, unquote(line.slice(eq + 1), where));
  });
  return vars;
}

/** Shell-style value: "double" (with \ escapes), 'single', or bare. */
function unquote(v: string, where: string): string {
  const q = v.charAt(0);
  if (q !== '"' && q !== "'") return v;
  let out = '';
  for (let i = 1; i < v.length; i++) {
    const c = v.charAt(i);
    if (c === q) {
      if (v.slice(i + 1).trim() !== '') throw new InputError('OS_RELEASE_SYNTAX', 'text after the closing quote', where);
      return out;
    }
    if (c === '\\' && q === '"' && i + 1 < v.length) {
      out += v.charAt(++i);
      continue;
    }
    out += c;
  }
  throw new InputError('OS_RELEASE_SYNTAX', 'unterminated quote', where);
}

/** First non-empty line of a one-line version file (alpine-release, debian_version). */
export function parseVersionFile(bytes: Buffer, path: string): string {
  const text = readText(bytes, path);
  const line = text.split('\n', 1)[0]!.trim();
  if (!line || line.length > 200 || /\s/.test(line)) throw new InputError('OS_RELEASE_SYNTAX', 'expected a single version', path);
  return line;
}

export interface RedHatRelease {
  /** Distribution name as written, e.g. `CentOS Linux`, `Red Hat Enterprise Linux Server`. */
  name: string;
  version: string;
  codename?: string;
}

/** `CentOS Linux release 7.9.2009 (Core)`, `Red Hat Enterprise Linux release 8.10 (Ootpa)`, `Fedora release 40 (Forty)`. */
export function parseRedHatRelease(bytes: Buffer, path: string): RedHatRelease {
  const line = readText(bytes, path).split('\n', 1)[0]!.trim();
  const at = line.indexOf(' release ');
  if (at <= 0) throw new InputError('OS_RELEASE_SYNTAX', 'expected "<name> release <version>"', path);
  const name = line.slice(0, at).trim();
  const rest = line.slice(at + ' release '.length).trim();
  const space = rest.indexOf(' ');
  const version = space < 0 ? rest : rest.slice(0, space);
  if (!/^[0-9][0-9A-Za-z.]*$/.test(version)) throw new InputError('OS_RELEASE_SYNTAX', `invalid version "${version.slice(0, 40)}"`, path);
  const tail = space < 0 ? '' : rest.slice(space + 1).trim();
  const codename = tail.startsWith('(') && tail.endsWith(')') ? tail.slice(1, -1) : undefined;
  return { name, version, codename };
}
