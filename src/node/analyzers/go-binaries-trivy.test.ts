// Side by side with Trivy: the Go binaries Debian ships on this machine
// (skopeo, umoci, containerd, ctr, dockerd, docker, docker-registry, kubectl,
// ... whichever are installed; .ci/apt-packages.txt installs them in CI) and
// Trivy's own Go test binaries, copied into a root filesystem and read
// through the real pipeline (`rootfs:`, where only the reduced summary of each
// executable is kept). Every binary must list exactly the modules and
// versions the Trivy peer (bench/lib/trivy-peer.ts) lists for it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { ensureTrivy, trivyApplications } from '../../../bench/lib/trivy-peer.js';
import { analyzeImage } from '../../core/image/analyze.js';
import { openImage } from '../image/open.js';
import { nodeAnalyzerContext } from './context.js';
import { defaultAnalyzers } from './index.js';

const DEBIAN_GO_BINARIES = [
  '/usr/bin/skopeo',
  '/usr/bin/umoci',
  '/usr/bin/containerd',
  '/usr/bin/containerd-shim-runc-v2',
  '/usr/bin/ctr',
  '/usr/sbin/dockerd',
  '/usr/bin/docker',
  '/usr/bin/docker-registry',
  '/usr/sbin/runc',
  '/usr/bin/kubectl',
];
/** Installed by .ci/apt-packages.txt (skopeo, umoci, docker.io): these must be there. */
const REQUIRED = ['/usr/bin/skopeo', '/usr/bin/umoci', '/usr/bin/containerd', '/usr/sbin/dockerd'];

test("gobinary: Debian's Go binaries and Trivy's test binaries list what the Trivy peer lists", { timeout: 300_000 }, async () => {
  for (const r of REQUIRED) assert.ok(existsSync(r), `${r} missing (see .ci/apt-packages.txt)`);
  const trivy = ensureTrivy();
  const tmp = mkdtempSync(join(tmpdir(), 'vigil-gobin-'));
  try {
    const root = join(tmp, 'root');
    mkdirSync(join(root, 'bin'), { recursive: true });
    const names: string[] = [];
    for (const b of DEBIAN_GO_BINARIES) {
      if (!existsSync(b)) continue;
      const name = basename(b);
      copyFileSync(realpathSync(b), join(root, 'bin', name));
      names.push(name);
    }
    for (const t of ['test.elf', 'main-version-via-ldflags.elf', 'goexperiment']) {
      const bin = gunzipSync(readFileSync(new URL(`../../core/analyzers/testdata/trivy/go-binary/${t}.gz`, import.meta.url)));
      writeFileSync(join(root, 'bin', t), bin, { mode: 0o755 });
      names.push(t);
    }
    // A shell script and a non-Go ELF (the dynamic loader's helper) are executables too: nothing from them.
    writeFileSync(join(root, 'bin', 'script.sh'), '#!/bin/sh\nexit 0\n', { mode: 0o755 });
    copyFileSync(realpathSync('/usr/bin/env'), join(root, 'bin', 'env'));

    const out = join(tmp, 'trivy.json');
    execFileSync(trivy, ['rootfs', '--quiet', '--format', 'cyclonedx', '--cache-dir', join(tmp, 'cache'), '--output', out, root], { stdio: 'pipe' });
    const apps = trivyApplications(readFileSync(out, 'utf8'));

    const image = await openImage(`rootfs:${root}`);
    let analysis;
    try {
      analysis = await analyzeImage(image, await defaultAnalyzers(), { ctx: nodeAnalyzerContext() });
    } finally {
      await image.close?.();
    }
    const go = analysis.packages.filter((p) => p.type === 'golang');
    assert.deepEqual(
      analysis.notices.filter((n) => n.message.startsWith('Go build info')),
      [],
    );
    const counts: string[] = [];
    for (const name of names) {
      const mine = [...new Set(go.filter((p) => p.filePath === `/bin/${name}`).map((p) => `${p.name}@${p.version}`))].sort();
      // Trivy names the application by its path relative to the root.
      const theirs = apps.get(`bin/${name}`) ?? apps.get(name);
      assert.ok(theirs, `${name}: Trivy lists no application for it (has ${[...apps.keys()].join(', ')})`);
      assert.ok(
        theirs.some((x) => x.startsWith('stdlib@v1.')),
        `${name}: Trivy lists no stdlib`,
      );
      // Trivy's CycloneDX output leaves out the main module (it is the application itself).
      const mainModules = go.filter((p) => p.filePath === `/bin/${name}` && !theirs.includes(`${p.name}@${p.version}`));
      assert.ok(
        mainModules.length <= 1 && mainModules.every((p) => p.name !== 'stdlib'),
        `${name}: more than the main module differs: ${mainModules.map((p) => p.name).join(', ')}`,
      );
      counts.push(`${name} ${mine.length}`);
      assert.deepEqual(
        mine.filter((x) => !mainModules.some((m) => `${m.name}@${m.version}` === x)),
        theirs,
        `${name}: Vigil and Trivy list different modules`,
      );
      assert.ok(
        mine.some((x) => x.startsWith('stdlib@v1.')),
        `${name}: stdlib with the Go version`,
      );
    }
    // kubectl alone has 80-odd modules: the comparison is not of empty lists.
    assert.ok(names.length >= REQUIRED.length + 3, counts.join(', '));
    assert.ok(!go.some((p) => p.filePath === '/bin/script.sh' || p.filePath === '/bin/env'));
    // Layer and file of every package.
    assert.ok(go.every((p) => p.layer && p.layer.digest.startsWith('sha256:')));
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
});
