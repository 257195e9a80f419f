// Test fixtures only (no tests): named *.test.ts so it may read files (src/core is pure).
// Shared by the npm, yarn and pnpm tests: Trivy's expected packages
// (testdata/trivy/<eco>/expected.json) and the real-install fixtures
// (testdata/js/<tool>/, `nm/` standing for node_modules/) as harness layers.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Package } from '../inventory/types.js';
import type { LockPackage } from './js-lock.js';
import type { HarnessLayer } from './test-harness.js';

export interface TrivyExpected {
  packages: Array<{ id: string; name: string; version: string; relationship?: string; dev?: boolean; licenses?: string[]; dependsOn?: string[] }>;
  checkDependsOn: boolean;
}

const testdata = fileURLToPath(new URL('./testdata/', import.meta.url));

export const trivyFile = (eco: string, file: string): Buffer => readFileSync(join(testdata, 'trivy', eco, file));

export function trivyExpected(eco: string): Record<string, TrivyExpected> {
  return (JSON.parse(readFileSync(join(testdata, 'trivy', eco, 'expected.json'), 'utf8')) as { files: Record<string, TrivyExpected> }).files;
}

/** A package (Vigil's or Trivy's expected one) as one comparable line (relationship `unknown` when the lockfile cannot say). */
function asTrivy(p: TrivyExpected['packages'][number], withDeps: boolean): string {
  const { id, name, version } = p;
  const base = { id, name, version, relationship: p.relationship ?? 'unknown', dev: !!p.dev, licenses: p.licenses ?? [] };
  return JSON.stringify(withDeps ? { ...base, dependsOn: p.dependsOn ?? [] } : base);
}

/** Asserts that `got` lists exactly Trivy's packages for `file` (IDs, names, versions, relationship, dev, licences, and edges when Trivy's test checks them). */
export function assertTrivy(got: LockPackage[], want: TrivyExpected, file: string): void {
  const line = (p: Parameters<typeof asTrivy>[0]): string => asTrivy(p, want.checkDependsOn);
  assert.deepEqual(got.map(line).sort(), want.packages.map(line).sort(), file);
}

/** A real-install fixture as one harness layer under `root` (`nm/` -> `node_modules/`). */
export function fixtureLayer(tool: string, root = '/app'): HarnessLayer {
  const base = join(testdata, 'js', tool);
  const layer: HarnessLayer = {};
  const walk = (d: string): void => {
    for (const n of readdirSync(d)) {
      const p = join(d, n);
      if (statSync(p).isDirectory()) walk(p);
      else if (n !== 'README.md') layer[`${root}/${relative(base, p).replace(/(^|\/)nm(?=\/)/g, '$1node_modules')}`] = readFileSync(p);
    }
  };
  walk(base);
  return layer;
}

/** Packages as one line each: name@version, flags, relationship, edges. */
export const describe = (pkgs: Package[]): string[] =>
  pkgs
    .map(
      (p) =>
        `${p.name}@${p.version}${p.declared ? ' declared' : ''}${p.dev ? ' dev' : ''}${p.optional ? ' optional' : ''} ${p.relationship ?? '-'} [${(p.dependsOn ?? []).join(',')}]`,
    )
    .sort();

/** The fixture project as every tool installs it: the lockfiles differ, the application does not. */
// The same project installed by each tool; the lockfiles differ, the application does not.
export const INSTALLED = [
  '@sindresorhus/is@0.14.0 direct []',
  'debug@2.6.9 direct [ms@2.0.0]',
  'fixture-lib@0.2.0 workspace [is-odd@3.0.1]',
  'is-number@6.0.0 indirect []',
  'is-number@7.0.0 direct []',
  'is-odd@3.0.1 direct [is-number@6.0.0]',
  'minimist@1.2.5 dev direct []',
  'ms@2.0.0 indirect []',
  'ms@2.1.3 direct []',
];
