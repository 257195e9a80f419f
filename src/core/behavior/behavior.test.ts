import { test } from 'node:test';
import assert from 'node:assert/strict';
import { behaviorThresholds, DEFAULT_BEHAVIOR_THRESHOLDS } from './thresholds.js';
import { cpuPercent, CpuEpisodes, episodeAverage, episodeSeconds } from './cpu.js';
import { decodeProcAddr, outboundConnections, parseSocketTable, TCP_ESTABLISHED } from './sockets.js';
import { looksLikeKernelThread, minerTraits } from './miner-traits.js';
import { InputError } from '../errors.js';
import { expectCases } from '../expect-cases.test-helpers.js';

test('thresholds: defaults, overrides, and a refused override names its field', () => {
  const d = behaviorThresholds();
  assert.deepEqual(d, {
    ...DEFAULT_BEHAVIOR_THRESHOLDS,
    cpu: { ...DEFAULT_BEHAVIOR_THRESHOLDS.cpu, usualPorts: [...DEFAULT_BEHAVIOR_THRESHOLDS.cpu.usualPorts] },
  });
  assert.ok(d.cpu.usualPorts.includes(443) && !d.cpu.usualPorts.includes(3333));
  const o = behaviorThresholds({ cpu: { percent: 50, sustainSeconds: 2, usualPorts: [443, 80, 443] }, accounts: { intervalMs: 250 } });
  assert.deepEqual(o.cpuThreshold, { percent: 50, duration: 2000 }, "the CPU threshold is returned apart: the detection policy's cpu");
  assert.equal('percent' in o.cpu, false, 'the sampling parameters do not hold it');
  assert.equal(d.cpuThreshold, undefined, 'no default here: its one home is src/core/policy/thresholds.ts');
  assert.deepEqual(o.cpu.usualPorts, [80, 443]);
  assert.equal(o.cpu.intervalMs, DEFAULT_BEHAVIOR_THRESHOLDS.cpu.intervalMs);
  assert.equal(o.accounts.intervalMs, 250);
  const refused: Array<[unknown, RegExp]> = [
    [{ cpu: { percent: 0 } }, /^thresholds\.cpu\.percent: detection threshold: 0 is out of range/],
    [{ cpu: { percent: 101 } }, /^thresholds\.cpu\.percent: detection threshold: 101 is out of range \(1-100\)/],
    [{ cpu: { percnt: 5 } }, /^thresholds\.cpu\.percnt: detection threshold: unknown \(known: /],
    [{ cpu: { intervalMs: 1.5 } }, /thresholds\.cpu\.intervalMs: .*expected an integer/],
    [{ cpu: { usualPorts: [80, 70000] } }, /thresholds\.cpu\.usualPorts: .*70000 is not a port/],
    [{ cpu: { percent: '90' } }, /expected a number, got "90"/],
    [{ memory: {} }, /^thresholds\.memory: .*unknown/],
    [[1], /^thresholds: .*expected a mapping/],
    [{ constructor: { prototype: 1 } }, /^thresholds\.constructor: .*unknown/],
    [{ cpu: { constructor: 1 } }, /^thresholds\.cpu\.constructor: .*unknown/],
    [JSON.parse('{"__proto__": {"percent": 1}}'), /^thresholds\.__proto__: .*unknown/],
  ];
  for (const [v, re] of refused) {
    assert.throws(
      () => behaviorThresholds(v),
      (e: unknown) => e instanceof InputError && e.code === 'THRESHOLD_INVALID' && re.test(e.message),
      JSON.stringify(v),
    );
  }
});

test('cpu percent from tick counters', () => {
  assert.equal(cpuPercent(100, 600, 5000), 100);
  assert.equal(cpuPercent(100, 350, 5000), 50);
  assert.equal(cpuPercent(100, 1100, 5000), 200, 'two busy threads');
  assert.equal(cpuPercent(100, 90, 5000), 0, 'a counter that went back (pid reuse) is no usage');
  assert.equal(cpuPercent(100, 200, 0), 0);
});

test('cpu episodes: sustained after the duration of consecutive high samples, ended by a low one, reported once with traits', () => {
  const ep = new CpuEpisodes(() => ({ percent: 80, duration: 10_000 }));
  let t = 0;
  const step = (key: string, pct: number) => {
    const e = ep.observe(key, t, t + 5000, pct);
    t += 5000;
    return e;
  };
  const a = step('1:10', 95)!;
  assert.equal(ep.due(a, t), false, '5 s is not sustained');
  assert.equal(step('1:10', 99), a);
  assert.equal(ep.due(a, t), true, '10 s is');
  assert.equal(episodeSeconds(a), 10);
  assert.equal(episodeAverage(a), 97);
  ep.mark(a, t, false);
  step('1:10', 90);
  assert.equal(ep.due(a, t), false, 'without traits: looked at again one sustain period later');
  step('1:10', 90);
  assert.equal(ep.due(a, t), true);
  ep.mark(a, t, true);
  step('1:10', 90);
  step('1:10', 90);
  assert.equal(ep.due(a, t), false, 'reported with traits: final for this episode');
  assert.equal(step('1:10', 20), undefined, 'a low sample ends the episode');
  const b = step('1:10', 95)!;
  assert.notEqual(b, a);
  assert.equal(b.reported, 'no');
  ep.observe('2:20', t, t + 1, 100);
  ep.retain(new Set(['2:20']));
  assert.equal(ep.size, 1);
});

const TCP = `  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1193 1 000000004fa3aca6 100 0 0 10 0
   1: 0100007F:A1B2 0100007F:0D05 01 00000000:00000000 00:00000000 00000000     0        0 5001 1 0000000000000000 20 4 30 10 -1
   2: 0100007F:1F90 0100007F:C000 01 00000000:00000000 00:00000000 00000000     0        0 5002 1 0000000000000000 20 4 30 10 -1
   3: 020200C0:800E 507100CB:01BB 01 00000000:00000000 03:00000F63 00000000     0        0 5003 3 0000000044f01f25
   4: 020200C0:800F 507100CB:115C 06 00000000:00000000 03:00000F63 00000000     0        0 5004 3 0000000044f01f25
   5: garbage
`;
const TCP6 = `  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 00000000000000000000000001000000:B000 00000000000000000000000001000000:115C 02 00000000:00000000 00:00000000 00000000     0        0 6001 1 0000000000000000 100 0 0 10 0
`;

test('socket tables: real rows parsed, a malformed row counted; outbound connections of a process', () => {
  expectCases(decodeProcAddr, [
    ['0100007F', '127.0.0.1'],
    ['507100CB', '203.0.113.80'],
    ['00000000000000000000000001000000', '::1'],
    ['0000000000000000FFFF00000100007F', '127.0.0.1'],
    ['zz', undefined],
  ]);
  const t4 = parseSocketTable(TCP);
  assert.equal(t4.bad, 1);
  assert.equal(t4.rows.length, 5);
  assert.deepEqual(t4.rows[1], { localAddr: '127.0.0.1', localPort: 0xa1b2, remoteAddr: '127.0.0.1', remotePort: 3333, state: TCP_ESTABLISHED, inode: 5001 });
  const t6 = parseSocketTable(TCP6);
  const out = outboundConnections(
    [
      { proto: 'tcp', rows: t4.rows },
      { proto: 'tcp', rows: t6.rows },
    ],
    new Set([1193, 5001, 5002, 5003, 5004, 6001]),
  );
  // 1193 listens, 5002 was accepted on the listening port 8080, 5004 is TIME_WAIT.
  assert.deepEqual(
    out.map((c) => `${c.remoteAddr}:${c.remotePort}`),
    ['127.0.0.1:3333', '203.0.113.80:443', '::1:4444'],
  );
  assert.deepEqual(outboundConnections([{ proto: 'tcp', rows: t4.rows }], new Set([9999])), [], 'only the process own sockets');
  assert.equal(parseSocketTable('header\n' + 'x\n'.repeat(50), 10).bad, 10, 'bounded rows');
});

test('miner traits: new executable, unusual port, kernel-thread name; none for a compression job', () => {
  const usual = DEFAULT_BEHAVIOR_THRESHOLDS.cpu.usualPorts;
  const conn = (remotePort: number) => ({ proto: 'tcp' as const, localAddr: '127.0.0.1', localPort: 40000, remoteAddr: '127.0.0.1', remotePort });
  const gzip = minerTraits({ name: 'gzip', argv0: 'gzip', exepath: '/usr/bin/gzip', connections: [] }, usual);
  assert.deepEqual(gzip.traits, []);
  const https = minerTraits({ name: 'cc1', exepath: '/usr/lib/gcc/x86_64-linux-gnu/12/cc1', connections: [conn(443)] }, usual);
  assert.deepEqual(https.traits, [], 'a usual port is no trait');
  const miner = minerTraits(
    { name: '[kworker/0:1]', argv0: '[kworker/0:1]', exepath: '/usr/local/bin/kw', exeUpperLayer: true, connections: [conn(3333), conn(443), conn(3333)] },
    usual,
  );
  assert.deepEqual(miner.traits, ['new-executable', 'unusual-port', 'kernel-thread-name']);
  assert.deepEqual(miner.unusualPorts, [3333]);
  assert.equal(miner.connection?.remotePort, 3333);
  assert.deepEqual(minerTraits({ name: 'x', exepath: '/tmp/.x/x', connections: [] }, usual).traits, ['new-executable']);
  assert.deepEqual(minerTraits({ name: 'x', exepath: '/usr/bin/x (deleted)', exeDeleted: true, connections: [] }, usual).traits, ['new-executable']);
  assert.deepEqual(minerTraits({ name: 'x', exepath: '/memfd:a (deleted)', connections: [] }, usual).traits, ['new-executable']);
  assert.deepEqual(minerTraits({ name: 'kworker/0:1', connections: [] }, usual).traits, [], 'a real kernel thread has no executable');
  for (const n of ['[kworker/0:1]', 'kworker/u8:2', 'kswapd0', 'migration/3', '[ksoftirqd/1]', 'rcu_sched']) assert.ok(looksLikeKernelThread(n), n);
  for (const n of ['gzip', 'node', '[', '[]', 'worker', 'kafka', undefined]) assert.ok(!looksLikeKernelThread(n), String(n));
});

test('cpu episodes read the threshold in force at each sample (a detection policy changed live)', () => {
  const level = { percent: 80, duration: 10_000 };
  const ep = new CpuEpisodes(() => level);
  const e = ep.observe('7:1', 0, 5000, 85)!;
  ep.observe('7:1', 5000, 10_000, 85);
  assert.equal(ep.due(e, 10_000), true);
  level.duration = 20_000;
  assert.equal(ep.due(e, 10_000), false, 'a longer duration now');
  level.percent = 90;
  assert.equal(ep.observe('7:1', 10_000, 15_000, 85), undefined, '85% is below the new percent: the episode ends');
});
