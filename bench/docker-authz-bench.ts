// What Vigil's Docker authorization plugin adds to `docker run`: two private
// dockerd instances (Debian's docker.io), one plain and one with
// --authorization-plugin pointing at `vigil admission docker-authz` (the
// compiled CLI, example policy + facts), the same tiny image loaded in both,
// `docker run --rm` timed alternately. Prints medians and the difference.
// Usage (root): npm run build && node --import tsx bench/docker-authz-bench.ts [--runs 15]
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, existsSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { loadHostTrueImage, startDockerd, type Dockerd } from '../test/helpers/dockerd.js';
import { examplePolicyArgs } from './lib/admission-reviews.js';

const i = process.argv.indexOf('--runs');
const RUNS = i > 0 ? Number(process.argv[i + 1]) : 15;
const root = join(import.meta.dirname, '..');
const dir = mkdtempSync(join(tmpdir(), 'vigil-authz-bench-'));
const name = `vigil-bench-${randomBytes(4).toString('hex')}`;

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
      ...examplePolicyArgs(root, join(dir, 'facts.json')),
    ],
    { stdio: ['ignore', 'ignore', 'inherit'] },
  );
  for (let k = 0; k < 100 && !existsSync(`/run/docker/plugins/${name}.sock`); k++) await new Promise((r) => setTimeout(r, 100));
  const daemons: Dockerd[] = [];
  try {
    const plain = await startDockerd({ prefix: 'vigil-authz-bench-' });
    daemons.push(plain);
    const guarded = await startDockerd({ prefix: 'vigil-authz-bench-', args: [`--authorization-plugin=${name}`] });
    daemons.push(guarded);
    await loadHostTrueImage(daemons, dir, 'vigil-bench/clean:1');
    const t: Record<string, number[]> = { plain: [], vigil: [] };
    for (let r = 0; r < RUNS + 2; r++) {
      const a = await plain.docker(['run', '--rm', '--network', 'none', 'vigil-bench/clean:1']);
      const b = await guarded.docker(['run', '--rm', '--network', 'none', 'vigil-bench/clean:1']);
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
    for (const d of daemons) await d.stop();
    plugin.kill('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
