import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync, chmodSync, copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { Alert } from '../../core/alerts/types.js';
import type { EngineEvent } from '../../core/events/event.js';
import { exec, makeEvent, open, TEST_CONTAINER, TEST_TIME } from '../../core/rules/event-builders.js';
import { emptyLearnState } from '../../core/policy/evaluate.js';
import { validatePolicyDocument } from '../../core/policy/model.js';
import { PolicyStage } from '../../core/policy/stage.js';
import { AuthLogTail } from '../sensors/auth-log.js';
import { FileIntegrity } from '../sensors/file-integrity.js';
import { EbpfSensor } from '../sensors/bpftrace/sensor.js';
import { ProcCache, ProcFs } from '../sensors/procfs.js';
import { ContainerResolver } from '../sensors/container-resolver.js';
import { ExecScanner } from '../malware/exec-scanner.js';
import { loadSignatures } from '../malware/signatures.js';
import { loadEngine } from './engine.js';
import { RuntimePipeline, type PipelineStats, type RuntimeOutput } from './pipeline.js';
import { tempFiles } from './files.test-helpers.js';

class Collect implements RuntimeOutput {
  alerts: Alert[] = [];
  events: EngineEvent[] = [];
  notices: string[] = [];
  seen: PipelineStats[] = [];
  alert(a: Alert) {
    this.alerts.push(a);
  }
  event(e: EngineEvent) {
    this.events.push(e);
  }
  notice(m: string) {
    this.notices.push(m);
  }
  stats(s: PipelineStats) {
    this.seen.push(s);
  }
}

const policyDoc = (extra: object = {}) =>
  validatePolicyDocument(
    {
      policies: [
        {
          name: 'web',
          selector: { images: ['docker.io/library/nginx*'] },
          mode: 'enforce',
          processWhitelist: { executables: ['/usr/sbin/nginx'], learn: '10m' },
          fileProtection: { paths: ['/etc/nginx'] },
          ...extra,
        },
      ],
    },
    'test-policy',
  );

const inWeb = { container: TEST_CONTAINER };
const MONO = 5_000_000_000;

async function setup(o: { kill?: (pid: number) => void; builtin?: boolean; extra?: object } = {}) {
  let now = TEST_TIME;
  const clock = () => now;
  const stage = new PolicyStage(policyDoc(o.extra), emptyLearnState(), clock);
  const engine = await loadEngine({ host: 'n1', builtin: o.builtin ?? false, policyDecision: stage.violations, clock });
  const out = new Collect();
  const killed: number[] = [];
  const pipeline = new RuntimePipeline({
    host: 'n1',
    sensors: [],
    engine,
    policies: stage,
    outputs: [out],
    clock,
    monoNs: () => MONO,
    kill: o.kill ?? ((pid) => void killed.push(pid)),
    newId: () => 'id-1',
  });
  return { pipeline, out, killed, stage, engine, advance: (ms: number) => (now += ms) };
}

describe('runtime pipeline: one policy decision, injected clock and kill', () => {
  it("learns, then locks: the engine's policy detector words the one decision and the pipeline kills first", async () => {
    const { pipeline, out, killed, stage, engine, advance } = await setup();
    // Learning window (10 min from the injected clock): executables are learned, nothing alerts.
    pipeline.handle(exec('/usr/bin/php-fpm', inWeb));
    assert.equal(out.alerts.length, 0);
    assert.deepEqual(stage.learn.policies.web!.executables, ['/usr/bin/php-fpm']);
    assert.equal(stage.takeLearned(), true);
    advance(11 * 60_000);
    pipeline.handle(exec('/usr/bin/php-fpm', inWeb));
    pipeline.handle(exec('/usr/sbin/nginx -g daemon', inWeb));
    assert.equal(out.alerts.length, 0, 'learned and listed programs are allowed by both');
    assert.deepEqual(stage.learn.policies.web!.executables, ['/usr/bin/php-fpm'], 'nothing learned after the window');

    pipeline.handle(exec('/tmp/xmrig', inWeb), MONO - 870_000);
    assert.equal(out.alerts.length, 1, 'one alert: the policy decision is not taken twice');
    const a = out.alerts[0]!;
    assert.equal(a.type, 'container/abnormal-process');
    assert.equal(a.rule, 'policy:web');
    assert.match(a.message, /process \/tmp\/xmrig is not in the whitelist of policy web/);
    assert.deepEqual(a.action, { kind: 'killed', detail: 'SIGKILL sent to pid 4242', delayUs: 870 });
    assert.deepEqual(a.fields, { 'evt.type': 'execve', subject: '/tmp/xmrig', policy: 'web' });
    assert.equal(a.time, new Date(TEST_TIME).toISOString());
    assert.deepEqual(killed, [4242]);
    assert.equal(pipeline.stats.killed, 1);

    // The engine alone (no pipeline in front) takes the same decision through the same stage.
    const alone = engine.process(exec('/tmp/other', inWeb));
    assert.deepEqual(
      alone.map((x) => [x.type, x.rule, x.action?.kind]),
      [['container/abnormal-process', 'policy:web', 'killed']],
    );

    // File protection, the same way; a read is no change.
    pipeline.handle(open('/etc/nginx/nginx.conf', 'r', inWeb));
    pipeline.handle(open('/etc/nginx/nginx.conf', 'w', inWeb));
    assert.deepEqual(
      out.alerts.slice(1).map((x) => [x.type, x.rule, x.action?.kind]),
      [['container/sensitive-file-access', 'policy:web', 'killed']],
    );
    // Outside the policy's containers: nothing.
    pipeline.handle(exec('/tmp/xmrig'));
    assert.equal(out.alerts.length, 2);
    assert.equal(pipeline.stats.alerts, 2);
  });

  it('a failed or refused kill stays an alert that says why', async () => {
    const { pipeline, out } = await setup({
      kill: () => {
        throw Object.assign(new Error('no such process'), { code: 'ESRCH' });
      },
    });
    pipeline.handle(exec('/usr/bin/curl', { ...inWeb, time: TEST_TIME + 11 * 60_000 }));
    // Still learning (the injected clock did not move): learned, no alert.
    assert.equal(out.alerts.length, 0);
    const t = await setup({
      extra: { processWhitelist: { executables: ['/usr/sbin/nginx'] } },
      kill: () => {
        throw Object.assign(new Error('no such process'), { code: 'ESRCH' });
      },
    });
    t.pipeline.handle(exec('/usr/bin/curl', inWeb));
    assert.deepEqual(t.out.alerts[0]!.action, { kind: 'alert', detail: 'kill of pid 4242 failed: ESRCH' });
    assert.equal(t.pipeline.stats.killed, 0);
    t.pipeline.handle(exec('/usr/bin/curl', { ...inWeb, proc: { pid: process.pid } }));
    assert.deepEqual(t.out.alerts[1]!.action, { kind: 'alert', detail: `not killed: pid ${process.pid} is protected` });
  });

  it("reverse shells: the rule alert carries the policy's kill, the policy alert is not repeated", async () => {
    const t = await setup({ builtin: true, extra: { processWhitelist: { executables: ['/bin/bash', '/usr/bin/bash'] } } });
    const rs = exec('/bin/bash -i', { ...inWeb, proc: { stdin: 'ipv4', stdout: 'ipv4', stderr: 'ipv4' } });
    t.pipeline.handle(rs);
    const shells = t.out.alerts.filter((a) => a.type === 'system/reverse-shell');
    assert.equal(shells.length, 1);
    assert.ok(!shells[0]!.rule.startsWith('policy:'), `the rule's alert (${shells[0]!.rule})`);
    assert.equal(shells[0]!.action?.kind, 'killed');
    assert.deepEqual(t.killed, [4242]);
  });

  it('a file-protection policy and interleaved events of two containers: no reverse shell from a shell restoring its stdout', async () => {
    // The events of test/e2e/runtime/watch.test.ts's protected-directory case, in the order the sensor delivered
    // them when the twin once raised 'system/reverse-shell (policy:protect)': the twin's `sh` (stdout a unix
    // socketpair, as libuv gives a child) redirects `echo x > other/f`, the protected container writes, and the
    // twin's shell restores stdout with dup2(10, 1) while the protected one does the same. The twin exited before
    // /proc/PID/net was read, so the sensor could not classify the socket: fd.type 'socket'.
    const prot = { id: 'c'.repeat(64), name: 'prot' };
    const twin = { id: 'd'.repeat(64), name: 'twin' };
    const doc = validatePolicyDocument(
      { policies: [{ name: 'protect', selector: { containers: [prot.id, twin.id] }, fileProtection: { paths: ['/srv/protected'] } }] },
      'test-policy',
    );
    const stage = new PolicyStage(doc, emptyLearnState(), () => TEST_TIME);
    const engine = await loadEngine({ host: 'n1', policyDecision: stage.violations, clock: () => TEST_TIME });
    const out = new Collect();
    const p = new RuntimePipeline({ host: 'n1', sensors: [], engine, policies: stage, outputs: [out], clock: () => TEST_TIME, kill: () => {} });
    const sh = (pid: number) => ({
      pid,
      name: 'sh',
      exepath: '/usr/bin/dash',
      args: ['sh', '-c', 'echo x > f'],
      stdin: 'file' as const,
      stdout: 'unix' as const,
    });
    const restore = (c: typeof prot, pid: number, type: 'socket' | 'unix') =>
      makeEvent({ type: 'dup2', container: c, proc: sh(pid), args: { oldfd: 10, newfd: 1, fd: 10 }, fd: { num: 10, type, name: 'socket:[884428]' } });
    p.handle(open('/srv/other/f', 'w', { container: twin, proc: sh(501) }));
    p.handle(open('/srv/protected/f', 'w', { container: prot, proc: sh(601) }));
    p.handle(restore(twin, 501, 'socket'));
    p.handle(restore(prot, 601, 'unix'));
    p.handle(restore(twin, 501, 'unix'));
    assert.deepEqual(
      out.alerts.map((a) => `${a.container?.name}: ${a.type} (${a.rule})`),
      ['prot: container/sensitive-file-access (policy:protect)'],
      'one alert, the violation of the protected container; nothing for the twin',
    );
    // A real reverse shell in the same container still raises, from the rules and the policy alike.
    p.handle(
      makeEvent({
        type: 'dup2',
        container: twin,
        proc: { ...sh(502), name: 'bash', exepath: '/usr/bin/bash' },
        args: { oldfd: 3, newfd: 0, fd: 3 },
        fd: { num: 3, type: 'ipv4', name: '10.0.0.5:40312->192.0.2.7:4444' },
      }),
    );
    assert.deepEqual(
      out.alerts.slice(1).map((a) => `${a.container?.name}: ${a.type}`),
      ['twin: system/reverse-shell'],
    );
  });

  it('refuses policies without an engine (their alerts would be lost)', () => {
    const stage = new PolicyStage(policyDoc(), emptyLearnState(), () => TEST_TIME);
    assert.throws(() => new RuntimePipeline({ host: 'n', sensors: [], engine: null, policies: stage, outputs: [] }), /policies need an engine/);
  });
});

describe('runtime pipeline: sensors, lost events, failures, stats', () => {
  const { dir, file } = tempFiles('vigil-pipeline-');

  it("streams a real sensor's events to the outputs and reports stats at stop", async () => {
    const log = file('auth.log', '');
    const out = new Collect();
    const output: RuntimeOutput = { alert: (a) => out.alert(a), event: (e) => out.event(e), stats: (s) => out.stats(s) };
    const engine = await loadEngine({ host: 'n1', clock: () => TEST_TIME });
    const p = new RuntimePipeline({
      host: 'n1',
      sensors: [new AuthLogTail({ files: [log], host: 'n1', intervalMs: 20, now: () => TEST_TIME })],
      engine,
      outputs: [output],
      clock: () => TEST_TIME,
    });
    await p.start();
    for (let i = 0; i < 6; i++) appendFileSync(log, `Jan  5 10:00:0${i} h sshd[9${i}]: Failed password for root from 192.0.2.9 port 4${i} ssh2\n`);
    for (let i = 0; i < 100 && out.events.length < 6; i++) await new Promise((r) => setTimeout(r, 20));
    await p.stop();
    assert.equal(out.events.length, 6);
    assert.ok(out.events.every((e) => e.source === 'syscall' && e.type === 'auth' && e.time === TEST_TIME));
    assert.ok(
      out.alerts.some((a) => a.type === 'user/brute-force'),
      `brute force from the real auth log: ${out.alerts.map((a) => a.type).join(',')}`,
    );
    assert.equal(out.seen.length, 1);
    assert.equal(out.seen[0]!.events, 6);
  });

  it('enrichment across sensors: a key-file change names the process the syscall sensor saw opening it', async () => {
    const key = join(dir, 'passwd');
    writeFileSync(key, 'v1');
    const out = new Collect();
    const fim = new FileIntegrity({ paths: [key], host: 'n1', debounceMs: 20, now: () => TEST_TIME });
    const p = new RuntimePipeline({ host: 'n1', sensors: [fim], engine: null, outputs: [out], clock: () => TEST_TIME, writers: fim });
    await p.start();
    // What the eBPF sensor reports when a process opens the file for writing.
    p.handle(open(key, 'w', { proc: { pid: 777, name: 'evil-editor' } }));
    writeFileSync(key, 'v2');
    for (let i = 0; i < 100 && !out.events.some((e) => e.source === 'syscall' && e.type === 'filechange'); i++) await new Promise((r) => setTimeout(r, 20));
    await p.stop();
    const change = out.events.find((e) => e.source === 'syscall' && e.type === 'filechange');
    assert.ok(change && change.source === 'syscall');
    assert.equal(change.proc.name, 'evil-editor');
    assert.equal(change.proc.pid, 777);
  });

  it('lost kernel events become an alert; a sensor that dies ends run() with why', async () => {
    // A stand-in bpftrace (a real child process printing what bpftrace prints): ready, lost events, then an error exit.
    const bin = join(dir, 'bpftrace');
    writeFileSync(
      bin,
      [
        '#!/bin/sh',
        `echo '{"type": "attached_probes", "data": {"probes": 2}}'`,
        `echo '{"type": "printf", "data": "R\\\\tready\\\\n"}'`,
        'sleep 0.2',
        `echo '{"type": "lost_events", "data": {"events": 7}}'`,
        'sleep 0.2',
        `echo 'ERROR: perf buffer gone' >&2`,
        'exit 1',
      ].join('\n'),
    );
    chmodSync(bin, 0o755);
    const out = new Collect();
    const sensor = new EbpfSensor({
      bpftrace: bin,
      program: 'x',
      procs: new ProcCache(new ProcFs()),
      containers: new ContainerResolver({ clients: [] }),
      host: 'n1',
      ignore: new Set([process.pid]),
    });
    const p = new RuntimePipeline({ host: 'n1', sensors: [sensor], engine: null, outputs: [out], clock: () => TEST_TIME, newId: () => 'lost-1' });
    await p.start();
    assert.match(sensor.health().detail, /eBPF \(bpftrace, 2 probes attached in [\d.]+ s\)/);
    const why = await p.run(new Promise(() => {}));
    await p.stop();
    assert.equal(why, 'bpftrace exited (1): ERROR: perf buffer gone');
    assert.equal(sensor.health().state, 'failed');
    const lost = out.alerts.filter((a) => a.type === 'sensor/lost-events');
    assert.equal(lost.length, 1, 'once per increase');
    assert.deepEqual(lost[0]!.fields, { lost: 7, totalLost: 7 });
    assert.equal(lost[0]!.time, new Date(TEST_TIME).toISOString());
    // One call gives the heartbeat both: each sensor's state and the lost events they sum to.
    const snap = p.snapshot();
    assert.equal(snap.lost, 7);
    assert.deepEqual(
      snap.sensors.map((h) => [h.name, h.state, h.lost]),
      [[sensor.name, 'failed', 7]],
    );
  });
});

describe('runtime pipeline: malware signatures on exec', () => {
  // Outside the flagged roots (an ELF run from /tmp is itself flagged), even when the checkout is under /tmp.
  const flagged = /^\/(tmp|var\/tmp|dev\/shm|run\/shm|var\/www)\//;
  const base = [process.cwd(), homedir(), '/var/lib'].find((d) => !flagged.test(`${d}/`))!;
  const dir = mkdtempSync(join(base, '.vigil-pipeline-exec-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  async function running(file: string): Promise<ChildProcess> {
    const child = spawn(file, ['5'], { stdio: 'ignore' });
    await new Promise((r) => child.once('spawn', r));
    return child;
  }

  it('an exec of a file matching a built-in rule raises its malware type through the outputs; the clean twin and a failed exec do not', async () => {
    const sigs = await loadSignatures();
    const out = new Collect();
    let n = 0;
    let scanner!: ExecScanner;
    const pipeline = new RuntimePipeline({
      host: 'n1',
      sensors: [],
      engine: null,
      outputs: [out],
      clock: () => TEST_TIME,
      execWatcher: (emit) =>
        (scanner = new ExecScanner({
          engine: sigs.engine,
          knownBad: sigs.knownBad,
          onAlert: emit,
          host: 'n1',
          clock: () => TEST_TIME,
          newId: () => `x-${++n}`,
        })),
    });
    const clean = join(dir, 'worker');
    copyFileSync('/bin/sleep', clean);
    chmodSync(clean, 0o755);
    const miner = join(dir, 'worker-2');
    copyFileSync('/bin/sleep', miner);
    appendFileSync(miner, ['XMRig 6.21', 'stratum+tcp://pool.example:3333', '--donate-level', 'randomx'].join('\0'));
    chmodSync(miner, 0o755);
    const kids = [await running(clean), await running(miner)];
    try {
      const ev = (file: string, pid: number, res = 0) =>
        exec([file, '5'], { ...inWeb, res, proc: { pid, ppid: process.pid, name: file.slice(file.lastIndexOf('/') + 1), exepath: file } });
      pipeline.handle(ev(clean, kids[0]!.pid!));
      pipeline.handle(ev(miner, kids[1]!.pid!, -13));
      await scanner.drained();
      assert.equal(out.alerts.length, 0, `the clean twin and a failed exec raise nothing: ${JSON.stringify(out.alerts)}`);
      assert.equal(scanner.scanned, 1);
      pipeline.handle(ev(miner, kids[1]!.pid!));
      assert.equal(out.alerts.length, 0, 'the scan runs off the event path');
      await pipeline.stop(); // waits for the pending scan
    } finally {
      for (const k of kids) k.kill('SIGKILL');
    }
    assert.deepEqual(
      out.alerts.map((a) => [a.type, a.rule]).sort((a, b) => a[1]!.localeCompare(b[1]!)),
      [
        ['malware/unclassified', 'Vigil_Miner_Stratum_URL_In_Binary'],
        ['malware/unclassified', 'Vigil_Miner_XMRig'],
      ],
    );
    const a = out.alerts[0]!;
    assert.equal(a.container?.id, TEST_CONTAINER.id);
    assert.equal(a.process?.exepath, miner);
    assert.equal(a.time, new Date(TEST_TIME).toISOString());
    assert.match(a.message, /executed: .*worker-2 \(sha256 [0-9a-f]{64}\) in container/);
    assert.equal(out.alerts.length, 2);
    assert.equal(pipeline.stats.alerts, 2);
  });
});
