// The kernel's exec burst aggregation (program.ts execRepeatProbe()) on real
// processes, through the real program's exec and exit probes, bpftrace, the
// parser and the normaliser: identical execs of one parent within the window
// are counted, never lost (reported + counted = run), and anything a rule
// could tell apart (another argument, a redirected stdout, an argv longer
// than the kernel reads) is reported on its own.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import type { SyscallEvent } from '../../../core/events/event.js';
import { ARGV_BYTES } from './program.js';
import { ebpfSkip, execBurstProbes, waitFor } from './bpftrace.test-helpers.js';

const skip = ebpfSkip();
const until = (what: string, ok: () => boolean) => waitFor(what, () => (ok() ? true : undefined));

describe('exec burst aggregation in the kernel (real processes)', { skip, timeout: 240_000 }, () => {
  let p: Awaited<ReturnType<typeof execBurstProbes>> | undefined;
  before(async () => {
    p = await execBurstProbes();
  });
  after(async () => p?.runner.stop());
  const events = { filter: (f: (e: SyscallEvent) => boolean) => p!.events.filter(f) };
  const keyOf = { get: (e: SyscallEvent) => p!.keyOf.get(e) };
  const counts = { get: (k: string) => p!.counts.get(k) };

  /** Execs of `file` by children of shell `sh` (the loop's own pid, printed first). */
  function run(script: string): number {
    const r = spawnSync('sh', ['-c', `echo $$; ${script}`], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    return Number(r.stdout.split('\n')[0]);
  }
  const execsOf = (ppid: number) => events.filter((e) => e.type === 'execve' && e.proc.ppid === ppid);

  it('counts identical execs of one parent instead of reporting each, and loses none', async () => {
    const N = 300;
    // One burst of N identical execs, with execs a rule could tell apart in the middle of it.
    const long = 'x'.repeat(ARGV_BYTES + 10);
    const sh = run(
      `i=0; while [ $i -lt ${N} ]; do /bin/true; i=$((i+1)); done; /bin/true other; /bin/true >/dev/null 2>&1 </dev/null; /bin/true; /bin/true ${long}; /bin/true ${long}; /bin/true other`,
    );
    // Every exec is accounted for: reported (the loop's first, the odd ones) or counted in the kernel under a reported exec's key.
    const total = N + 6;
    const counted = () => [...new Set(execsOf(sh).map((e) => keyOf.get(e)!))].reduce((a, k) => a + (counts.get(k) ?? 0), 0);
    await until(`${total} execs reported or counted`, () => execsOf(sh).length + counted() >= total);
    await new Promise((r) => setTimeout(r, 500));
    const evs = execsOf(sh);
    assert.equal(evs.length + counted(), total, `reported ${evs.length} + counted ${counted()}`);
    const plain = evs.filter((e) => e.proc.args?.join(' ') === '/bin/true');
    // The loop runs well within a second here; a loaded machine may stretch it over a few windows.
    assert.ok(plain.length >= 1 && plain.length < N / 10, `${plain.length} plain execs reported of ${N + 1}`);
    assert.ok(counted() >= N - N / 10, `${counted()} counted`);
    // Another argument, other stdio kinds: reported once each (the second `other` is a repeat of the first).
    assert.equal(evs.filter((e) => e.proc.args?.join(' ') === '/bin/true other').length, 1);
    assert.ok(evs.some((e) => e.proc.args?.join(' ') === '/bin/true' && e.proc.stdout === 'file' && e.proc.stdin === 'file'));
    // An argv longer than the kernel reads is never aggregated (the part past it could differ).
    assert.equal(evs.filter((e) => (e.proc.args?.[1] ?? '').startsWith('xxxx')).length, 2);
  });

  it('reports the same exec again once the window has passed', async () => {
    const sh = run('/bin/true again; sleep 1.3; /bin/true again');
    await until('both execs', () => execsOf(sh).filter((e) => e.proc.args?.join(' ') === '/bin/true again').length === 2);
  });

  it('another parent is another burst', async () => {
    const a = run('/bin/true twin');
    const b = run('/bin/true twin');
    await until('one exec per parent', () => execsOf(a).length === 1 && execsOf(b).length === 1);
  });
});

describe('exec burst aggregation under a forced hash collision (real processes)', { skip, timeout: 240_000 }, () => {
  // Every exec gets the same key hash (a test-only mask): only the full fields the kernel compares tell
  // them apart. A program that counted by the hash alone would count `b` and `c` under `a`.
  let p: Awaited<ReturnType<typeof execBurstProbes>> | undefined;
  before(async () => {
    p = await execBurstProbes({ execRepeatHashMask: 0n });
  });
  after(async () => p?.runner.stop());
  const events = { filter: (f: (e: SyscallEvent) => boolean) => p!.events.filter(f) };
  const keyOf = { get: (e: SyscallEvent) => p!.keyOf.get(e) };
  const counts = { get: (k: string) => p!.counts.get(k) };
  it('reports every exec that differs in any field although all hashes collide, and still counts true repeats', async () => {
    const r = spawnSync('sh', ['-c', 'echo $$; /bin/true a; /bin/true b; /bin/true a; /usr/bin/env true; /bin/true c >/dev/null; /bin/true a'], {
      encoding: 'utf8',
    });
    assert.equal(r.status, 0, r.stderr);
    const sh = Number(r.stdout.split('\n')[0]);
    const execs = () => events.filter((e) => e.type === 'execve' && e.proc.ppid === sh);
    const argv = (e: SyscallEvent) => e.proc.args?.join(' ') ?? '';
    await until('the four distinct execs', () =>
      ['/bin/true a', '/bin/true b', '/usr/bin/env true', '/bin/true c'].every((a) => execs().some((e) => argv(e) === a)),
    );
    await new Promise((res) => setTimeout(res, 600));
    const evs = execs();
    // The collision is real: every reported exec carries the same hash.
    assert.equal(new Set(evs.map((e) => keyOf.get(e))).size, 1, `hashes ${evs.map((e) => keyOf.get(e)).join(',')}`);
    for (const a of ['/bin/true b', '/usr/bin/env true', '/bin/true c']) assert.equal(evs.filter((e) => argv(e) === a).length, 1, a);
    // The repeats of `a` are counted (within the window) or reported; none is lost. Counts are machine-wide
    // under the shared hash, so they are at least the repeats not reported.
    const reportedA = evs.filter((e) => argv(e) === '/bin/true a').length;
    assert.ok(reportedA >= 1 && reportedA <= 3, `${reportedA} of 3`);
    await until('the repeats counted', () => (counts.get(keyOf.get(evs[0]!)!) ?? 0) >= 3 - reportedA);
  });
});
