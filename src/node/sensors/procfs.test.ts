import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseStat, fdKindOfTarget, socketInodes, unixInodes, ProcFs, ProcCache, splitCmdline } from './procfs.js';
import { expectCases } from '../../core/expect-cases.test-helpers.js';

// Recorded /proc/net/tcp (two sockets: a listener and an established loopback connection).
const TCP = `  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 00000000:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 61234 1 0000000000000000 100 0 0 10 0
   1: 0100007F:A3F2 0100007F:1F90 01 00000000:00000000 00:00000000 00000000     0        0 61301 1 0000000000000000 20 4 30 10 -1
`;
const UNIX = `Num       RefCount Protocol Flags    Type St Inode Path
0000000000000000: 00000002 00000000 00010000 0001 01 18563 /run/systemd/notify
`;

describe('procfs parsing', () => {
  it('parses stat with a hostile comm', () => {
    const s = parseStat('4242 (evil) (name) S 17 4242 4242 34816 4242 4194304 0 0 0 0 0 0 0 0 20 0 1 0 987654 0 0');
    assert.deepEqual(s, { pid: 4242, comm: 'evil) (name', state: 'S', ppid: 17, ttyNr: 34816, startTicks: 987654 });
    assert.equal(parseStat('garbage'), undefined);
    assert.equal(parseStat('x (a) S notanumber'), undefined);
  });
  it('names fd targets', () => {
    expectCases(fdKindOfTarget, [
      ['socket:[61301]', 'socket'],
      ['pipe:[123]', 'pipe'],
      ['/dev/pts/3', 'tty'],
      ['/memfd:payload (deleted)', 'memfd'],
      ['anon_inode:inotify', 'inotify'],
      ['/etc/passwd', 'file'],
      ['weird', 'unknown'],
    ]);
  });
  it('reads socket tables', () => {
    assert.deepEqual([...socketInodes(TCP)], [61234, 61301]);
    assert.deepEqual([...unixInodes(UNIX)], [18563]);
    assert.deepEqual([...socketInodes('')], []);
  });
  it('splits cmdline with a bound', () => {
    assert.deepEqual(splitCmdline('sh\0-c\0echo hi\0'), ['sh', '-c', 'echo hi']);
    assert.equal(splitCmdline('a\0'.repeat(1000)).length, 256);
  });
});

describe('procfs reader', () => {
  const root = mkdtempSync(join(tmpdir(), 'vigil-proc-'));
  after(() => rmSync(root, { recursive: true, force: true }));

  it('reads this process from the real /proc', () => {
    const p = new ProcFs().read(process.pid);
    assert.ok(p);
    assert.equal(p.pid, process.pid);
    assert.equal(p.ppid, process.ppid);
    assert.equal(p.exepath, process.execPath);
    assert.equal(p.cwd, process.cwd());
    assert.ok(p.args && p.args.length > 0);
    assert.ok((p.pidnsInode ?? 0) > 0);
    assert.ok(p.cgroup && p.cgroup.length > 0);
  });

  it('gives a fake tree with broken files what it can, and nothing for a missing pid', () => {
    const d = join(root, '77');
    mkdirSync(join(d, 'fd'), { recursive: true });
    mkdirSync(join(d, 'net'), { recursive: true });
    writeFileSync(join(d, 'stat'), '77 (nc) S 1 77 77 0 -1 0');
    writeFileSync(join(d, 'status'), 'Name:\tnc\nUid:\t1000\t1000\t1000\t1000\nGid:\t100\t100\t100\t100\n');
    writeFileSync(join(d, 'cmdline'), 'nc\0-e\0/bin/sh\0');
    writeFileSync(join(d, 'net', 'tcp'), TCP);
    writeFileSync(join(d, 'net', 'unix'), UNIX);
    symlinkSync('socket:[61301]', join(d, 'fd', '0'));
    symlinkSync('socket:[18563]', join(d, 'fd', '1'));
    symlinkSync('/dev/pts/0', join(d, 'fd', '2'));
    const fs = new ProcFs(root);
    const p = fs.read(77)!;
    assert.equal(p.uid, 1000);
    assert.equal(p.gid, 100);
    assert.deepEqual(p.args, ['nc', '-e', '/bin/sh']);
    assert.equal(p.stdin, 'ipv4');
    assert.equal(p.stdout, 'unix');
    assert.equal(p.stderr, 'tty');
    assert.equal(p.exepath, undefined);
    assert.equal(fs.read(78), undefined);
    writeFileSync(join(d, 'stat'), '\0\0\0');
    assert.equal(fs.read(77), undefined);
  });

  it('caches with a bound and builds parent chains', () => {
    const c = new ProcCache(new ProcFs(), 2);
    assert.ok(c.get(process.pid));
    const chain = c.parents(process.ppid, 3);
    assert.equal(chain[0]?.pid, process.ppid);
    assert.ok(c.size <= 2);
    c.forget(process.pid);
    assert.equal(c.peek(process.pid), undefined);
  });
});
