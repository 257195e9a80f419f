// Admission webhook latency at a fixed rate: `vigil admission webhook` (the
// compiled CLI, both example policies, image facts in memory = a warm cache)
// against a physical floor: a minimal Node HTTPS server with the same
// certificate that answers every review with a fixed "allowed" response.
// Open loop: requests are sent on a schedule (default 500/s), not when the
// previous one returns, so queueing shows in the latency. Reports p50/p99/max
// and the server process's CPU (user+system from /proc) for both, and ratios.
// Usage: npm run build && node --import tsx bench/admission-bench.ts [--rate 500] [--seconds 10]
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync, readFileSync, rmSync } from 'node:fs';
import { Agent, request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSelfSignedCert } from '../src/node/k8s/self-signed-cert.js';
import { examplePolicyArgs, factsImages, review } from './lib/admission-reviews.js';

const arg = (n: string, d: number) => {
  const i = process.argv.indexOf(`--${n}`);
  return i > 0 ? Number(process.argv[i + 1]) : d;
};
const RATE = arg('rate', 500);
const SECONDS = arg('seconds', 10);
const root = join(import.meta.dirname, '..');
const dir = mkdtempSync(join(tmpdir(), 'vigil-adm-bench-'));
const cert = createSelfSignedCert(['127.0.0.1']);
writeFileSync(join(dir, 'tls.crt'), cert.certPem);
writeFileSync(join(dir, 'tls.key'), cert.keyPem);
writeFileSync(join(dir, 'facts.json'), JSON.stringify({ images: factsImages(new Date()) }));

const FLOOR = `
const https = require('node:https');
const fs = require('node:fs');
const s = https.createServer({ cert: fs.readFileSync(process.argv[1] + '/tls.crt'), key: fs.readFileSync(process.argv[1] + '/tls.key') }, (req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    const uid = JSON.parse(Buffer.concat(chunks).toString()).request.uid;
    const body = JSON.stringify({ apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', response: { uid, allowed: true } });
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
    res.end(body);
  });
});
s.keepAliveTimeout = 60000;
s.listen(0, '127.0.0.1', () => process.stderr.write('listening on ' + s.address().port + '\\n'));
`;

function start(cmd: string, args: string[]): Promise<{ child: ChildProcess; port: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr!.on('data', (d) => {
      err += d;
      const m = /(?:listening on|https:\/\/127\.0\.0\.1:)(?: )?(\d+)/.exec(err);
      if (m) resolve({ child, port: Number(m[1]) });
    });
    child.on('exit', (code) => reject(new Error(`${cmd} exited ${code}: ${err}`)));
  });
}

function cpuSeconds(pid: number): number {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(f[11]) + Number(f[12])) / 100;
}

async function run(port: number, pid: number): Promise<{ lat: number[]; cpu: number; errors: number; denied: number }> {
  const agent = new Agent({ keepAlive: true, maxSockets: 64, ca: cert.certPem });
  const bodies = Array.from({ length: 1000 }, (_, i) => review(i));
  const send = (i: number) =>
    new Promise<{ ms: number; allowed: boolean | undefined }>((resolve) => {
      const body = bodies[i % bodies.length]!;
      const t0 = process.hrtime.bigint();
      const req = request(
        {
          host: '127.0.0.1',
          port,
          path: '/validate',
          method: 'POST',
          agent,
          headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c) => chunks.push(c));
          res.on('end', () => {
            let allowed: boolean | undefined;
            try {
              allowed = JSON.parse(Buffer.concat(chunks).toString()).response.allowed;
            } catch {
              allowed = undefined;
            }
            resolve({ ms: Number(process.hrtime.bigint() - t0) / 1e6, allowed });
          });
        },
      );
      req.on('error', () => resolve({ ms: -1, allowed: undefined }));
      req.end(body);
    });
  // Warm up: TLS sessions, JIT, caches.
  await Promise.all(Array.from({ length: 200 }, (_, i) => send(i)));
  const cpu0 = cpuSeconds(pid);
  const total = RATE * SECONDS;
  const start = performance.now();
  const pending: Array<Promise<{ ms: number; allowed: boolean | undefined }>> = [];
  for (let i = 0; i < total; i++) {
    const due = start + (i * 1000) / RATE;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    pending.push(send(i));
  }
  const res = await Promise.all(pending);
  const cpu = cpuSeconds(pid) - cpu0;
  agent.destroy();
  return {
    lat: res
      .filter((r) => r.ms >= 0)
      .map((r) => r.ms)
      .sort((a, b) => a - b),
    cpu,
    errors: res.filter((r) => r.ms < 0 || r.allowed === undefined).length,
    denied: res.filter((r) => r.allowed === false).length,
  };
}

const pct = (a: number[], p: number) => a[Math.min(a.length - 1, Math.floor((a.length * p) / 100))] ?? NaN;

async function main(): Promise<void> {
  const vigil = await start(process.execPath, [
    join(root, 'dist', 'cli', 'main.js'),
    'admission',
    'webhook',
    '--listen',
    '127.0.0.1:0',
    '--tls-cert',
    join(dir, 'tls.crt'),
    '--tls-key',
    join(dir, 'tls.key'),
    ...examplePolicyArgs(root, join(dir, 'facts.json')),
  ]);
  const floor = await start(process.execPath, ['-e', FLOOR, dir]);
  try {
    console.log(`admission webhook at ${RATE} reviews/s for ${SECONDS}s (Deployment with 3 containers; 10% privileged -> denied), loopback HTTPS keep-alive`);
    const rows: Array<[string, Awaited<ReturnType<typeof run>>]> = [];
    // Alternate: vigil, floor, vigil, floor.
    for (let round = 0; round < 2; round++) {
      rows.push(['vigil', await run(vigil.port, vigil.child.pid!)]);
      rows.push(['floor', await run(floor.port, floor.child.pid!)]);
    }
    for (const [name, r] of rows) {
      console.log(
        `${name.padEnd(6)} n=${r.lat.length} p50=${pct(r.lat, 50).toFixed(2)}ms p99=${pct(r.lat, 99).toFixed(2)}ms max=${r.lat.at(-1)!.toFixed(2)}ms cpu=${r.cpu.toFixed(2)}s (${((r.cpu / SECONDS) * 100).toFixed(0)}% of a core) errors=${r.errors} denied=${r.denied}`,
      );
    }
    const v = rows.filter(([n]) => n === 'vigil').map(([, r]) => r);
    const f = rows.filter(([n]) => n === 'floor').map(([, r]) => r);
    const med = (xs: number[]) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
    const vp99 = med(v.map((r) => pct(r.lat, 99)));
    const fp99 = med(f.map((r) => pct(r.lat, 99)));
    console.log(
      `p99 vigil ${vp99.toFixed(2)}ms vs floor ${fp99.toFixed(2)}ms (x${(vp99 / fp99).toFixed(2)}); target p99 < 10 ms: ${vp99 < 10 ? 'met' : 'NOT met'}`,
    );
    // Server-side decision time (parse excluded, facts lookup and decision included), from the webhook's own histogram.
    const metrics = await new Promise<string>((resolve, reject) => {
      request({ host: '127.0.0.1', port: vigil.port, path: '/metrics', ca: cert.certPem }, (res) => {
        let t = '';
        res.on('data', (c) => (t += c));
        res.on('end', () => resolve(t));
      })
        .on('error', reject)
        .end();
    });
    const bucket = (le: string) => Number(new RegExp(`vigil_admission_decision_seconds_bucket\\{le="${le}"\\} (\\d+)`).exec(metrics)?.[1] ?? NaN);
    const count = Number(/vigil_admission_decision_seconds_count (\d+)/.exec(metrics)?.[1] ?? NaN);
    const sum = Number(/vigil_admission_decision_seconds_sum ([\d.e-]+)/.exec(metrics)?.[1] ?? NaN);
    console.log(
      `webhook's own decision time: mean ${((sum / count) * 1e3).toFixed(3)}ms; <=1ms ${((bucket('0.001') / count) * 100).toFixed(1)}%, <=10ms ${((bucket('0.01') / count) * 100).toFixed(1)}% of ${count}`,
    );
    console.log(`CPU per review: vigil ${((v[0]!.cpu / (RATE * SECONDS)) * 1e6).toFixed(0)}us, floor ${((f[0]!.cpu / (RATE * SECONDS)) * 1e6).toFixed(0)}us`);
  } finally {
    vigil.child.kill('SIGTERM');
    floor.child.kill('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
