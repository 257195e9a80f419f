// `vigil agent doctor` against a real `vigil server` process (the CLI as a
// process for the JSON and table forms, the same checks in-process for the rest):
// reachable with a valid token (every server step passes, the token is not
// spent), an enrolled identity (the certificate step names the node), a
// wrong port (the TCP step fails, later ones are skipped), a wrong CA pin
// and an identity from another CA (the TLS step fails), a used and an
// unknown token (the token step fails). Exit code 0 only when every
// required step passed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { enrollOrLoad } from '../../../src/node/agent/link-client.js';
import { loadOrCreatePki } from '../../../src/node/agent/pki.js';
import { runDoctor } from '../../../src/node/agent/doctor.js';
import { freePort, run, serverWithCluster, stop, type Proc } from './harness.js';

interface Report {
  ok: boolean;
  steps: Array<{ id: string; status: string; required: boolean; detail: string; fix?: string }>;
}

/** The CLI as a process (the JSON form). */
async function cli(args: string[]): Promise<{ code: number | null; r: Report; text: string }> {
  const p = run(['agent', 'doctor', '--json', '--timeout', '3', ...args]);
  const code = await p.exited;
  let r: Report;
  try {
    r = JSON.parse(p.out()) as Report;
  } catch {
    throw new Error(`doctor printed no JSON (exit ${code}): ${p.out()} ${p.err()}`);
  }
  return { code, r, text: p.out() };
}
/** The same checks in this process (the CLI only prints them): keeps the test fast on a loaded machine. */
async function doctor(args: string[]): Promise<{ code: number | null; r: Report }> {
  const o: Record<string, string> = {};
  for (let i = 0; i < args.length; i += 2) o[args[i]!.replace(/^--/, '')] = args[i + 1]!;
  const r = await runDoctor({ server: o.server!, token: o.token, caHash: o['ca-hash'], dataDir: o['data-dir']!, timeoutMs: 3000 });
  return { code: r.ok ? 0 : 1, r };
}
const step = (r: Report, id: string) => {
  const s = r.steps.find((x) => x.id === id);
  assert.ok(s, `no step ${id}: ${JSON.stringify(r.steps.map((x) => x.id))}`);
  return s;
};
/** The exit code says whether every required step passed (whatever this machine's node prerequisites are). */
const consistent = (code: number | null, r: Report) => {
  const ok = r.steps.every((s) => !s.required || s.status === 'pass' || s.status === 'warn');
  assert.equal(r.ok, ok);
  assert.equal(code, ok ? 0 : 1);
};

test('agent doctor: reachable server, wrong port, wrong CA, used and unknown tokens: each names the failing step', { timeout: 180_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-doctor-'));
  let server: Proc | undefined;
  try {
    const { s, token, caHash } = await serverWithCluster(dir);
    server = s.p;
    const dataDir = join(dir, 'agent');

    // Reachable, valid token: every server step passes; the token is not spent.
    const good = await cli(['--server', s.link, '--token', token, '--ca-hash', caHash, '--data-dir', dataDir]);
    for (const id of ['dns', 'tcp', 'tls', 'grpc', 'token']) assert.equal(step(good.r, id).status, 'pass', JSON.stringify(step(good.r, id)));
    assert.match(step(good.r, 'tls').detail, /signed by the pinned CA/);
    assert.match(step(good.r, 'grpc').detail, /SERVING/);
    assert.match(step(good.r, 'token').detail, /not spent/);
    for (const id of ['root', 'tracefs', 'btf', 'bpftrace', 'cgroup', 'docker', 'containerd', 'data-dir', 'queue']) step(good.r, id);
    consistent(good.code, good.r);
    // With the node prerequisites this machine has (root, tracefs, bpftrace, cgroups), it exits 0.
    if (process.getuid?.() === 0 && step(good.r, 'bpftrace').status === 'pass' && step(good.r, 'tracefs').status === 'pass') assert.equal(good.code, 0);

    // The token still enrolls (the doctor did not spend it); then it is used.
    const id = await enrollOrLoad({ server: s.link, dataDir: mkdirP(dataDir), token, caHash, nodeName: 'doc-node', version: '0.1.0', kernel: 'k' });
    const used = await doctor(['--server', s.link, '--token', token, '--ca-hash', caHash, '--data-dir', join(dir, 'none')]);
    assert.equal(step(used.r, 'token').status, 'fail');
    assert.match(step(used.r, 'token').detail, /agent token already used/);
    assert.match(step(used.r, 'token').fix!, /mint a new one-time token/);
    assert.equal(used.code, 1);
    const unknown = await doctor(['--server', s.link, '--token', 'vgr_nope', '--ca-hash', caHash, '--data-dir', join(dir, 'none')]);
    assert.match(step(unknown.r, 'token').detail, /unknown agent token/);
    assert.equal(unknown.code, 1);

    // The enrolled identity: the certificate is checked with the server.
    const enrolled = await doctor(['--server', s.link, '--data-dir', dataDir]);
    assert.equal(step(enrolled.r, 'tls').status, 'pass');
    assert.match(step(enrolled.r, 'tls').detail, /signed by the enrolled CA/);
    assert.equal(step(enrolled.r, 'certificate').status, 'pass', JSON.stringify(step(enrolled.r, 'certificate')));
    assert.match(step(enrolled.r, 'certificate').detail, new RegExp(`node doc-node \\(${id.nodeId}\\)`));
    consistent(enrolled.code, enrolled.r);

    // A wrong port: the TCP step fails and names the fix; the later server steps are skipped.
    const port = await freePort();
    const wrong = await doctor(['--server', `127.0.0.1:${port}`, '--token', token, '--ca-hash', caHash, '--data-dir', dataDir]);
    assert.equal(step(wrong.r, 'dns').status, 'pass');
    assert.equal(step(wrong.r, 'tcp').status, 'fail');
    assert.match(step(wrong.r, 'tcp').detail, /ECONNREFUSED/);
    assert.match(step(wrong.r, 'tcp').fix!, /--agent-port/);
    for (const x of ['tls', 'grpc', 'token']) assert.equal(step(wrong.r, x).status, 'skip');
    assert.equal(wrong.code, 1);
    // The table form names the failing steps too.
    const table = run(['agent', 'doctor', '--timeout', '3', '--server', `127.0.0.1:${port}`, '--data-dir', dataDir]);
    assert.equal(await table.exited, 1);
    assert.match(table.out(), /FAIL\s+TCP reach of the port\s+127\.0\.0\.1 port \d+: ECONNREFUSED/);
    assert.match(table.out(), /failed: tcp, tls, grpc/);

    // A wrong CA pin: the TLS step fails (another server, or a machine in between).
    const pin = await doctor(['--server', s.link, '--token', token, '--ca-hash', `sha256:${'ab'.repeat(32)}`, '--data-dir', join(dir, 'none')]);
    assert.equal(step(pin.r, 'tcp').status, 'pass');
    assert.equal(step(pin.r, 'tls').status, 'fail');
    assert.match(step(pin.r, 'tls').detail, /the server's CA hash sha256:[0-9a-f]{64} is not --ca-hash sha256:abab/);
    assert.equal(pin.code, 1);
    // An identity whose CA is another one: the server certificate is not signed by it.
    const other = await loadOrCreatePki(join(dir, 'other'));
    const foreign = join(dir, 'foreign');
    mkdirSync(foreign);
    writeFileSync(join(foreign, 'identity.json'), JSON.stringify({ ...id, caPem: other.caPem }));
    const bad = await doctor(['--server', s.link, '--data-dir', foreign]);
    assert.equal(step(bad.r, 'tls').status, 'fail');
    assert.match(step(bad.r, 'tls').detail, /is not signed by the enrolled CA/);
    assert.equal(bad.code, 1);
    // A malformed --server is an input error (one line, exit 2).
    await assert.rejects(runDoctor({ server: 'no-port', dataDir }), /expected HOST:PORT/);
  } finally {
    await stop(server);
    rmSync(dir, { recursive: true, force: true });
  }
});

function mkdirP(d: string): string {
  mkdirSync(d, { recursive: true });
  return d;
}
