// Test helpers around a real Docker registry (Debian's `docker-registry`,
// github.com/docker/distribution) on loopback: start one with no auth, Basic
// auth (htpasswd, bcrypt) or token auth (a small token server here that
// signs ES256 JWTs with an x5c header the registry checks against its
// rootcertbundle), and push images into it with skopeo.
//
//   const reg = await startRegistry({ auth: { kind: 'token', username: 'u', password: 'p' } });
//   await pushImage('oci:/tmp/layout:1.0', `${reg.host}/app:1.0`, { username: 'u', password: 'p' });
//   ... openRegistryImage(`registry:${reg.host}/app:1.0`, { insecure: true, username: 'u', password: 'p' })
//   await reg.stop();
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { createHash, createPrivateKey, randomBytes, sign, type KeyObject } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export const REGISTRY_BIN = process.env.VIGIL_TEST_REGISTRY_BIN ?? '/usr/bin/docker-registry';

export type RegistryAuth =
  | { kind: 'basic'; username: string; password: string }
  | {
      kind: 'token';
      username: string;
      password: string;
      /** Grant pull tokens without credentials (like a public repository on Docker Hub). */
      anonymousPull?: boolean;
    };

export interface RegistryServer {
  /** `127.0.0.1:PORT`: the HOST[:PORT] of an image reference. */
  host: string;
  /** `http://127.0.0.1:PORT` (`https://` with tls). */
  url: string;
  /** With tls: the registry's self-signed certificate (PEM), to trust as a CA. */
  certPem?: string;
  /** The registry's storage root (blobs under docker/registry/v2/blobs/sha256/xx/<hex>/data). */
  storageDir: string;
  /** Token server URL when auth.kind is 'token'. */
  tokenUrl?: string;
  /** Token requests the token server answered (for assertions). */
  tokenRequests: Array<{ scope: string[]; user?: string }>;
  stop(): Promise<void>;
}

export interface StartRegistryOptions {
  auth?: RegistryAuth;
  /** Serve HTTPS with a self-signed certificate for 127.0.0.1 (see certPem). */
  tls?: boolean;
}

/** A free loopback port (the registry binds it itself, so a small race is possible; start() retries). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

async function waitReady(url: string, proc: ChildProcess, logs: () => string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (proc.exitCode !== null) throw new Error(`docker-registry exited with ${proc.exitCode}: ${logs().slice(-2000)}`);
    const ok = await new Promise<boolean>((resolve) => {
      const get = url.startsWith('https:') ? (u: string, cb: (r: http.IncomingMessage) => void) => https.get(u, { rejectUnauthorized: false }, cb) : http.get;
      const req = get(`${url}/v2/`, (res) => {
        res.resume();
        resolve(true);
      });
      req.on('error', () => resolve(false));
      req.setTimeout(1000, () => req.destroy());
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`docker-registry did not answer at ${url} within ${timeoutMs} ms: ${logs().slice(-2000)}`);
}

function base64url(b: Buffer | string): string {
  return Buffer.from(b).toString('base64url');
}

/** A self-signed EC P-256 certificate (2 days) for `subject` and its key, written by the openssl CLI to `<dir>/<base>.key|crt`. */
async function selfSignedEc(dir: string, base: string, subject: string, extra: string[] = []): Promise<{ keyPath: string; certPath: string }> {
  const keyPath = join(dir, `${base}.key`);
  const certPath = join(dir, `${base}.crt`);
  const args = ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-subj', subject, ...extra];
  await run('openssl', [...args, '-days', '2', '-keyout', keyPath, '-out', certPath]);
  return { keyPath, certPath };
}

/** A self-signed certificate and key for signing tokens. */
async function makeSigningCert(dir: string): Promise<{ key: KeyObject; certDerB64: string; certPath: string }> {
  const { keyPath, certPath } = await selfSignedEc(dir, 'token', '/CN=vigil-test-token-issuer');
  const pem = await readFile(certPath, 'utf8');
  const certDerB64 = pem.replace(/-----(BEGIN|END) CERTIFICATE-----/g, '').replace(/\s+/g, '');
  return { key: createPrivateKey(await readFile(keyPath)), certDerB64, certPath };
}

/** The access claim the distribution token spec defines, from `type:name:actions` scopes. */
function accessFromScopes(scopes: string[]): Array<{ type: string; name: string; actions: string[] }> {
  return scopes.map((s) => {
    const first = s.indexOf(':');
    const last = s.lastIndexOf(':');
    return {
      type: s.slice(0, first),
      name: s.slice(first + 1, last),
      actions: s
        .slice(last + 1)
        .split(',')
        .filter(Boolean),
    };
  });
}

interface TokenServer {
  url: string;
  requests: RegistryServer['tokenRequests'];
  close(): Promise<void>;
}

async function startTokenServer(
  auth: Extract<RegistryAuth, { kind: 'token' }>,
  signer: { key: KeyObject; certDerB64: string },
  issuer: string,
  service: string,
): Promise<TokenServer> {
  const requests: TokenServer['requests'] = [];
  const server = http.createServer((req, res) => {
    const u = new URL(req.url ?? '/', 'http://x');
    if (u.pathname !== '/token' || u.searchParams.get('service') !== service) {
      res.writeHead(400).end('{"errors":[{"code":"BAD_REQUEST","message":"bad token request"}]}');
      return;
    }
    const scopes = u.searchParams
      .getAll('scope')
      .flatMap((s) => s.split(' '))
      .filter(Boolean);
    const h = req.headers.authorization ?? '';
    let user: string | undefined;
    if (h.startsWith('Basic ')) {
      const [name, ...rest] = Buffer.from(h.slice(6), 'base64').toString('utf8').split(':');
      if (name !== auth.username || rest.join(':') !== auth.password) {
        res.writeHead(401, { 'content-type': 'application/json' }).end('{"details":"invalid credentials"}');
        return;
      }
      user = name;
    } else if (!auth.anonymousPull) {
      res.writeHead(401, { 'content-type': 'application/json', 'www-authenticate': 'Basic realm="token"' }).end('{"details":"credentials required"}');
      return;
    }
    requests.push({ scope: scopes, ...(user ? { user } : {}) });
    // Anonymous callers get pull only; authenticated ones what they ask for.
    const access = accessFromScopes(scopes).map((a) => (user ? a : { ...a, actions: a.actions.filter((x) => x === 'pull') }));
    const now = Math.floor(Date.now() / 1000);
    const header = { typ: 'JWT', alg: 'ES256', x5c: [signer.certDerB64] };
    const claims = { iss: issuer, sub: user ?? '', aud: service, exp: now + 300, nbf: now - 30, iat: now, jti: randomBytes(8).toString('hex'), access };
    const input = `${base64url(JSON.stringify(header))}.${base64url(JSON.stringify(claims))}`;
    const sig = sign('sha256', Buffer.from(input), { key: signer.key, dsaEncoding: 'ieee-p1363' });
    const token = `${input}.${base64url(sig)}`;
    res
      .writeHead(200, { 'content-type': 'application/json' })
      .end(JSON.stringify({ token, access_token: token, expires_in: 300, issued_at: new Date().toISOString() }));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as net.AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/token`,
    requests,
    close: () => new Promise((r) => server.close(() => r())),
  };
}

/** Start a real registry on 127.0.0.1 with optional auth. Call stop() in an after hook. */
export async function startRegistry(opts: StartRegistryOptions = {}): Promise<RegistryServer> {
  const dir = await mkdtemp(join(tmpdir(), 'vigil-registry-'));
  const storageDir = join(dir, 'data');
  let tokenServer: TokenServer | undefined;
  try {
    let authYaml = '';
    let tlsYaml = '';
    let certPem: string | undefined;
    if (opts.tls) {
      const { keyPath, certPath } = await selfSignedEc(dir, 'tls', '/CN=127.0.0.1', ['-addext', 'subjectAltName=IP:127.0.0.1']);
      certPem = await readFile(certPath, 'utf8');
      tlsYaml = `  tls:\n    certificate: ${certPath}\n    key: ${keyPath}\n`;
    }
    if (opts.auth?.kind === 'basic') {
      const { stdout } = await run('htpasswd', ['-Bbn', opts.auth.username, opts.auth.password]);
      await writeFile(join(dir, 'htpasswd'), stdout);
      authYaml = `auth:\n  htpasswd:\n    realm: vigil-test\n    path: ${join(dir, 'htpasswd')}\n`;
    } else if (opts.auth?.kind === 'token') {
      const signer = await makeSigningCert(dir);
      const issuer = 'vigil-test-issuer';
      const service = 'vigil-test-registry';
      tokenServer = await startTokenServer(opts.auth, signer, issuer, service);
      authYaml +=
        `auth:\n  token:\n    realm: ${tokenServer.url}\n    service: ${service}\n    issuer: ${issuer}\n` + `    rootcertbundle: ${signer.certPath}\n`;
    }
    for (let attempt = 0; ; attempt++) {
      const port = await freePort();
      const config =
        `version: 0.1\nlog:\n  level: error\n  accesslog:\n    disabled: true\n` +
        `storage:\n  filesystem:\n    rootdirectory: ${storageDir}\n  delete:\n    enabled: true\n` +
        `http:\n  addr: 127.0.0.1:${port}\n  secret: ${randomBytes(16).toString('hex')}\n` +
        tlsYaml +
        authYaml;
      const cfgPath = join(dir, 'config.yml');
      await writeFile(cfgPath, config);
      const proc = spawn(REGISTRY_BIN, ['serve', cfgPath], { stdio: ['ignore', 'ignore', 'pipe'], env: { PATH: process.env.PATH ?? '/usr/bin:/bin' } });
      let logs = '';
      proc.stderr!.on('data', (c: Buffer) => {
        logs = (logs + c.toString('utf8')).slice(-8000);
      });
      const url = `${opts.tls ? 'https' : 'http'}://127.0.0.1:${port}`;
      try {
        await waitReady(url, proc, () => logs);
      } catch (e) {
        proc.kill('SIGKILL');
        if (attempt < 2 && /address already in use/.test(logs)) continue;
        throw e;
      }
      const ts = tokenServer;
      return {
        host: `127.0.0.1:${port}`,
        url,
        storageDir,
        ...(certPem ? { certPem } : {}),
        ...(ts ? { tokenUrl: ts.url } : {}),
        tokenRequests: ts ? ts.requests : [],
        stop: async () => {
          if (proc.exitCode === null) {
            const exited = new Promise((r) => proc.once('exit', r));
            proc.kill('SIGTERM');
            await Promise.race([exited, new Promise((r) => setTimeout(r, 3000))]);
            if (proc.exitCode === null) proc.kill('SIGKILL');
          }
          await ts?.close();
          await rm(dir, { recursive: true, force: true });
        },
      };
    }
  } catch (e) {
    await tokenServer?.close();
    await rm(dir, { recursive: true, force: true });
    throw e;
  }
}

export interface PushOptions {
  username?: string;
  password?: string;
  /** Copy every platform of an index (skopeo --all). */
  all?: boolean;
  /** skopeo --format: `oci` or `v2s2` (Docker schema 2). */
  format?: 'oci' | 'v2s2';
}

/**
 * Push with skopeo: `source` is a skopeo transport reference (`oci:DIR:TAG`,
 * `docker-archive:PATH`, `oci-archive:PATH`), `dest` is `HOST:PORT/REPO:TAG`.
 */
export async function pushImage(source: string, dest: string, opts: PushOptions = {}): Promise<void> {
  const args = ['copy', '--insecure-policy', '--quiet', '--dest-tls-verify=false'];
  if (opts.username) args.push('--dest-creds', `${opts.username}:${opts.password ?? ''}`);
  if (opts.all) args.push('--all');
  if (opts.format) args.push('--format', opts.format);
  args.push(source, `docker://${dest}`);
  try {
    await run('skopeo', args, { timeout: 120_000, maxBuffer: 16 * 1024 * 1024 });
  } catch (e) {
    const err = e as Error & { stderr?: string };
    throw new Error(`skopeo ${args.join(' ')} failed: ${err.stderr ?? err.message}`);
  }
}

/** Path of a blob in the registry's filesystem storage (for tests that corrupt stored content). */
export function blobDataPath(storageDir: string, digest: string): string {
  const hex = digest.replace(/^sha256:/, '');
  return join(storageDir, 'docker', 'registry', 'v2', 'blobs', 'sha256', hex.slice(0, 2), hex, 'data');
}

export function sha256(b: Buffer | string): string {
  return `sha256:${createHash('sha256').update(b).digest('hex')}`;
}

/**
 * Upload one blob as stored (no recompression, unlike skopeo, which gzips
 * uncompressed layers) with the registry API's monolithic upload. Anonymous
 * registries only.
 */
export async function uploadBlob(reg: RegistryServer, repo: string, bytes: Buffer): Promise<string> {
  const digest = sha256(bytes);
  const start = await fetch(`${reg.url}/v2/${repo}/blobs/uploads/`, { method: 'POST' });
  const location = start.headers.get('location');
  if (start.status !== 202 || !location) throw new Error(`blob upload to ${repo} not started: HTTP ${start.status}`);
  const u = new URL(location, reg.url);
  u.searchParams.set('digest', digest);
  const put = await fetch(u, { method: 'PUT', body: bytes, headers: { 'content-type': 'application/octet-stream' } });
  if (put.status !== 201) throw new Error(`blob upload to ${repo} failed: HTTP ${put.status} ${await put.text()}`);
  return digest;
}

/** PUT a manifest as given under a tag or digest (anonymous registries only). */
export async function putManifest(reg: RegistryServer, repo: string, reference: string, bytes: Buffer, mediaType: string): Promise<void> {
  const res = await fetch(`${reg.url}/v2/${repo}/manifests/${reference}`, { method: 'PUT', body: bytes, headers: { 'content-type': mediaType } });
  if (res.status !== 201) throw new Error(`manifest PUT ${repo}:${reference} failed: HTTP ${res.status} ${await res.text()}`);
}
