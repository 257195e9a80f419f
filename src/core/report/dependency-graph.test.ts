// The JavaScript dependency graph in the reports: packages read by the pnpm
// and npm analyzers from real installs (src/core/analyzers/testdata/js), then
// CycloneDX `dependencies` and SPDX `DEPENDS_ON` relationships (both
// validated against the official schemas) and the JSON report's
// `relationship` / `indirect` / `dependsOn`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fixtureLayer } from '../analyzers/js-lock-fixtures.test.js';
import { mergeNpmPackages } from '../analyzers/js-lock.js';
import npm from '../analyzers/modules/npm.js';
import pnpm from '../analyzers/modules/pnpm.js';
import { runAnalyzer } from '../analyzers/test-harness.js';
import type { Package } from '../inventory/types.js';
import type { ScanReport } from '../scan/types.js';
import { validateCycloneDx, validateSpdx } from '../../../test/helpers/schemas.js';
import { toCycloneDx } from './cyclonedx.js';
import { toJson } from './json.js';
import { toSpdx } from './spdx.js';

const report = (packages: Package[]): ScanReport => ({
  schemaVersion: 1,
  artifact: { name: 'app:1', type: 'docker-archive', os: { family: 'debian', version: '12' } },
  packages: [{ type: 'deb', name: 'zlib1g', version: '1:1.2.13.dfsg-1', arch: 'amd64', sourceName: 'zlib' }, ...packages],
  vulnerabilities: [],
  malware: [],
  secrets: [],
  baseline: [],
  files: [],
});
const opts = { now: new Date('2026-01-02T03:04:05.678Z'), serialNumber: 'urn:uuid:3e671687-395b-41f5-a30f-a58921a69b79', toolVersion: '0.1.0' };

for (const [tool, analyzer] of [
  ['pnpm', pnpm],
  ['npm', npm],
] as const) {
  test(`dependency graph of a real ${tool} install: CycloneDX dependencies and the JSON report`, async () => {
    const pkgs = (await runAnalyzer(analyzer, [fixtureLayer(tool)])).packages!;
    const bom = toCycloneDx(report(pkgs), opts);
    assert.deepEqual(validateCycloneDx(bom), []);
    const comps = bom.components as Array<Record<string, string>>;
    const ref = (name: string, version: string): string => comps.find((c) => c.name === name && c.version === version)!['bom-ref']!;
    const deps = new Map((bom.dependencies as Array<{ ref: string; dependsOn: string[] }>).map((d) => [d.ref, d.dependsOn]));
    assert.deepEqual(deps.get(ref('debug', '2.6.9')), [ref('ms', '2.0.0')]);
    assert.deepEqual(deps.get(ref('fixture-lib', '0.2.0')), [ref('is-odd', '3.0.1')]);
    assert.deepEqual(deps.get(ref('is-odd', '3.0.1')), [ref('is-number', '6.0.0')]);
    const top = deps.get('image')!;
    // The image holds the OS packages and the direct and workspace packages; indirect ones hang below their parents.
    for (const r of ['os', ref('debug', '2.6.9'), ref('ms', '2.1.3'), ref('fixture-lib', '0.2.0'), ref('minimist', '1.2.5')]) assert.ok(top.includes(r), r);
    for (const r of [ref('ms', '2.0.0'), ref('is-number', '6.0.0')]) assert.ok(!top.includes(r), r);
    const j = JSON.parse(toJson(report(pkgs))) as { packages: Array<Record<string, unknown>> };
    const ms = j.packages.find((p) => p.name === 'ms' && p.version === '2.0.0')!;
    assert.equal(ms.indirect, true);
    assert.equal(ms.relationship, 'indirect');
    const debug = j.packages.find((p) => p.name === 'debug')!;
    assert.equal(debug.indirect, false);
    assert.deepEqual(debug.dependsOn, ['ms@2.0.0']);
    assert.equal(j.packages.find((p) => p.name === 'zlib1g')!.indirect, undefined, 'no relationship, no indirect');

    // SPDX: the same edges as DEPENDS_ON relationships between the packages' SPDX ids.
    const doc = toSpdx(report(pkgs), { now: opts.now, uniqueId: 'test', toolVersion: '0.1.0' });
    assert.deepEqual(validateSpdx(doc), []);
    const spdxPkgs = doc.packages as Array<Record<string, string>>;
    const id = (name: string, version: string): string => spdxPkgs.find((p) => p.name === name && p.versionInfo === version)!.SPDXID!;
    const dependsOn = (from: string): string[] =>
      (doc.relationships as Array<Record<string, string>>)
        .filter((r) => r.relationshipType === 'DEPENDS_ON' && r.spdxElementId === from)
        .map((r) => r.relatedSpdxElement!);
    assert.deepEqual(dependsOn(id('debug', '2.6.9')), [id('ms', '2.0.0')]);
    assert.deepEqual(dependsOn(id('fixture-lib', '0.2.0')), [id('is-odd', '3.0.1')]);
    assert.deepEqual(dependsOn(id('is-odd', '3.0.1')), [id('is-number', '6.0.0')]);
    assert.deepEqual(dependsOn(id('zlib1g', '1:1.2.13.dfsg-1')), []);
    // As many DEPENDS_ON relationships as CycloneDX edges.
    const cdxEdges = (bom.dependencies as Array<{ ref: string; dependsOn: string[] }>)
      .filter((d) => d.ref !== 'image')
      .reduce((n, d) => n + d.dependsOn.length, 0);
    assert.equal((doc.relationships as Array<Record<string, string>>).filter((r) => r.relationshipType === 'DEPENDS_ON').length, cdxEdges);
  });
}

test('one component per npm name@version across analyzers: an installed copy absorbs the lockfile-only declaration and its facts', () => {
  const installed: Package = { type: 'npm', name: 'ms', version: '2.0.0', filePath: '/app/node_modules/ms/package.json' };
  const declared: Package = {
    type: 'npm',
    name: 'ms',
    version: '2.0.0',
    declared: true,
    dev: true,
    relationship: 'indirect',
    dependsOn: [],
    filePath: '/app/yarn.lock',
  };
  const other: Package = { type: 'deb', name: 'ms', version: '2.0.0' };
  const out = mergeNpmPackages([installed, other, declared]);
  assert.equal(out.length, 2);
  const m = out.find((p) => p.type === 'npm')!;
  assert.equal(m.declared, undefined);
  assert.equal(m.filePath, '/app/node_modules/ms/package.json');
  assert.equal(m.relationship, 'indirect');
  // The installed copy at a path no lockfile speaks for is a production install.
  assert.equal(m.dev, undefined);
  const spoken = mergeNpmPackages([{ ...installed, dev: true, dependsOn: [] }, declared])[0]!;
  assert.equal(spoken.dev, true);
});
