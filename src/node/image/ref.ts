// Image references as users write them: `docker-archive:PATH[:TAG]`,
// `oci:DIR[:TAG]`, `oci-archive:PATH[:TAG]`, `rootfs:DIR`,
// `registry:HOST[:PORT]/REPO[:TAG|@DIGEST]`, or a bare path (detected by open.ts).
import { InputError } from '../../core/errors.js';
import type { ImageSourceType } from '../../core/image/types.js';

export interface ParsedRef {
  /** Undefined for a bare path. */
  type?: ImageSourceType;
  /** Everything after the `type:` prefix (path, maybe with `:TAG`; registry reference). */
  rest: string;
}

const PREFIXES: ImageSourceType[] = ['docker-archive', 'oci-archive', 'oci', 'rootfs', 'registry'];
const UNSUPPORTED = ['docker', 'docker-daemon', 'containers-storage', 'dir', 'containerd', 'podman'];

export function parseImageRef(ref: string): ParsedRef {
  if (typeof ref !== 'string' || ref.trim() === '') throw new InputError('USAGE', 'no image given', 'IMAGE');
  for (const p of PREFIXES) {
    if (ref.startsWith(p + ':')) {
      const rest = ref.slice(p.length + 1);
      if (rest === '') throw new InputError('USAGE', `${p}: needs a ${p === 'registry' ? 'reference' : 'path'}`, ref);
      return { type: p, rest };
    }
  }
  const m = /^([a-z][a-z0-9-]*):/.exec(ref);
  if (m && UNSUPPORTED.includes(m[1]!)) {
    throw new InputError('USAGE', `image source ${m[1]}: is not supported (use docker-archive:, oci:, oci-archive:, rootfs:, registry: or a path; e.g. docker save IMAGE -o image.tar)`, ref);
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
