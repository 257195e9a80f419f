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
//  base alone (`vigil sbom rootfs:BASE`), and the floors of (a) in the same
//  rounds: `node -e 0`, Vigil's start-up (an empty directory) and a bare
//  one-thread Node walk of APP. Rounds interleaved (the order rotates), wall
//  and CPU time (user + system) per series, the load printed.
//
// Usage: npm run build && node --import tsx bench/app-image-bench.ts [--rounds 5]
import { execFileSync } from 'node:child_process';
import { mkdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { ensureAppImage } from './lib/app-image.js';
import { VIGIL_CLI } from './lib/debian-image.js';
import { sbomBenchSetup, sbomRounds } from './lib/measure.js';
import { sameGoModules, type SbomPackage } from './lib/trivy-peer.js';

/** A bare walk of a tree in Node (readdirSync + lstatSync of every entry, one thread, same file system): the walk part of (a)'s floor. */
const BARE_WALK = `const fs = require('node:fs');
const root = process.argv[1];
const dev = fs.lstatSync(root).dev;
const stack = [''];
while (stack.length) {
  const rel = stack.pop();
  for (const name of fs.readdirSync(root + rel).sort()) {
    const p = rel + '/' + name;
    const st = fs.lstatSync(root + p);
    if (st.isSymbolicLink()) fs.readlinkSync(root + p);
    else if (st.isDirectory() && st.dev === dev) stack.push(p);
  }
}`;

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
    // and, for reference, every analyzer against Trivy and the Debian base alone; and the
    // floors of (a) measured in the same rounds: Node's own start-up (`node -e 0`), Vigil's
    // start-up (`sbom --analyzers os,gobinary` of an empty directory) and a bare walk of the
    // image in Node on one thread (readdirSync + lstatSync of every entry, nothing else).
    const empty = join(work, 'empty');
    await mkdir(empty);
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
        { label: 'floor: node -e 0', root: '', command: ['node', '-e', '0'] },
        { label: 'floor: vigil start-up (empty dir)', root: empty, analyzers: 'os,gobinary' },
        { label: 'floor: bare Node walk (lstat all)', root: '', command: ['node', '-e', BARE_WALK, app.root] },
      ],
      ratios: [
        { label: '(a) vigil os,gobinary / trivy', a: 0, b: 'trivy', target: 0.5 },
        { label: '(b) every analyzer / --analyzers os', a: 1, b: 2, target: 1.5 },
        { label: 'every analyzer / trivy', a: 1, b: 'trivy' },
        { label: 'every analyzer / the base alone', a: 1, b: 3 },
        { label: 'floor: node -e 0 / trivy', a: 4, b: 'trivy' },
        { label: 'floor: vigil start-up / trivy', a: 5, b: 'trivy' },
        { label: 'floor: bare Node walk / trivy', a: 6, b: 'trivy' },
      ],
      sameGo: same,
    });
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

await main();
