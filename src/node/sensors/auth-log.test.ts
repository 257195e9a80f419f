import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync, appendFileSync, renameSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseAuthLine, AuthLogTail, dockerLogLine } from './auth-log.js';
import type { SyscallEvent } from '../../core/events/event.js';

// Real lines of Debian's /var/log/auth.log (classic and RFC 3339 timestamps).
const LINES = {
  failInvalid: 'Nov 28 17:00:01 node1 sshd[4242]: Failed password for invalid user admin from 203.0.113.9 port 51234 ssh2',
  failRoot: '2026-11-28T17:00:02.123456+00:00 node1 sshd[4243]: Failed password for root from 2001:db8::7 port 40022 ssh2',
  invalid: 'Nov 28 17:00:03 node1 sshd[4244]: Invalid user oracle from 198.51.100.4 port 41000',
  accepted: 'Nov 28 17:00:04 node1 sshd[4245]: Accepted publickey for deploy from 192.0.2.10 port 50000 ssh2: ED25519 SHA256:abc',
  pamSshd: 'Nov 28 17:00:05 node1 sshd[4246]: pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=203.0.113.9  user=root',
  pamLogin:
    'Nov 28 17:00:06 node1 login[900]: pam_unix(login:auth): authentication failure; logname=LOGIN uid=0 euid=0 tty=/dev/tty1 ruser= rhost=  user=alice',
  su: 'Nov 28 17:00:07 node1 su[901]: FAILED SU (to root) bob on pts/1',
  sudo: 'Nov 28 17:00:08 node1 sudo:    carol : 3 incorrect password attempts ; TTY=pts/2 ; PWD=/home/carol ; USER=root ; COMMAND=/bin/sh',
  noise: 'Nov 28 17:00:09 node1 CRON[902]: pam_unix(cron:session): session opened for user root(uid=0) by (uid=0)',
};

describe('auth log lines', () => {
  it('parses login attempts', () => {
    assert.deepEqual(parseAuthLine(LINES.failInvalid), { service: 'ssh', result: 'failure', user: 'admin', sip: '203.0.113.9', pid: 4242 });
    assert.deepEqual(parseAuthLine(LINES.failRoot), { service: 'ssh', result: 'failure', user: 'root', sip: '2001:db8::7', pid: 4243 });
    assert.equal(parseAuthLine(LINES.invalid)?.user, 'oracle');
    assert.deepEqual(parseAuthLine(LINES.accepted), { service: 'ssh', result: 'success', user: 'deploy', sip: '192.0.2.10', pid: 4245 });
    assert.equal(parseAuthLine(LINES.pamSshd), undefined, "counted once, through sshd's own line");
    assert.deepEqual(parseAuthLine(LINES.pamLogin), { service: 'login', result: 'failure', user: 'alice', pid: 900 });
    assert.equal(parseAuthLine(LINES.su)?.service, 'su');
    assert.equal(parseAuthLine(LINES.sudo)?.user, 'carol');
    assert.equal(parseAuthLine(LINES.noise), undefined);
    assert.equal(parseAuthLine('x'.repeat(10_000)), undefined);
    assert.equal(parseAuthLine(''), undefined);
  });
  it('unwraps docker json-file lines', () => {
    assert.equal(dockerLogLine('{"log":"hello\\n","stream":"stderr","time":"2026-11-28T17:00:00Z"}'), 'hello');
    assert.equal(dockerLogLine('{broken'), undefined);
  });
});

describe('auth log tail', () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-auth-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('follows appends, partial lines, rotation and container logs', async () => {
    const f = join(dir, 'auth.log');
    writeFileSync(f, `${LINES.failInvalid}\n`);
    const cid = 'c'.repeat(64);
    mkdirSync(join(dir, 'containers', cid), { recursive: true });
    const clog = join(dir, 'containers', cid, `${cid}-json.log`);
    const evs: SyscallEvent[] = [];
    const t = new AuthLogTail({ files: [f, clog, join(dir, 'missing.log')], host: 'n', now: () => 5, intervalMs: 3_600_000 });
    // Polled by hand below: the timer's interval is an hour.
    await t.start({ event: (e) => evs.push(e) });
    t.poll();
    assert.equal(evs.length, 0, 'existing lines are history');
    appendFileSync(f, `${LINES.failRoot}\n${LINES.accepted.slice(0, 30)}`);
    t.poll();
    assert.equal(evs.length, 1);
    appendFileSync(f, `${LINES.accepted.slice(30)}\n`);
    t.poll();
    assert.equal(evs.length, 2);
    assert.deepEqual(evs[1]!.args, { service: 'ssh', result: 'success', user: 'deploy', sip: '192.0.2.10', file: f });
    assert.equal(evs[1]!.type, 'auth');
    // logrotate: the file is moved away and a new one created.
    renameSync(f, `${f}.1`);
    writeFileSync(f, `${LINES.su}\n`);
    t.poll();
    assert.equal(evs.length, 3);
    assert.equal(evs[2]!.args.service, 'su');
    // copytruncate: emptied in place, then written again.
    writeFileSync(f, '');
    t.poll();
    appendFileSync(f, `${LINES.invalid}\n`);
    t.poll();
    assert.equal(evs.at(-1)!.args.user, 'oracle');
    writeFileSync(clog, `${JSON.stringify({ log: `${LINES.failInvalid}\n`, stream: 'stdout', time: 'x' })}\nnot json\n`);
    t.poll();
    assert.equal(evs.at(-1)!.container?.id, cid);
    assert.equal(t.health().bad, 1, 'the broken Docker log line');
    await t.stop();
  });

  it('drops a runaway line whole, even when its end looks like a login attempt', async () => {
    const f = join(dir, 'runaway.log');
    writeFileSync(f, '');
    const evs: SyscallEvent[] = [];
    const t = new AuthLogTail({ files: [f], host: 'n', intervalMs: 3_600_000, maxReadBytes: 4096 });
    await t.start({ event: (e) => evs.push(e) });
    // Three reads of 4096 bytes fill more than a line may hold: dropped, and the next read starts exactly at the forged line.
    appendFileSync(f, `${'x'.repeat(3 * 4096)}${LINES.failRoot}\n${LINES.invalid}\n`);
    for (let i = 0; i < 5; i++) t.poll();
    assert.deepEqual(
      evs.map((e) => e.args.user),
      ['oracle'],
      'only the real line after it',
    );
    assert.equal(t.health().bad, 1);
    await t.stop();
  });
});
