// Issue-15 benchmarks, one run:
//  (a) all content scanners (`--scanners malware,secret,baseline,files`) on
//      the Debian minbase packed as one gzip layer (docker-archive) against the
//      SBOM-only scan of the same archive (`vigil sbom`), alternating rounds;
//      target: at most 2x.
//  (b) YARA throughput of the built-in rule set through @litko/yara-x over
//      1 GiB of layer-like data (the minbase's files repeated), in MB/s, and the
//      same data through the engine with one trivial rule (the engine's floor).
// Usage: npm run build && node --import tsx bench/content-bench.ts [--rounds 3]
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, lstatSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { buildOciLayout, debianRootfs, gzipDockerArchive, runVigil } from './lib/debian-image.js';
import { loadSignatures } from '../src/node/malware/signatures.js';

const roundsArg = process.argv.indexOf('--rounds');
const ROUNDS = roundsArg > 0 ? Number(process.argv[roundsArg + 1]) : Number(process.env.BENCH_ROUNDS ?? 3);

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

async function timed(args: string[]): Promise<number> {
  const t = performance.now();
  await runVigil(args);
  return performance.now() - t;
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
    const sbom: number[] = [];
    const all: number[] = [];
    for (let r = 0; r < ROUNDS; r++) {
      sbom.push(await timed(['sbom', '--format', 'json', ref]));
      all.push(await timed(['scan', '--format', 'json', '--scanners', 'malware,secret,baseline,files', ref]));
    }
    const report = JSON.parse((await runVigil(['scan', '--format', 'json', '--scanners', 'malware,secret,baseline,files', ref])).stdout);
    const ms = median(sbom);
    const ma = median(all);
    console.log(`(a) sbom-only median ${ms.toFixed(0)} ms; all content scanners median ${ma.toFixed(0)} ms; ratio ${(ma / ms).toFixed(2)}x (target <= 2x)`);
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
    const rate = (fn: (b: Buffer, i: number) => void): number => {
      const t = performance.now();
      let i = 0;
      for (let p = 0; p < passes; p++) for (const b of files) fn(b, i++);
      return (chunkBytes * passes) / 1e6 / ((performance.now() - t) / 1000);
    };
    const builtin = rate((b) => sigs.engine!.scan(b, { filepath: '/usr/lib/x' }));
    const floor = rate((b) => trivial.scan(b));
    console.log(
      `(b) YARA-X over ${((chunkBytes * passes) / 1024 ** 3).toFixed(2)} GiB in ${files.length * passes} files: built-in rules (${sigs.info.rules}) ${builtin.toFixed(0)} MB/s; one-literal rule (engine floor) ${floor.toFixed(0)} MB/s`,
    );
    execFileSync('true');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
