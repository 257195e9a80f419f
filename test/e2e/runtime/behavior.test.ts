// CPU behaviour and account files end to end, with a real dockerd (private
// paths) and the real CLI (`vigil runtime watch --sensor procfs`, short
// windows through --thresholds): a renamed miner stand-in (a copy of bash
// written into the container's layer, started as `[kworker/0:1]`, busy,
// connected to a loopback listener on an unusual port; --network host)
// raises system/abnormal-process-behavior, and a gzip of a big file, seen
// sustaining the same CPU, does not; a uid-0 line appended to a container's
// passwd, a shadow-only account and a hand-run useradd raise
// user/illegal-account with the line, while the account `useradd` made
// during the image build and one made by dpkg (a package's postinst) do not.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createServer, type Server, type Socket } from 'node:net';
import { existsSync, mkdirSync, writeFileSync, chmodSync } from 'node:fs';
import { join } from 'node:path';
import { Watch, skipReason } from './harness.js';
import type { SyscallEvent } from '../../../src/core/events/event.js';
import { e2eType } from '../../helpers/e2e-coverage.js';
import { importRootfs, startDockerd, type Dockerd } from '../../helpers/dockerd.js';

const ROOTFS = process.env.VIGIL_TEST_DEBIAN_ROOTFS ?? '/var/cache/vigil-ci/bookworm-minbase';

function skip(): string | false {
  const r = skipReason();
  if (r) return r;
  if (spawnSync('dockerd', ['--version']).status !== 0) return 'dockerd is not installed (Debian: docker.io)';
  if (!existsSync(join(ROOTFS, 'usr/bin/gzip'))) return `no Debian rootfs at ${ROOTFS} (VIGIL_TEST_DEBIAN_ROOTFS)`;
  return false;
}

/** The private dockerd (started in `before`). */
let d: Dockerd | undefined;
const docker = (...args: string[]) => d!.dockerSync(args, { timeoutMs: 180_000 });

function ok(...args: string[]): string {
  const r = docker(...args);
  assert.equal(r.status, 0, `docker ${args.join(' ')}: ${r.err}`);
  return r.out.trim();
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Normalised events `--events` printed on stderr. */
function events(w: Watch): SyscallEvent[] {
  return w.stderr
    .split('\n')
    .filter((l) => l.startsWith('event '))
    .map((l) => JSON.parse(l.slice('event '.length)) as SyscallEvent);
}

describe('CPU behaviour and account files with a real dockerd', { skip: skip(), timeout: 600_000 }, () => {
  let dir = '';
  let listener: Server;
  let port = 0;
  const peers: Socket[] = [];
  const watch = new Watch();

  before(async () => {
    d = await startDockerd({ prefix: 'vigil-behavior-' });
    dir = d.dir;
    // The Debian rootfs as the base image; the app image adds its user during the build.
    await importRootfs(d, ROOTFS, 'vigil-test/base:1', ['./usr/share/doc', './usr/share/man', './usr/share/locale', './var/cache/apt']);
    const ctx = join(dir, 'build');
    mkdirSync(ctx);
    writeFileSync(join(ctx, 'Dockerfile'), 'FROM vigil-test/base:1\nRUN useradd -m -u 1001 appuser\n');
    const b = d.dockerSync(['build', '--network', 'none', '-q', '-t', 'vigil-test/app:1', ctx], { env: { ...process.env, DOCKER_BUILDKIT: '0' } });
    assert.equal(b.status, 0, b.err);

    // The miner's pool: a loopback listener on an ephemeral (so unusual) port.
    listener = createServer((s) => {
      peers.push(s);
      s.on('error', () => {});
    });
    await new Promise<void>((r) => listener.listen(0, '127.0.0.1', () => r()));
    port = (listener.address() as { port: number }).port;

    const th = join(dir, 'thresholds.yaml');
    // A low CPU bar: CI machines are shared, and a busy loop may get a fraction of a CPU.
    writeFileSync(th, 'cpu:\n  intervalMs: 500\n  percent: 3\n  sustainSeconds: 3\naccounts:\n  intervalMs: 300\n  packageManagerSeconds: 30\n');
    await watch.start(['--sensor', 'procfs', '--thresholds', th, '--events', '--stats', '0', '--state', join(dir, 'learn.json')], 60_000);
  });

  after(async () => {
    await watch.stop();
    for (const p of peers) p.destroy();
    listener?.close();
    if (d) docker('rm', '-f', 'vigil-miner', 'vigil-gzip', 'vigil-acct');
    await d?.stop();
  });

  test('a renamed miner stand-in raises system/abnormal-process-behavior; a gzip of a big file does not', async () => {
    const miner = ok(
      'run',
      '-d',
      '--name',
      'vigil-miner',
      '--network',
      'host',
      'vigil-test/app:1',
      'bash',
      '-c',
      `cp /bin/bash /usr/local/bin/kw && exec -a '[kworker/0:1]' /usr/local/bin/kw -c 'exec 3<>/dev/tcp/127.0.0.1/${port}; while :; do :; done'`,
    );
    const gzip = ok(
      'run',
      '-d',
      '--name',
      'vigil-gzip',
      '--network',
      'host',
      'vigil-test/app:1',
      'sh',
      '-c',
      'head -c 268435456 /dev/urandom > /tmp/big && while :; do gzip -9 -c /tmp/big > /dev/null; done',
    );
    try {
      const a = await watch.waitFor((x) => x.type === e2eType('system/abnormal-process-behavior', 'kernel event') && x.container?.id === miner, 90_000);
      assert.equal(a.rule, 'Sustained high CPU use');
      assert.match(a.message, /miner traits new-executable,unusual-port,kernel-thread-name/);
      assert.match(a.message, new RegExp(`unusual ports=${port}\\b`));
      assert.match(a.message, new RegExp(`connection=127\\.0\\.0\\.1:\\d+->127\\.0\\.0\\.1:${port}`));
      assert.equal(a.process?.exepath, '/usr/local/bin/kw');
      // The compression job was seen sustaining CPU too, and judged benign.
      const end = Date.now() + 90_000;
      let seen: SyscallEvent | undefined;
      while (!seen && Date.now() < end) {
        seen = events(watch).find((e) => e.type === 'procstat' && e.container?.id === gzip && e.proc.name === 'gzip');
        if (!seen) await sleep(500);
      }
      assert.ok(
        seen,
        `the sampler saw gzip sustain high CPU; procstat events: ${JSON.stringify(
          events(watch)
            .filter((e) => e.type === 'procstat')
            .map((e) => [e.proc.name, e.container?.id.slice(0, 12), e.args]),
        )}`,
      );
      assert.equal(seen.args.traits, '');
      assert.deepEqual(
        watch.of(gzip).filter((x) => x.type === 'system/abnormal-process-behavior'),
        [],
        'no alert for the compression job',
      );
    } finally {
      docker('rm', '-f', 'vigil-miner', 'vigil-gzip');
    }
  });

  test('a uid-0 line, a shadow-only account and a hand-run useradd raise user/illegal-account; the build-time and dpkg accounts do not', async () => {
    // A package whose postinst adds a system account, as real packages do.
    const pkg = join(dir, 'pkg');
    mkdirSync(join(pkg, 'DEBIAN'), { recursive: true });
    writeFileSync(
      join(pkg, 'DEBIAN/control'),
      'Package: vigil-test-svc\nVersion: 1.0\nArchitecture: all\nMaintainer: Vigil tests <tests@vigil.invalid>\nDescription: adds a system account\n',
    );
    writeFileSync(join(pkg, 'DEBIAN/postinst'), '#!/bin/sh\nset -e\nuseradd --system --no-create-home --shell /usr/sbin/nologin pkgsvc\n');
    chmodSync(join(pkg, 'DEBIAN/postinst'), 0o755);
    const deb = join(dir, 'svc.deb');
    assert.equal(spawnSync('dpkg-deb', ['--build', '--root-owner-group', pkg, deb]).status, 0, 'dpkg-deb');

    const c = ok('run', '-d', '--name', 'vigil-acct', '--network', 'none', 'vigil-test/app:1', 'sleep', '600');
    ok('cp', deb, 'vigil-acct:/tmp/svc.deb');
    // The sensor's first reading of the new container is its baseline.
    await sleep(2000);
    ok('exec', 'vigil-acct', 'dpkg', '-i', '/tmp/svc.deb');
    assert.match(ok('exec', 'vigil-acct', 'getent', 'passwd', 'pkgsvc'), /^pkgsvc:x:\d+:/);
    // A reading between dpkg's change and the next ones (clones and hidden accounts are raised whoever made them).
    await sleep(1500);
    ok(
      'exec',
      'vigil-acct',
      'sh',
      '-c',
      `echo 'toor:x:0:0::/root:/bin/sh' >> /etc/passwd && echo 'ghost:$y$j9T$saltsaltsalt$hashhashhashhashhashhashhashhashhashhashhas:19675:0:99999:7:::' >> /etc/shadow`,
    );
    const clone = await watch.waitFor((a) => a.container?.id === c && a.rule === 'Clone account in the account files', 30_000);
    assert.equal(clone.type, e2eType('user/illegal-account', 'file change'));
    assert.equal(clone.severity, 'critical');
    assert.match(clone.message, /Clone account toor in \/etc\/passwd line \d+ .*line "toor:x:0:0::\/root:\/bin\/sh"/);
    const hidden = await watch.waitFor((a) => a.container?.id === c && a.rule === 'Hidden account in the account files', 30_000);
    assert.match(hidden.message, /Hidden account ghost in \/etc\/shadow .*line "ghost:<hash>:19675:0:99999:7:::"/);
    assert.ok(!hidden.message.includes('saltsalt'), 'the hash is masked');
    const all = () => watch.of(c).filter((a) => a.type === 'user/illegal-account');
    assert.deepEqual(
      all().filter((a) => /appuser|pkgsvc/.test(a.message)),
      [],
      'the build-time account and the package-manager account raise nothing',
    );
    // dpkg ran in this container moments ago: only the package-manager window (30 s here) separates a later
    // hand-run useradd from it, so this one is checked in a fresh container.
    const d = ok('run', '-d', '--name', 'vigil-acct2', '--network', 'none', 'vigil-test/app:1', 'sleep', '600');
    try {
      await sleep(2000);
      ok('exec', 'vigil-acct2', 'useradd', '-m', 'mallory');
      const added = await watch.waitFor((a) => a.container?.id === d && a.rule === 'Account added outside the package manager', 30_000);
      assert.match(added.message, /Account mallory added to \/etc\/passwd line \d+ outside the package manager/);
      assert.equal(added.severity, 'medium');
    } finally {
      docker('rm', '-f', 'vigil-acct2');
    }
    assert.deepEqual(
      all().filter((a) => /appuser|pkgsvc/.test(a.message)),
      [],
    );
  });
});
