import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BpftraceRunner, checkPrereqs, findBinary } from './runner.js';
import type { BpftraceRecord } from './parse.js';
import { InputError } from '../../../core/errors.js';

// The child-process manager is tested against small executables that print
// what bpftrace prints (the real bpftrace runs in test/e2e/runtime).
describe('bpftrace runner', () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-runner-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const script = (name: string, body: string) => {
    const p = join(dir, name);
    writeFileSync(p, `#!/bin/sh\n${body}\n`);
    chmodSync(p, 0o755);
    return p;
  };

  it('waits for ready, counts lost and bad lines, stops with SIGINT', async () => {
    const bin = script(
      'ok',
      [
        `echo 'ERROR: Unknown error -1: couldn'"'"'t set RLIMIT_MEMLOCK for bpftrace.' >&2`,
        `echo '{"type": "attached_probes", "data": {"probes": 3}}'`,
        `echo '{"type": "printf", "data": "R\\\\tready\\\\n"}'`,
        `echo '{"type": "lost_events", "data": {"events": 7}}'`,
        `echo 'not json'`,
        `echo '{"type": "printf", "data": "Q\\\\t1\\\\t2\\\\t2\\\\t1\\\\t0\\\\t9\\\\t1\\\\tsh\\\\n"}'`,
        `trap 'exit 0' INT`,
        `while true; do sleep 0.1; done`,
      ].join('\n'),
    );
    const recs: BpftraceRecord[] = [];
    const r = new BpftraceRunner({ bpftrace: bin, program: 'x', onRecord: (x) => recs.push(x), readyTimeoutMs: 10_000 });
    await r.start();
    assert.equal(r.stats.probes, 3);
    await new Promise((res) => setTimeout(res, 300));
    assert.equal(r.stats.lost, 7);
    assert.equal(r.stats.bad, 1);
    assert.ok(recs.some((x) => x.kind === 'event' && x.ev.code === 'Q'));
    await r.stop(2000);
    assert.deepEqual(r.stderr(), [], 'the RLIMIT_MEMLOCK notice is not an error');
  });

  it("fails with one line naming bpftrace's error when attaching fails", async () => {
    const bin = script('fail', `echo 'stdin:1:1-10: ERROR: tracepoint not found: syscalls:sys_enter_nope' >&2; exit 1`);
    const r = new BpftraceRunner({ bpftrace: bin, program: 'x', onRecord: () => {} });
    await assert.rejects(r.start(), (e: unknown) => e instanceof InputError && e.code === 'SENSOR_START_FAILED' && /tracepoint not found/.test(e.message));
  });

  it('gives up when the probes do not attach in time', async () => {
    const bin = script('slow', `trap 'exit 0' INT\nwhile true; do sleep 0.1; done`);
    const r = new BpftraceRunner({ bpftrace: bin, program: 'x', onRecord: () => {}, readyTimeoutMs: 300 });
    await assert.rejects(r.start(), (e: unknown) => e instanceof InputError && e.code === 'SENSOR_ATTACH_TIMEOUT');
    await r.stop(1000);
  });

  it('reports an exit after ready', async () => {
    const bin = script('dies', `echo '{"type": "printf", "data": "R\\\\tready\\\\n"}'; sleep 0.2; echo 'ERROR: perf buffer gone' >&2; exit 1`);
    let why = '';
    const exited = new Promise<void>((res) => {
      const r = new BpftraceRunner({
        bpftrace: bin,
        program: 'x',
        onRecord: () => {},
        onExit: (code, _s, tail) => {
          why = `${code} ${tail.join(' ')}`;
          res();
        },
      });
      void r.start();
    });
    await exited;
    assert.match(why, /^1 ERROR: perf buffer gone/);
  });

  it('checks prerequisites, naming the missing piece', () => {
    const code = (c: string) => (e: unknown) => e instanceof InputError && e.code === c;
    assert.throws(() => checkPrereqs({ uid: 1000 }), code('SENSOR_NOT_ROOT'));
    const tracefs = mkdtempSync(join(dir, 'tracefs-'));
    writeFileSync(join(tracefs, 'events'), '');
    assert.throws(() => checkPrereqs({ uid: 0, tracefs, btf: join(dir, 'no-btf') }), code('SENSOR_NO_BTF'));
    writeFileSync(join(dir, 'btf'), '');
    assert.throws(() => checkPrereqs({ uid: 0, tracefs, btf: join(dir, 'btf'), bpftrace: join(dir, 'no-bpftrace') }), code('SENSOR_NO_BPFTRACE'));
    assert.equal(checkPrereqs({ uid: 0, tracefs, btf: join(dir, 'btf'), bpftrace: join(dir, 'btf') }).mountedTracefs, false);
    assert.equal(findBinary('sh', '/nonexistent:/bin:/usr/bin')?.endsWith('/sh'), true);
    assert.equal(findBinary('no-such-binary-here', '/bin'), undefined);
  });
});
