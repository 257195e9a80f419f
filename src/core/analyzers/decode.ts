// Byte-level helpers shared by the package-database parsers: strict UTF-8
// for the fields Vigil reports (names, versions), lenient decoding for
// informational text (paths, maintainers), and line splitting that never
// backtracks.
import { InputError, type ErrorCode } from '../errors.js';

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/** Any byte >= 0x80 in a latin1-decoded string (one char per byte). */
function hasHighByte(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) >= 0x80) return true;
  return false;
}

/**
 * Parsers read files as latin1 (one char per byte, lossless and fast) so that
 * offsets are byte offsets; values that are reported go through here to
 * become real UTF-8 strings, or fail with a clear error.
 */
export function latin1ToUtf8(s: string, code: ErrorCode, what: string, where: string): string {
  if (!hasHighByte(s)) return s;
  try {
    return strictUtf8.decode(Buffer.from(s, 'latin1'));
  } catch {
    throw new InputError(code, `${what} is not valid UTF-8`, where);
  }
}

/** Lenient variant for informational text: invalid sequences become U+FFFD. */
export function latin1ToUtf8Lenient(s: string): string {
  return hasHighByte(s) ? Buffer.from(s, 'latin1').toString('utf8') : s;
}

/** Strict UTF-8 decoding of raw bytes. */
export function utf8Strict(bytes: Uint8Array, code: ErrorCode, what: string, where: string): string {
  try {
    return strictUtf8.decode(bytes);
  } catch {
    throw new InputError(code, `${what} is not valid UTF-8`, where);
  }
}

/** Calls `fn` for each line (without its `\n`, a trailing `\r` removed) with its 1-based number and byte offset. */
export function forEachLine(text: string, fn: (line: string, lineNo: number, offset: number) => void): void {
  let start = 0;
  let lineNo = 1;
  while (start < text.length) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    let line = text.slice(start, end);
    if (line.endsWith('\r')) line = line.slice(0, -1);
    fn(line, lineNo, start);
    start = end + 1;
    lineNo++;
  }
}

/** True when every char is in the given set of allowed char codes (a linear scan, no regex backtracking). */
export function onlyChars(s: string, allowed: (c: number) => boolean): boolean {
  for (let i = 0; i < s.length; i++) if (!allowed(s.charCodeAt(i))) return false;
  return true;
}

export const isAlnum = (c: number): boolean => (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);
