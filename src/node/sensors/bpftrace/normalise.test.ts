import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { SyscallEvent } from '../../../core/events/event.js';
import { Normaliser, kernelCgroupLines, localAddress, cloneFlagNames } from './normalise.js';
import { execLine, execLines, feedLines, printfLine } from './bpftrace.test-helpers.js';
import { ProcCache, ProcFs } from '../procfs.js';
import { ContainerResolver } from '../container-resolver.js';

const ID = 'ab'.repeat(32);
/** Directory-chain fields of a record whose directory the probe did not place (program.ts dirChain()). */
const NODIR = '\t9\t0\t0\t0\t0';
const line = printfLine;
const H = (code: string, pid: number, comm: string, ns = 4026532180) => `${code}\t1000000\t${pid}\t${pid}\t100\t0\t${ns}\t1`.concat(`\t${comm}`);
/** An exec as the probes print it (execLines()): the cgroup's names when a v1 leaf is given, argv, the exec. */
const EXEC = (pid: number, comm: string, v1: string, argv: string[], file: string, ns?: number) =>
  execLines((code) => H(code, pid, comm, ns), pid, argv, file, v1 ? [v1, ''] : undefined);

/** Feed recorded-format lines through parser and normaliser; /proc is an empty directory, as for processes already gone. */
function run(lines: string[]): SyscallEvent[] {
  const procs = new ProcCache(new ProcFs('/nonexistent-proc'));
  const n = new Normaliser({ procs, containers: new ContainerResolver(), host: 'node-1', wallNow: () => 1_700_000_000_000, monoNowNs: () => 1_000_000 });
  return feedLines(n, lines, false);
}

describe('normaliser', () => {
  it("names the creator of a dropped executable on its exec only (Dx before E), whatever the creator's name holds", () => {
    const evs = run([
      line(`${H('Dx', 201, 'x')}\tcurl\tevil`),
      ...EXEC(201, 'x', ID, ['/tmp/x'], '/tmp/x'),
      line(`${H('O', 201, 'x')}\t3\t0\t-100\t0\t0\t0${NODIR}\t/etc/shadow`),
      execLine(H('E', 202, 'ls'), '/usr/bin/ls'),
      // Fileless: the kernel saw an executable without a link, though the process is gone from /proc.
      execLine(H('E', 203, 'x'), '/proc/self/fd/3', 1),
    ]);
    assert.deepEqual(
      evs.map((e) => [e.type, e.proc.exepath, e.proc.exeWriter]),
      [
        ['execve', '/tmp/x', 'curl\tevil'],
        ['openat', '/tmp/x', undefined],
        ['execve', '/usr/bin/ls', undefined],
        ['execve', '/proc/self/fd/3', undefined],
      ],
    );
    assert.deepEqual(
      evs.map((e) => e.proc.exeFromMemfd ?? false),
      [false, false, false, true],
    );
  });

  it('pairs argv and cgroup names with the exec, and keeps the container for later events', () => {
    const evs = run([
      ...EXEC(101, 'xmrig', ID, ['xmrig', '-o', 'stratum+tcp://pool:3333'], '/opt/xmrig'),
      line(`${H('O', 101, 'xmrig')}\t3\t0\t-100\t0\t0\t0${NODIR}\t/etc/shadow`),
      line(`${H('C', 101, 'xmrig')}\t3\t4\t10.0.0.9\t3333`),
      line(`${H('P', 101, 'xmrig')}\t16\t4242`),
      line(`${H('U', 101, 'xmrig')}\t${0x20000000 | 0x40000000}`),
      line(`${H('X', 101, 'xmrig')}\t313`),
      line(`${H('Q', 101, 'xmrig')}`),
      // After the exit record, a late record from another CPU still resolves.
      line(`${H('N', 101, 'xmrig')}\t/data/a.txt\x1f/data/a.txt.locked`),
    ]);
    const [exec, open, conn, ptrace, unshare, raw, rename] = evs;
    assert.equal(exec!.type, 'execve');
    assert.deepEqual(exec!.proc.args, ['xmrig', '-o', 'stratum+tcp://pool:3333']);
    assert.equal(exec!.proc.exepath, '/opt/xmrig');
    assert.equal(exec!.container?.id, ID);
    assert.equal(exec!.time, 1_700_000_000_000);
    assert.equal(open!.type, 'openat');
    assert.equal(open!.fd?.name, '/etc/shadow');
    assert.equal(open!.fd?.num, 3);
    assert.equal(open!.res, 3);
    assert.equal(open!.container?.id, ID);
    assert.equal(conn!.fd?.dip, '10.0.0.9');
    assert.equal(conn!.fd?.dport, 3333);
    assert.equal(conn!.fd?.type, 'ipv4');
    assert.equal(ptrace!.args.request, 16);
    assert.equal(unshare!.args.flags, 'CLONE_NEWPID|CLONE_NEWNET');
    assert.equal(raw!.type, 'finit_module');
    assert.equal(rename!.type, 'renameat2');
    assert.equal(rename!.args.newpath, '/data/a.txt.locked');
    assert.equal(rename!.container?.id, ID);
  });

  it('makes host events for host cgroups', () => {
    const evs = run([...EXEC(200, 'ls', '', ['ls'], '/usr/bin/ls', 4026531836)]);
    assert.deepEqual(evs[0]!.container, { id: 'host' });
  });

  it("takes an exec's process view from the kernel's fields, without /proc (the process is gone)", () => {
    // flags: stdin ipv4 (5), stdout ipv4 (5), stderr tty (3); gid 50, loginuid 1000, tty /dev/pts/1 (136, 1); exe identity.
    const flags = (5 << 4) | (5 << 8) | (3 << 12);
    const evs = run([
      printfLine(`Ea\t300\tsh\\x00-i\\x00`),
      printfLine(`${H('E', 300, 'sh')}\t${flags}\t50\t1000\t${(136 << 8) | 1}\t2049\t777\t125640\t1672924848\t0\t0\tbash\t/usr/bin/sh`),
      printfLine(`${H('D', 300, 'sh')}\t3\t0\t5`),
    ]);
    const [exec, dup] = evs;
    assert.deepEqual(
      [exec!.proc.stdin, exec!.proc.stdout, exec!.proc.stderr, exec!.proc.gid, exec!.proc.loginuid, exec!.proc.tty, exec!.proc.exeIdentity],
      ['ipv4', 'ipv4', 'tty', 50, 1000, 34817, '2049:777:125640:1672924848'],
    );
    assert.deepEqual(exec!.proc.args, ['sh', '-i']);
    assert.equal(exec!.proc.exeFromMemfd, undefined);
    // dup2 of a socket onto stdin: the kind the probe read, though /proc has no fd 3.
    assert.equal(dup!.fd?.type, 'ipv4');
    assert.equal(dup!.proc.stdin, 'ipv4');
    // The parent is gone too: its name is the comm the kernel printed with the exec, on the exec and later events.
    assert.deepEqual(exec!.proc.parents, [{ pid: 100, name: 'bash' }]);
    assert.deepEqual(dup!.proc.parents, [{ pid: 100, name: 'bash' }]);
  });

  it('names a container from the cgroup names printed once (Cg), for every later exec in that cgroup', () => {
    const evs = run([
      ...execLines((code) => H(code, 401, 'sh', undefined), 401, ['sh'], '/bin/sh', [ID, '']),
      // Another exec in the same cgroup (same header cgroup id 1): no Cg line again.
      ...execLines((code) => H(code, 402, 'id', undefined), 402, ['id'], '/usr/bin/id'),
    ]);
    assert.deepEqual(
      evs.map((e) => e.container?.id),
      [ID, ID],
    );
  });

  it('forgets an exited process after the grace time, but not a newer process with the same pid', () => {
    const procs = new ProcCache(new ProcFs('/nonexistent-proc'));
    const n = new Normaliser({ procs, containers: new ContainerResolver(), host: 'node-1', wallNow: () => 0, monoNowNs: () => 0 });
    feedLines(
      n,
      execLines((code) => H(code, 500, 'a'), 500, ['a'], '/bin/a'),
      true,
    );
    assert.ok(procs.peek(500));
    // The exit map arrives late: pid 500 exec'd again (at 1000000 ns) after an exit at 500 ns.
    n.exited(500, 500);
    n.exited(999, 600);
    n.exited(501, 1000000 + 3e9);
    assert.ok(procs.peek(500), 'the exit was of the previous process of pid 500');
    feedLines(
      n,
      execLines((code) => H(code, 502, 'b').replace('\t1000000\t', '\t2000000\t'), 502, ['b'], '/bin/b'),
      true,
    );
    n.exited(502, 3000000);
    n.exited(1, 3000000 + Normaliser.EXIT_GRACE_NS + 1);
    assert.equal(procs.peek(502), undefined, 'forgotten after the grace time');
    assert.ok(procs.peek(500));
  });

  it("places an exec by a relative name by the kernel's cwd chain (Pn levels, then Pe), only when it is whole", () => {
    const chain = (tid: number, names: string[], levels = names.length, lens = names.map((x) => Buffer.byteLength(x))) => [
      ...names.map((x, i) => line(`Pn\t${tid}\t${lens[i]}\t${x}`)),
      line(`Pe\t${tid}\t${levels}`),
    ];
    const evs = run([
      // /tmp/a b/c\td, from the directory up (a name with a space and a tab).
      ...chain(301, ['c\td', 'a b', 'tmp']),
      ...EXEC(301, 'x', '', ['./x'], './sub/../x'),
      // The root itself: no level.
      ...chain(302, []),
      ...EXEC(302, 'y', '', ['./y'], './y'),
      // Not placed: the kernel said -1, a level missing, a name cut (its length is longer), a `..` name.
      ...chain(303, ['deep'], -1),
      ...EXEC(303, 'z', '', ['./z'], './z'),
      ...chain(304, ['a', 'tmp'], 3),
      ...EXEC(304, 'z', '', ['./z'], './z'),
      ...chain(305, ['n'.repeat(127), 'tmp'], 2, [200, 3]),
      ...EXEC(305, 'z', '', ['./z'], './z'),
      ...chain(306, ['..', 'tmp']),
      ...EXEC(306, 'z', '', ['./z'], './z'),
      // An absolute filename never takes a chain; a chain of another tid is not this exec's.
      ...chain(307, ['tmp']),
      ...EXEC(308, 'w', '', ['/bin/w'], '/bin/w'),
      ...EXEC(307, 'v', '', ['/bin/v'], '/bin/v'),
    ]);
    assert.deepEqual(
      evs.map((e) => [e.proc.exepath, e.proc.cwd]),
      [
        ['/tmp/a b/c\td/x', '/tmp/a b/c\td'],
        ['/y', '/'],
        ['./z', undefined],
        ['./z', undefined],
        ['./z', undefined],
        ['./z', undefined],
        ['/bin/w', undefined],
        ['/bin/v', undefined],
      ],
    );
  });

  it('helpers', () => {
    assert.deepEqual(kernelCgroupLines(ID, ''), [`1:kernel:/${ID}`, '0::/']);
    assert.deepEqual(localAddress('  sl  local_address\n   1: 0100007F:A3F2 0100007F:1F90 01 0:0 0:0 0 0 0 61301 1\n', 61301), {
      ip: '127.0.0.1',
      port: 0xa3f2,
    });
    assert.equal(localAddress('', 1), undefined);
    assert.equal(cloneFlagNames(0), '0');
  });
});
