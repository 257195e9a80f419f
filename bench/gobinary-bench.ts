// Go binaries in an SBOM, against Trivy (issue 16's Performance section, the
// part Trivy's peer build reads: OS packages and Go binaries).
//
//  (a) `vigil sbom rootfs:DIR` against `trivy rootfs` (the peer of
//      bench/lib/trivy-peer.ts) on the Debian rootfs plus 5 of Debian's Go
//      binaries in /usr/local/bin: at most 0.5x Trivy's wall time, and the
//      same Go modules per binary;
//  (b) the same rootfs with the Go binaries against the rootfs without them
//      (OS packages only): at most 1.5x.
//
// Usage: npm run build && node --import tsx bench/gobinary-bench.ts [--rounds 5]
import { execFileSync } from 'node:child_process';
import { existsSync, realpathSync } from 'node:fs';
import { copyFile, mkdir, readFile, rm } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { VIGIL_CLI } from './lib/debian-image.js';
import { sbomBenchSetup, sbomRounds } from './lib/measure.js';
import { sameGoModules, type SbomPackage } from './lib/trivy-peer.js';

const GO_BINARIES = ['/usr/bin/skopeo', '/usr/bin/umoci', '/usr/bin/containerd', '/usr/sbin/dockerd', '/usr/bin/ctr', '/usr/bin/kubectl', '/usr/bin/docker'];
async function main(): Promise<void> {
  const { base, trivy, work } = await sbomBenchSetup('vigil-gobench-');
  try {
    const withGo = join(work, 'with-go');
    // cp -a: the rootfs has device nodes (/dev/ptmx) that fs.cp cannot copy.
    execFileSync('cp', ['-a', base, withGo]);
    await mkdir(join(withGo, 'usr/local/bin'), { recursive: true });
    const used: string[] = [];
    for (const b of GO_BINARIES) {
      if (used.length === 5 || !existsSync(b)) continue;
      await copyFile(realpathSync(b), join(withGo, 'usr/local/bin', basename(b)));
      used.push(basename(b));
    }
    execFileSync('chmod', ['755', ...used.map((u) => join(withGo, 'usr/local/bin', u))]);
    console.log(`rootfs ${base} + Go binaries: ${used.join(', ')}`);

    // Correctness first: the same modules per binary as Trivy.
    const trivyOut = join(work, 'trivy.json');
    execFileSync(trivy, ['rootfs', '--quiet', '--format', 'cyclonedx', '--cache-dir', join(work, 'tc'), '--output', trivyOut, withGo]);
    const sbom = JSON.parse(execFileSync('node', [VIGIL_CLI, 'sbom', '--format', 'json', `rootfs:${withGo}`], { maxBuffer: 1 << 28 }).toString()) as {
      packages: SbomPackage[];
    };
    const same = sameGoModules(sbom.packages, await readFile(trivyOut, 'utf8'), 'usr/local/bin', used, (s) => console.log(s));

    await sbomRounds({
      trivy,
      work,
      trivyRoot: withGo,
      trivyLabel: 'trivy rootfs, with Go binaries',
      vigil: [
        { label: 'vigil sbom, with Go binaries', root: withGo },
        { label: 'vigil sbom, OS only (the base)', root: base },
      ],
      ratios: [
        { label: '(a) vigil / trivy', a: 0, b: 'trivy', target: 0.5 },
        { label: '(b) with Go binaries / OS only', a: 0, b: 1, target: 1.5 },
      ],
      sameGo: same,
    });
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

await main();
