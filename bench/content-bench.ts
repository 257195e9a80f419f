// Issue-15 benchmarks, one run:
//  (a) all content scanners (`--scanners malware,secret,baseline,files`) on
//      the Debian minbase packed as one gzip layer (docker-archive) against the
//      SBOM-only scan of the same archive (`vigil sbom`), alternating rounds;
//      target: at most 2x.
//  (b) YARA throughput of the built-in rule set through @litko/yara-x over
//      1 GiB of layer-like data (the minbase's files repeated), in MB/s, and the
//      same data through the engine with one trivial rule (the engine's floor).
// Both are reported in CPU time (user + system, GNU time for the CLI runs,
// process.cpuUsage for YARA) beside wall time: on the shared machine wall
// time mostly measures the scheduler.
// Usage: npm run build && node --import tsx bench/content-bench.ts [--rounds 3]
import { execFile, execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, lstatSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { rng } from './lib/rng.js';
import { buildOciLayout, debianRootfs, gzipDockerArchive, runVigil, VIGIL_CLI } from './lib/debian-image.js';
import { loadSignatures } from '../src/node/malware/signatures.js';

const roundsArg = process.argv.indexOf('--rounds');
const ROUNDS = roundsArg > 0 ? Number(process.argv[roundsArg + 1]) : Number(process.env.BENCH_ROUNDS ?? 3);

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

interface Timing {
  wallMs: number;
  cpuMs: number;
  rssKiB: number;
}

/** The compiled CLI under GNU time: wall, user + system CPU and peak RSS of the process. */
async function timed(args: string[], out: string): Promise<Timing> {
  if (!existsSync('/usr/bin/time')) throw new Error('GNU time (/usr/bin/time, Debian package time) is needed for CPU times');
  await new Promise<void>((resolve, reject) =>
    execFile('/usr/bin/time', ['-f', '%e %U %S %M', '-o', out, process.execPath, VIGIL_CLI, ...args], { maxBuffer: 256 * 1024 * 1024 }, (e) =>
      e ? reject(e) : resolve(),
    ),
  );
  const [e, u, sys, m] = readFileSync(out, 'utf8').trim().split('\n').pop()!.split(' ').map(Number);
  return { wallMs: e! * 1000, cpuMs: (u! + sys!) * 1000, rssKiB: m! };
}

function minbaseFiles(root: string, limit: number): Buffer[] {
  const out: Buffer[] = [];
  let total = 0;
  const walk = (dir: string): void => {
    for (const n of readdirSync(dir)) {
      if (total >= limit) return;
      const p = join(dir, n);
      const st = lstatSync(p);
      if (st.isDirectory()) walk(p);
      else if (st.isFile() && st.size > 0 && st.size < 64 * 1024 * 1024) {
        const b = readFileSync(p);
        out.push(b);
        total += b.length;
      }
    }
  };
  for (const d of ['usr', 'etc', 'var']) walk(join(root, d));
  return out;
}

async function main(): Promise<void> {
  const root = debianRootfs();
  if (!root) throw new Error('no Debian rootfs (VIGIL_TEST_DEBIAN_ROOTFS)');
  console.log(
    `# content-bench: ${cpus().length} CPUs, load ${loadavg()
      .map((x) => x.toFixed(1))
      .join(' ')}, rounds ${ROUNDS}`,
  );
  const dir = await mkdtemp(join(tmpdir(), 'vigil-content-bench-'));
  try {
    const oci = join(dir, 'oci');
    await buildOciLayout(root, oci, 'minbase');
    const { archive } = await gzipDockerArchive(oci, 'minbase', join(dir, 'minbase.tar'), 'minbase:bench');
    const ref = `docker-archive:${archive}`;
    const sbom: Timing[] = [];
    const all: Timing[] = [];
    const tf = join(dir, 'time.txt');
    for (let r = 0; r < ROUNDS; r++) {
      sbom.push(await timed(['sbom', '--format', 'json', ref], tf));
      all.push(await timed(['scan', '--format', 'json', '--scanners', 'malware,secret,baseline,files', ref], tf));
    }
    const report = JSON.parse((await runVigil(['scan', '--format', 'json', '--scanners', 'malware,secret,baseline,files', ref])).stdout);
    const m = (xs: Timing[], k: keyof Timing) => median(xs.map((x) => x[k]));
    console.log(
      `(a) sbom-only median wall ${m(sbom, 'wallMs').toFixed(0)} ms / CPU ${m(sbom, 'cpuMs').toFixed(0)} ms; all content scanners median wall ${m(all, 'wallMs').toFixed(0)} ms / CPU ${m(all, 'cpuMs').toFixed(0)} ms`,
    );
    console.log(
      `    ratio wall ${(m(all, 'wallMs') / m(sbom, 'wallMs')).toFixed(2)}x, CPU ${(m(all, 'cpuMs') / m(sbom, 'cpuMs')).toFixed(2)}x (target <= 2x); peak RSS ${(m(sbom, 'rssKiB') / 1024).toFixed(0)} / ${(m(all, 'rssKiB') / 1024).toFixed(0)} MiB`,
    );
    console.log(
      `    findings: malware ${report.malware.length}, secrets ${report.secrets.length}, baseline ${report.baseline.length}, unowned files ${report.files.length} (${report.files.filter((f: { noise?: string }) => !f.noise).length} not noise)`,
    );

    // (b) YARA throughput over 1 GiB of real file contents.
    const files = minbaseFiles(root, 256 * 1024 * 1024);
    const chunkBytes = files.reduce((n, b) => n + b.length, 0);
    const passes = Math.max(1, Math.round(1024 ** 3 / chunkBytes));
    const sigs = await loadSignatures();
    const yx = createRequire(import.meta.url)('@litko/yara-x') as { compile(s: string): { scan(b: Buffer): unknown[] } };
    const trivial = yx.compile('rule t { strings: $a = "vigil-bench-never-present-0123456789" condition: $a }');
    // The engine's multi-pattern path: as many distinct literals as the built-in set has patterns (random
    // letters and digits, so no two share an atom), none present. YARA-X's cost grows with the number of
    // distinct atoms, so a single literal (its memmem fast path) is no floor for a rule set.
    const patterns = sigs.info.rules * 5;
    const rand = rng(15);
    const abc = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
    const word = () => Array.from({ length: 12 }, () => abc[Math.floor(rand() * abc.length)]).join('');
    const literals = Array.from({ length: patterns }, (_, i) => `$s${i} = "${word()}" ascii`).join(' ');
    const multi = yx.compile(`rule m { strings: ${literals} condition: any of them }`);
    const rate = (fn: (b: Buffer, i: number) => void): { wall: number; cpu: number } => {
      const t = performance.now();
      const c = process.cpuUsage();
      let i = 0;
      for (let p = 0; p < passes; p++) for (const b of files) fn(b, i++);
      const u = process.cpuUsage(c);
      const mb = (chunkBytes * passes) / 1e6;
      return { wall: mb / ((performance.now() - t) / 1000), cpu: mb / ((u.user + u.system) / 1e6) };
    };
    const builtin = rate((b) => sigs.engine!.scan(b, { filepath: '/usr/lib/x' }));
    const floorMulti = rate((b) => multi.scan(b));
    const floor = rate((b) => trivial.scan(b));
    const f = (r: { wall: number; cpu: number }) => `${r.cpu.toFixed(0)} MB/CPU-s (${r.wall.toFixed(0)} MB/s wall)`;
    console.log(`(b) YARA-X over ${((chunkBytes * passes) / 1024 ** 3).toFixed(2)} GiB in ${files.length * passes} files:`);
    console.log(`    built-in rules (${sigs.info.rules}): ${f(builtin)}`);
    console.log(`    ${patterns} distinct random literals, none present (the engine's multi-pattern floor): ${f(floorMulti)}`);
    console.log(`    one literal (the engine's single-pattern fast path): ${f(floor)}`);
    execFileSync('true');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
