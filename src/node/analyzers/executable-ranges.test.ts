// The executable reducer over a file on disk (the `rootfs:` source's ranged
// reads): for real Go binaries Debian ships, Trivy's Go test binaries (old
// and inline layouts), a binary stripped of its section headers, a non-Go
// ELF and a script, the summary read in ranges equals the summary of the
// whole file, and only a few KiB of each file are read.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import type { ByteSource } from '../../core/analyzers/byte-source.js';
import { summarizeExecutable } from '../../core/analyzers/executable.js';
import { withFileRanges } from '../image/rootfs.js';
import { withTempDir } from '../../../test/helpers/temp-dir.js';

/** Installed by .ci/apt-packages.txt (skopeo, umoci, docker.io). */
const DEBIAN_GO = ['/usr/bin/skopeo', '/usr/bin/umoci', '/usr/bin/containerd', '/usr/sbin/dockerd'];

function counted(src: ByteSource): { src: ByteSource; bytes: () => number; reads: () => number } {
  let bytes = 0;
  let reads = 0;
  return {
    src: {
      size: src.size,
      read: (o, n) => {
        const b = src.read(o, n);
        bytes += b.length;
        reads++;
        return b;
      },
    },
    bytes: () => bytes,
    reads: () => reads,
  };
}

test('executable summary read in ranges from disk: same as from the whole file, a few KiB read', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'vigil-exe-ranges-'));
  try {
    const files: Array<{ path: string; go: boolean; maxBytes: number }> = [];
    for (const b of DEBIAN_GO) {
      assert.ok(existsSync(b), `${b} missing (see .ci/apt-packages.txt)`);
      files.push({ path: realpathSync(b), go: true, maxBytes: 160 * 1024 });
    }
    for (const t of ['test.elf', 'main-version-via-ldflags.elf', 'goexperiment']) {
      const p = join(tmp, t);
      writeFileSync(p, gunzipSync(readFileSync(new URL(`../../core/analyzers/testdata/trivy/go-binary/${t}.gz`, import.meta.url))));
      files.push({ path: p, go: true, maxBytes: 160 * 1024 });
    }
    // Section headers gone (e_shoff = e_shnum = 0): the writable segment is searched.
    const bare = Buffer.from(readFileSync(join(tmp, 'main-version-via-ldflags.elf')));
    bare.writeBigUInt64LE(0n, 0x28);
    bare.writeUInt16LE(0, 0x3c);
    writeFileSync(join(tmp, 'bare'), bare);
    files.push({ path: join(tmp, 'bare'), go: true, maxBytes: 160 * 1024 });
    // Not Go: an ordinary ELF (its headers and section names are read, nothing else) and a script (its first 4 KiB).
    files.push({ path: realpathSync('/usr/bin/env'), go: false, maxBytes: 16 * 1024 });
    writeFileSync(join(tmp, 'script.sh'), '#!/bin/sh\n' + 'echo hello\n'.repeat(1000));
    files.push({ path: join(tmp, 'script.sh'), go: false, maxBytes: 4096 });

    for (const f of files) {
      const whole = summarizeExecutable(readFileSync(f.path));
      let c: ReturnType<typeof counted> | undefined;
      const ranged = withFileRanges(f.path, (src) => summarizeExecutable((c = counted(src)).src));
      assert.deepEqual(ranged, whole, f.path);
      assert.equal('go' in ranged && ranged.go !== undefined && !('error' in ranged.go), f.go, `${f.path}: Go build info read`);
      assert.ok(c!.bytes() <= f.maxBytes, `${f.path}: read ${c!.bytes()} bytes in ${c!.reads()} reads`);
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
});

test('withFileRanges: reads are clamped to the file, a symlink is not followed, a directory is refused', () => {
  withTempDir('vigil-exe-ranges-', (tmp) => {
    const p = join(tmp, 'f');
    writeFileSync(p, 'abcdef');
    withFileRanges(p, (src) => {
      assert.equal(src.size, 6);
      assert.equal(src.read(2, 100).toString(), 'cdef');
      assert.equal(src.read(6, 10).length, 0);
    });
    const link = join(tmp, 'l');
    symlinkSync(p, link);
    assert.throws(() => withFileRanges(link, () => 0), /ELOOP|symbolic/);
    assert.throws(() => withFileRanges(tmp, () => 0), /EISDIR|no longer a regular file/);
  });
});
