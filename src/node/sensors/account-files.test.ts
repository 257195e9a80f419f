// The account-files sensor: the conformance suite on real files (a root
// made by the test), and a container root reached through a procfs tree
// (/proc/PID/root as a link to the root the test made): clone and hidden
// accounts with their lines, accounts a package manager added, and hostile
// files (a symbolic link to a host file, a FIFO, an oversized file) refused
// without hanging or reading through.
import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { appendFileSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, unlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeSensor, CONFORMANCE_HOST } from './sensor-conformance.js';
import { AccountFilesSensor } from './account-files.js';
import { ContainerResolver } from './container-resolver.js';
import { behaviorThresholds } from '../../core/behavior/thresholds.js';
import type { SyscallEvent } from '../../core/events/event.js';

const PASSWD = 'root:x:0:0:root:/root:/bin/bash\ndaemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin\nnobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n';
const SHADOW = 'root:*:19675:0:99999:7:::\ndaemon:*:19675:0:99999:7:::\nnobody:*:19675:0:99999:7:::\n';
const GROUP = 'root:x:0:\ndaemon:x:1:\nsudo:x:27:\nnogroup:x:65534:\n';
const HASH = '$y$j9T$abcdefghijklmnop$0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefg';

function makeRoot(dir: string): string {
  mkdirSync(join(dir, 'etc'), { recursive: true });
  writeFileSync(join(dir, 'etc/passwd'), PASSWD);
  writeFileSync(join(dir, 'etc/shadow'), SHADOW);
  writeFileSync(join(dir, 'etc/group'), GROUP);
  return dir;
}

const fast = behaviorThresholds({ accounts: { intervalMs: 100, packageManagerSeconds: 30 } }).accounts;

describeSensor('account files', async (clock) => {
  const dir = makeRoot(mkdtempSync(join(tmpdir(), 'vigil-acct-')));
  let n = 0;
  const sensor = new AccountFilesSensor({
    containers: new ContainerResolver(),
    host: CONFORMANCE_HOST,
    thresholds: fast,
    hostRoot: dir,
    watchContainers: false,
    now: clock,
  });
  return {
    sensor,
    trigger: async () => appendFileSync(join(dir, 'etc/passwd'), `clone${++n}:x:0:0::/root:/bin/sh\n`),
    isTriggered: (e) => e.type === 'account' && e.args.account === `clone${n}` && e.args.finding === 'uid0-clone' && e.container?.id === 'host',
    broken: async () => appendFileSync(join(dir, 'etc/group'), 'not-a-group-line\n'),
    cleanup: async () => rmSync(dir, { recursive: true, force: true }),
  };
});

const CID = 'c'.repeat(64);
const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('account files of a container root', () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-acct-c-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const root = makeRoot(join(dir, 'rootfs'));
  const proc = join(dir, 'proc');
  for (const [pid, comm] of [
    [700, 'sh'],
    [701, 'sleep'],
  ] as const) {
    mkdirSync(join(proc, String(pid)), { recursive: true });
    writeFileSync(join(proc, String(pid), 'cgroup'), `9:pids:/docker/${CID}\n`);
    writeFileSync(join(proc, String(pid), 'comm'), `${comm}\n`);
    symlinkSync(root, join(proc, String(pid), 'root'));
  }

  /** A started sensor on the fake /proc, its events and notices collected. */
  async function started() {
    const events: SyscallEvent[] = [];
    const notices: string[] = [];
    const s = new AccountFilesSensor({ containers: new ContainerResolver(), host: 'h', thresholds: fast, watchHost: false, procRoot: proc, now: () => 7 });
    await s.start({ event: (e: SyscallEvent) => events.push(e), notice: (m: string) => notices.push(m) });
    return { s, events, notices };
  }

  it('raises clone and hidden accounts with the line; an account added by a package manager is not raised, one added without is', async () => {
    const { s, events } = await started();
    try {
      assert.equal(s.rootCount, 1);
      assert.equal(s.heldBytes, PASSWD.length + SHADOW.length + GROUP.length, 'what it holds is counted against its memory budget');
      appendFileSync(join(root, 'etc/passwd'), 'toor:x:0:0::/root:/bin/sh\n');
      appendFileSync(join(root, 'etc/shadow'), `ghost:${HASH}:19675:0:99999:7:::\n`);
      await wait(400);
      assert.deepEqual(
        events.map((e) => [e.args.finding, e.args.account, e.args.line, e.args.lineno, e.container?.id]),
        [
          ['uid0-clone', 'toor', 'toor:x:0:0::/root:/bin/sh', 4, CID],
          ['hidden-account', 'ghost', 'ghost:<hash>:19675:0:99999:7:::', 4, CID],
        ],
      );
      assert.ok(!JSON.stringify(events).includes('abcdefghijklmnop'), 'no password hash in events');
      events.length = 0;
      // dpkg running in the container: its postinst's useradd.
      writeFileSync(join(proc, '701', 'comm'), 'dpkg\n');
      await wait(250);
      appendFileSync(join(root, 'etc/passwd'), 'svc:x:998:998::/nonexistent:/usr/sbin/nologin\n');
      await wait(400);
      assert.deepEqual(events, [], 'added by the package manager');
    } finally {
      await s.stop();
    }
  });

  it('an account added while no package manager ran is raised; a recent package database change counts as one', async () => {
    writeFileSync(join(proc, '701', 'comm'), 'sleep\n');
    const { s, events } = await started();
    try {
      appendFileSync(join(root, 'etc/passwd'), 'backdoor:x:1500:1500::/home/b:/bin/sh\n');
      await wait(400);
      assert.deepEqual(
        events.map((e) => [e.args.finding, e.args.account]),
        [['unmanaged-account', 'backdoor']],
      );
      events.length = 0;
      mkdirSync(join(root, 'var/lib/dpkg'), { recursive: true });
      writeFileSync(join(root, 'var/lib/dpkg/status'), 'Package: x\n');
      appendFileSync(join(root, 'etc/passwd'), 'pkgsvc:x:997:997::/nonexistent:/usr/sbin/nologin\n');
      await wait(400);
      assert.deepEqual(events, [], 'dpkg status changed seconds ago');
      const old = new Date(Date.now() - 3_600_000);
      utimesSync(join(root, 'var/lib/dpkg/status'), old, old);
    } finally {
      await s.stop();
    }
  });

  it('refuses a symbolic link to a host file, a FIFO and an oversized file, without hanging', async () => {
    const { s, events, notices } = await started();
    try {
      unlinkSync(join(root, 'etc/shadow'));
      symlinkSync('/etc/shadow', join(root, 'etc/shadow'));
      unlinkSync(join(root, 'etc/group'));
      execFileSync('mkfifo', [join(root, 'etc/group')]);
      writeFileSync(join(root, 'etc/passwd'), PASSWD + `big:x:0:0:${'x'.repeat(fast.maxFileBytes)}:/:/bin/sh\n`);
      await wait(400);
      assert.deepEqual(events, []);
      const text = notices.join('\n');
      assert.match(text, /\/etc\/shadow not read: a symbolic link/);
      assert.match(text, /\/etc\/group not read: not a regular file/);
      assert.match(text, /\/etc\/passwd not read: larger than 1048576 bytes/);
      assert.ok(s.health().bad >= 3);
      assert.equal(s.health().state, 'running');
    } finally {
      await s.stop();
    }
  });
});
