// End-to-end tests of `vigil k8s ...` through the real CLI entry point.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, appendFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { auditEvent, podCreate } from '../../core/k8s/audit-builders.js';
import { e2eType } from '../../../test/helpers/e2e-coverage.js';

/** The JSON lines a command printed, parsed. */
const jsonLines = (text: string): any[] =>
  text
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));

const REPO = fileURLToPath(new URL('../../../', import.meta.url));
const conf = join(REPO, 'test/conformance/falco-k8s-audit');

/** `vigil ARGS` run from the source, its output collected as it comes. */
function startVigil(args: string[]) {
  const p = spawn(process.execPath, ['--import', 'tsx', join(REPO, 'src/cli/main.ts'), ...args], { cwd: REPO });
  const out = { stdout: '', stderr: '' };
  p.stdout.on('data', (d) => {
    out.stdout += d;
  });
  p.stderr.on('data', (d) => {
    out.stderr += d;
  });
  return { p, out };
}

function vigil(args: string[], opts: { input?: string; timeoutMs?: number } = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const { p, out } = startVigil(args);
    const t = setTimeout(() => p.kill('SIGKILL'), opts.timeoutMs ?? 60_000);
    p.on('error', reject);
    p.on('close', (code) => {
      clearTimeout(t);
      resolve({ code, ...out });
    });
    p.stdin.end(opts.input ?? '');
  });
}

test('k8s audit: JSON lines in the Alerts shape; malformed lines to stderr with their number; exit 0', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-k8s-cli-'));
  try {
    const log = join(dir, 'audit.log');
    const exec = readFileSync(join(conf, 'exec_pod.json'), 'utf8').trim();
    const priv = readFileSync(join(conf, 'create_nginx_pod_privileged.json'), 'utf8').trim();
    const evDel = JSON.stringify(auditEvent({ verb: 'delete', resource: 'events', namespace: 'default', name: 'x.1', user: 'mallory' }).audit);
    writeFileSync(
      log,
      [exec, '{"kind": 0}', priv, 'not json', '', evDel, JSON.stringify({ ...JSON.parse(exec), stage: 'ResponseComplete' })].join('\n') + '\n',
    );
    const r = await vigil(['k8s', 'audit', '--file', log, '--format', 'json']);
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stderr.trim().split('\n');
    assert.match(lines[0]!, /^line 2: data not recognized as a k8s audit event/);
    assert.match(lines[1]!, /^line 4: malformed JSON/);
    const alerts = jsonLines(r.stdout);
    // exec at ResponseStarted and again at ResponseComplete: one alert
    assert.deepEqual(
      alerts.map((a) => a.type),
      [e2eType('cluster/pod-abnormal', 'audit event'), 'cluster/pod-abnormal', e2eType('cluster/event-deletion', 'audit event')],
    );
    for (const a of alerts) {
      for (const k of ['id', 'type', 'severity', 'time', 'message', 'rule', 'host']) assert.ok(k in a, k);
      assert.equal(typeof a.k8s.auditID, 'string');
    }
    assert.deepEqual(alerts[2].k8s, { ...alerts[2].k8s, user: 'mallory', verb: 'delete', resource: 'events', namespace: 'default', name: 'x.1' });
    assert.deepEqual({ sub: alerts[0].k8s.subresource, ns: alerts[0].k8s.namespace }, { sub: 'exec', ns: 'default' });
    // table output by default
    const t = await vigil(['k8s', 'audit', '--file', join(conf, 'exec_pod.json')]);
    assert.match(t.stdout, /^TIME +TYPE/);
    assert.match(t.stdout, /cluster\/pod-abnormal/);
    // user rules are custom/*, never cluster/*
    const rules = join(dir, 'mine.yaml');
    writeFileSync(
      rules,
      '- rule: Exec seen\n  desc: d\n  condition: ka.target.subresource = exec\n  output: exec by %ka.user.name\n  priority: NOTICE\n  source: k8s_audit\n  type: cluster/pod-abnormal\n',
    );
    const u = await vigil(['k8s', 'audit', '--file', join(conf, 'exec_pod.json'), '--rules', rules, '--format', 'json']);
    const types = jsonLines(u.stdout)
      .map((a) => a.type)
      .sort();
    assert.deepEqual(types, ['cluster/pod-abnormal', 'custom/Exec seen']);
    // a pipe is read as lines
    const piped = await vigil(['k8s', 'audit', '--file', '-', '--format', 'json'], { input: readFileSync(log, 'utf8') });
    assert.equal(piped.stdout.trim().split('\n').length, 3);
    // a missing file is a usage/input error: exit 2, one line
    const m = await vigil(['k8s', 'audit', '--file', join(dir, 'nope.log')]);
    assert.equal(m.code, 2);
    assert.equal(m.stderr.trim().split('\n').length, 1);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('k8s audit reads JSON arrays and pretty-printed EventLists; the forbidden burst is configurable', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-k8s-cli-'));
  try {
    const t0 = Date.UTC(2026, 0, 1);
    const forb = Array.from(
      { length: 4 },
      (_, i) => auditEvent({ verb: 'get', resource: 'secrets', namespace: 'default', name: `s${i}`, user: 'probe', code: 403, time: t0 + i * 1000 }).audit,
    );
    const list = join(dir, 'list.json');
    writeFileSync(
      list,
      JSON.stringify({ kind: 'EventList', apiVersion: 'audit.k8s.io/v1', items: [...forb, podCreate({ hostPID: true }).audit, { kind: 0 }] }, null, 2),
    );
    const r = await vigil(['k8s', 'audit', '--file', list, '--format', 'json', '--forbidden-threshold', '4', '--forbidden-window', '10s']);
    assert.equal(r.code, 0);
    assert.match(r.stderr, /document item 5: data not recognized/);
    assert.deepEqual(
      jsonLines(r.stdout).map((a) => a.type),
      [e2eType('cluster/user-enumeration', 'audit event'), 'cluster/pod-abnormal'],
    );
    const arr = join(dir, 'arr.json');
    writeFileSync(arr, JSON.stringify(forb));
    const d = await vigil(['k8s', 'audit', '--file', arr, '--format', 'json']);
    assert.equal(d.stdout, '');
    // EventLists one per line (as a webhook dump): good items kept, bad ones named by line and index
    const lines = join(dir, 'lists.log');
    writeFileSync(lines, `${JSON.stringify(forb[0])}\n${JSON.stringify({ kind: 'EventList', items: [{ kind: 0 }, podCreate({ hostIPC: true }).audit] })}\n`);
    const e = await vigil(['k8s', 'audit', '--file', lines, '--format', 'json']);
    assert.match(e.stderr, /^line 2 item 0: data not recognized/);
    assert.deepEqual(
      jsonLines(e.stdout).map((a) => a.type),
      ['cluster/pod-abnormal'],
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('k8s audit-policy, webhook-config and check-apiserver', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-k8s-cli-'));
  try {
    const pol = await vigil(['k8s', 'audit-policy']);
    assert.equal(pol.code, 0);
    assert.equal(parse(pol.stdout).kind, 'Policy');
    const manifest = join(dir, 'kube-apiserver.yaml');
    const original = readFileSync(join(REPO, 'src/core/k8s/testdata/kube-apiserver.yaml'), 'utf8');
    writeFileSync(manifest, original);
    const bad = await vigil(['k8s', 'check-apiserver', manifest]);
    assert.equal(bad.code, 1);
    assert.match(bad.stdout, /MISSING --audit-policy-file/);
    // Apply what it printed, block by block, as a user would.
    const blocks = [...bad.stdout.matchAll(/under "(\w+):", add after line (\d+) \(spaces, never tabs\):\n((?: +.*\n)+)/g)].map((m) => ({
      after: Number(m[2]),
      lines: m[3]!.trimEnd().split('\n'),
    }));
    assert.equal(blocks.length, 3);
    const lines = original.split('\n');
    for (const b of blocks.sort((x, y) => y.after - x.after)) lines.splice(b.after, 0, ...b.lines);
    writeFileSync(manifest, lines.join('\n'));
    const good = await vigil(['k8s', 'check-apiserver', manifest]);
    assert.equal(good.code, 0, good.stdout);
    assert.match(good.stdout, /Auditing is enabled/);
    const self = await vigil(['k8s', 'check-apiserver', '--pid', String(process.pid)]);
    assert.equal(self.code, 1);
    assert.match(self.stderr, /does not look like kube-apiserver/);
    const both = await vigil(['k8s', 'check-apiserver']);
    assert.equal(both.code, 2);
    const ca = join(dir, 'ca.pem');
    writeFileSync(ca, '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n');
    const wc = await vigil(['k8s', 'webhook-config', '--url', 'https://vigil.example:8443', '--ca', ca, '--token', 'tok']);
    assert.equal(wc.code, 0);
    assert.equal(parse(wc.stdout).clusters[0].cluster.server, 'https://vigil.example:8443/k8s/audit');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('k8s follow: alerts from lines appended and rotated while it runs, resumed from --state', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-k8s-follow-'));
  try {
    const log = join(dir, 'audit.log');
    const state = join(dir, 'state.json');
    const del = (id: string) => JSON.stringify(auditEvent({ verb: 'delete', resource: 'events', namespace: 'default', name: id, auditID: id }).audit) + '\n';
    writeFileSync(log, del('e1'));
    const { p, out: o } = startVigil(['k8s', 'follow', '--audit-log', log, '--state', state, '--poll-interval', '50ms', '--format', 'json']);
    const waitFor = async (n: number) => {
      for (let i = 0; i < 400 && o.stdout.trim().split('\n').filter(Boolean).length < n; i++) await new Promise((r) => setTimeout(r, 50));
    };
    await waitFor(1);
    appendFileSync(log, del('e2'));
    const { renameSync } = await import('node:fs');
    renameSync(log, join(dir, 'audit-2026-01-01T00-00-00.000.log'));
    writeFileSync(log, del('e3'));
    await waitFor(3);
    p.kill('SIGTERM');
    await new Promise((r) => p.on('close', r));
    const ids = jsonLines(o.stdout).map((a) => a.k8s.auditID);
    assert.deepEqual(ids, ['e1', 'e2', 'e3']);
    assert.equal(JSON.parse(readFileSync(state, 'utf8')).offset, del('e3').length);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('k8s webhook: self-signed HTTPS, token, EventList in, alerts out; webhook-config trusts its certificate', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-k8s-webhook-'));
  const { p, out: o } = startVigil(['k8s', 'webhook', '--listen', '127.0.0.1:0', '--data-dir', dir, '--token', 'tok', '--format', 'json']);
  try {
    for (let i = 0; i < 600 && !/listening on/.test(o.stderr); i++) await new Promise((r) => setTimeout(r, 50));
    const url = /listening on (https:\/\/\S+)/.exec(o.stderr)![1]!;
    const certFile = join(dir, 'k8s-webhook', 'webhook.crt');
    const cfg = await vigil(['k8s', 'webhook-config', '--url', url, '--ca', certFile, '--token', 'tok']);
    const kc = parse(cfg.stdout);
    const ca = Buffer.from(kc.clusters[0].cluster['certificate-authority-data'], 'base64').toString();
    const { request } = await import('node:https');
    const body = JSON.stringify({
      kind: 'EventList',
      apiVersion: 'audit.k8s.io/v1',
      items: [
        JSON.parse(readFileSync(join(conf, 'attach_cluster_admin_role.json'), 'utf8')),
        JSON.parse(readFileSync(join(conf, 'create_secret.json'), 'utf8').split('\n')[0]!),
      ],
    });
    const server = new URL(kc.clusters[0].cluster.server);
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(
        {
          host: server.hostname,
          port: server.port,
          path: server.pathname,
          method: 'POST',
          ca,
          servername: 'localhost',
          headers: { authorization: `Bearer ${kc.users[0].user.token}`, 'content-type': 'application/json' },
        },
        (res) => {
          res.resume();
          resolve(res.statusCode!);
        },
      );
      req.on('error', reject);
      req.end(body);
    });
    assert.equal(status, 200);
    for (let i = 0; i < 200 && !o.stdout.includes('\n'); i++) await new Promise((r) => setTimeout(r, 50));
    const alerts = jsonLines(o.stdout);
    assert.deepEqual(
      alerts.map((a) => a.type),
      [e2eType('cluster/role-binding', 'audit event')],
    );
  } finally {
    p.kill('SIGTERM');
    await new Promise((r) => p.on('close', r));
    rmSync(dir, { recursive: true, force: true });
  }
});
