import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { ModuleIndex } from '../../core/module-index.js';
import type { Analyzer } from '../../core/analyzers/types.js';
import { analyzerIndex, defaultAnalyzers } from './index.js';

test('every analyzer has a unique id and a version; OS analyzers come first', async () => {
  const all = await defaultAnalyzers();
  const ids = all.map((a) => a.id);
  for (const id of ['os-release', 'apk', 'dpkg', 'rpm']) assert.ok(ids.includes(id), id);
  const firstPackage = all.findIndex((a) => a.kind === 'package');
  assert.ok(all.slice(0, firstPackage).every((a) => a.kind === 'os') && all.slice(firstPackage).every((a) => a.kind === 'package'));
  assert.equal(all[0]!.id, 'os-release');
  for (const a of all) assert.ok(Number.isInteger(a.version) && a.version >= 1, a.id);
  assert.equal((await analyzerIndex()).size, all.length);
  assert.throws(() => new ModuleIndex<Analyzer>('analyzer', [...all, all[1]!]), /duplicate analyzer id: apk/);
});

test('analyzers claim only their own files', async () => {
  const file = (path: string) => ({ path, kind: 'file' as const, mode: 0o644, size: 1, uid: 0, gid: 0, layer: 0 });
  // Only the OS-package analyzers: language analyzers may claim other paths.
  const mine = (await defaultAnalyzers()).filter((a) => ['os-release', 'apk', 'dpkg', 'rpm'].includes(a.id));
  const claims = (path: string) => mine.filter((a) => a.required(path, file(path))).map((a) => a.id);
  assert.deepEqual(claims('/var/lib/dpkg/status'), ['dpkg']);
  assert.deepEqual(claims('/var/lib/dpkg/status.d/base-files'), ['os-release', 'dpkg']);
  assert.deepEqual(claims('/var/lib/dpkg/info/libc6:amd64.list'), ['dpkg']);
  assert.deepEqual(claims('/var/lib/dpkg/info/libc6:amd64.md5sums'), []);
  assert.deepEqual(claims('/usr/share/doc/bash/copyright'), ['dpkg']);
  assert.deepEqual(claims('/usr/share/doc/bash/examples/copyright'), []);
  assert.deepEqual(claims('/lib/apk/db/installed'), ['apk']);
  assert.deepEqual(claims('/var/lib/rpm/rpmdb.sqlite'), ['rpm']);
  assert.deepEqual(claims('/var/lib/rpm/Packages'), ['rpm']);
  assert.deepEqual(claims('/etc/os-release'), ['os-release']);
  assert.deepEqual(claims('/usr/bin/bash'), []);
  const dir = { ...file('/var/lib/dpkg/status'), kind: 'dir' as const };
  assert.equal(
    mine.some((a) => a.required(dir.path, dir)),
    false,
  );
});

test('every analyzer of the index is named in docs/analyzers.md', async () => {
  const page = readFileSync(new URL('../../../docs/analyzers.md', import.meta.url), 'utf8');
  assert.ok(existsSync(new URL('../../../docs/analyzers.md', import.meta.url)));
  for (const a of (await analyzerIndex()).all()) assert.ok(page.includes(`\`${a.id}\``), `docs/analyzers.md names \`${a.id}\``);
});
