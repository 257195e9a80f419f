// End-to-end: `vigil runtime watch --policy FILE` with a detection policy on
// real kernel events and a real auth log. One policy file holds a runtime
// policy document and a detection policy that turns system/high-risk-command
// off, raises the brute-force threshold from 5 to 8 failures, and
// allowlists one container for user/password-theft. Each case has a
// positive control in the same container or log (another alert that must
// arrive), so a silence means the policy, not a missed event.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync, appendFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FakeContainer, Watch, skipReason } from './harness.js';

const skip = skipReason();
const SETTLE_MS = 1500;
const PTRACE = `sleep 5 & perl -e 'syscall(101, 16, $ARGV[0], 0, 0)' $!; kill -9 $! 2>/dev/null; true`;

describe('vigil runtime watch --policy with a detection policy', { skip, timeout: 300_000 }, () => {
  const w = new Watch();
  const trusted = new FakeContainer();
  const untrusted = new FakeContainer();
  const quiet = new FakeContainer();
  let dir = '';

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'vigil-e2e-dpol-'));
    writeFileSync(
      join(dir, 'policy.yaml'),
      `apiVersion: vigil.dev/v1
kind: RuntimePolicy
policies:
  - {name: wl, selector: {containers: [${'f'.repeat(64)}]}, processWhitelist: {executables: [/bin/true]}}
---
apiVersion: vigil.dev/v1
kind: DetectionPolicy
policies:
  - name: e2e-tuning
    types:
      system/high-risk-command: false
    thresholds:
      brute-force: {attempts: 8, window: 5m}
    allow:
      - name: trusted container reads shadow
        types: [user/password-theft]
        containers: [${trusted.id}]
`,
    );
    writeFileSync(join(dir, 'auth.log'), '');
    await w.start(['--policy', join(dir, 'policy.yaml'), '--state', join(dir, 'learn.json'), '--stats', '0', '--auth-log', join(dir, 'auth.log')]);
  });

  after(async () => {
    const code = await w.stop('SIGINT');
    for (const c of [trusted, untrusted, quiet]) c.remove();
    rmSync(dir, { recursive: true, force: true });
    assert.equal(code, 0, `watch exits 0 on SIGINT; stderr: ${w.stderr}`);
    assert.match(w.stderr, /1 policies, 1 detection policies/);
  });

  it('the allowlisted container reads /etc/shadow silently; another container raises user/password-theft', async () => {
    await trusted.run(`cat /etc/shadow > /dev/null; ${PTRACE}`);
    await untrusted.run('cat /etc/shadow > /dev/null');
    await w.waitFor((x) => x.container?.id === untrusted.id && x.type === 'user/password-theft');
    // The positive control: the trusted container's next event was seen (its type is not allowlisted).
    await w.waitFor((x) => x.container?.id === trusted.id && x.type === 'system/high-risk-syscall');
    await new Promise((r) => setTimeout(r, SETTLE_MS));
    assert.deepEqual(
      w.of(trusted.id).filter((a) => a.type === 'user/password-theft'),
      [],
    );
  });

  it('a disabled type raises nothing: history wiping in a container, seen (its next syscall alerts) but silent', async () => {
    await quiet.run(`sh -c 'unset HISTFILE; true'; ${PTRACE}`);
    await w.waitFor((x) => x.container?.id === quiet.id && x.type === 'system/high-risk-syscall');
    await new Promise((r) => setTimeout(r, SETTLE_MS));
    assert.deepEqual(
      w.of(quiet.id).filter((a) => a.type === 'system/high-risk-command'),
      [],
    );
  });

  it('the raised brute-force threshold: 6 failures are silent, 8 from another address alert', async () => {
    const line = (i: number, ip: string) =>
      `Nov 28 17:00:${String(i).padStart(2, '0')} node1 sshd[4242]: Failed password for invalid user admin from ${ip} port ${40000 + i} ssh2`;
    const lines = [...[0, 1, 2, 3, 4, 5].map((i) => line(i, '203.0.113.6')), ...[0, 1, 2, 3, 4, 5, 6, 7].map((i) => line(i, '203.0.113.8'))];
    appendFileSync(join(dir, 'auth.log'), `${lines.join('\n')}\n`);
    const a = await w.waitFor((x) => x.type === 'user/brute-force' && /203\.0\.113\.8/.test(x.message), 10_000);
    assert.match(a.message, /\(8 events within 300s\)/);
    await new Promise((r) => setTimeout(r, SETTLE_MS));
    assert.deepEqual(
      w.alerts.filter((x) => x.type === 'user/brute-force' && /203\.0\.113\.6/.test(x.message)),
      [],
      'six failures are below the policy threshold (the built-in default of 5 would alert)',
    );
  });
});
