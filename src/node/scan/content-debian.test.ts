// `image.files` next to a real Debian package set: layer 0 holds files of the
// debootstrap'ed bookworm minbase (its dpkg database, /etc, /usr/bin, /usr/sbin
// and the merged-/usr symlinks), layer 1 files added by hand. Only the added
// files may come out as unowned (besides noise-rule files), and the clean twin
// (layer 0 alone) lists nothing under /usr/bin or /usr/sbin.
import assert from 'node:assert/strict';
import { existsSync, lstatSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { writeDockerArchive, type FileSpec } from '../../../test/helpers/image-builder.js';
import { runScan } from './run-scan.js';

const root = process.env.VIGIL_TEST_DEBIAN_ROOTFS ?? '/var/cache/vigil-ci/bookworm-minbase';
const skip = !existsSync(`${root}/var/lib/dpkg/status`) && process.getuid?.() !== 0 ? `no Debian rootfs at ${root} (set VIGIL_TEST_DEBIAN_ROOTFS)` : false;

function collect(rel: string, out: FileSpec[]): void {
  const full = join(root, rel);
  const st = lstatSync(full);
  if (st.isSymbolicLink()) out.push({ path: rel, type: 'symlink', linkname: readlinkSync(full) });
  else if (st.isDirectory()) {
    out.push({ path: rel, type: 'dir', mode: st.mode & 0o7777 });
    for (const n of readdirSync(full).sort()) collect(`${rel}/${n}`, out);
  } else if (st.isFile()) out.push({ path: rel, content: readFileSync(full), mode: st.mode & 0o7777, uid: st.uid, gid: st.gid });
}

test('unowned files next to a real Debian package set, and the clean twin', { skip }, async () => {
  const base: FileSpec[] = [];
  for (const top of ['bin', 'sbin', 'lib', 'lib64']) if (existsSync(join(root, top))) collect(top, base);
  for (const d of ['etc', 'usr/bin', 'usr/sbin', 'var/lib/dpkg']) collect(d, base);
  const added: FileSpec[] = [
    { path: 'usr/bin/kdevtmpfsi', content: Buffer.from('\x7fELF dropped'), mode: 0o755 },
    { path: 'usr/local/bin/backdoor', content: Buffer.from('\x7fELF suid'), mode: 0o4755 },
    { path: 'opt/app/run.sh', content: '#!/bin/sh\nexec /opt/app/server\n', mode: 0o755 },
    { path: 'etc/cron.d/update', content: '* * * * * root /usr/bin/kdevtmpfsi\n' },
  ];
  const dir = await mkdtemp(join(tmpdir(), 'vigil-content-deb-'));
  try {
    await writeDockerArchive(join(dir, 'twin.tar'), { layers: [{ files: base, compression: 'none' }] });
    await writeDockerArchive(join(dir, 'added.tar'), {
      layers: [
        { files: base, compression: 'none' },
        { files: added, compression: 'none', createdBy: 'COPY . /' },
      ],
    });
    const twin = await runScan(`docker-archive:${join(dir, 'twin.tar')}`, { scanners: ['files'] });
    const withAdded = await runScan(`docker-archive:${join(dir, 'added.tar')}`, { scanners: ['files'] });
    assert.ok(twin.packages.length > 50, 'the dpkg database was read');
    // Merged /usr: dpkg lists /bin/bash, the file is /usr/bin/bash; none of the real binaries is unowned.
    assert.deepEqual(
      twin.files.filter((f) => /^\/usr\/s?bin\//.test(f.path)).map((f) => f.path),
      [],
    );
    const twinPaths = new Set(twin.files.map((f) => f.path));
    const extra = withAdded.files.filter((f) => !twinPaths.has(f.path));
    assert.deepEqual(extra.map((f) => f.path).sort(), ['/etc/cron.d/update', '/opt/app/run.sh', '/usr/bin/kdevtmpfsi', '/usr/local/bin/backdoor']);
    for (const f of extra) {
      assert.equal(f.layer?.index, 1);
      assert.equal(f.noise, undefined, f.path);
      assert.match(f.sha256 ?? '', /^[0-9a-f]{64}$/);
    }
    const bd = extra.find((f) => f.path === '/usr/local/bin/backdoor')!;
    assert.deepEqual([bd.setuid, bd.executable, bd.mode], [true, true, 0o4755]);
    assert.equal(extra.find((f) => f.path === '/etc/cron.d/update')!.executable, false);
    // Expected unowned files are explained, not dropped: the dpkg database is listed with its noise rule.
    assert.equal(twin.files.find((f) => f.path === '/var/lib/dpkg/status')?.noise, 'package-db');
    assert.ok(
      twin.files.filter((f) => !f.noise).length < 20,
      twin.files
        .filter((f) => !f.noise)
        .map((f) => f.path)
        .join(' '),
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
