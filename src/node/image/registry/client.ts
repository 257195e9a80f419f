// The Docker Registry HTTP API v2 transport for one registry host: scheme
// choice (HTTPS, or with `insecure` HTTPS without verification falling back
// to plain HTTP), the auth flow (anonymous, Basic, Bearer token from the
// `WWW-Authenticate` challenge's realm), redirects (blob GETs are redirected
// to storage; Authorization is dropped when the origin changes), timeouts,
// retries of transient failures, and registry errors turned into InputErrors
// that name the repository and tag.
import http, { type IncomingHttpHeaders, type IncomingMessage } from 'node:http';
import https from 'node:https';
import { rootCertificates } from 'node:tls';
import { InputError, LimitError } from '../../../core/errors.js';
import type { OpenImageOptions } from '../types.js';
import { isIP } from 'node:net';
import { getDomain } from 'tldts';
import { parseChallenges, type Challenge } from './challenge.js';
import { resolveCredentials, type Credentials } from './credentials.js';

export interface RegistryOptions extends OpenImageOptions {
  /** Environment for credentials (default process.env). */
  env?: NodeJS.ProcessEnv;
  /** Socket idle timeout in ms: connecting, waiting for headers, or a stall while streaming. Default 60 s. */
  timeoutMs?: number;
  /** Retries of 502/503/504 and connection resets before any body was used. Default 2. */
  retries?: number;
  /** Delay between retries (injectable for tests). */
  delay?: (ms: number) => Promise<void>;
  /** Clock for token expiry (injectable for tests). */
  now?: () => number;
  /** Extra trusted CA certificates (PEM) for a registry with a private CA, on top of the public roots. */
  ca?: string;
}

export interface RegistryResponse {
  res: IncomingMessage;
  url: URL;
}

interface RequestSpec {
  method: 'GET' | 'HEAD';
  /** Path under the registry (`/v2/...`), or an absolute URL on the registry's origin (pagination links). */
  path: string;
  accept?: string;
  /** Token scope: `repository:NAME:pull` or `registry:catalog:*`. */
  scope: string;
  /** Names what is fetched, for errors: `host/repo:tag`. */
  what: string;
  /** Follow redirects (blobs). */
  redirects?: boolean;
}

interface CachedToken {
  value: string;
  expires: number;
}

const DEFAULT_TIMEOUT = 60_000;
const MAX_REDIRECTS = 5;
const MAX_ERROR_BODY = 64 * 1024;
const MAX_TOKEN_BODY = 1024 * 1024;
const USER_AGENT = 'vigil-registry-client';

/** Network error codes worth a retry: the connection broke, it was not refused. */
const TRANSIENT_NET = new Set(['ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EAI_AGAIN', 'UND_ERR_SOCKET']);

export class RegistryClient {
  private scheme: 'https' | 'http' | undefined;
  private challenge: Challenge | undefined;
  private pinged: Promise<void> | undefined;
  private creds: Promise<Credentials | undefined> | undefined;
  private readonly tokens = new Map<string, CachedToken>();
  private readonly httpAgent = new http.Agent({ keepAlive: true, maxSockets: 8 });
  private readonly httpsAgent: https.Agent;
  private readonly timeoutMs: number;
  private readonly now: () => number;
  private readonly delay: (ms: number) => Promise<void>;
  private readonly open = new Set<IncomingMessage>();

  /**
   * @param host normalised host with port as the user names it (`localhost:5000`, `docker.io`): key for credentials.
   * @param endpoint host to connect to (`registry-1.docker.io` for docker.io).
   */
  constructor(
    readonly host: string,
    readonly endpoint: string,
    private readonly opts: RegistryOptions = {},
  ) {
    this.httpsAgent = new https.Agent({
      keepAlive: true,
      maxSockets: 8,
      rejectUnauthorized: !opts.insecure,
      ...(opts.ca ? { ca: [...rootCertificates, opts.ca] } : {}),
    });
    this.timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT;
    this.now = opts.now ?? Date.now;
    this.delay = opts.delay ?? ((ms) => new Promise((r) => setTimeout(r, ms)));
  }

  /** Closes idle connections and aborts responses still streaming. */
  close(): void {
    for (const res of this.open) res.destroy();
    this.open.clear();
    this.httpAgent.destroy();
    this.httpsAgent.destroy();
  }

  /** A request with auth and (optionally) redirects; the caller consumes or destroys the body. Non-2xx answers become InputErrors. */
  async request(spec: RequestSpec): Promise<RegistryResponse> {
    await this.ping(spec.what);
    let auth = await this.authorization(spec.scope, undefined, spec.what);
    for (let attempt = 0; ; attempt++) {
      const r = await this.sendWithRetries(spec, auth);
      if (r.res.statusCode === 401 && attempt === 0) {
        // The token may lack the scope (insufficient_scope) or the registry wants auth we did not send.
        const challenges = parseChallenges(r.res.headers['www-authenticate']);
        const bearer = challenges.find((c) => c.scheme === 'bearer');
        const basic = challenges.find((c) => c.scheme === 'basic');
        const next = bearer ?? basic;
        if (next) {
          r.res.resume();
          this.challenge = next;
          auth = await this.authorization(bearer?.params.scope ?? spec.scope, next, spec.what, true);
          if (auth !== undefined) continue;
          throw await this.statusError(spec, 401, r.res.headers, '');
        }
      }
      if (r.res.statusCode! >= 200 && r.res.statusCode! < 300) return r;
      const body = await readLimited(r.res, MAX_ERROR_BODY, spec.what).catch(() => Buffer.alloc(0));
      throw await this.statusError(spec, r.res.statusCode!, r.res.headers, body.toString('utf8'));
    }
  }

  /** Reads a whole (small) response body with a size limit. */
  async readBody(res: IncomingMessage, limit: number, where: string): Promise<Buffer> {
    const len = Number(res.headers['content-length']);
    if (Number.isFinite(len) && len > limit) {
      res.destroy();
      throw new LimitError('LIMIT_MANIFEST_SIZE', `response of ${len} bytes is larger than the limit of ${limit} bytes`, where);
    }
    try {
      return await readLimited(res, limit, where);
    } catch (e) {
      if (e instanceof BodyTooLarge) throw new LimitError('LIMIT_MANIFEST_SIZE', `response is larger than the limit of ${limit} bytes`, where);
      throw e;
    }
  }

  // --- scheme and auth ------------------------------------------------------

  private ping(what: string): Promise<void> {
    this.pinged ??= this.doPing(what).catch((e) => {
      this.pinged = undefined;
      throw e;
    });
    return this.pinged;
  }

  /** GET /v2/: chooses the scheme and learns the auth challenge (as docker does). */
  private async doPing(what: string): Promise<void> {
    const schemes: Array<'https' | 'http'> = this.opts.insecure ? ['https', 'http'] : ['https'];
    let lastErr: unknown;
    for (const scheme of schemes) {
      const url = new URL(`${scheme}://${this.endpoint}/v2/`);
      try {
        const res = await this.send('GET', url, {}, what);
        res.resume();
        this.scheme = scheme;
        if (res.statusCode === 401) {
          const cs = parseChallenges(res.headers['www-authenticate']);
          this.challenge = cs.find((c) => c.scheme === 'bearer') ?? cs.find((c) => c.scheme === 'basic');
        } else if (res.statusCode === 404) {
          throw new InputError('REGISTRY_NOT_V2', `${this.endpoint} does not serve the registry API v2 (GET /v2/ answered 404)`, what);
        }
        return;
      } catch (e) {
        lastErr = e;
        if (e instanceof InputError && e.code !== 'REGISTRY_UNREACHABLE' && e.code !== 'REGISTRY_TLS') throw e;
        // insecure: HTTPS failed at the connection or TLS level, try plain HTTP.
      }
    }
    throw lastErr;
  }

  private credentials(): Promise<Credentials | undefined> {
    this.creds ??= resolveCredentials(this.host, this.opts);
    return this.creds;
  }

  /** The Authorization header for a scope, fetching a token when the registry uses Bearer auth. */
  private async authorization(scope: string, challenge: Challenge | undefined, what: string, fresh = false): Promise<string | undefined> {
    const c = challenge ?? this.challenge;
    if (!c) return undefined;
    const creds = await this.credentials();
    if (c.scheme === 'basic') {
      if (!creds) return undefined;
      return `Basic ${Buffer.from(`${creds.username}:${creds.password}`).toString('base64')}`;
    }
    if (c.scheme !== 'bearer') return undefined;
    const key = `${c.params.realm}|${c.params.service}|${scope}`;
    const cached = this.tokens.get(key);
    if (cached && !fresh && cached.expires > this.now()) return `Bearer ${cached.value}`;
    const token = await this.fetchToken(c, scope, creds, what);
    this.tokens.set(key, token);
    return `Bearer ${token.value}`;
  }

  private async fetchToken(c: Challenge, scope: string, creds: Credentials | undefined, what: string): Promise<CachedToken> {
    const realm = c.params.realm;
    let url: URL;
    try {
      url = new URL(realm ?? '');
    } catch {
      throw new InputError('REGISTRY_BAD_CHALLENGE', `registry sent a Bearer challenge without a valid realm URL (${JSON.stringify(realm ?? '')})`, what);
    }
    if (url.protocol !== 'https:' && url.protocol !== 'http:') {
      throw new InputError('REGISTRY_BAD_CHALLENGE', `token realm ${url.href} is not an http(s) URL`, what);
    }
    if (url.protocol === 'http:' && creds && !this.opts.insecure) {
      throw new InputError(
        'REGISTRY_INSECURE_REALM',
        `token realm ${url.origin}${url.pathname} is plain HTTP; refusing to send credentials without --insecure`,
        what,
      );
    }
    if (creds && !realmMayGetCredentials(url.hostname, [hostnameOf(this.host), hostnameOf(this.endpoint)], this.opts.tokenRealms ?? [])) {
      throw new InputError(
        'REGISTRY_FOREIGN_REALM',
        `token realm ${url.origin} is not on the registry's domain; refusing to send the credentials of ${this.host} there (allow it with tokenRealms)`,
        what,
      );
    }
    if (c.params.service) url.searchParams.set('service', c.params.service);
    for (const s of scope.split(' ').filter(Boolean)) url.searchParams.append('scope', s);
    const headers: Record<string, string> = {};
    if (creds) headers.authorization = `Basic ${Buffer.from(`${creds.username}:${creds.password}`).toString('base64')}`;
    const res = await this.sendFollowing('GET', url, headers, what);
    const body = await readLimited(res, MAX_TOKEN_BODY, what).catch((e) => {
      if (e instanceof BodyTooLarge) throw new LimitError('LIMIT_TOKEN_SIZE', `token response larger than ${MAX_TOKEN_BODY} bytes`, url.origin + url.pathname);
      throw e;
    });
    const realmName = url.origin + url.pathname;
    if (res.statusCode === 401 || res.statusCode === 403) {
      throw new InputError(
        'REGISTRY_UNAUTHORIZED',
        creds
          ? `token server ${realmName} rejected the credentials from ${creds.source} (HTTP ${res.statusCode})`
          : `token server ${realmName} requires credentials (HTTP ${res.statusCode}); give --username/--password, VIGIL_REGISTRY_USERNAME/PASSWORD or a docker config entry for ${this.host}`,
        what,
      );
    }
    if (res.statusCode !== 200) {
      throw new InputError('REGISTRY_TOKEN_FAILED', `token server ${realmName} answered HTTP ${res.statusCode}`, what);
    }
    let parsed: { token?: unknown; access_token?: unknown; expires_in?: unknown };
    try {
      parsed = JSON.parse(body.toString('utf8')) as typeof parsed;
    } catch {
      throw new InputError('REGISTRY_TOKEN_FAILED', `token server ${realmName} answered invalid JSON`, what);
    }
    const value = typeof parsed?.token === 'string' && parsed.token ? parsed.token : parsed?.access_token;
    if (typeof value !== 'string' || value.length === 0 || /[\r\n]/.test(value)) {
      throw new InputError('REGISTRY_TOKEN_FAILED', `token server ${realmName} answered without a "token" or "access_token"`, what);
    }
    // Default lifetime per the token spec: 60 s; keep a margin so a token does not expire mid-request.
    const expiresIn = typeof parsed.expires_in === 'number' && parsed.expires_in > 0 ? parsed.expires_in : 60;
    return { value, expires: this.now() + Math.max(0, expiresIn - 10) * 1000 };
  }

  // --- HTTP -----------------------------------------------------------------

  private async sendWithRetries(spec: RequestSpec, auth: string | undefined): Promise<RegistryResponse> {
    const url = this.resolve(spec.path, spec.what);
    const headers: Record<string, string> = {};
    if (spec.accept) headers.accept = spec.accept;
    if (auth) headers.authorization = auth;
    const retries = this.opts.retries ?? 2;
    for (let attempt = 0; ; attempt++) {
      try {
        const res = spec.redirects ? await this.sendFollowing(spec.method, url, headers, spec.what) : await this.send(spec.method, url, headers, spec.what);
        const status = res.statusCode ?? 0;
        if ((status === 502 || status === 503 || status === 504) && attempt < retries) {
          res.resume();
          await this.delay(250 * 2 ** attempt);
          continue;
        }
        return { res, url };
      } catch (e) {
        const cause = e instanceof InputError ? (e.cause as NodeJS.ErrnoException | undefined) : undefined;
        if (attempt < retries && cause?.code && TRANSIENT_NET.has(cause.code)) {
          await this.delay(250 * 2 ** attempt);
          continue;
        }
        throw e;
      }
    }
  }

  private resolve(path: string, what: string): URL {
    const base = `${this.scheme}://${this.endpoint}`;
    const url = new URL(path, base);
    if (url.origin !== new URL(base).origin) {
      throw new InputError('REGISTRY_BAD_LINK', `registry pointed at another origin (${url.origin})`, what);
    }
    return url;
  }

  /** Follows redirects; drops Authorization when leaving the origin, refuses HTTPS -> HTTP unless insecure. */
  private async sendFollowing(method: 'GET' | 'HEAD', start: URL, headers: Record<string, string>, what: string): Promise<IncomingMessage> {
    let url = start;
    let hdrs = headers;
    for (let hop = 0; ; hop++) {
      const res = await this.send(method, url, hdrs, what);
      const status = res.statusCode ?? 0;
      if (![301, 302, 303, 307, 308].includes(status)) return res;
      res.resume();
      const loc = res.headers.location;
      if (!loc) throw new InputError('REGISTRY_BAD_REDIRECT', `HTTP ${status} without a Location header from ${url.origin}${url.pathname}`, what);
      if (hop >= MAX_REDIRECTS) throw new InputError('REGISTRY_TOO_MANY_REDIRECTS', `more than ${MAX_REDIRECTS} redirects`, what);
      let next: URL;
      try {
        next = new URL(loc, url);
      } catch {
        throw new InputError('REGISTRY_BAD_REDIRECT', `invalid redirect Location ${JSON.stringify(loc.slice(0, 200))}`, what);
      }
      if (next.protocol !== 'https:' && next.protocol !== 'http:') {
        throw new InputError('REGISTRY_BAD_REDIRECT', `redirect to a non-HTTP URL (${next.protocol})`, what);
      }
      if (url.protocol === 'https:' && next.protocol === 'http:' && !this.opts.insecure) {
        throw new InputError('REGISTRY_BAD_REDIRECT', `redirect from HTTPS to plain HTTP (${next.origin}) refused without --insecure`, what);
      }
      if (next.origin !== url.origin && hdrs.authorization) {
        // Storage backends take pre-signed URLs; the registry's credentials must not leak to them.
        const { authorization: _drop, ...rest } = hdrs;
        hdrs = rest;
      }
      url = next;
    }
  }

  /** One HTTP exchange up to the response headers. Connection and TLS failures become InputErrors. */
  private send(method: 'GET' | 'HEAD', url: URL, headers: Record<string, string>, what: string): Promise<IncomingMessage> {
    const isHttps = url.protocol === 'https:';
    const mod = isHttps ? https : http;
    const guard = this.opts.outbound;
    if (guard) {
      try {
        guard.checkUrl(url, what);
      } catch (e) {
        return Promise.reject(e as Error);
      }
    }
    return new Promise<IncomingMessage>((resolve, reject) => {
      let response: IncomingMessage | undefined;
      const req = mod.request(
        url,
        {
          method,
          headers: { 'user-agent': USER_AGENT, ...headers },
          agent: isHttps ? this.httpsAgent : this.httpAgent,
          ...(guard ? { lookup: guard.lookupFor(what) } : {}),
          ...(this.opts.signal ? { signal: this.opts.signal } : {}),
        },
        (res) => {
          response = res;
          this.open.add(res);
          res.once('close', () => this.open.delete(res));
          resolve(res);
        },
      );
      req.setTimeout(this.timeoutMs, () => {
        const err = new InputError('REGISTRY_TIMEOUT', `no data from ${url.host} for ${this.timeoutMs / 1000} s`, what);
        if (response) response.destroy(err);
        req.destroy(err);
      });
      req.once('error', (e: NodeJS.ErrnoException) => {
        if (response) return; // the response stream reports its own error
        if (e instanceof InputError) return reject(e);
        if (e.name === 'AbortError') return reject(new InputError('ABORTED', 'aborted', what, { cause: e }));
        const code = e.code ?? '';
        const tls = /^(ERR_SSL|EPROTO|CERT_|UNABLE_TO|DEPTH_ZERO|SELF_SIGNED|ERR_TLS)/.test(code) || /SSL|certificate/i.test(e.message);
        reject(
          new InputError(
            tls ? 'REGISTRY_TLS' : 'REGISTRY_UNREACHABLE',
            tls
              ? `TLS to ${url.host} failed (${code || e.message})${this.opts.insecure ? '' : '; for a plain-HTTP or self-signed registry use --insecure'}`
              : `cannot reach ${url.host} (${code || e.message})`,
            what,
            { cause: e },
          ),
        );
      });
      req.end();
    });
  }

  private async statusError(spec: RequestSpec, status: number, headers: IncomingHttpHeaders, body: string): Promise<InputError> {
    const detail = this.opts.remoteDetail === false ? '' : registryErrorDetail(body);
    const suffix = detail ? `: ${detail}` : '';
    const creds = await this.credentials().catch(() => undefined);
    switch (status) {
      case 401:
        return new InputError(
          'REGISTRY_UNAUTHORIZED',
          creds
            ? `registry ${this.host} rejected the credentials from ${creds.source} (HTTP 401)${suffix}`
            : `registry ${this.host} requires authentication (HTTP 401); give --username/--password, VIGIL_REGISTRY_USERNAME/PASSWORD or a docker config entry${suffix}`,
          spec.what,
        );
      case 403:
        return new InputError('REGISTRY_DENIED', `access denied (HTTP 403)${suffix}`, spec.what);
      case 404:
        return new InputError('REGISTRY_NOT_FOUND', `not found in registry ${this.host} (HTTP 404)${suffix}`, spec.what);
      case 429: {
        const after = headers['retry-after'];
        return new InputError('REGISTRY_RATE_LIMITED', `rate limited by ${this.host} (HTTP 429)${after ? `, retry after ${after}` : ''}${suffix}`, spec.what);
      }
      default:
        return new InputError('REGISTRY_HTTP_ERROR', `registry ${this.host} answered HTTP ${status}${suffix}`, spec.what);
    }
  }
}

function hostnameOf(hostPort: string): string {
  return new URL(`https://${hostPort}`).hostname.replace(/^\[(.*)\]$/, '$1').toLowerCase();
}

/**
 * Whether a token realm may receive a registry's credentials: the registry's
 * own host, a host of the same registrable domain (public suffix list,
 * private suffixes included: two tenants of one hosting domain are not the
 * same party), or one the operator listed. IP addresses and single-label
 * names only match themselves.
 */
export function realmMayGetCredentials(realmHost: string, registryHosts: readonly string[], allowed: readonly string[]): boolean {
  const realm = realmHost.replace(/^\[(.*)\]$/, '$1').toLowerCase();
  if (registryHosts.includes(realm) || allowed.some((a) => a.toLowerCase() === realm)) return true;
  if (isIP(realm)) return false;
  const domain = getDomain(realm, { allowPrivateDomains: true });
  if (!domain) return false;
  return registryHosts.some((h) => !isIP(h) && getDomain(h, { allowPrivateDomains: true }) === domain);
}

/** `MANIFEST_UNKNOWN: manifest unknown` from the registry's JSON error body, if it has one. */
export function registryErrorDetail(body: string): string {
  try {
    const j = JSON.parse(body) as { errors?: Array<{ code?: unknown; message?: unknown }> };
    if (!Array.isArray(j.errors)) return '';
    return j.errors
      .slice(0, 3)
      .map((e) => [e.code, e.message].filter((x) => typeof x === 'string' && x).join(': '))
      .filter(Boolean)
      .join('; ')
      .slice(0, 300);
  } catch {
    return '';
  }
}

class BodyTooLarge extends Error {}

/** A network error while a body streams (reset, abort) as an InputError naming what was read. */
export function asInputError(e: unknown, where: string): InputError {
  if (e instanceof InputError) return e;
  const err = e as NodeJS.ErrnoException;
  return new InputError('REGISTRY_CONNECTION_BROKEN', `connection broke while reading the response (${err.code ?? err.message})`, where, { cause: e });
}

function readLimited(res: IncomingMessage, limit: number, where: string): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let n = 0;
    res.on('data', (c: Buffer) => {
      n += c.length;
      if (n > limit) {
        res.destroy();
        reject(new BodyTooLarge());
        return;
      }
      chunks.push(c);
    });
    res.once('end', () => resolve(Buffer.concat(chunks)));
    res.once('error', (e) => reject(asInputError(e, where)));
    res.once('close', () => {
      if (!res.complete) reject(new InputError('REGISTRY_TRUNCATED', 'connection closed before the response body ended', where));
    });
  });
}
