// Regressions of the runtime detection review (issue 18), through the real
// record parser, the normaliser and the built-in rules: the event shapes the
// sensor makes, not hand-written ones.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, symlinkSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SyscallEvent } from '../../../core/events/event.js';
import { Engine } from '../../../core/rules/engine.js';
import type { Ruleset } from '../../../core/rules/loader.js';
import { Normaliser, normalisePath } from './normalise.js';
import { execLines, feedLines, printfLine } from './bpftrace.test-helpers.js';
import { dirChainPath } from './parse.js';
import { kernelDev, stringWords } from './program.js';
import { ProcCache, ProcFs } from '../procfs.js';
import { ContainerResolver } from '../container-resolver.js';
import { loadBuiltinRules } from '../../rules/load.js';

const ID = 'cd'.repeat(32);
/** Directory-chain fields of a record whose directory the probe did not place (program.ts dirChain()). */
const NODIR = '\t9\t0\t0\t0\t0';
const line = printfLine;
/** A record header: code, pid, comm, uid, cgroup id. */
const H = (code: string, pid: number, comm: string, uid = 0, cg = 1) => `${code}\t1000000\t${pid}\t${pid}\t100\t${uid}\t4026531836\t${cg}\t${comm}`;
/** An exec as the probes print it (execLines()): the cgroup's names when a v1 leaf is given, argv, the exec. */
const EXEC = (pid: number, comm: string, uid: number, cg: number, v1: string, argv: string[], file: string) =>
  execLines((code) => H(code, pid, comm, uid, cg), pid, argv, file, v1 ? [v1, ''] : undefined);

let procRoot: string;
let rules: Ruleset;
before(async () => {
  procRoot = mkdtempSync(join(tmpdir(), 'vigil-proc-'));
  // /proc/300/fd/5 is a directory fd on /etc/cron.d (rm -r's unlinkat(dirfd, "x")).
  mkdirSync(join(procRoot, '300', 'fd'), { recursive: true });
  symlinkSync('/etc/cron.d', join(procRoot, '300', 'fd', '5'));
  rules = (await loadBuiltinRules()).ruleset;
});
after(() => rmSync(procRoot, { recursive: true, force: true }));

function setup(opts: { inodes?: Map<string, string> } = {}) {
  const procs = new ProcCache(new ProcFs(procRoot));
  const containers = new ContainerResolver();
  const n = new Normaliser({
    procs,
    containers,
    host: 'node-1',
    wallNow: () => 1_700_000_000_000,
    monoNowNs: () => 1_000_000,
    ...(opts.inodes ? { inodes: opts.inodes } : {}),
  });
  const feed = (lines: string[]): SyscallEvent[] => feedLines(n, lines, true);
  return { procs, containers, feed };
}

function alertsOf(evs: SyscallEvent[]) {
  const en = new Engine(rules, { host: 'node-1', clock: () => 1_700_000_000_000 });
  return evs.flatMap((e) => en.process(e));
}

describe('runtime detection regressions', () => {
  it('rm /etc/cron.d/x raises command/scheduled-task (the event carries evt.arg.name and fd.name)', () => {
    const { feed } = setup();
    const evs = feed([line(`${H('L', 300, 'rm')}\t0\t-100${NODIR}\t/etc/cron.d/x`)]);
    assert.equal(evs[0]!.fd?.name, '/etc/cron.d/x');
    assert.ok(alertsOf(evs).some((a) => a.type === 'command/scheduled-task'));
  });

  it('unlinkat honours its dirfd (a deletion run from another directory)', () => {
    const { feed } = setup();
    const evs = feed([line(`${H('L', 300, 'rm')}\t0\t5${NODIR}\tx`)]);
    assert.equal(evs[0]!.args.name, '/etc/cron.d/x');
    assert.ok(alertsOf(evs).some((a) => a.type === 'command/scheduled-task'));
  });

  it('paths are normalised: /etc/../etc/shadow, /etc//shadow, cd /etc; cat shadow', () => {
    const { procs, feed } = setup();
    procs.put({ pid: 301, ppid: 1, name: 'cat', cwd: '/etc' });
    const evs = feed([
      line(`${H('O', 301, 'cat')}\t3\t0\t-100\t0\t0\t0${NODIR}\t/etc/../etc/../etc/shadow`),
      line(`${H('O', 301, 'cat')}\t3\t0\t-100\t0\t0\t0${NODIR}\t/etc//shadow`),
      line(`${H('O', 301, 'cat')}\t3\t0\t-100\t0\t0\t0${NODIR}\tshadow`),
      line(`${H('O', 301, 'cat')}\t3\t0\t-100\t0\t0\t0${NODIR}\t./../etc/./shadow`),
    ]);
    for (const e of evs) assert.equal(e.fd?.name, '/etc/shadow');
    const alerts = alertsOf(evs);
    assert.equal(alerts.filter((a) => a.type === 'user/password-theft').length, 4);
  });

  it("a relative name from a process already gone is placed by the kernel's directory chain (cd /etc; cat shadow; cd /etc/cron.d; rm job)", () => {
    const { feed } = setup();
    // Recorded on this kernel (bpftrace 0.17; the open's `created` field, added since, is 0): the open's file is in "etc" one level below the root;
    // the unlink's cwd is "cron.d" (the word also holds bytes past the name's NUL) below "etc". No /proc for pids 12790, 12792.
    const evs = feed([
      JSON.stringify({
        type: 'printf',
        data: 'O\t24850294865599\t12790\t12790\t12505\t0\t4026531836\t1\tcat\t3\t0\t-100\t0\t0\t0\t1\t637465\t0\t65626f727064002f\t0\tshadow\n',
      }),
      JSON.stringify({
        type: 'printf',
        data: 'L\t24850410549186\t12792\t12792\t12505\t0\t4026531836\t1\trm\t0\t-100\t2\t6400642e6e6f7263\t0\t637465\t0\tzzjob\n',
      }),
    ]);
    assert.equal(evs[0]!.fd?.name, '/etc/shadow');
    assert.equal(evs[1]!.fd?.name, '/etc/cron.d/zzjob');
    const types = alertsOf(evs).map((a) => a.type);
    assert.ok(types.includes('user/password-theft'), types.join());
    assert.ok(types.includes('command/scheduled-task'), types.join());
  });

  it('dirChainPath: the root, one and two levels, and what the probe could not place', () => {
    const w = (s: string) => stringWords(s.padEnd(16, '\0')).map((x) => x.value.toString(16));
    assert.equal(dirChainPath(['0', '0', '0', '0', '0']), '/');
    assert.equal(dirChainPath(['1', ...w('etc'), '0', '0']), '/etc');
    assert.equal(dirChainPath(['2', ...w('cron.d'), ...w('etc')]), '/etc/cron.d');
    assert.equal(dirChainPath(['2', ...w('0123456789abcdef'), ...w('etc')]), '/etc/0123456789abcdef');
    assert.equal(dirChainPath(['9', ...w('etc'), ...w('x')]), undefined);
    assert.equal(dirChainPath(['1', '', '0', '0', '0']), undefined);
    assert.equal(dirChainPath(['1', 'zz', '0', '0', '0']), undefined);
    assert.equal(dirChainPath(['2', ...w('..'), ...w('etc')]), undefined);
    assert.equal(dirChainPath([]), undefined);
  });

  it('a sensitive file reached through a hard link or a bind mount is named by its canonical path', () => {
    const dev = kernelDev(65024);
    const { feed } = setup({ inodes: new Map([[`${dev}:739`, '/etc/shadow']]) });
    const evs = feed([line(`${H('O', 302, 'cat')}\t3\t0\t-100\t739\t${dev}\t0${NODIR}\t/tmp/innocent`)]);
    assert.equal(evs[0]!.fd?.name, '/etc/shadow');
    assert.equal(evs[0]!.args.name, '/tmp/innocent');
    assert.ok(alertsOf(evs).some((a) => a.type === 'user/password-theft'));
  });

  it('a non-root setuid(0) is judged on the syscall: success critical, refusal medium; argv text alone raises nothing', () => {
    const { feed } = setup();
    // Exit records: uid is the caller's after the call (0 on success), the old uid comes last.
    const ok = alertsOf(feed([line(`${H('I', 303, 'python3', 0)}\t0\t0\t1000`)]));
    assert.deepEqual(
      ok.map((a) => [a.type, a.rule]),
      [['system/process-privilege-escalation', 'Non-root process switched to root']],
    );
    const refused = alertsOf(feed([line(`${H('I', 304, 'python3', 65534)}\t0\t-1\t65534`)]));
    assert.deepEqual(
      refused.map((a) => a.rule),
      ['Non-root process tried to switch to root'],
    );
    const text = alertsOf(feed([...EXEC(305, 'python3', 1000, 1, '', ['python3', '-c', 'import os; print("os.setuid(0)")'], '/usr/bin/python3')]));
    assert.deepEqual(text, []);
  });

  it('a process that joins a container cgroup after its exec is attributed by its own cgroup id', () => {
    const { feed } = setup();
    const evs = feed([
      // Another process exec'd inside the container (cgroup id 77): its kernel leaf names the container.
      ...EXEC(400, 'sh', 0, 77, ID, ['sh'], '/bin/sh'),
      // A host process (cgroup id 1) ...
      ...EXEC(401, 'bash', 0, 1, '', ['bash'], '/bin/bash'),
      // ... then moved into the container's cgroup: its next event carries id 77.
      line(`${H('O', 401, 'bash', 0, 77)}\t3\t0\t-100\t0\t0\t0${NODIR}\t/etc/shadow`),
    ]);
    assert.equal(evs[1]!.container?.id, 'host');
    assert.equal(evs[2]!.container?.id, ID);
  });

  it('counts the containers whose ids resolve, without any runtime client', () => {
    const { containers, feed } = setup();
    feed(EXEC(500, 'sh', 0, 9, ID, ['sh'], '/bin/sh'));
    assert.equal(containers.active, 1);
    containers.forget(ID);
    assert.equal(containers.active, 0);
  });

  it('a hard link to /etc/shadow made from another directory is seen with both paths resolved', () => {
    const { procs, feed } = setup();
    procs.put({ pid: 306, ppid: 1, name: 'ln', cwd: '/etc' });
    // `Lo` (old name) then `Lk` (new name), each after a directory chain the kernel could not place (-1): /proc's cwd places them.
    const evs = feed([
      line(`Pe\t306\t-1`),
      line(`${H('Lo', 306, 'ln')}\t-100\tshadow`),
      line(`Pe\t306\t-1`),
      line(`${H('Lk', 306, 'ln')}\t-100\t../tmp/h`),
      line(`${H('Sy', 306, 'ln')}\t-100\t/etc/sudoers\x1f/tmp/s`),
    ]);
    assert.deepEqual(evs[0]!.args, { oldpath: '/etc/shadow', newpath: '/tmp/h' });
    assert.equal(evs[1]!.args.target, '/etc/sudoers');
    assert.deepEqual(
      alertsOf(evs).map((a) => a.rule),
      ['Symlink or hard link to a sensitive file', 'Symlink or hard link to a sensitive file'],
    );
  });

  it('normalisePath', () => {
    assert.equal(normalisePath('/etc/../etc//./shadow'), '/etc/shadow');
    assert.equal(normalisePath('/../../etc/shadow'), '/etc/shadow');
    assert.equal(normalisePath('/'), '/');
    assert.equal(normalisePath('a/../../b'), '../b');
    assert.equal(kernelDev(65024), 254 << 20);
    assert.equal(kernelDev(2049), (8 << 20) | 1);
  });
});
