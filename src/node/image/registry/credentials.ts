// Where registry credentials come from, in order: explicit options
// (--username/--password), the environment (VIGIL_REGISTRY_USERNAME/PASSWORD),
// then the docker config file (`auths[host].auth`, base64 "user:pass", or
// `username`/`password`), found at opts.dockerConfigPath, $DOCKER_CONFIG/config.json
// or ~/.docker/config.json. Credential helpers (credsStore) are not run.
import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { InputError } from '../../../core/errors.js';
import { normaliseHost } from './reference.js';

export interface Credentials {
  username: string;
  password: string;
  /** Where they came from, for messages: `--username`, `environment`, the config file path. */
  source: string;
}

export interface CredentialOptions {
  username?: string;
  password?: string;
  dockerConfigPath?: string;
  /** Environment to read (default process.env); injectable for tests. */
  env?: NodeJS.ProcessEnv;
}

const MAX_CONFIG_SIZE = 1024 * 1024;

export function dockerConfigPath(opts: CredentialOptions): string {
  if (opts.dockerConfigPath) return opts.dockerConfigPath;
  const env = opts.env ?? process.env;
  if (env.DOCKER_CONFIG) return join(env.DOCKER_CONFIG, 'config.json');
  return join(env.HOME || homedir(), '.docker', 'config.json');
}

/** Credentials for `host` (normalised, with port), or undefined for anonymous access. */
export async function resolveCredentials(host: string, opts: CredentialOptions): Promise<Credentials | undefined> {
  if (opts.username !== undefined || opts.password !== undefined) {
    if (!opts.username || opts.password === undefined) {
      throw new InputError('REGISTRY_BAD_CREDENTIALS', 'give both --username and --password');
    }
    return { username: opts.username, password: opts.password, source: '--username/--password' };
  }
  const env = opts.env ?? process.env;
  if (env.VIGIL_REGISTRY_USERNAME) {
    return { username: env.VIGIL_REGISTRY_USERNAME, password: env.VIGIL_REGISTRY_PASSWORD ?? '', source: 'VIGIL_REGISTRY_USERNAME/PASSWORD' };
  }
  return fromDockerConfig(host, dockerConfigPath(opts), opts.dockerConfigPath !== undefined);
}

async function fromDockerConfig(host: string, path: string, explicit: boolean): Promise<Credentials | undefined> {
  let text: string;
  try {
    const buf = await readFile(path);
    if (buf.length > MAX_CONFIG_SIZE) throw new InputError('REGISTRY_BAD_DOCKER_CONFIG', `larger than ${MAX_CONFIG_SIZE} bytes`, path);
    text = buf.toString('utf8');
  } catch (e) {
    if (e instanceof InputError) throw e;
    // A missing default config just means anonymous access; a missing explicit one is a user error.
    if (!explicit && (e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new InputError('REGISTRY_BAD_DOCKER_CONFIG', `cannot read docker config (${(e as NodeJS.ErrnoException).code ?? String(e)})`, path);
  }
  let cfg: unknown;
  try {
    cfg = JSON.parse(text);
  } catch (e) {
    throw new InputError('REGISTRY_BAD_DOCKER_CONFIG', `not valid JSON (${(e as Error).message})`, path);
  }
  const auths = (cfg as { auths?: unknown } | null)?.auths;
  if (auths === undefined) return undefined;
  if (typeof auths !== 'object' || auths === null || Array.isArray(auths)) {
    throw new InputError('REGISTRY_BAD_DOCKER_CONFIG', '"auths" is not an object', path);
  }
  const want = normaliseHost(host);
  for (const [key, entry] of Object.entries(auths as Record<string, unknown>)) {
    if (normaliseHost(key) !== want) continue;
    const where = `${path}: auths["${key}"]`;
    if (typeof entry !== 'object' || entry === null) throw new InputError('REGISTRY_BAD_DOCKER_CONFIG', 'entry is not an object', where);
    const e = entry as { auth?: unknown; username?: unknown; password?: unknown };
    if (typeof e.auth === 'string' && e.auth.length > 0) {
      const decoded = Buffer.from(e.auth, 'base64').toString('utf8');
      const colon = decoded.indexOf(':');
      if (colon <= 0) throw new InputError('REGISTRY_BAD_DOCKER_CONFIG', '"auth" is not base64 of "user:password"', where);
      return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1), source: path };
    }
    if (typeof e.username === 'string' && typeof e.password === 'string') {
      return { username: e.username, password: e.password, source: path };
    }
    // An entry without auth (e.g. managed by a credential helper): anonymous.
    return undefined;
  }
  return undefined;
}
