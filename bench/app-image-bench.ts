// The application image of issue 16's Performance section
// (bench/lib/app-image.ts: the Debian base, a node_modules tree of 1,000+
// packages, a virtualenv of 100+ Python packages, 5 Go binaries, 20 jars),
// built once and cached, then timed round by round:
//  (a) `vigil sbom --analyzers os,gobinary rootfs:APP` (what the peer reads)
//      against `trivy rootfs APP` (the peer of bench/lib/trivy-peer.ts,
//      which reads OS packages and Go binaries): at most 0.5x Trivy's wall
//      time; Go modules per binary the same as Trivy's;
//  (b) `vigil sbom rootfs:APP` (every analyzer) against `vigil sbom
//      --analyzers os rootfs:APP` (the same image's OS packages): at most 1.5x;
//  and for reference every analyzer against Trivy and against the Debian
//  base alone (`vigil sbom rootfs:BASE`). Rounds interleaved (the order
//  rotates), wall and CPU time (user + system) per series, the load printed.
//
// Usage: npm run build && node --import tsx bench/app-image-bench.ts [--rounds 5]
import { execFileSync } from 'node:child_process';
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { ensureAppImage } from './lib/app-image.js';
import { VIGIL_CLI } from './lib/debian-image.js';
import { sbomBenchSetup, sbomRounds } from './lib/measure.js';
import { sameGoModules, type SbomPackage } from './lib/trivy-peer.js';

async function main(): Promise<void> {
  const { base, trivy, work } = await sbomBenchSetup('vigil-appbench-');
  const app = ensureAppImage(base, (s) => console.log(s));
  try {
    const c = app.contents;
    console.log(
      `application image ${app.root}: ${c.npmPackages} npm packages, ${c.pythonPackages} Python packages, Go binaries ${c.goBinaries.join(', ')}, ${c.jars.length} jars`,
    );

    // Correctness first: what each side lists, and the same Go modules per binary.
    const trivyOut = join(work, 'trivy.json');
    execFileSync(trivy, ['rootfs', '--quiet', '--format', 'cyclonedx', '--cache-dir', join(work, 'tc'), '--output', trivyOut, app.root]);
    const trivyJson = await readFile(trivyOut, 'utf8');
    const sbom = JSON.parse(execFileSync('node', [VIGIL_CLI, 'sbom', '--format', 'json', `rootfs:${app.root}`], { maxBuffer: 1 << 28 }).toString()) as {
      packages: SbomPackage[];
    };
    const byType = new Map<string, number>();
    for (const p of sbom.packages) byType.set(p.type, (byType.get(p.type) ?? 0) + 1);
    console.log(`vigil lists ${sbom.packages.length} packages: ${[...byType].map(([t, n]) => `${t} ${n}`).join(', ')}`);
    const trivyComponents = (JSON.parse(trivyJson) as { components?: Array<{ type: string; purl?: string }> }).components ?? [];
    const trivyTypes = new Map<string, number>();
    for (const x of trivyComponents) {
      const t = x.purl ? (/^pkg:([^/]+)/.exec(x.purl)?.[1] ?? x.type) : x.type;
      trivyTypes.set(t, (trivyTypes.get(t) ?? 0) + 1);
    }
    console.log(`trivy lists ${trivyComponents.length} components: ${[...trivyTypes].map(([t, n]) => `${t} ${n}`).join(', ')}`);
    const same = sameGoModules(sbom.packages, trivyJson, 'usr/local/bin', c.goBinaries, (s) => console.log(s));

    // (a) like for like: Vigil's analyzers of what the peer reads (OS packages, Go binaries);
    // (b) every analyzer against the OS analyzers alone, on the same image (the same walk);
    // and, for reference, every analyzer against Trivy and the Debian base alone.
    await sbomRounds({
      trivy,
      work,
      trivyRoot: app.root,
      trivyLabel: 'trivy rootfs, app image',
      vigil: [
        { label: 'vigil --analyzers os,gobinary', root: app.root, analyzers: 'os,gobinary' },
        { label: 'vigil, every analyzer', root: app.root },
        { label: 'vigil --analyzers os', root: app.root, analyzers: 'os' },
        { label: 'vigil, the Debian base alone', root: base },
      ],
      ratios: [
        { label: '(a) vigil os,gobinary / trivy', a: 0, b: 'trivy', target: 0.5 },
        { label: '(b) every analyzer / --analyzers os', a: 1, b: 2, target: 1.5 },
        { label: 'every analyzer / trivy', a: 1, b: 'trivy' },
        { label: 'every analyzer / the base alone', a: 1, b: 3 },
      ],
      sameGo: same,
    });
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

await main();
