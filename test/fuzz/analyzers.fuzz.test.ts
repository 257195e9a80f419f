// Fuzz: package databases of an image (dpkg status and status.d, apk
// installed, rpm Berkeley DB / SQLite / NDB), mutated from the real fixtures and
// run through the analyzers as the image pipeline runs them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { apkAnalyzer } from '../../src/core/analyzers/apk.js';
import { dpkgAnalyzer } from '../../src/core/analyzers/dpkg.js';
import { rpmAnalyzer } from '../../src/core/analyzers/rpm.js';
import { runAnalyzer } from '../../src/core/analyzers/test-harness.js';
import { nodeAnalyzerContext } from '../../src/node/analyzers/context.js';
import { expectAsync, fuzzCorpora } from './harness.js';

const td = (p: string): Buffer => readFileSync(new URL(`../../src/core/analyzers/testdata/${p}`, import.meta.url));
const dpkgStatus = td('dpkg/debian/var/lib/dpkg/status');
const statusD = td('dpkg/distroless/var/lib/dpkg/status.d/libc6');
const dpkgList = td('dpkg/debian/var/lib/dpkg/info/bash.list');
const copyright = td('dpkg/debian/usr/share/doc/bash/copyright');
const apkInstalled = td('apk/lib/apk/db/installed');
const bdb = ['bdb/Packages', 'bdb-be/Packages', 'bdb-512/Packages'].map((p) => td(`rpm/${p}`));
const sqlite = td('rpm/sqlite/rpmdb.sqlite');
const ndb = td('rpm/ndb/Packages.db');
const ctx = nodeAnalyzerContext();

test('analyzer corpus: the unmutated fixtures give packages', async () => {
  assert.ok(((await runAnalyzer(dpkgAnalyzer, [{ '/var/lib/dpkg/status': dpkgStatus }])).packages ?? []).length > 3);
  assert.ok(((await runAnalyzer(apkAnalyzer, [{ '/lib/apk/db/installed': apkInstalled }])).packages ?? []).length > 3);
  assert.ok(((await runAnalyzer(rpmAnalyzer, [{ '/var/lib/rpm/Packages': bdb[0]! }], { ctx })).packages ?? []).length > 3);
  assert.ok(((await runAnalyzer(rpmAnalyzer, [{ '/var/lib/rpm/rpmdb.sqlite': sqlite }], { ctx })).packages ?? []).length > 3);
  assert.ok(((await runAnalyzer(rpmAnalyzer, [{ '/var/lib/rpm/Packages.db': ndb }], { ctx })).packages ?? []).length > 3);
});

test('fuzz: dpkg status, status.d, .list and copyright files', async () => {
  await fuzzCorpora(150, [[dpkgStatus], [statusD], [dpkgList, copyright]], async (status, d, extra) => {
    await expectAsync('dpkg', () =>
      runAnalyzer(dpkgAnalyzer, [
        {
          '/var/lib/dpkg/status': status!,
          '/var/lib/dpkg/status.d/libc6': d!,
          '/var/lib/dpkg/info/bash.list': extra!,
          '/usr/share/doc/bash/copyright': extra!,
        },
      ]),
    );
  });
});

test('fuzz: apk installed database', async () => {
  await fuzzCorpora(200, [[apkInstalled]], async (db) => {
    await expectAsync('apk', () => runAnalyzer(apkAnalyzer, [{ '/lib/apk/db/installed': db! }]));
  });
});

test('fuzz: rpm Berkeley DB Packages (hash, big-endian, 512-byte pages)', async () => {
  await fuzzCorpora(150, [bdb], async (db) => {
    await expectAsync('rpm bdb', () => runAnalyzer(rpmAnalyzer, [{ '/var/lib/rpm/Packages': db! }], { ctx }));
  });
});

test('fuzz: rpm NDB Packages.db (SUSE)', async () => {
  await fuzzCorpora(100, [[ndb]], async (db) => {
    await expectAsync('rpm ndb', () => runAnalyzer(rpmAnalyzer, [{ '/usr/lib/sysimage/rpm/Packages.db': db! }], { ctx }));
  });
});

test('fuzz: rpm SQLite database', async () => {
  await fuzzCorpora(60, [[sqlite]], async (db) => {
    await expectAsync('rpm sqlite', () => runAnalyzer(rpmAnalyzer, [{ '/var/lib/rpm/rpmdb.sqlite': db! }], { ctx }));
  });
});
