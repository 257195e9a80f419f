// Parsing of registry image references: `[registry:]HOST[:PORT]/REPO[:TAG|@DIGEST]`.
// Owns the reference grammar (after the distribution project's published
// grammar) and the docker.io conventions (registry-1 host, `library/` prefix).
import { InputError } from '../../../core/errors.js';

export interface RegistryReference {
  /** Host as the user wrote it (lower-cased), with port: `localhost:5000`, `docker.io`. */
  host: string;
  /** Host to connect to: `registry-1.docker.io` for docker.io, else `host`. */
  endpoint: string;
  /** Repository path: `library/debian`, `team/app`. */
  repository: string;
  tag?: string;
  digest?: string;
}

const DOMAIN_COMPONENT = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const HOST_RE = new RegExp(`^(?:${DOMAIN_COMPONENT}(?:\\.${DOMAIN_COMPONENT})*|\\[[0-9a-fA-F:.]+\\])(?::[0-9]{1,5})?$`);
const PATH_COMPONENT_RE = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const TAG_RE = /^[\w][\w.-]{0,127}$/;
/** Only digests we can verify: sha256 and sha512. */
const DIGEST_RE = /^(sha256:[a-f0-9]{64}|sha512:[a-f0-9]{128})$/;
const MAX_NAME_LENGTH = 255;

export const DOCKER_HUB = 'docker.io';
const DOCKER_HUB_ENDPOINT = 'registry-1.docker.io';

export function isValidDigest(d: string): boolean {
  return DIGEST_RE.test(d);
}

export function isValidRepository(repo: string): boolean {
  return repo.length > 0 && repo.length <= MAX_NAME_LENGTH && repo.split('/').every((c) => PATH_COMPONENT_RE.test(c));
}

/** Normalise a host as written in a reference or a docker config key. */
export function normaliseHost(host: string): string {
  let h = host
    .trim()
    .toLowerCase()
    .replace(/^[a-z]+:\/\//, '');
  const slash = h.indexOf('/');
  if (slash >= 0) h = h.slice(0, slash);
  if (h === 'index.docker.io' || h === DOCKER_HUB_ENDPOINT) return DOCKER_HUB;
  return h;
}

export function parseHost(host: string, where = host): { host: string; endpoint: string } {
  const h = normaliseHost(host);
  if (!HOST_RE.test(h)) throw new InputError('REGISTRY_BAD_REFERENCE', `invalid registry host "${host}"`, where);
  const port = /:([0-9]+)$/.exec(h);
  if (port && Number(port[1]) > 65535) throw new InputError('REGISTRY_BAD_REFERENCE', `invalid port in registry host "${host}"`, where);
  return { host: h, endpoint: h === DOCKER_HUB ? DOCKER_HUB_ENDPOINT : h };
}

/** Parse `HOST[:PORT]/REPO[:TAG|@DIGEST]`, with or without the `registry:` prefix. Default tag: latest. */
export function parseReference(input: string): RegistryReference {
  const where = input || '""';
  let s = input.startsWith('registry:') ? input.slice('registry:'.length) : input;
  if (s.startsWith('//')) s = s.slice(2);
  if (s.length === 0 || s.length > 2048) throw new InputError('REGISTRY_BAD_REFERENCE', 'empty or overlong image reference', where);
  let digest: string | undefined;
  const at = s.indexOf('@');
  if (at >= 0) {
    digest = s.slice(at + 1);
    s = s.slice(0, at);
    if (!isValidDigest(digest)) {
      throw new InputError('REGISTRY_BAD_REFERENCE', `invalid digest "${digest}" (expected sha256:<64 hex> or sha512:<128 hex>)`, where);
    }
  }
  const slash = s.indexOf('/');
  if (slash <= 0) throw new InputError('REGISTRY_BAD_REFERENCE', 'expected HOST[:PORT]/REPO[:TAG|@DIGEST]', where);
  const { host, endpoint } = parseHost(s.slice(0, slash), where);
  let path = s.slice(slash + 1);
  let tag: string | undefined;
  const colon = path.lastIndexOf(':');
  if (colon >= 0) {
    tag = path.slice(colon + 1);
    path = path.slice(0, colon);
    if (!TAG_RE.test(tag)) throw new InputError('REGISTRY_BAD_REFERENCE', `invalid tag "${tag}"`, where);
  }
  if (host === DOCKER_HUB && path.length > 0 && !path.includes('/')) path = `library/${path}`;
  if (!isValidRepository(path)) {
    throw new InputError(
      'REGISTRY_BAD_REFERENCE',
      `invalid repository name "${path}" (lower-case letters, digits, separators . _ __ -, components joined by /)`,
      where,
    );
  }
  if (!tag && !digest) tag = 'latest';
  return { host, endpoint, repository: path, ...(tag ? { tag } : {}), ...(digest ? { digest } : {}) };
}

/** `host/repo:tag`, `host/repo@digest` or `host/repo:tag@digest`, for messages and repoTags. */
export function formatReference(r: Pick<RegistryReference, 'host' | 'repository' | 'tag' | 'digest'>): string {
  return `${r.host}/${r.repository}${r.tag ? `:${r.tag}` : ''}${r.digest ? `@${r.digest}` : ''}`;
}
