// Image references as users write them: `ID:REST` where ID is the id of a
// registered image source (src/node/image/sources/: docker-archive, oci,
// oci-archive, rootfs, registry, ...), or a bare path (detected by open.ts).
import { InputError } from '../../core/errors.js';

export interface ParsedRef {
  /** The source id; undefined for a bare path. */
  type?: string;
  /** Everything after the `type:` prefix (path, maybe with `:TAG`; registry reference). */
  rest: string;
}

const UNSUPPORTED = ['docker', 'containers-storage', 'dir', 'podman'];

/** Split `ref` by the source ids `prefixes` (`registry` needs a reference, the others a path). */
export function parseImageRef(ref: string, prefixes: readonly string[]): ParsedRef {
  if (typeof ref !== 'string' || ref.trim() === '') throw new InputError('USAGE', 'no image given', 'IMAGE');
  for (const p of prefixes) {
    if (ref.startsWith(p + ':')) {
      const rest = ref.slice(p.length + 1);
      if (rest === '') throw new InputError('USAGE', `${p}: needs a ${p === 'registry' ? 'reference' : 'path'}`, ref);
      return { type: p, rest };
    }
  }
  const m = /^([a-z][a-z0-9-]*):/.exec(ref);
  if (m && UNSUPPORTED.includes(m[1]!)) {
    const use = prefixes.map((p) => `${p}:`).join(', ');
    throw new InputError('USAGE', `image source ${m[1]}: is not supported (use ${use} or a path; e.g. docker save IMAGE -o image.tar)`, ref);
  }
  return { rest: ref };
}

/**
 * Split `PATH[:TAG]` where PATH may itself contain colons: the longest
 * prefix that exists is the path. Returns undefined when no prefix exists.
 */
export function splitPathTag(rest: string, exists: (p: string) => boolean): { path: string; tag?: string } | undefined {
  if (exists(rest)) return { path: rest };
  for (let i = rest.lastIndexOf(':'); i > 0; i = rest.lastIndexOf(':', i - 1)) {
    const path = rest.slice(0, i);
    if (exists(path)) return { path, tag: rest.slice(i + 1) };
  }
  return undefined;
}
