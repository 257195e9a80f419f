// Listing a registry for the server's registry sync: repositories
// (`/v2/_catalog`) and tags (`/v2/<name>/tags/list`), following the `Link:
// <...>; rel="next"` pagination, bounded in pages and entries.
import { InputError, LimitError } from '../../../core/errors.js';
import { RegistryClient, type RegistryOptions } from './client.js';
import { isValidRepository, parseHost } from './reference.js';

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

async function listPaged(client: RegistryClient, firstPath: string, field: 'repositories' | 'tags', scope: string, what: string, opts: ListOptions): Promise<string[]> {
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
      if (!Array.isArray(list) || list.some((x) => typeof x !== 'string')) throw new InputError('REGISTRY_BAD_LISTING', `"${field}" is not an array of strings`, what);
      out.push(...(list as string[]));
    }
    if (out.length > maxEntries) throw new LimitError('LIMIT_LISTING', `more than ${maxEntries} ${field}`, what);
    path = nextLink(res.headers.link);
  }
  return out;
}

/** All repository names of a registry (`/v2/_catalog`). Needs a registry that allows catalog access. */
export async function listRepositories(host: string, opts: ListOptions = {}): Promise<string[]> {
  const h = parseHost(host);
  const client = new RegistryClient(h.host, h.endpoint, opts);
  try {
    return await listPaged(client, `/v2/_catalog?n=${opts.pageSize ?? 100}`, 'repositories', 'registry:catalog:*', `${h.host}/v2/_catalog`, opts);
  } finally {
    client.close();
  }
}

/** All tags of one repository (`/v2/<name>/tags/list`). */
export async function listTags(host: string, repository: string, opts: ListOptions = {}): Promise<string[]> {
  const h = parseHost(host);
  if (!isValidRepository(repository)) throw new InputError('REGISTRY_BAD_REFERENCE', `invalid repository name "${repository}"`, `${h.host}/${repository}`);
  const client = new RegistryClient(h.host, h.endpoint, opts);
  try {
    return await listPaged(client, `/v2/${repository}/tags/list?n=${opts.pageSize ?? 100}`, 'tags', `repository:${repository}:pull`, `${h.host}/${repository}`, opts);
  } finally {
    client.close();
  }
}
