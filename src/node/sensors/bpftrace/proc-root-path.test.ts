// Paths through /proc/<self|pid>/root and exec paths with `.`, `..` and
// repeated slashes are named as the kernel resolves them (found by the
// exploratory attack variants: a cron file written, a staged payload run or
// /etc/shadow read through /proc/self/root raised nothing in a container).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Normaliser, normalisePath } from './normalise.js';
import { execLine, feedLines, printfLine } from './bpftrace.test-helpers.js';
import { ProcCache, ProcFs } from '../procfs.js';
import { ContainerResolver } from '../container-resolver.js';

const NODIR = '\t9\t0\t0\t0\t0';
const H = (code: string, pid: number, comm: string) => `${code}\t1000000\t${pid}\t${pid}\t100\t0\t4026532180\t1\t${comm}`;

function run(lines: string[]) {
  const procs = new ProcCache(new ProcFs('/nonexistent-proc'));
  const n = new Normaliser({ procs, containers: new ContainerResolver(), host: 'node-1', wallNow: () => 1_700_000_000_000, monoNowNs: () => 1_000_000 });
  return feedLines(n, lines, false);
}

describe('paths through /proc/*/root and unnormalised exec paths', () => {
  it('normalisePath drops a /proc/{self,thread-self,<pid>}/root prefix, nothing else under /proc', () => {
    assert.equal(normalisePath('/proc/self/root/etc/cron.d/x'), '/etc/cron.d/x');
    assert.equal(normalisePath('/proc/thread-self/root//etc/./shadow'), '/etc/shadow');
    assert.equal(normalisePath('/proc/1/root/usr/bin/x'), '/usr/bin/x');
    assert.equal(normalisePath('/proc/self/root'), '/');
    assert.equal(normalisePath('/proc/self/fd/3'), '/proc/self/fd/3');
    assert.equal(normalisePath('/proc/1/environ'), '/proc/1/environ');
    assert.equal(normalisePath('/proc/self/cwd/x'), '/proc/self/cwd/x');
    assert.equal(normalisePath('/srv/proc/self/root/x'), '/srv/proc/self/root/x');
  });

  it('an open and an exec through /proc/self/root, an exec of //tmp/./x: named by the canonical path', () => {
    const evs = run([
      printfLine(`${H('O', 301, 'cat')}\t3\t0\t-100\t0\t0\t0${NODIR}\t/proc/self/root/etc/shadow`),
      execLine(H('E', 302, '.p'), '/proc/self/root/tmp/.p'),
      execLine(H('E', 303, '.p'), '//tmp/./.p'),
      execLine(H('E', 304, 'x'), '/usr/bin/../../tmp/x'),
      execLine(H('E', 305, 'x'), '/proc/self/fd/3', 1),
    ]);
    assert.deepEqual(
      evs.map((e) => (e.type === 'openat' ? e.fd?.name : e.proc.exepath)),
      ['/etc/shadow', '/tmp/.p', '/tmp/.p', '/tmp/x', '/proc/self/fd/3'],
    );
  });
});
