import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import ajvDraft04 from 'ajv-draft-04';
import ajvFormats from 'ajv-formats';
import type { ScanReport, VulnerabilityFinding } from '../scan/types.js';
import { toSarif } from './sarif.js';

const schema = JSON.parse(readFileSync(new URL('../../../test/schemas/sarif-2.1.0.schema.json', import.meta.url), 'utf8'));

function validator() {
  // CommonJS packages: their classes are on `.default` under Node's ESM interop.
  const ajv = new ajvDraft04.default({ allErrors: true, strict: false });
  ajvFormats.default(ajv);
  return ajv.compile(schema);
}

const v = (o: Partial<VulnerabilityFinding>): VulnerabilityFinding => ({
  id: 'CVE-2023-4911',
  aliases: ['DSA-5514-1'],
  package: 'libc6',
  sourcePackage: 'glibc',
  type: 'deb',
  installedVersion: '2.36-9+deb12u1',
  fixedVersion: '2.36-9+deb12u3',
  status: 'fixed',
  severity: 'high',
  vendorSeverity: { nvd: 'high' },
  cvss: { nvd: { vector: 'CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H', score: 7.8, version: '3.1' } },
  title: 'glibc - security update',
  ignored: false,
  ...o,
});

export const sampleReport = (): ScanReport => ({
  schemaVersion: 1,
  artifact: {
    name: 'docker-archive:demo.tar',
    type: 'docker-archive',
    digest: 'sha256:' + 'a'.repeat(64),
    os: { family: 'debian', version: '12' },
    repoTags: ['demo:latest'],
  },
  packages: [],
  vulnerabilities: [
    v({}),
    v({ package: 'libc-bin' }),
    v({
      id: 'CVE-2021-44906',
      aliases: ['GHSA-xvch-5gv4-984h'],
      package: 'minimist',
      sourcePackage: 'minimist',
      type: 'npm',
      installedVersion: '1.2.5',
      fixedVersion: '1.2.6',
      severity: 'critical',
      pkgPath: '/usr/src/app/node_modules/minimist/package.json',
      title: 'Prototype Pollution in minimist',
    }),
    v({
      id: 'CVE-2023-0001',
      package: 'libtiff6',
      sourcePackage: 'tiff',
      fixedVersion: '',
      status: 'affected',
      severity: 'low',
      cvss: {},
      vendorSeverity: {},
      ignored: true,
      ignoreReason: 'VEX not_affected: component_not_present',
    }),
  ],
  malware: [{ file: '/tmp/x', rule: 'EICAR', severity: 'critical', alertType: 'image/malware', sha256: 'b'.repeat(64) }],
  secrets: [{ file: '/app/.env', line: 3, ruleId: 'aws-access-key', title: 'AWS access key', severity: 'high', match: 'AKIA****************' }],
  baseline: [{ id: 'user-root', severity: 'medium', title: 'Image runs as root', detail: 'USER not set', remedy: 'Add USER to the Dockerfile' }],
  files: [],
});

test('SARIF: valid against the SARIF 2.1.0 schema, one rule per id, suppressions for ignored findings', () => {
  const validate = validator();
  const out: any = toSarif(sampleReport(), { toolVersion: '0.1.0' });
  const valid: boolean = validate(out);
  assert.ok(valid, JSON.stringify(validate.errors?.slice(0, 3)));
  const run = out.runs[0];
  assert.deepEqual(
    run.tool.driver.rules.map((r: any) => r.id),
    ['CVE-2023-4911', 'CVE-2021-44906', 'CVE-2023-0001', 'secret/aws-access-key', 'malware/EICAR', 'baseline/user-root'],
  );
  assert.equal(run.results.length, 7);
  assert.equal(run.results[1].ruleIndex, 0);
  assert.equal(run.results[0].level, 'error');
  assert.equal(run.results[0].locations[0].physicalLocation.artifactLocation.uri, 'var/lib/dpkg/status');
  assert.equal(run.results[2].locations[0].physicalLocation.artifactLocation.uri, 'usr/src/app/node_modules/minimist/package.json');
  assert.equal(run.tool.driver.rules[0].properties['security-severity'], '7.8');
  assert.deepEqual(run.results[3].suppressions, [{ kind: 'external', status: 'accepted', justification: 'VEX not_affected: component_not_present' }]);
  assert.equal(run.results[3].level, 'note');
  // An empty report is valid too, and the validator does reject broken output.
  assert.ok(validate(toSarif({ ...sampleReport(), vulnerabilities: [], malware: [], secrets: [], baseline: [] })));
  assert.ok(!validate({ version: '2.1.0', runs: [{ tool: {} }] }));
  // Notices are tool execution notifications, valid SARIF too.
  const withNotices: any = toSarif({
    ...sampleReport(),
    notices: [{ kind: 'package-db-unreadable', message: 'rpm database in NDB format is not read', path: '/var/lib/rpm/Packages.db' }],
  });
  assert.equal(withNotices.runs[0].invocations[0].toolExecutionNotifications[0].message.text, 'rpm database in NDB format is not read');
  assert.ok(validate(withNotices), JSON.stringify(validate.errors?.slice(0, 3)));
});
