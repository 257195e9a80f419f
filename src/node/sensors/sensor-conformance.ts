// The conformance suite every runtime sensor passes (eBPF, procfs poller,
// file integrity, auth log; ./sensor.ts). Call `describeSensor` from a test
// file with a factory that builds the sensor on real input (real kernel
// events, a real /proc, real files) around the clock it is given, and says
// how to cause one piece of activity and recognise its event. Checks: the
// life cycle (stopped, running, stopped again; stop is idempotent and safe
// before start), delivery of the triggered event with the common event shape
// and the injected clock's time, the counters, broken input counted as bad
// without stopping the sensor, and no delivery after stop.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { SyscallEvent } from '../../core/events/event.js';
import type { Sensor, SensorSink } from './sensor.js';

export const CONFORMANCE_HOST = 'conformance-host';
/** The injected clock's time: far from the real one, so a sensor that reads the system clock is caught. */
export const CONFORMANCE_TIME = Date.UTC(2031, 4, 6, 7, 8, 9);

export interface SensorFixture {
  /** A fresh sensor, not started, built with the given clock and host CONFORMANCE_HOST. */
  sensor: Sensor;
  /** Cause one real piece of activity the sensor must report. */
  trigger(): Promise<void>;
  /** Whether `e` is the event of the last trigger. */
  isTriggered(e: SyscallEvent): boolean;
  /** Feed broken input (when the sensor reads any): it must count as bad, and the sensor must keep working. */
  broken?(): Promise<void>;
  /** How long the sensor may take to report (default 5 s). */
  timeoutMs?: number;
  cleanup?(): Promise<void>;
}

export type SensorFactory = (clock: () => number) => Promise<SensorFixture>;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until<T>(what: string, get: () => T | undefined, timeoutMs: number): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = get();
    if (v !== undefined) return v;
    if (Date.now() > end) assert.fail(`${what} within ${timeoutMs} ms`);
    await sleep(20);
  }
}

function assertCounters(s: Sensor): void {
  const h = s.health();
  for (const k of ['events', 'lost', 'bad'] as const) assert.ok(Number.isInteger(h[k]) && h[k] >= 0, `${s.name}: health().${k} is a count (${h[k]})`);
  assert.equal(typeof h.detail, 'string');
}

export function describeSensor(name: string, make: SensorFactory, opts: { skip?: string | false; timeout?: number } = {}): void {
  describe(`sensor conformance: ${name}`, { skip: opts.skip ?? false, timeout: opts.timeout ?? 120_000 }, () => {
    it('stop before start is harmless; a new sensor is stopped', async () => {
      const f = await make(() => CONFORMANCE_TIME);
      try {
        assert.match(f.sensor.name, /^[a-z][a-z0-9-]*$/);
        assert.equal(f.sensor.health().state, 'stopped');
        assertCounters(f.sensor);
        await f.sensor.stop();
        assert.equal(f.sensor.health().state, 'stopped');
      } finally {
        await f.cleanup?.();
      }
    });

    it('reports real activity with the common event shape and the injected clock, survives broken input, delivers nothing after stop', async () => {
      const f = await make(() => CONFORMANCE_TIME);
      const timeout = f.timeoutMs ?? 5000;
      const got: SyscallEvent[] = [];
      const sink: SensorSink = { event: (e) => got.push(e), failed: (why) => assert.fail(`${name} failed while running: ${why}`) };
      try {
        await f.sensor.start(sink);
        const h0 = f.sensor.health();
        assert.equal(h0.state, 'running');
        assert.ok(h0.detail.length > 0, 'says what it watches');

        await f.trigger();
        const e = await until(`${name} reports the triggered activity`, () => got.find((x) => f.isTriggered(x)), timeout);
        assert.equal(e.source, 'syscall');
        assert.match(e.type, /^[a-z0-9_]+$/);
        assert.equal(e.host, CONFORMANCE_HOST);
        assert.ok(Number.isInteger(e.proc.pid) && e.proc.pid >= 0, 'proc.pid');
        assert.equal(typeof e.proc.name, 'string');
        assert.ok(e.container && typeof e.container.id === 'string', 'container (or host) attributed');
        assert.ok(e.time >= CONFORMANCE_TIME - 1000 && e.time < CONFORMANCE_TIME + 600_000, `time from the injected clock (${new Date(e.time).toISOString()})`);
        assert.ok(f.sensor.health().events >= 1, 'counts delivered events');
        assertCounters(f.sensor);

        if (f.broken) {
          const bad = f.sensor.health().bad;
          await f.broken();
          await until(`${name} counts the broken input as bad`, () => (f.sensor.health().bad > bad ? true : undefined), timeout);
          assert.equal(f.sensor.health().state, 'running', 'broken input does not stop the sensor');
          got.length = 0;
          await f.trigger();
          await until(`${name} still reports after broken input`, () => got.find((x) => f.isTriggered(x)), timeout);
        }

        await f.sensor.stop();
        assert.equal(f.sensor.health().state, 'stopped');
        got.length = 0;
        await f.trigger();
        await sleep(Math.min(timeout, 1500));
        assert.deepEqual(
          got.filter((x) => f.isTriggered(x)),
          [],
          'nothing is delivered after stop',
        );
        await f.sensor.stop();
      } finally {
        await f.sensor.stop();
        await f.cleanup?.();
      }
    });
  });
}
