// Test support: read a fixture directory (a small root file system under
// testdata/) into a harness layer for src/core/analyzers/test-harness.ts,
// keeping symlinks as symlinks.
import { lstatSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';
import type { HarnessLayer } from '../../core/analyzers/test-harness.js';

export function loadFixtureLayer(dir: string, prefix = ''): HarnessLayer {
  const layer: HarnessLayer = {};
  const walk = (rel: string): void => {
    for (const name of readdirSync(join(dir, rel)).sort()) {
      const r = `${rel}/${name}`;
      const st = lstatSync(join(dir, r));
      if (st.isSymbolicLink()) layer[`${prefix}${r}`] = { symlink: readlinkSync(join(dir, r)) };
      else if (st.isDirectory()) walk(r);
      else if (st.isFile()) layer[`${prefix}${r}`] = readFileSync(join(dir, r));
    }
  };
  walk('');
  return layer;
}
