// Webhook delivery: JSON POST with an HMAC-SHA256 signature over
// `timestamp.body` (header `X-Vigil-Signature: sha256=<hex>`, timestamp in
// `X-Vigil-Timestamp`, so receivers can reject replays), retried on network
// errors, 429 and 5xx with exponential backoff through an injected delay.
// With the server's outbound guard, the connection goes only to an address
// the guard checked (resolve-then-connect); redirects are not followed and a
// refused address is not retried.
import { createHmac, randomUUID } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import { InputError } from '../../core/errors.js';
import type { OutboundGuard } from '../net/outbound.js';

export interface WebhookTarget {
  url: string;
  /** HMAC key; no signature header when empty. */
  secret: string;
}

export interface WebhookOptions {
  retries?: number;
  baseDelayMs?: number;
  timeoutMs?: number;
  delay?: (ms: number) => Promise<void>;
  now?: () => Date;
  /** The server's outbound request guard. */
  outbound?: OutboundGuard;
}

export function signWebhook(secret: string, timestamp: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

export interface DeliveryResult {
  ok: boolean;
  attempts: number;
  status?: number;
  error?: string;
}

export async function sendWebhook(t: WebhookTarget, event: string, payload: unknown, o: WebhookOptions = {}): Promise<DeliveryResult> {
  const retries = o.retries ?? 4;
  const base = o.baseDelayMs ?? 1000;
  const delay = o.delay ?? ((ms) => new Promise<void>((r) => setTimeout(r, ms)));
  const body = JSON.stringify(payload);
  const delivery = randomUUID();
  let last: DeliveryResult = { ok: false, attempts: 0 };
  for (let attempt = 1; attempt <= retries + 1; attempt++) {
    const ts = String(Math.floor((o.now?.() ?? new Date()).getTime() / 1000));
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      'user-agent': 'vigil-server',
      'x-vigil-event': event,
      'x-vigil-delivery': delivery,
      'x-vigil-timestamp': ts,
    };
    if (t.secret) headers['x-vigil-signature'] = signWebhook(t.secret, ts, body);
    try {
      const status = await post(t.url, headers, body, o.timeoutMs ?? 10_000, o.outbound);
      last = { ok: status >= 200 && status < 300, attempts: attempt, status };
      if (last.ok) return last;
      // Client errors other than 429 will not get better by retrying.
      if (status < 500 && status !== 429) return last;
    } catch (e) {
      last = { ok: false, attempts: attempt, error: (e as Error).message };
      // A refused address stays refused.
      if (e instanceof InputError) return last;
    }
    if (attempt <= retries) await delay(base * 2 ** (attempt - 1));
  }
  return last;
}

/** One POST; resolves with the status (the response body is read and dropped, never kept). */
function post(target: string, headers: Record<string, string>, body: string, timeoutMs: number, guard: OutboundGuard | undefined): Promise<number> {
  let url: URL;
  try {
    url = new URL(target);
  } catch {
    return Promise.reject(new InputError('OUTBOUND_REFUSED', 'refused: not a valid URL', 'webhook'));
  }
  const where = `webhook ${url.origin}`;
  try {
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new InputError('OUTBOUND_REFUSED', `refused: ${url.protocol} is not http(s)`, where);
    guard?.checkUrl(url, where);
  } catch (e) {
    return Promise.reject(e as Error);
  }
  const mod = url.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const req = mod.request(
      url,
      {
        method: 'POST',
        headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) },
        ...(guard ? { lookup: guard.lookupFor(where) } : {}),
        signal: AbortSignal.timeout(timeoutMs),
      },
      (res) => {
        res.resume();
        res.once('end', () => resolve(res.statusCode ?? 0));
        res.once('error', reject);
      },
    );
    req.once('error', reject);
    req.end(body);
  });
}
