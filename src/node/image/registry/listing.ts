// Listing a registry for the server's registry sync: repositories
// (`/v2/_catalog`) and tags (`/v2/<name>/tags/list`), following the `Link:
// <...>; rel="next"` pagination, bounded in pages and entries.
import { InputError, LimitError } from '../../../core/errors.js';
import { DEFAULT_LIMITS } from '../../../core/image/types.js';
import { RegistryClient, type RegistryOptions } from './client.js';
import { isValidDigest, isValidRepository, parseHost } from './reference.js';
import { manifestDigestWith } from './registry-image.js';

export interface ListOptions extends RegistryOptions {
  /** Entries asked for per page (`n=`); default 100. */
  pageSize?: number;
  /** Stop with a LimitError past this many entries; default 100 000. */
  maxEntries?: number;
}

const MAX_PAGE_BYTES = 8 * 1024 * 1024;

/** The URL of the `rel="next"` link of a Link header, if any. */
export function nextLink(header: string | string[] | undefined): string | undefined {
  const values = Array.isArray(header) ? header : header ? [header] : [];
  for (const v of values) {
    for (const part of v.split(/,(?=\s*<)/)) {
      const m = /^\s*<([^>]*)>\s*;(.*)$/.exec(part);
      if (m && /(^|;)\s*rel="?next"?\s*(;|$)/i.test(m[2]!)) return m[1];
    }
  }
  return undefined;
}

async function listPaged(
  client: RegistryClient,
  firstPath: string,
  field: 'repositories' | 'tags',
  scope: string,
  what: string,
  opts: ListOptions,
): Promise<string[]> {
  const maxEntries = opts.maxEntries ?? 100_000;
  const out: string[] = [];
  let path: string | undefined = firstPath;
  const seen = new Set<string>();
  while (path) {
    if (seen.has(path)) throw new InputError('REGISTRY_BAD_LINK', `pagination loops back to ${path}`, what);
    seen.add(path);
    const { res } = await client.request({ method: 'GET', path, scope, what, accept: 'application/json' });
    const body = await client.readBody(res, MAX_PAGE_BYTES, what);
    let j: Record<string, unknown>;
    try {
      j = JSON.parse(body.toString('utf8')) as Record<string, unknown>;
    } catch {
      throw new InputError('REGISTRY_BAD_LISTING', `${field} listing is not valid JSON`, what);
    }
    const list = j?.[field];
    // The registry answers `"tags": null` for a repository without tags.
    if (list !== null && list !== undefined) {
      if (!Array.isArray(list) || list.some((x) => typeof x !== 'string'))
        throw new InputError('REGISTRY_BAD_LISTING', `"${field}" is not an array of strings`, what);
      out.push(...(list as string[]));
    }
    if (out.length > maxEntries) throw new LimitError('LIMIT_LISTING', `more than ${maxEntries} ${field}`, what);
    path = nextLink(res.headers.link);
  }
  return out;
}

/**
 * One registry, several questions, one connection pool and one set of tokens
 * (for registry sync: list repositories, their tags, and each tag's digest
 * without a new auth handshake per call). close() when done.
 */
export class RegistrySession {
  readonly host: string;
  private readonly endpoint: string;
  private readonly client: RegistryClient;

  constructor(
    host: string,
    private readonly opts: ListOptions = {},
  ) {
    const h = parseHost(host);
    this.host = h.host;
    this.endpoint = h.endpoint;
    this.client = new RegistryClient(h.host, h.endpoint, opts);
  }

  /** All repository names (`/v2/_catalog`); needs a registry that allows catalog access. */
  repositories(): Promise<string[]> {
    return listPaged(this.client, `/v2/_catalog?n=${this.opts.pageSize ?? 100}`, 'repositories', 'registry:catalog:*', `${this.host}/v2/_catalog`, this.opts);
  }

  /** All tags of one repository (`/v2/<name>/tags/list`). */
  tags(repository: string): Promise<string[]> {
    if (!isValidRepository(repository)) {
      return Promise.reject(new InputError('REGISTRY_BAD_REFERENCE', `invalid repository name "${repository}"`, `${this.host}/${repository}`));
    }
    return listPaged(
      this.client,
      `/v2/${repository}/tags/list?n=${this.opts.pageSize ?? 100}`,
      'tags',
      `repository:${repository}:pull`,
      `${this.host}/${repository}`,
      this.opts,
    );
  }

  /** The digest a tag (or digest) of a repository points at. */
  manifestDigest(repository: string, tagOrDigest: string): Promise<string> {
    const where = `${this.host}/${repository}:${tagOrDigest}`;
    if (!isValidRepository(repository)) return Promise.reject(new InputError('REGISTRY_BAD_REFERENCE', `invalid repository name "${repository}"`, where));
    const byDigest = tagOrDigest.includes(':');
    if (byDigest ? !isValidDigest(tagOrDigest) : !/^[\w][\w.-]{0,127}$/.test(tagOrDigest)) {
      return Promise.reject(new InputError('REGISTRY_BAD_REFERENCE', `invalid tag or digest "${tagOrDigest}"`, where));
    }
    const ref = { host: this.host, endpoint: this.endpoint, repository, ...(byDigest ? { digest: tagOrDigest } : { tag: tagOrDigest }) };
    return manifestDigestWith(this.client, ref, { ...DEFAULT_LIMITS, ...this.opts.limits });
  }

  close(): void {
    this.client.close();
  }
}

/** All repository names of a registry (`/v2/_catalog`). Needs a registry that allows catalog access. */
export async function listRepositories(host: string, opts: ListOptions = {}): Promise<string[]> {
  const s = new RegistrySession(host, opts);
  try {
    return await s.repositories();
  } finally {
    s.close();
  }
}

/** All tags of one repository (`/v2/<name>/tags/list`). */
export async function listTags(host: string, repository: string, opts: ListOptions = {}): Promise<string[]> {
  const s = new RegistrySession(host, opts);
  try {
    return await s.tags(repository);
  } finally {
    s.close();
  }
}
