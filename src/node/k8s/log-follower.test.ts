import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, renameSync, rmSync, truncateSync, writeFileSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AuditLogFollower, type FollowedLine } from './log-follower.js';

function setup() {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-follow-'));
  const path = join(dir, 'audit.log');
  const state = join(dir, 'state', 'follow.json');
  const seen: string[] = [];
  const warnings: string[] = [];
  const make = () =>
    new AuditLogFollower({
      path,
      stateFile: state,
      chunkBytes: 7,
      onLines: (ls: FollowedLine[]) => {
        for (const l of ls) seen.push(l.text ?? `<long ${l.bytes}>`);
      },
      onWarning: (m) => warnings.push(m),
    });
  /** A new follower (a restart): its saved position loaded and one poll done. */
  const polled = async () => {
    const f = make();
    await f.init();
    await f.pollOnce();
    return f;
  };
  /** Rotation by rename: the log moves to `name` in the same folder. */
  const rotate = (name: string) => renameSync(path, join(dir, name));
  return { dir, path, seen, warnings, make, polled, rotate };
}

/** A test with a fresh log folder (removed after). */
function followerTest(name: string, fn: (t: ReturnType<typeof setup>) => Promise<void>): void {
  test(name, async () => {
    const t = setup();
    try {
      await fn(t);
    } finally {
      rmSync(t.dir, { recursive: true, force: true });
    }
  });
}

followerTest('partial last lines wait for their newline', async (t) => {
  writeFileSync(t.path, 'a1\na2\na3-part');
  const f = t.make();
  await f.init();
  assert.equal(await f.pollOnce(), 2);
  assert.deepEqual(t.seen, ['a1', 'a2']);
  appendFileSync(t.path, 'ial\n');
  await f.pollOnce();
  assert.deepEqual(t.seen, ['a1', 'a2', 'a3-partial']);
  assert.equal(await f.pollOnce(), 0);
});

followerTest('rotation by rename: the old file is finished, then the new one is read from its start', async (t) => {
  writeFileSync(t.path, 'b1\nb2\n');
  const f = await t.polled();
  appendFileSync(t.path, 'b3\nb4-no-newline');
  t.rotate('audit-2024-01-01T00-00-00.000.log');
  // Between rename and re-creation the follower already finishes the old file.
  await f.pollOnce();
  writeFileSync(t.path, 'c1\nc2\n');
  await f.pollOnce();
  // Two rotations in one poll interval: only the latest old file can be finished by inode.
  appendFileSync(t.path, 'c3\n');
  t.rotate('audit-2024-01-01T00-00-01.000.log');
  writeFileSync(t.path, 'd1\n');
  await f.pollOnce();
  assert.deepEqual(t.seen, ['b1', 'b2', 'b3', 'b4-no-newline', 'c1', 'c2', 'c3', 'd1']);
});

followerTest('truncation (shorter, and regrown past the old offset) restarts at 0', async (t) => {
  writeFileSync(t.path, 'e1\ne2\ne3\n');
  const f = await t.polled();
  truncateSync(t.path, 0);
  appendFileSync(t.path, 'f1\n');
  await f.pollOnce();
  truncateSync(t.path, 0);
  appendFileSync(t.path, 'g1-longer-than-before\ng2\n');
  await f.pollOnce();
  assert.deepEqual(t.seen, ['e1', 'e2', 'e3', 'f1', 'g1-longer-than-before', 'g2']);
  assert.equal(t.warnings.length, 2);
});

followerTest('restart: nothing lost or repeated, also when the file rotated while down', async (t) => {
  writeFileSync(t.path, 'h1\nh2\nh3-par');
  let f = await t.polled();
  // restart with the same file
  appendFileSync(t.path, 't\nh4\n');
  f = await t.polled();
  assert.deepEqual(t.seen, ['h1', 'h2', 'h3-part', 'h4']);
  // down while the log rotates twice... only the newest rotated file still has our inode
  appendFileSync(t.path, 'h5\n');
  t.rotate('audit-2024-01-02T00-00-00.000.log');
  writeFileSync(t.path, 'i1\n');
  f = await t.polled();
  assert.deepEqual(t.seen, ['h1', 'h2', 'h3-part', 'h4', 'h5', 'i1']);
  // down while the log rotates twice: the file we were in, then the backup after it, then the new file
  appendFileSync(t.path, 'i1b\n');
  t.rotate('audit-2024-01-03T00-00-00.000.log');
  writeFileSync(t.path, 'k1\nk2\n');
  t.rotate('audit-2024-01-04T00-00-00.000.log');
  writeFileSync(t.path, 'l1\n');
  f = await t.polled();
  assert.deepEqual(t.seen.slice(-4), ['i1b', 'k1', 'k2', 'l1']);
  await f.pollOnce();
  assert.equal(t.seen.length, 10);
  // a rotated file pruned while down is reported, the new file read from its start
  appendFileSync(t.path, 'i2\n');
  t.rotate('gone.log');
  unlinkSync(join(t.dir, 'gone.log'));
  writeFileSync(t.path, 'j1\n');
  f = await t.polled();
  assert.deepEqual(t.seen.slice(-1), ['j1']);
  // (the new file may reuse the deleted file's inode: the first-line hash tells them apart)
  assert.ok(t.warnings.some((w) => /is gone|rewritten/.test(w)));
});

followerTest('over-long lines are reported, not buffered, and a bad state file is an input error', async (t) => {
  writeFileSync(t.path, `${'x'.repeat(100)}\nok\n`);
  const f = new AuditLogFollower({
    path: t.path,
    maxLineBytes: 10,
    chunkBytes: 16,
    onLines: (ls) => {
      for (const l of ls) t.seen.push(l.text ?? `<long ${l.bytes}>`);
    },
  });
  await f.pollOnce();
  assert.deepEqual(t.seen, ['<long 100>', 'ok']);
  const bad = join(t.dir, 'bad.json');
  writeFileSync(bad, '{nope');
  const g = new AuditLogFollower({ path: t.path, stateFile: bad, onLines: () => {} });
  await assert.rejects(g.init(), /not JSON/);
  writeFileSync(bad, JSON.stringify({ version: 1, path: t.path, ino: 'x', offset: -1 }));
  await assert.rejects(g.init(), /unknown shape/);
  writeFileSync(bad, ' '.repeat(100_000));
  await assert.rejects(g.init(), /larger than 64 KiB/);
});

followerTest('run() polls until aborted with the injected sleep', async (t) => {
  writeFileSync(t.path, 'k1\n');
  const ac = new AbortController();
  let polls = 0;
  const f = new AuditLogFollower({
    path: t.path,
    onLines: (ls) => {
      for (const l of ls) t.seen.push(l.text!);
    },
    sleep: async () => {
      polls++;
      if (polls === 1) appendFileSync(t.path, 'k2\n');
      if (polls === 2) ac.abort();
    },
  });
  await f.run(ac.signal);
  assert.deepEqual(t.seen, ['k1', 'k2']);
});

followerTest('rotations while a poll is in flight: every line once, in order', async (t) => {
  // The path is renamed away and recreated between the poll's system calls; a
  // poll that looked at the path twice (identity, then content) read the new
  // file as the old one, repeating and reordering lines.
  const line = (i: number) => `r${String(i).padStart(5, '0')}`;
  let n = 0;
  writeFileSync(t.path, `${line(n++)}\n`);
  const f = await t.polled();
  for (let round = 0; round < 200; round++) {
    const poll = f.pollOnce();
    for (let i = 0; i < round % 4; i++) await new Promise((r) => setImmediate(r));
    appendFileSync(t.path, `${line(n++)}\n`);
    renameSync(t.path, join(t.dir, `audit-${String(round).padStart(5, '0')}.log`));
    writeFileSync(t.path, `${line(n++)}\n`);
    await poll;
  }
  await f.pollOnce();
  assert.deepEqual(
    t.seen,
    Array.from({ length: n }, (_, i) => line(i)),
  );
  assert.deepEqual(t.warnings, []);
});
