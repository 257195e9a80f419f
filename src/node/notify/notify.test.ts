// Notifications against real local receivers: an HTTP server checking the
// HMAC signature (and failing twice to force retries), a UDP and a TCP
// syslog listener parsing RFC 5424; filters by severity, type and project.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import dgram from 'node:dgram';
import net from 'node:net';
import { createHmac } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { sendWebhook, signWebhook } from './webhook.js';
import { formatSyslog } from './syslog.js';
import { Notifier } from './dispatcher.js';
import { openTestStore } from '../store/store.test-helpers.js';
import { SecretBox } from '../crypto/secret-box.js';
import { newId } from '../store/ids.js';
import type { Alert } from '../../core/alerts/types.js';

const alert = (over: Partial<Alert> = {}): Alert => ({
  id: 'a1',
  type: 'system/reverse-shell',
  severity: 'critical',
  time: '2026-01-01T00:00:00.000Z',
  message: 'bash -i > /dev/tcp',
  rule: 'Reverse shell',
  host: 'node-1',
  ...over,
});

function webhookReceiver(failFirst: number) {
  const got: Array<{ headers: http.IncomingHttpHeaders; body: string }> = [];
  let calls = 0;
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => {
      body += c;
    });
    req.on('end', () => {
      calls++;
      if (calls <= failFirst) {
        res.statusCode = 503;
        return res.end();
      }
      got.push({ headers: req.headers, body });
      res.end('ok');
    });
  });
  return new Promise<{ url: string; got: typeof got; calls: () => number; close(): Promise<void> }>((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as AddressInfo).port;
      resolve({ url: `http://127.0.0.1:${port}/hook`, got, calls: () => calls, close: () => new Promise((r) => server.close(() => r())) });
    });
  });
}

test('webhook: signed JSON, retried with backoff on 5xx', async () => {
  const rx = await webhookReceiver(2);
  const delays: number[] = [];
  try {
    const r = await sendWebhook(
      { url: rx.url, secret: 's3cret' },
      'alert',
      { hello: 'world' },
      {
        delay: async (ms) => {
          delays.push(ms);
        },
        baseDelayMs: 100,
      },
    );
    assert.deepEqual({ ok: r.ok, attempts: r.attempts }, { ok: true, attempts: 3 });
    assert.deepEqual(delays, [100, 200]);
    const { headers, body } = rx.got[0]!;
    assert.deepEqual(JSON.parse(body), { hello: 'world' });
    const expected = `sha256=${createHmac('sha256', 's3cret').update(`${headers['x-vigil-timestamp']}.${body}`).digest('hex')}`;
    assert.equal(headers['x-vigil-signature'], expected);
    assert.equal(signWebhook('s3cret', String(headers['x-vigil-timestamp']), body), expected);
  } finally {
    await rx.close();
  }
  const down = await sendWebhook({ url: 'http://127.0.0.1:1/x', secret: '' }, 'alert', {}, { delay: async () => {}, retries: 1 });
  assert.equal(down.ok, false);
  assert.equal(down.attempts, 2);
});

test('syslog: RFC 5424 line with structured data, escaped', () => {
  const line = formatSyslog(
    { host: 'h', port: 1, protocol: 'udp' },
    'critical',
    'alert',
    'a\nb',
    { type: 'system/reverse-shell', note: 'x"]\\' },
    new Date('2026-01-01T00:00:00Z'),
  );
  assert.match(line, /^<130>1 2026-01-01T00:00:00\.000Z \S+ vigil \d+ alert \[vigil@32473 type="system\/reverse-shell" note="x\\"\\]\\\\"\] a b$/);
});

test('dispatcher: filters by severity, type and project; delivers to webhook, UDP and TCP syslog', async () => {
  const t = await openTestStore('sqlite');
  const rx = await webhookReceiver(0);
  const udp = dgram.createSocket('udp4');
  const udpGot: string[] = [];
  udp.on('message', (m) => udpGot.push(m.toString()));
  await new Promise<void>((r) => udp.bind(0, '127.0.0.1', () => r()));
  const tcpGot: string[] = [];
  const tcp = net.createServer((sock) => {
    let buf = '';
    sock.on('data', (d) => {
      buf += d;
    });
    sock.on('end', () => {
      // octet counting: "LEN SP MSG"
      const m = /^(\d+) ([\s\S]*)$/.exec(buf);
      assert.ok(m);
      assert.equal(Buffer.byteLength(m[2]!), Number(m[1]));
      tcpGot.push(m[2]!);
    });
  });
  await new Promise<void>((r) => tcp.listen(0, '127.0.0.1', () => r()));
  try {
    const secrets = new SecretBox(Buffer.alloc(32, 7));
    const db = t.store.db;
    const p1 = newId();
    const p2 = newId();
    for (const id of [p1, p2]) await db.insertInto('projects').values({ id, name: id, description: '', rescan_cron: '', created_at: '' }).execute();
    const add = (kind: string, config: object, o: { project?: string; min?: string; types?: string[]; events?: string[] } = {}) =>
      db
        .insertInto('notifiers')
        .values({
          id: newId(),
          project_id: o.project ?? null,
          name: kind,
          kind,
          config: JSON.stringify(config),
          min_severity: o.min ?? 'info',
          types: JSON.stringify(o.types ?? []),
          events: JSON.stringify(o.events ?? []),
          created_at: '',
        })
        .execute();
    await add('webhook', { url: rx.url, secret: secrets.seal('k') }, { min: 'high', types: ['system'], project: p1 });
    await add('syslog', { host: '127.0.0.1', port: (udp.address() as AddressInfo).port, protocol: 'udp' }, { events: ['alert'] });
    await add('syslog', { host: '127.0.0.1', port: (tcp.address() as AddressInfo).port, protocol: 'tcp' }, { events: ['scan'] });
    const n = new Notifier({ store: t.store, secrets });
    await n.alerts(p1, [alert(), alert({ id: 'a2', severity: 'medium' }), alert({ id: 'a3', type: 'cluster/role-binding' })]);
    await n.alerts(p2, [alert({ id: 'a4' })]);
    await n.scanFinished({ projectId: p1, imageId: 'i', ref: 'registry:r/app:1', scanId: 's', status: 'succeeded', counts: { critical: 1, high: 0 } });
    await n.flush();
    for (let i = 0; i < 100 && (udpGot.length < 4 || tcpGot.length < 1); i++) await new Promise((r) => setTimeout(r, 20));
    // webhook: project p1, >= high, system/* only -> a1 and a3? a3 is cluster/*: filtered out
    assert.deepEqual(
      rx.got.map((g) => JSON.parse(g.body).alert.id),
      ['a1'],
    );
    assert.equal(rx.got[0]!.headers['x-vigil-signature'], signWebhook('k', String(rx.got[0]!.headers['x-vigil-timestamp']), rx.got[0]!.body));
    // UDP syslog: every alert of every project, no scans
    assert.equal(udpGot.length, 4);
    assert.ok(udpGot.every((l) => /^<1\d\d>1 /.test(l) && l.includes('[vigil@32473 ')));
    // TCP syslog: the scan result only
    assert.equal(tcpGot.length, 1);
    assert.match(tcpGot[0]!, /^<130>1 .* scan \[vigil@32473 .*image="registry:r\/app:1"/);
    // a signed audit checkpoint: only to the target that asked for it
    await add('syslog', { host: '127.0.0.1', port: (tcp.address() as AddressInfo).port, protocol: 'tcp' }, { events: ['audit-checkpoint'] });
    n.invalidate();
    await n.auditCheckpoint({ seq: 7, hash: 'ab'.repeat(32), hmacFrom: 1, time: '2026-01-01T00:00:00.000Z', keyId: '0123456789abcdef', signature: 'c2ln' });
    await n.flush();
    for (let i = 0; i < 100 && tcpGot.length < 2; i++) await new Promise((r) => setTimeout(r, 20));
    assert.equal(tcpGot.length, 2);
    assert.match(tcpGot[1]!, / audit \[vigil@32473 seq="7" hash="(ab){32}" .*signature="c2ln"\] audit checkpoint at record 7/);
    assert.equal(udpGot.length, 4);
    assert.equal(rx.got.length, 1);
  } finally {
    udp.close();
    await new Promise<void>((r) => tcp.close(() => r()));
    await rx.close();
    await t.cleanup();
  }
});

test('dispatcher: deliveries in flight are bounded; the rest are dropped and counted', async () => {
  const t = await openTestStore('sqlite');
  // A receiver that accepts and never answers: every delivery stays in flight.
  const held: http.ServerResponse[] = [];
  const server = http.createServer((_req, res) => {
    held.push(res);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  try {
    const p = newId();
    await t.store.db.insertInto('projects').values({ id: p, name: 'p', description: '', rescan_cron: '', created_at: '' }).execute();
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
    await t.store.db
      .insertInto('notifiers')
      .values({
        id: newId(),
        project_id: null,
        name: 'slow',
        kind: 'webhook',
        config: JSON.stringify({ url }),
        min_severity: 'info',
        types: '[]',
        events: '[]',
        created_at: '',
      })
      .execute();
    const drops: string[] = [];
    const n = new Notifier({
      store: t.store,
      secrets: new SecretBox(Buffer.alloc(32, 7)),
      maxPending: 3,
      onDrop: (id) => drops.push(id),
      webhook: { retries: 0, timeoutMs: 10_000 },
    });
    await n.alerts(
      p,
      Array.from({ length: 10 }, (_, i) => alert({ id: `a${i}` })),
    );
    assert.equal(n.dropped, 7);
    assert.equal(drops.length, 7);
    for (let i = 0; i < 100 && held.length < 3; i++) await new Promise((r) => setTimeout(r, 20));
    assert.equal(held.length, 3, 'three deliveries reached the receiver');
    for (const res of held) res.end('ok');
    await n.flush();
    // Room again once they finished.
    await n.alerts(p, [alert({ id: 'late' })]);
    assert.equal(n.dropped, 7);
    for (let i = 0; i < 100 && held.length < 4; i++) await new Promise((r) => setTimeout(r, 20));
    held[3]?.end('ok');
    await n.flush();
  } finally {
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
    await t.cleanup();
  }
});

test('dispatcher: callers that come while the targets are read share that read; a change meanwhile is read again', async () => {
  const t = await openTestStore('sqlite');
  try {
    const p = newId();
    await t.store.db.insertInto('projects').values({ id: p, name: 'p', description: '', rescan_cron: '', created_at: '' }).execute();
    // Each read of the targets opens the sealed secret once: the opens count the reads.
    let reads = 0;
    const box = new SecretBox(Buffer.alloc(32, 7));
    const secrets = Object.assign(Object.create(box) as SecretBox, {
      open: (x: string) => {
        reads++;
        return box.open(x);
      },
    });
    await t.store.db
      .insertInto('notifiers')
      .values({
        id: newId(),
        project_id: null,
        name: 'hook',
        kind: 'webhook',
        // No alert type matches: nothing is delivered, only the targets are read.
        config: JSON.stringify({ url: 'http://127.0.0.1:9/hook', secret: box.seal('k') }),
        min_severity: 'info',
        types: JSON.stringify(['nothing/matches']),
        events: '[]',
        created_at: '',
      })
      .execute();
    const n = new Notifier({ store: t.store, secrets });
    await Promise.all(Array.from({ length: 500 }, (_, i) => n.alerts(p, [alert({ id: `a${i}` })])));
    assert.equal(reads, 1, '500 callers at once, one read');
    await n.alerts(p, [alert()]);
    assert.equal(reads, 1, 'cached');
    // Invalidated while a read runs: that read answers its callers, the next caller reads again.
    n.invalidate();
    const during = n.alerts(p, [alert()]);
    n.invalidate();
    await Promise.all([during, n.alerts(p, [alert()])]);
    assert.equal(reads, 3);
    await n.alerts(p, [alert()]);
    assert.equal(reads, 3, 'the read after the last change is cached');
  } finally {
    await t.cleanup();
  }
});
