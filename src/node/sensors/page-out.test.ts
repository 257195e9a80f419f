import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { COMPILER_LIBRARIES, pageOutFiles, pageOutOwnExecutable, readOnlyFileMappings, residentKiB } from './page-out.js';
import { readBounded } from './procfs.js';

const testdata = join(import.meta.dirname, 'testdata');
const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

describe('page-out', () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-page-out-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("selects bpftrace's read-only LLVM and clang mappings (a real /proc/PID/maps)", () => {
    const m = readOnlyFileMappings(readFileSync(join(testdata, 'bpftrace-maps.txt'), 'utf8'), COMPILER_LIBRARIES);
    assert.deepEqual(
      m.map((x) => `${x.perms} ${basename(x.path)}`),
      ['r-xp libLLVM-14.so.1', '---p libLLVM-14.so.1', 'r--p libLLVM-14.so.1', 'r-xp libclang-14.so.14.0.6', 'r--p libclang-14.so.14.0.6'],
    );
    assert.equal(m[0]!.start, 0x7fa5e8c00000);
    assert.equal(m[0]!.end, 0x7fa5eed62000);
    assert.ok(!COMPILER_LIBRARIES.test('/usr/lib/x86_64-linux-gnu/libc.so.6') && COMPILER_LIBRARIES.test('/usr/lib/libclang-cpp.so.17'));
  });

  it('sums what those mappings hold resident: file-backed, and file-backed only this process maps (a real smaps)', () => {
    // Taken while other bpftrace processes of the host shared most of the LLVM pages.
    const r = residentKiB(readFileSync(join(testdata, 'bpftrace-smaps.txt'), 'utf8'), COMPILER_LIBRARIES);
    assert.deepEqual(r, { rss: 62148, file: 52312, privateFile: 3448 });
  });

  it("has the kernel reclaim a real process's pages of a library only it maps", async (t) => {
    if (process.getuid?.() !== 0) return t.skip('process_madvise on another process needs CAP_SYS_NICE (CI runs this as root)');
    // `sleep` with its own copy of libc (LD_LIBRARY_PATH): pages no other process maps.
    const libc = (readBounded('/proc/self/maps') ?? '')
      .split('\n')
      .find((l) => /\/libc\.so\.6$/.test(l))
      ?.replace(/^.*\s(\/\S+)$/, '$1');
    if (!libc) return t.skip('no libc.so.6 mapped here');
    copyFileSync(libc, join(dir, 'libc.so.6'));
    const mine = new RegExp(`^${escape(dir)}/`);
    const child = spawn('sleep', ['30'], { env: { LD_LIBRARY_PATH: dir }, stdio: 'ignore' });
    try {
      for (let i = 0; i < 100 && !readOnlyFileMappings(readBounded(`/proc/${child.pid}/maps`) ?? '', mine).length; i++)
        await new Promise((r) => setTimeout(r, 20));
      let helper = 0;
      const r = await pageOutFiles(child.pid!, mine, { onHelper: (p) => (helper = p) });
      assert.ok(helper > 0 && helper !== child.pid);
      assert.ok(r.before.privateFile >= 64, `resident before: ${JSON.stringify(r.before)}`);
      assert.ok(r.advised > 0);
      assert.ok(r.after.privateFile <= r.before.privateFile / 8, `resident after: ${JSON.stringify(r.after)} (before ${JSON.stringify(r.before)})`);
      assert.equal(child.exitCode, null, 'the process runs on');
    } finally {
      child.kill('SIGKILL');
    }
  });

  it("advises the kernel about this process's own executable, its helper ignored for a while", async (t) => {
    if (process.getuid?.() !== 0) return t.skip('the agent runs as root');
    const ignore = new Set<number>();
    const r = await pageOutOwnExecutable(ignore, { helperIgnoreMs: 200 });
    // This host's other node processes map the same binary: the kernel may keep those pages; only the call is checked.
    assert.ok(r.advised > 0 && r.before.rss > 0, JSON.stringify(r));
    assert.equal(ignore.size, 1);
    await new Promise((res) => setTimeout(res, 400));
    assert.equal(ignore.size, 0);
  });

  it('fails with one line when it cannot', async () => {
    await assert.rejects(pageOutFiles(2 ** 22 + 1, COMPILER_LIBRARIES), /^Error: page-out: cannot read \/proc\/\d+\/maps$/);
    await assert.rejects(pageOutFiles(process.pid, /\/libc\.so\.6$/, { perl: join(dir, 'no-perl') }), /^Error: page-out: cannot run perl: /);
  });
});
