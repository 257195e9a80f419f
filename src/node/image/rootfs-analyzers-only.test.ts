// `analyzersOnly` (what `vigil sbom` and `vigil scan --scanners vuln` ask):
// the rootfs walk leaves out the regular files no analyzer may claim, and
// the analysis is the same as a full one: same OS, packages and notices on
// the Debian rootfs and on the analyzers' test data (Trivy's golden files,
// the npm/yarn/pnpm trees, dpkg/apk/rpm databases) walked as a root, with
// the tree keeping directories, symlinks and the claimable files only; the
// entry limit still counts what was left out.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { entryFilter } from '../../core/analyzers/claims.js';
import { ANALYZER_MANIFEST } from '../../core/analyzers/manifest.js';
import { InputError } from '../../core/errors.js';
import { analyzeImage } from '../../core/image/analyze.js';
import { nodeAnalyzerContext } from '../analyzers/context.js';
import { defaultAnalyzers, selectedAnalyzers } from '../analyzers/index.js';
import { openImage } from './open.js';

const debian = process.env.VIGIL_TEST_DEBIAN_ROOTFS ?? '/var/cache/vigil-ci/bookworm-minbase';
const testdata = new URL('../../core/analyzers/testdata/', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'vigil-analyzers-only-'));
after(() => rmSync(dir, { recursive: true, force: true }));

async function both(root: string, names?: string[]) {
  const analyzers = names ? await selectedAnalyzers(names) : await defaultAnalyzers();
  const run = async (analyzersOnly: boolean) => analyzeImage(await openImage(`rootfs:${root}`), analyzers, { ctx: nodeAnalyzerContext(), analyzersOnly });
  return { full: await run(false), only: await run(true), analyzers };
}

describe('rootfs walk for the analyzers only', () => {
  for (const [label, root, names] of [
    ['the Debian rootfs, every analyzer', debian, undefined],
    ['the Debian rootfs, --analyzers os,gobinary', debian, ['os', 'gobinary']],
    ['the analyzers test data, every analyzer', testdata, undefined],
    ['the analyzers test data, --analyzers library', testdata, ['library']],
  ] as const) {
    it(`${label}: the same analysis with a smaller tree`, { skip: !existsSync(root) && `no ${root}` }, async () => {
      const { full, only, analyzers } = await both(root, names ? [...names] : undefined);
      assert.ok(full.packages.length > 5, `${root} has packages`);
      assert.deepEqual(only.packages, full.packages);
      assert.deepEqual(only.os, full.os);
      assert.deepEqual(only.notices, full.notices);
      const f = entryFilter(analyzers, ANALYZER_MANIFEST)!;
      const fullEntries = [...full.tree.entries()];
      const onlyEntries = [...only.tree.entries()];
      const keeps = (path: string, mode: number) => {
        const name = path.slice(path.lastIndexOf('/') + 1);
        const dot = name.lastIndexOf('.');
        return (
          f.paths.has(path) ||
          f.names.has(name) ||
          (dot >= 0 && f.exts.has(name.slice(dot).toLowerCase())) ||
          f.dirs.some((d) => path.startsWith(d)) ||
          (f.executables && (mode & 0o111) !== 0)
        );
      };
      // Exactly the full tree's non-files and kept files, nothing else.
      assert.deepEqual(
        onlyEntries,
        fullEntries.filter((e) => e.kind !== 'file' || keeps(e.path, e.mode)),
      );
      assert.ok(onlyEntries.length < fullEntries.length);
    });
  }

  it('counts the files it left out against the entry limit', async () => {
    const root = join(dir, 'many');
    mkdirSync(root);
    for (let i = 0; i < 30; i++) writeFileSync(join(root, `f${i}`), 'x');
    await assert.rejects(
      analyzeImage(await openImage(root), await selectedAnalyzers(['os']), { analyzersOnly: true, limits: { maxEntries: 10 } }),
      (e: unknown) => e instanceof InputError && e.code === 'LIMIT_ENTRIES',
    );
    const ok = await analyzeImage(await openImage(root), await selectedAnalyzers(['os']), { analyzersOnly: true, limits: { maxEntries: 30 } });
    assert.equal([...ok.tree.entries()].length, 0);
  });
});
