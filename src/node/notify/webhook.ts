// Webhook delivery: JSON POST with an HMAC-SHA256 signature over
// `timestamp.body` (header `X-Vigil-Signature: sha256=<hex>`, timestamp in
// `X-Vigil-Timestamp`, so receivers can reject replays), retried on network
// errors, 429 and 5xx with exponential backoff through an injected delay.
import { createHmac, randomUUID } from 'node:crypto';

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
      const res = await fetch(t.url, { method: 'POST', headers, body, redirect: 'manual', signal: AbortSignal.timeout(o.timeoutMs ?? 10_000) });
      await res.arrayBuffer().catch(() => undefined);
      last = { ok: res.status >= 200 && res.status < 300, attempts: attempt, status: res.status };
      if (last.ok) return last;
      // Client errors other than 429 will not get better by retrying.
      if (res.status < 500 && res.status !== 429) return last;
    } catch (e) {
      last = { ok: false, attempts: attempt, error: (e as Error).message };
    }
    if (attempt <= retries) await delay(base * 2 ** (attempt - 1));
  }
  return last;
}
