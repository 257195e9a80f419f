// Several worker processes share the PostgreSQL (pg-boss) queue: a worker
// killed with SIGKILL in the middle of a scan has its job retried and
// completed by another worker process. Also: the worker role refuses SQLite.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { startTestServer } from '../../../src/node/server/server.test-helpers.js';

const root = join(import.meta.dirname, '..', '..', '..');

function startWorker(env: Record<string, string>): { proc: ChildProcess; name: Promise<string>; scanning: Promise<void>; exited: Promise<void> } {
  const proc = spawn(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'scan-worker-entry.ts')], {
    cwd: root,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  let onName: (n: string) => void;
  let onScan: () => void;
  const name = new Promise<string>((r) => {
    onName = r;
  });
  const scanning = new Promise<void>((r) => {
    onScan = r;
  });
  proc.stdout!.on('data', (d) => {
    out += d;
    const m = /ready (\S+)/.exec(out);
    if (m) onName(m[1]!);
    if (out.includes('scanning ')) onScan();
  });
  proc.stderr!.on('data', (d) => {
    err += d;
  });
  const exited = new Promise<void>((r) => proc.on('exit', () => r()));
  void exited.then(() => {
    if (proc.exitCode && proc.exitCode !== 0) process.stderr.write(`worker stderr: ${err}\n`);
  });
  return { proc, name, scanning, exited };
}

test('a worker killed mid-scan has its job completed by another worker process', async () => {
  const s = await startTestServer('postgres', { jobExpireSeconds: 3, jobRetryDelaySeconds: 1, jobRetryLimit: 3 }, { workers: 0 });
  const secret = randomBytes(32).toString('hex');
  const env = {
    VIGIL_SERVER_DB: s.store.url,
    VIGIL_SECRET_KEY: secret,
    VIGIL_DATA_DIR: s.dataDir,
    VIGIL_JOB_EXPIRE_SECONDS: '3',
    VIGIL_JOB_RETRY_DELAY_SECONDS: '1',
    VIGIL_JOB_RETRY_LIMIT: '3',
    VIGIL_JOB_POLL_SECONDS: '1',
    VIGIL_JOB_MAINTENANCE_SECONDS: '1',
    VIGIL_WORKER_CONCURRENCY: '1',
    VIGIL_LOCAL_IMAGE_DIRS: s.dataDir,
    VIGIL_LOG_LEVEL: 'error',
  };
  const workers: ChildProcess[] = [];
  try {
    const archive = join(s.dataDir, 'demo.tar');
    assert.equal(spawnSync(process.execPath, [join(root, 'scripts', 'build-demo-image.mjs'), archive]).status, 0);
    const pid = s.defaultProjectId;
    const img = await s.call('POST', `/api/v1/projects/${pid}/images`, s.adminToken, { ref: `docker-archive:${archive}`, scan: true });
    assert.equal(img.status, 201);
    const scanId = img.body.scanId as string;

    const w1 = startWorker({ ...env, SLOW_SCAN_MS: '600000' });
    workers.push(w1.proc);
    const name1 = await w1.name;
    await w1.scanning;
    const running = await s.call('GET', `/api/v1/projects/${pid}/scans/${scanId}`, s.adminToken);
    assert.equal(running.body.status, 'running');
    assert.equal(running.body.worker, name1);
    w1.proc.kill('SIGKILL');
    await w1.exited;

    const w2 = startWorker({ ...env, SLOW_SCAN_MS: '0' });
    workers.push(w2.proc);
    const name2 = await w2.name;
    let final: any;
    for (let i = 0; i < 600; i++) {
      final = (await s.call('GET', `/api/v1/projects/${pid}/scans/${scanId}`, s.adminToken)).body;
      if (final.status === 'succeeded' || final.status === 'failed') break;
      await new Promise((r) => setTimeout(r, 100));
    }
    assert.equal(final.status, 'succeeded', JSON.stringify(final));
    assert.equal(final.worker, name2);
    assert.notEqual(name1, name2);
    assert.equal(final.attempts, 2);
    const image = await s.call('GET', `/api/v1/projects/${pid}/images/${img.body.id}`, s.adminToken);
    assert.equal(image.body.lastScanId, scanId);
    w2.proc.kill('SIGTERM');
    await w2.exited;
  } finally {
    for (const w of workers) if (w.exitCode === null && w.signalCode === null) w.kill('SIGKILL');
    await s.cleanup();
  }
});

test('vigil server --role worker on SQLite exits 2 saying PostgreSQL is needed', () => {
  const r = spawnSync(
    process.execPath,
    ['--import', 'tsx', join(root, 'src', 'cli', 'main.ts'), 'server', '--role', 'worker', '--db', 'sqlite:/nonexistent/x.db'],
    { cwd: root, encoding: 'utf8' },
  );
  assert.equal(r.status, 2);
  assert.match(r.stderr, /worker needs PostgreSQL/);
  assert.ok(!r.stderr.includes('    at '), 'no stack trace');
});
