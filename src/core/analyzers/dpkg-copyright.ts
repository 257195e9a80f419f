// Licenses of a Debian package from its machine-readable copyright file
// (/usr/share/doc/<pkg>/copyright in the DEP-5 format): the short names of
// every `License:` field, in order of appearance, without duplicates.
// Copyright files that are not DEP-5 yield nothing: their free text has no
// reliable license names, and a missing license is better than a wrong one.
import { forEachLine, latin1ToUtf8Lenient } from './decode.js';

/** Copyright files above this size are skipped (the biggest real ones are a few hundred KiB). */
export const MAX_COPYRIGHT_BYTES = 2 * 1024 * 1024;

export function dep5Licenses(bytes: Buffer): string[] {
  if (bytes.length > MAX_COPYRIGHT_BYTES) return [];
  const text = bytes.toString('latin1');
  // The first paragraph of a DEP-5 file starts with its Format field.
  const head = text.slice(0, 512).trimStart();
  if (!/^format:[^\n]*copyright-format/i.test(head)) return [];
  const seen = new Set<string>();
  forEachLine(text, (line) => {
    // Field lines start at column 0; license texts are continuation lines.
    if (line.length < 8 || (line.charCodeAt(0) | 0x20) !== 0x6c || line.slice(0, 8).toLowerCase() !== 'license:') return;
    const name = latin1ToUtf8Lenient(line.slice(8).trim());
    if (name) seen.add(name);
  });
  return [...seen];
}
