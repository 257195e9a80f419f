// The pipeline's bounded wait for container metadata: a real ContainerResolver
// whose runtime client answers when the test says so, an injected timer, and
// the real engine with a detection policy that allowlists one image. No Docker.
import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Alert } from '../../core/alerts/types.js';
import type { EngineEvent, SyscallEvent } from '../../core/events/event.js';
import { open } from '../../core/rules/event-builders.js';
import { validateDetectionDocument } from '../../core/policy/detection.js';
import { ContainerResolver, type ContainerMeta, type MetadataClient } from '../sensors/container-resolver.js';
import { loadEngine, type EngineLike } from './engine.js';
import { RuntimePipeline } from './pipeline.js';

const TRUSTED = 'a'.repeat(64);
const OTHER = 'b'.repeat(64);
const UNKNOWN = 'c'.repeat(64);

/** A runtime client whose answers the test releases (or fails) by hand. */
class ManualClient implements MetadataClient {
  readonly name = 'manual';
  calls: string[] = [];
  private readonly waiting = new Map<string, { ok: (m: ContainerMeta | undefined) => void; fail: (e: Error) => void }>();
  inspect(id: string): Promise<ContainerMeta | undefined> {
    this.calls.push(id);
    return new Promise((ok, fail) => this.waiting.set(id, { ok, fail }));
  }
  answer(id: string, meta: ContainerMeta | undefined): void {
    this.waiting.get(id)!.ok(meta);
    this.waiting.delete(id);
  }
  fail(id: string): void {
    this.waiting.get(id)!.fail(new Error('connection refused'));
    this.waiting.delete(id);
  }
}

/** Timers the test fires by hand. */
class ManualTimers {
  due: Array<{ fn: () => void; ms: number; cancelled: boolean }> = [];
  set = (fn: () => void, ms: number) => {
    const t = { fn, ms, cancelled: false };
    this.due.push(t);
    return () => {
      t.cancelled = true;
    };
  };
  fireAll(): void {
    const now = this.due.filter((t) => !t.cancelled);
    this.due = [];
    for (const t of now) t.fn();
  }
  get live(): number {
    return this.due.filter((t) => !t.cancelled).length;
  }
}

const tick = () => new Promise((r) => setImmediate(r));

/** A read of /etc/shadow by cat in a container the sensor knows by id only (as a first event). */
function shadowRead(id: string, pid = 4242): SyscallEvent {
  const e = open('/etc/shadow', 'r', { proc: { name: 'cat', exepath: '/usr/bin/cat', pid }, container: {} });
  e.container = { id };
  return e;
}

describe('runtime pipeline: container metadata enrichment (bounded wait)', () => {
  let engine: EngineLike;
  before(async () => {
    const doc = validateDetectionDocument(
      {
        kind: 'DetectionPolicy',
        policies: [{ name: 'trust-backup', allow: [{ name: 'backup image', types: ['user/password-theft'], images: ['registry.test/ops/backup'] }] }],
      },
      'test',
    );
    engine = await loadEngine({ host: 'node1', detection: doc.policies });
  });

  function setup() {
    let now = 1_000_000;
    const client = new ManualClient();
    const resolver = new ContainerResolver({ clients: [client], now: () => now });
    const timers = new ManualTimers();
    const alerts: Alert[] = [];
    const events: EngineEvent[] = [];
    const pipeline = new RuntimePipeline({
      host: 'node1',
      sensors: [],
      engine,
      outputs: [{ alert: (a) => alerts.push(a), event: (e) => events.push(e) }],
      containers: resolver,
      enrichWaitMs: 500,
      setTimer: timers.set,
      clock: () => now,
    });
    return { client, resolver, timers, alerts, events, pipeline, advance: (ms: number) => (now += ms) };
  }

  it('holds a new container event until its lookup answers: the allowlisted image raises nothing, another image alerts with its name', async () => {
    const { client, timers, alerts, events, pipeline } = setup();
    pipeline.handle(shadowRead(TRUSTED));
    pipeline.handle(shadowRead(OTHER));
    assert.equal(events.length, 0, 'both first events wait for their metadata');
    assert.deepEqual(
      timers.due.map((t) => t.ms),
      [500, 500],
      'the wait is bounded (500 ms)',
    );
    client.answer(OTHER, { id: OTHER, name: 'web', image: 'registry.test/shop/web:2' });
    await tick();
    assert.equal(events.length, 1, 'the other container goes on without waiting for the first');
    client.answer(TRUSTED, { id: TRUSTED, name: 'backup', image: 'registry.test/ops/backup:1.4' });
    await tick();
    assert.equal(timers.live, 0, 'the timers are cancelled when the answer comes');
    assert.deepEqual(
      alerts.map((a) => [a.type, a.container?.image]),
      [['user/password-theft', 'registry.test/shop/web:2']],
    );
    assert.equal(pipeline.stats.unenriched, 0);
    // Later events find the metadata cached: processed at once.
    pipeline.handle(shadowRead(OTHER, 5000));
    assert.equal(alerts.length, 2);
    assert.equal(alerts[1]!.container?.name, 'web');
  });

  it('an answer that arrived while the event loop stalled past the deadline is used, not timed out (real timers, a real pipe)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vigil-enrich-'));
    try {
      const marker = join(dir, 'answered');
      // The runtime answers through a child's stdout (real I/O the poll phase reads), then marks it.
      const client: MetadataClient = {
        name: 'pipe',
        inspect: (id) =>
          new Promise((ok) => {
            const c = spawn('sh', ['-c', `echo web; : > ${marker}`], { stdio: ['ignore', 'pipe', 'ignore'] });
            c.stdout.once('data', (d: Buffer) => ok({ id, name: d.toString().trim(), image: 'registry.test/shop/web:2' }));
          }),
      };
      const alerts: Alert[] = [];
      const pipeline = new RuntimePipeline({
        host: 'node1',
        sensors: [],
        engine,
        outputs: [{ alert: (a) => alerts.push(a) }],
        containers: new ContainerResolver({ clients: [client] }),
        enrichWaitMs: 50,
      });
      pipeline.handle(shadowRead(OTHER));
      // The event loop stalls (as on a starved CPU) until the answer is in the pipe and the deadline has passed.
      const start = Date.now();
      while ((!existsSync(marker) || Date.now() - start < 200) && Date.now() - start < 60_000);
      assert.ok(existsSync(marker), 'the child answered');
      for (let i = 0; i < 100 && alerts.length === 0; i++) await new Promise((r) => setTimeout(r, 20));
      assert.deepEqual(
        alerts.map((a) => [a.container?.name, a.fields?.['container.metadata']]),
        [['web', undefined]],
      );
      assert.equal(pipeline.stats.unenriched, 0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("keeps one container's order: events behind a held one queue, then run in arrival order", async () => {
    const { client, events, pipeline } = setup();
    const host = open('/etc/hosts', 'r', { container: 'host' });
    pipeline.handle(shadowRead(OTHER, 1));
    pipeline.handle(shadowRead(OTHER, 2));
    pipeline.handle(host);
    pipeline.handle(shadowRead(OTHER, 3));
    assert.deepEqual(events, [host], 'a host event is not held behind a container');
    assert.equal(pipeline.holding, 1);
    client.answer(OTHER, { id: OTHER, image: 'registry.test/shop/web:2' });
    await tick();
    assert.deepEqual(
      events.slice(1).map((e) => (e as SyscallEvent).proc.pid),
      [1, 2, 3],
    );
    assert.ok(events.slice(1).every((e) => (e as SyscallEvent).container?.image === 'registry.test/shop/web:2'));
  });

  it('a lookup slower than the wait: the events go on marked `timeout`, the next ones do not wait again, the answer enriches later ones', async () => {
    const { client, timers, alerts, events, pipeline } = setup();
    pipeline.handle(shadowRead(TRUSTED, 1));
    timers.fireAll();
    assert.equal(events.length, 1, 'processed after the wait, never dropped');
    assert.equal((events[0] as SyscallEvent).container?.metadata, 'timeout');
    assert.equal(alerts[0]?.fields?.['container.metadata'], 'timeout', 'the alert says its image was not known');
    pipeline.handle(shadowRead(TRUSTED, 2));
    assert.equal(events.length, 2, 'no second wait while the same lookup is in flight');
    assert.equal(timers.live, 0);
    client.answer(TRUSTED, { id: TRUSTED, image: 'registry.test/ops/backup:1.4' });
    await tick();
    const before = alerts.length;
    pipeline.handle(shadowRead(TRUSTED, 3));
    assert.equal((events[2] as SyscallEvent).container?.image, 'registry.test/ops/backup:1.4');
    assert.equal(alerts.length, before, 'allowlisted once the image is known');
    assert.equal(pipeline.stats.unenriched, 2);
  });

  it('a failed lookup is retried with a backoff (250 ms, 500 ms, ...), and its events are processed marked `unavailable`', async () => {
    const { client, resolver, alerts, events, pipeline, advance } = setup();
    pipeline.handle(shadowRead(UNKNOWN, 1));
    client.fail(UNKNOWN);
    await tick();
    assert.equal((events[0] as SyscallEvent).container?.metadata, 'unavailable');
    assert.equal(alerts.length, 1, 'the event is processed: the alert is raised without an image');
    pipeline.handle(shadowRead(UNKNOWN, 2));
    assert.equal(events.length, 2, 'backing off: no lookup, no wait');
    assert.equal(client.calls.length, 1);
    advance(250);
    pipeline.handle(shadowRead(UNKNOWN, 3));
    assert.equal(client.calls.length, 2, 'retried after 250 ms (not 30 s)');
    client.answer(UNKNOWN, undefined);
    await tick();
    advance(300);
    pipeline.handle(shadowRead(UNKNOWN, 4));
    assert.equal(client.calls.length, 2, 'the second miss doubles the backoff to 500 ms');
    advance(200);
    pipeline.handle(shadowRead(UNKNOWN, 5));
    assert.equal(client.calls.length, 3);
    client.answer(UNKNOWN, { id: UNKNOWN, image: 'registry.test/late:1' });
    await tick();
    assert.equal((events.at(-1) as SyscallEvent).container?.image, 'registry.test/late:1');
    assert.equal(resolver.enrichment(UNKNOWN).meta?.image, 'registry.test/late:1');
  });

  it('stop processes the events still held, marked', async () => {
    const { events, pipeline } = setup();
    pipeline.handle(shadowRead(OTHER));
    await pipeline.stop();
    assert.equal(events.length, 1);
    assert.equal((events[0] as SyscallEvent).container?.metadata, 'timeout');
  });

  it('without a runtime client nothing waits: container events are marked `unavailable`', () => {
    const events: EngineEvent[] = [];
    const pipeline = new RuntimePipeline({
      host: 'node1',
      sensors: [],
      engine: null,
      outputs: [{ alert: () => {}, event: (e) => events.push(e) }],
      containers: new ContainerResolver(),
    });
    pipeline.handle(shadowRead(OTHER));
    assert.equal((events[0] as SyscallEvent).container?.metadata, 'unavailable');
  });
});
