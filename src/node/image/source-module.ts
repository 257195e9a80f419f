// What an image source module is. Image sources are an index of modules
// (src/core/module-index.ts): each is one file in src/node/image/sources/,
// named after its id, that default-exports an ImageSourceModule. The id is the
// reference prefix (`oci` reads `oci:DIR[:TAG]`); `syntax` and `summary` make
// the IMAGE help texts; `detect` lets the source claim a bare path. openImage
// (open.ts) and the help texts read the index (sources.ts), so adding a
// source is its module, its test and its doc page (docs/architecture.md,
// "Extension points").
import { existsSync } from 'node:fs';
import { InputError } from '../../core/errors.js';
import type { Image } from '../../core/image/types.js';
import { hasMembers, type ModuleMeta } from '../../core/module-index.js';
import { splitPathTag } from './ref.js';
import type { OpenImageOptions } from './types.js';

/** What a bare path looks like, for `detect`. */
export interface BarePath {
  path: string;
  /** `directory` (a directory) or `tar` (a regular file, read as a tar archive). */
  kind: 'directory' | 'tar';
  /** Directory: a file of that name exists in it; tar: the archive has a member of that name. */
  has(name: string): boolean;
}

export interface ImageSourceModule extends ModuleMeta {
  /** The reference prefix: `registry` reads `registry:...`. Lower-case letters, digits and `-`. */
  readonly id: string;
  readonly version: number;
  /** The reference syntax for help texts, e.g. `oci:DIR[:TAG]`. */
  readonly syntax: string;
  /** One line: what the source reads. */
  readonly summary: string;
  /** The user doc page (and anchor) describing the source, relative to the repository root. */
  readonly docs: string;
  /**
   * Bare-path detection: the source claims a path of this kind when `test`
   * says so; lower `order` is asked first (a catch-all uses a high order).
   * `describe` names what it looks for, for the error when nothing claims a tar.
   */
  readonly detect?: { kind: 'directory' | 'tar'; order: number; describe: string; test(p: BarePath): boolean };
  /**
   * Open the image. `rest` is the reference after `id:` (or the bare path when
   * detected), `ref` the whole reference as the user wrote it (for errors and
   * the image name).
   */
  open(rest: string, ref: string, opts: OpenImageOptions): Promise<Image>;
}

export function isImageSourceModule(m: unknown): m is ImageSourceModule {
  if (!hasMembers(m, { id: 'id', syntax: 'string', summary: 'string', docs: 'string', open: 'function' })) return false;
  const detect = m.detect as ImageSourceModule['detect'];
  return detect === undefined || (typeof detect.test === 'function' && typeof detect.order === 'number');
}

/** `PATH[:TAG]` of a local source: the longest existing prefix is the path. */
export function existingPathAndTag(rest: string, ref: string): { path: string; tag?: string } {
  const r = splitPathTag(rest, (p) => existsSync(p));
  if (!r) throw new InputError('IMAGE_NOT_FOUND', 'no such file or directory', rest.includes(':') ? ref : rest);
  return r;
}
