// What images the server may open for its users. Project users name images
// by reference; the server opens them, so a reference is a request to read
// the server's disk or to connect somewhere. Registry references are checked
// for syntax and reached only through the outbound guard, without any
// credentials of the server host (no environment variables, no docker
// config: only a registry's stored credentials, given by the scan worker).
// Local references (`rootfs:`, `docker-archive:`, `oci:`, `oci-archive:`,
// and any other source but `registry:`) are refused unless the operator
// listed directories for them (`localImageDirs`); the path, after symlinks,
// must be inside one. Refusals say the same whether the path exists or not.
// `docker-daemon:` and `containerd:` are refused always: they would read the
// server host's own container engine; node-local images come through agents.
import { realpath } from 'node:fs/promises';
import { basename, dirname, isAbsolute, resolve, sep } from 'node:path';
import { InputError } from '../../core/errors.js';
import type { OutboundGuard } from '../net/outbound.js';
import type { OpenImageOptions } from './types.js';
import { parseReference } from './registry/reference.js';

export interface ServerImagePolicyOptions {
  /** Directories whose images may be opened by local reference (absolute paths); none: local references refused. */
  localDirs: readonly string[];
  outbound: OutboundGuard;
  tokenRealms?: readonly string[];
}

const MAX_REF = 1000;
/** Sources that read the container engine of the machine they run on: never the server's (issue 17's local-reference rule). */
const NODE_LOCAL_KINDS = new Set(['docker-daemon', 'containerd']);

/** The localImageDirs setting as a list of absolute directories. */
export function parseLocalDirs(value: string, where = 'localImageDirs'): string[] {
  const out: string[] = [];
  for (const raw of value.split(',')) {
    const d = raw.trim();
    if (!d) continue;
    if (!isAbsolute(d)) throw new InputError('CONFIG', `${where}: not an absolute directory: ${JSON.stringify(d)}`, where);
    out.push(resolve(d));
  }
  return out;
}

function inside(path: string, dir: string): boolean {
  return path === dir || path.startsWith(dir.endsWith(sep) ? dir : dir + sep);
}

export class ServerImagePolicy {
  private realDirs?: Promise<string[]>;

  constructor(private readonly o: ServerImagePolicyOptions) {}

  /** Options for opening an image in a scan worker: the guard, no remote text in errors, no host credentials. */
  openOptions(): Pick<OpenImageOptions, 'outbound' | 'tokenRealms' | 'remoteDetail' | 'dockerConfigPath'> & { env: NodeJS.ProcessEnv } {
    return { outbound: this.o.outbound, tokenRealms: this.o.tokenRealms ?? [], remoteDetail: false, env: {}, dockerConfigPath: '/dev/null' };
  }

  /**
   * Throws an InputError unless the server may open this reference:
   * REGISTRY_BAD_REFERENCE for a malformed registry reference,
   * IMAGE_REF_REFUSED for a local one outside the allowed directories.
   */
  async check(ref: string): Promise<void> {
    const where = ref.length > 200 ? `${ref.slice(0, 200)}…` : ref;
    if (ref.length > MAX_REF) throw new InputError('IMAGE_REF_REFUSED', `reference longer than ${MAX_REF} characters`, where);
    const m = /^([a-z][a-z0-9-]*):(.*)$/s.exec(ref);
    if (!m) throw new InputError('IMAGE_REF_REFUSED', 'expected KIND:REFERENCE (registry:HOST/REPO:TAG, or a local kind the server allows)', where);
    const [, kind, rest] = m as unknown as [string, string, string];
    if (kind === 'registry') {
      parseReference(rest);
      return;
    }
    if (NODE_LOCAL_KINDS.has(kind))
      throw new InputError('IMAGE_REF_REFUSED', `${kind}: images of a node's container engine come through that node's agent, not the API`, where);
    await this.checkLocal(rest, where);
  }

  private async checkLocal(rest: string, where: string): Promise<void> {
    const dirs = this.o.localDirs;
    if (!dirs.length)
      throw new InputError('IMAGE_REF_REFUSED', 'local image references are not enabled on this server; node-local images come through agents', where);
    const refused = new InputError('IMAGE_REF_REFUSED', 'the path is not inside a directory an administrator allowed for local images', where);
    // The path as written, and without a `:TAG` suffix (oci:DIR:TAG).
    const colon = rest.lastIndexOf(':');
    const candidates = colon > 0 && !rest.slice(colon + 1).includes('/') ? [rest, rest.slice(0, colon)] : [rest];
    for (const c of candidates) {
      // Absolute and already normal: no `..`, `.` or `//` to reason about.
      if (!isAbsolute(c) || /[\0\r\n]/.test(c) || (resolve(c) !== c && `${resolve(c)}/` !== c)) throw refused;
      if (!dirs.some((d) => inside(resolve(c), d))) throw refused;
    }
    // After symlinks, too: the deepest existing ancestor's real path, with the rest appended, stays inside.
    this.realDirs ??= Promise.all(dirs.map((d) => realpath(d).catch(() => d)));
    const real = await this.realDirs;
    for (const c of candidates) {
      const r = await realPathOfPrefix(resolve(c));
      if (!real.some((d) => inside(r, d))) throw refused;
    }
  }
}

async function realPathOfPrefix(p: string): Promise<string> {
  let head = p;
  let tail = '';
  for (;;) {
    const r = await realpath(head).catch(() => undefined);
    if (r !== undefined) return tail ? resolve(r, tail) : r;
    const parent = dirname(head);
    if (parent === head) return p;
    tail = tail ? `${basename(head)}/${tail}` : basename(head);
    head = parent;
  }
}
