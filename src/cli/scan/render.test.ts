// The report format index: every module of src/core/report/formats/ renders a
// real report, is documented, and is what `--format` accepts.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { test } from 'node:test';
import { documentedPage } from '../../../test/helpers/doc-pages.js';
import { InputError } from '../../core/errors.js';
import { imageSources } from '../../node/image/source-index.js';
import { sampleScanReport as sample } from '../../core/report/report.test-helpers.js';
import { checkFormat, formatsOf, orList, renderReport, reportFormats } from './render.js';

const repo = new URL('../../../', import.meta.url).pathname;
test('scan and sbom offer the formats of the index', async () => {
  const formats = await reportFormats();
  assert.deepEqual(formatsOf(formats, 'scan'), ['cyclonedx', 'json', 'sarif', 'spdx', 'table']);
  assert.deepEqual(formatsOf(formats, 'sbom'), ['cyclonedx', 'json', 'spdx', 'table']);
  assert.equal(orList(['a', 'b', 'c']), 'a, b or c');
  await assert.rejects(
    checkFormat('sarif', 'sbom'),
    (e: unknown) => e instanceof InputError && e.code === 'USAGE' && /unknown format sarif \(one of cyclonedx, json, spdx, table\)/.test(e.message),
  );
  await assert.rejects(checkFormat('xml', 'scan'), /--format: unknown format xml/);
});

test('every format renders a report into one document ending in a newline', async () => {
  const now = new Date('2026-01-02T03:04:05Z');
  for (const f of (await reportFormats()).all()) {
    const out = await renderReport(sample(), f, { color: false, now, vulnScanned: true });
    assert.ok(out.endsWith('\n'), f.id);
    assert.ok(out.includes('libssl3'), `${f.id} names the package`);
    if (f.id !== 'table') JSON.parse(out);
  }
  const [a, b] = await Promise.all(
    [1, 2].map(
      async () =>
        JSON.parse(await renderReport(sample(), await checkFormat('cyclonedx', 'sbom'), { color: false, now })) as {
          serialNumber: string;
          metadata: { timestamp: string };
        },
    ),
  );
  assert.notEqual(a!.serialNumber, b!.serialNumber, 'a fresh serial number per document');
  assert.match(a!.serialNumber, /^urn:uuid:[0-9a-f-]{36}$/);
  assert.equal(a!.metadata.timestamp, now.toISOString(), 'the context clock');
  const table = await renderReport(sample(), await checkFormat('table', 'scan'), { color: false, vulnScanned: true });
  assert.match(table, /CVE-2024-0727/);
  const sarif = JSON.parse(await renderReport(sample(), await checkFormat('sarif', 'scan'), { color: false })) as { version: string };
  assert.equal(sarif.version, '2.1.0');
});

test('every format is documented where its module says', async () => {
  for (const f of (await reportFormats()).all()) {
    const page = documentedPage(f.docs, f.id);
    assert.ok(page.includes(`\`${f.id}\``), `${f.id}: its page names it`);
  }
});

test('the help texts of scan and sbom come from the indexes', async () => {
  const formats = await reportFormats();
  const sources = (await imageSources()).all();
  for (const cmd of ['scan', 'sbom'] as const) {
    const r = spawnSync(process.execPath, ['--import', 'tsx', join(repo, 'src/cli/main.ts'), cmd, '--help'], {
      encoding: 'utf8',
      cwd: repo,
      env: { ...process.env, COLUMNS: '400' },
    });
    assert.equal(r.status, 0, r.stderr);
    const help = r.stdout.replace(/\s+/g, ' ');
    assert.ok(help.includes(orList(formatsOf(formats, cmd))), `${cmd}: --format lists ${formatsOf(formats, cmd).join(',')}`);
    for (const s of sources) assert.ok(help.includes(s.syntax), `${cmd}: IMAGE names ${s.syntax}`);
  }
});
