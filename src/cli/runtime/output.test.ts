import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough, Writable } from 'node:stream';
import type { Alert } from '../../core/alerts/types.js';
import { exec } from '../../core/rules/event-builders.js';
import { StreamOutput } from './output.js';

function capture() {
  const s = new PassThrough();
  let text = '';
  s.on('data', (d) => (text += d));
  return {
    s,
    get text() {
      return text;
    },
  };
}

const alert: Alert = {
  id: 'a1',
  type: 'container/abnormal-process',
  severity: 'medium',
  time: '2026-01-15T12:00:00.000Z',
  message: 'process /tmp/x is not in the whitelist of policy web',
  rule: 'policy:web',
  host: 'n1',
  process: { pid: 42, ppid: 1, name: 'x', uid: 0 },
  container: { id: 'c'.repeat(64), name: 'web' },
  action: { kind: 'killed', detail: 'SIGKILL sent to pid 42', delayUs: 870 },
};

test('runtime watch output: alerts on stdout (JSON lines or text), events, notices and stats on stderr', () => {
  const out = capture();
  const err = capture();
  const json = new StreamOutput({ format: 'json', out: out.s, err: err.s });
  json.alert(alert);
  json.event(exec('/bin/true'));
  assert.deepEqual(out.text.split('\n'), [JSON.stringify(alert), '']);
  assert.equal(err.text, '', 'events only with --events');

  const out2 = capture();
  const err2 = capture();
  const text = new StreamOutput({ format: 'text', events: true, out: out2.s, err: err2.s });
  text.alert(alert);
  assert.equal(
    out2.text,
    `2026-01-15T12:00:00.000Z MEDIUM container/abnormal-process container=cccccccccccc(web) pid=42 proc=x action=killed(870us) ${alert.message}\n`,
  );
  text.event(exec('/bin/true'));
  text.notice('runtime sensors ready: procfs polling every 200 ms, no rules, no policies');
  text.stats({
    events: 3,
    alerts: 1,
    killed: 1,
    lost: 0,
    bad: 2,
    lines: 9,
    aggregated: 19000,
    lagMs: 1.6,
    unenriched: 0,
    procs: 120,
    containers: 2,
    rssMiB: 80,
    sensors: [],
  });
  const lines = err2.text.trimEnd().split('\n');
  assert.match(lines[0]!, /^event \{"source":"syscall","type":"execve"/);
  assert.equal(lines[1], 'vigil: runtime sensors ready: procfs polling every 200 ms, no rules, no policies');
  assert.equal(lines[2], 'vigil: stats events=3 alerts=1 killed=1 lost=0 bad=2 lines=9 aggregated=19000 lag=2ms unenriched=0 procs=120 containers=2 rss=80MiB');
});

test('runtime watch output: a closed stdout resolves `closed` (the watch then stops) instead of crashing', async () => {
  const broken = new Writable({
    write(_c, _e, cb) {
      cb(Object.assign(new Error('write EPIPE'), { code: 'EPIPE' }));
    },
  });
  const o = new StreamOutput({ format: 'json', out: broken, err: new PassThrough() });
  o.alert(alert);
  await o.closed;
});
