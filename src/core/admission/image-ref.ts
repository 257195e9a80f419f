// Image references as Docker and Kubernetes write them (`nginx`,
// `nginx:1.25`, `ghcr.io/org/app@sha256:...`, `host:5000/app:1`), normalised
// the way the Docker daemon does: the default registry is docker.io, a
// one-part repository there lives under `library/`, no tag and no digest
// means `latest`. Pure; bounded (a reference is at most 1000 characters).
import { InputError } from '../errors.js';

export interface ImageRef {
  /** Registry host[:port], lower case (`docker.io` by default). */
  registry: string;
  /** Repository path (`library/nginx`, `org/app`). */
  repository: string;
  /** Tag ('' when only a digest is given). */
  tag: string;
  /** `sha256:<hex>` or ''. */
  digest: string;
  /** `registry/repository` (no tag or digest). */
  name: string;
  /** `registry/repository[:tag][@digest]`. */
  full: string;
}

export const DEFAULT_REGISTRY = 'docker.io';
const DIGEST = /^[a-z0-9]+(?:[+._-][a-z0-9]+)*:[0-9a-fA-F]{32,}$/;
const TAG = /^[\w][\w.-]{0,127}$/;
const PATH = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*$/;

export function parseImageRef(ref: string, where = 'image'): ImageRef {
  if (typeof ref !== 'string' || ref.length === 0) throw new InputError('IMAGE_REF_INVALID', 'empty image reference', where);
  if (ref.length > 1000) throw new InputError('IMAGE_REF_INVALID', 'image reference longer than 1000 characters', where);
  let rest = ref.trim();
  let digest = '';
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (!DIGEST.test(digest)) throw new InputError('IMAGE_REF_INVALID', `bad digest in ${JSON.stringify(ref.slice(0, 200))}`, where);
  }
  let tag = '';
  const slash = rest.lastIndexOf('/');
  const colon = rest.lastIndexOf(':');
  if (colon > slash) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    if (!TAG.test(tag)) throw new InputError('IMAGE_REF_INVALID', `bad tag in ${JSON.stringify(ref.slice(0, 200))}`, where);
  }
  let registry = DEFAULT_REGISTRY;
  const first = rest.indexOf('/');
  if (first > 0) {
    const head = rest.slice(0, first);
    if (head.includes('.') || head.includes(':') || head === 'localhost' || head !== head.toLowerCase()) {
      registry = head.toLowerCase();
      rest = rest.slice(first + 1);
    }
  }
  if (registry === 'index.docker.io' || registry === 'registry-1.docker.io') registry = DEFAULT_REGISTRY;
  if (!PATH.test(rest)) throw new InputError('IMAGE_REF_INVALID', `bad repository name in ${JSON.stringify(ref.slice(0, 200))}`, where);
  if (registry === DEFAULT_REGISTRY && !rest.includes('/')) rest = `library/${rest}`;
  if (!tag && !digest) tag = 'latest';
  const name = `${registry}/${rest}`;
  return { registry, repository: rest, tag, digest, name, full: `${name}${tag ? `:${tag}` : ''}${digest ? `@${digest}` : ''}` };
}

/** A reference for matching, or undefined when it does not parse (the caller reports it). */
export function tryParseImageRef(ref: string): ImageRef | undefined {
  try {
    return parseImageRef(ref);
  } catch {
    return undefined;
  }
}
