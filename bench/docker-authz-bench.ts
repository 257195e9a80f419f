// What Vigil's Docker authorization plugin adds to `docker run`: two private
// dockerd instances (Debian's docker.io), one plain and one with
// --authorization-plugin pointing at `vigil admission docker-authz` (the
// compiled CLI, example policy + facts), the same tiny image loaded in both,
// `docker run --rm` timed alternately. Prints medians and the difference.
// Usage (root): npm run build && node --import tsx bench/docker-authz-bench.ts [--runs 15]
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, existsSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { writeDockerArchive, type FileSpec } from '../test/helpers/image-builder.js';

const i = process.argv.indexOf('--runs');
const RUNS = i > 0 ? Number(process.argv[i + 1]) : 15;
const root = join(import.meta.dirname, '..');
const dir = mkdtempSync(join(tmpdir(), 'vigil-authz-bench-'));
const name = `vigil-bench-${randomBytes(4).toString('hex')}`;

function trueFiles(): FileSpec[] {
  const ldd = spawnSync('ldd', ['/usr/bin/true'], { encoding: 'utf8' }).stdout;
  const libs = [...ldd.matchAll(/(\/[^\s]+\.so[^\s]*)/g)].map((m) => m[1]!);
  return [
    { path: 'bin/true', content: readFileSync('/usr/bin/true'), mode: 0o755 },
    ...libs.map((l) => ({ path: l.slice(1), content: readFileSync(l), mode: 0o755 })),
  ];
}

function docker(sock: string, ...args: string[]): Promise<{ status: number; ms: number; err: string }> {
  const t0 = performance.now();
  return new Promise((resolve) => {
    const c = spawn('docker', ['-H', `unix://${sock}`, ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    c.stderr.on('data', (d) => {
      err += d;
    });
    c.on('close', (code) => resolve({ status: code ?? -1, ms: performance.now() - t0, err }));
  });
}

function startDockerd(tag: string, extra: string[]): { child: ChildProcess; sock: string } {
  const d = join(dir, tag);
  const sock = join(d, 'docker.sock');
  const child = spawn(
    'dockerd',
    [
      '--bridge=none',
      '--iptables=false',
      '--ip6tables=false',
      '-H',
      `unix://${sock}`,
      '--data-root',
      join(d, 'data'),
      '--exec-root',
      join(d, 'exec'),
      '-p',
      join(d, 'pid'),
      ...extra,
    ],
    { stdio: 'ignore' },
  );
  return { child, sock };
}

async function ready(sock: string): Promise<void> {
  for (let k = 0; k < 300; k++) {
    if (existsSync(sock) && (await docker(sock, 'version')).status === 0) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`dockerd on ${sock} did not start`);
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function main(): Promise<void> {
  writeFileSync(
    join(dir, 'facts.json'),
    JSON.stringify({ images: { 'vigil-bench/clean:1': { scanned: true, scannedAt: new Date().toISOString(), vulnerabilities: { critical: 0, high: 0 } } } }),
  );
  const plugin = spawn(
    process.execPath,
    [
      join(root, 'dist', 'cli', 'main.js'),
      'admission',
      'docker-authz',
      '--socket',
      `/run/docker/plugins/${name}.sock`,
      '--policy',
      join(root, 'examples', 'admission', 'block-dangerous-settings.yaml'),
      '--policy',
      join(root, 'examples', 'admission', 'block-critical-vulns.yaml'),
      '--facts',
      join(dir, 'facts.json'),
    ],
    { stdio: ['ignore', 'ignore', 'inherit'] },
  );
  for (let k = 0; k < 100 && !existsSync(`/run/docker/plugins/${name}.sock`); k++) await new Promise((r) => setTimeout(r, 100));
  const plain = startDockerd('plain', []);
  const guarded = startDockerd('guarded', [`--authorization-plugin=${name}`]);
  try {
    await ready(plain.sock);
    await ready(guarded.sock);
    const tar = join(dir, 'clean.tar');
    await writeDockerArchive(tar, { layers: [{ files: trueFiles() }], config: { config: { Cmd: ['/bin/true'] } }, repoTags: ['vigil-bench/clean:1'] });
    for (const s of [plain.sock, guarded.sock]) if ((await docker(s, 'load', '-i', tar)).status !== 0) throw new Error('docker load failed');
    const t: Record<string, number[]> = { plain: [], vigil: [] };
    for (let r = 0; r < RUNS + 2; r++) {
      const a = await docker(plain.sock, 'run', '--rm', '--network', 'none', 'vigil-bench/clean:1');
      const b = await docker(guarded.sock, 'run', '--rm', '--network', 'none', 'vigil-bench/clean:1');
      if (a.status !== 0 || b.status !== 0) throw new Error(`docker run failed: ${a.err} ${b.err}`);
      if (r >= 2) {
        t.plain!.push(a.ms);
        t.vigil!.push(b.ms);
      }
    }
    const p = median(t.plain!);
    const v = median(t.vigil!);
    console.log(`docker run --rm (tiny image), ${RUNS} runs each, alternating; load average ${readFileSync('/proc/loadavg', 'utf8').split(' ')[0]}`);
    console.log(
      `plain dockerd: median ${p.toFixed(0)} ms; with Vigil's plugin: median ${v.toFixed(0)} ms; added ${(v - p).toFixed(0)} ms (target < 20 ms: ${v - p < 20 ? 'met' : 'NOT met'})`,
    );
  } finally {
    for (const d of [plain, guarded]) d.child.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 3000));
    plugin.kill('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
