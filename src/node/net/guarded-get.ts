// An HTTP(S) GET through the outbound request guard (outbound.ts), for
// downloads the process starts on its own (`vigil db update`'s feeds): the
// URL and every redirect hop are checked, the socket connects to the address
// the guard resolved and checked, HTTPS is never downgraded to HTTP by a
// redirect, and a connection that sends nothing for the timeout is ended.
// Errors are InputErrors naming the URL; no remote body is echoed.
import http, { type IncomingMessage } from 'node:http';
import https from 'node:https';
import { InputError } from '../../core/errors.js';
import type { OutboundGuard } from './outbound.js';

export interface GuardedGetOptions {
  guard: OutboundGuard;
  /** Idle timeout per exchange (no headers or data for this long). */
  timeoutMs: number;
  maxRedirects?: number;
  headers?: Record<string, string>;
}

function once(url: URL, o: GuardedGetOptions): Promise<IncomingMessage> {
  const where = url.href;
  o.guard.checkUrl(url, where);
  const mod = url.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const req = mod.request(url, { method: 'GET', agent: false, headers: o.headers ?? {}, lookup: o.guard.lookupFor(where) }, (res) => {
      res.setTimeout(o.timeoutMs, () => res.destroy(new InputError('DOWNLOAD_FAILED', `no data for ${o.timeoutMs / 1000} s`, where)));
      resolve(res);
    });
    req.setTimeout(o.timeoutMs, () => req.destroy(new InputError('DOWNLOAD_FAILED', `no answer for ${o.timeoutMs / 1000} s`, where)));
    req.once('error', (e: NodeJS.ErrnoException) =>
      reject(e instanceof InputError ? e : new InputError('DOWNLOAD_FAILED', `download failed (${e.code ?? e.message})`, where, { cause: e })),
    );
    req.end();
  });
}

/** GET with redirects followed (each hop guarded); resolves with the final response, its body unread. */
export async function guardedGet(target: string, o: GuardedGetOptions): Promise<IncomingMessage> {
  let url: URL;
  try {
    url = new URL(target);
  } catch {
    throw new InputError('DOWNLOAD_FAILED', 'not a URL', target);
  }
  const max = o.maxRedirects ?? 5;
  for (let hop = 0; ; hop++) {
    const res = await once(url, o);
    const status = res.statusCode ?? 0;
    if (status < 300 || status >= 400 || status === 304 || !res.headers.location) return res;
    res.resume();
    if (hop >= max) throw new InputError('DOWNLOAD_FAILED', `more than ${max} redirects`, target);
    let next: URL;
    try {
      next = new URL(res.headers.location, url);
    } catch {
      throw new InputError('DOWNLOAD_FAILED', 'redirect to an invalid URL', url.href);
    }
    if (url.protocol === 'https:' && next.protocol !== 'https:')
      throw new InputError('DOWNLOAD_FAILED', `redirect from HTTPS to ${next.protocol} refused`, url.href);
    url = next;
  }
}
