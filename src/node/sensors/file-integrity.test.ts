import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync, writeFileSync, utimesSync, renameSync, chmodSync } from 'node:fs';
import { join } from 'node:path';
import { FileIntegrity, hashFile, KEY_FILES } from './file-integrity.js';
import type { SyscallEvent } from '../../core/events/event.js';
import { tempFiles } from '../runtime/files.test-helpers.js';

const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('file integrity (inotify + content hashes)', () => {
  const { dir, file } = tempFiles('vigil-fim-');

  it('hashes content', async () => {
    const f = file('h', 'abc');
    assert.equal(await hashFile(f), 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    assert.equal(await hashFile(join(dir, 'none')), '');
    assert.equal(await hashFile(dir), '');
    assert.equal(await hashFile(f, 1), 'too-large');
    assert.ok(KEY_FILES.includes('/usr/bin/passwd'));
  });

  it('raises filechange on content change, replace and delete; not on touch or chmod', async () => {
    const ls = join(dir, 'ls');
    const ps = join(dir, 'ps');
    writeFileSync(ls, 'ELF-ls-v1');
    writeFileSync(ps, 'ELF-ps-v1');
    const evs: SyscallEvent[] = [];
    const fim = new FileIntegrity({ paths: [ls, ps], host: 'n', debounceMs: 30 });
    await fim.start({ event: (e) => evs.push(e) });
    try {
      utimesSync(ls, new Date(), new Date(Date.now() + 5000));
      chmodSync(ls, 0o755);
      await wait(300);
      assert.equal(evs.length, 0, 'touch and chmod change no content');
      fim.noteWrite(ls, { pid: 4242, ppid: 1, name: 'dd', uid: 0 });
      writeFileSync(ls, 'ELF-ls-trojan');
      await wait(300);
      assert.equal(evs.length, 1);
      assert.equal(evs[0]!.type, 'filechange');
      assert.equal(evs[0]!.args.path, ls);
      assert.notEqual(evs[0]!.args.oldSha256, evs[0]!.args.newSha256);
      assert.equal(evs[0]!.proc.name, 'dd', 'the writer the syscall sensor saw');
      // Replace by rename (sed -i, package managers).
      writeFileSync(join(dir, 'ps.new'), 'ELF-ps-v2');
      renameSync(join(dir, 'ps.new'), ps);
      await wait(300);
      assert.equal(evs.length, 2);
      assert.equal(evs[1]!.args.path, ps);
      rmSync(ls);
      await wait(300);
      assert.equal(evs.length, 3);
      assert.equal(evs[2]!.args.newSha256, '');
    } finally {
      await fim.stop();
    }
  });
});
