import assert from 'node:assert/strict';
import { test } from 'node:test';
import { GroupCommit } from './group-commit.js';

test('group commit: the first item commits at once, items that arrive during a commit share the next one, per key', async () => {
  const commits: Array<[string, number[]]> = [];
  let release: (() => void) | undefined;
  const g = new GroupCommit<number, number>(async (key, items) => {
    commits.push([key, items]);
    if (!release) await new Promise<void>((r) => (release = r));
    return items.map((x) => x * 10);
  });
  const first = g.submit('p1', 1, 1);
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(commits, [['p1', [1]]], 'committed without waiting for company');
  const later = [g.submit('p1', 2, 1), g.submit('p2', 3, 1), g.submit('p1', 4, 1)];
  assert.equal(commits.length, 1, 'nothing else starts while a commit runs');
  release!();
  assert.deepEqual(await Promise.all([first, ...later]), [10, 20, 30, 40], 'each item gets its own answer');
  assert.deepEqual(commits, [
    ['p1', [1]],
    ['p1', [2, 4]],
    ['p2', [3]],
  ]);
});

test('group commit: a failed commit rejects only its items; the size cap splits a backlog', async () => {
  const sizes: number[] = [];
  let gate: Promise<void> | undefined = new Promise<void>((r) => setTimeout(r, 20));
  const g = new GroupCommit<string, string>(async (key, items) => {
    if (gate) {
      const w = gate;
      gate = undefined;
      await w;
    }
    sizes.push(items.length);
    if (key === 'bad') throw new Error('disk full');
    return items;
  }, 3);
  const held = g.submit('ok', 'a', 1);
  const rest = ['b', 'c', 'd', 'e'].map((x) => g.submit('ok', x, 1));
  const bad = g.submit('bad', 'z', 1);
  assert.deepEqual(await Promise.all([held, ...rest]), ['a', 'b', 'c', 'd', 'e']);
  await assert.rejects(bad, /disk full/);
  assert.deepEqual(sizes, [1, 3, 1, 1], 'at most 3 per commit: b c d, then e and z (two keys)');
});

test('group commit: with a minimum interval, items that arrive meanwhile (over several I/O turns) share the next commit; a lone item commits at once', async () => {
  const commits: number[][] = [];
  // A synchronous commit, as better-sqlite3's: nothing else runs while it does.
  const sync = (interval: number) =>
    new GroupCommit<number, number>(
      async (_key, items) => {
        commits.push(items);
        return items;
      },
      5000,
      interval,
    );
  const turn = () => new Promise((r) => setImmediate(r));
  const g = sync(1000);
  const first = g.submit('p', 0, 1);
  await turn();
  assert.deepEqual(commits, [[0]], 'the first item commits at once, without waiting for company');
  assert.equal(await first, 0);
  const later: Array<Promise<number>> = [];
  for (const x of [1, 2, 3, 4, 5]) {
    later.push(g.submit('p', x, 1));
    await turn();
  }
  assert.deepEqual(commits, [[0]], 'the next commit waits for the interval');
  assert.deepEqual(await Promise.all(later), [1, 2, 3, 4, 5]);
  assert.deepEqual(commits, [[0], [1, 2, 3, 4, 5]], 'one commit for the five, not one each');
  commits.length = 0;
  const each = sync(0);
  const all: Array<Promise<number>> = [];
  for (const x of [1, 2, 3]) {
    all.push(each.submit('p', x, 1));
    await turn();
  }
  await Promise.all(all);
  assert.deepEqual(commits, [[1], [2], [3]], 'without the interval a synchronous store commits each alone (what the interval is for)');
});

test('group commit: with concurrency 2 a second commit starts while the first runs, a third waits for a free slot; answers stay per item', async () => {
  const started: number[][] = [];
  const gates: Array<() => void> = [];
  const g = new GroupCommit<number, number>(
    async (_key, items) => {
      started.push(items);
      await new Promise<void>((r) => gates.push(r));
      return items.map((x) => -x);
    },
    5000,
    0,
    2,
  );
  const turn = () => new Promise((r) => setImmediate(r));
  const a = g.submit('p', 1, 1);
  await turn();
  const b = g.submit('p', 2, 1);
  await turn();
  assert.deepEqual(started, [[1], [2]], 'the second commit does not queue behind the first');
  const c = [g.submit('p', 3, 1), g.submit('q', 4, 1)];
  await turn();
  assert.equal(started.length, 2, 'both slots busy: the rest waits');
  gates[1]!();
  assert.equal(await b, -2, 'the second commit answers before the first');
  await turn();
  assert.deepEqual(started[2], [3], 'a freed slot takes what waited, one key after the other (p first)');
  gates[0]!();
  assert.equal(await a, -1);
  gates[2]!();
  for (let i = 0; i < 10 && gates.length < 4; i++) await turn();
  gates[3]!();
  assert.deepEqual(await Promise.all(c), [-3, -4]);
  assert.deepEqual(started, [[1], [2], [3], [4]]);
});

test("group commit: the timing hook is told each item's wait for its commit and each commit's duration and size", async () => {
  const waited: Array<[number, number]> = [];
  const committed: Array<[number, number]> = [];
  let release: (() => void) | undefined;
  const g = new GroupCommit<string, string>(
    async (_key, items) => {
      if (!release) await new Promise<void>((r) => (release = r));
      return items;
    },
    5000,
    0,
    1,
    { waited: (ms, size) => waited.push([ms, size]), committed: (ms, size) => committed.push([ms, size]) },
  );
  const first = g.submit('p', 'a', 1);
  const t0 = performance.now();
  const later = [g.submit('p', 'b', 3), g.submit('p', 'c', 2)];
  await new Promise((r) => setTimeout(r, 60));
  release!();
  await Promise.all([first, ...later]);
  const held = performance.now() - t0;
  assert.equal(waited.length, 3);
  assert.ok(waited[0]![0] < 30, `the first item started at once (${waited[0]![0]} ms)`);
  assert.deepEqual(
    waited.slice(1).map(([, n]) => n),
    [3, 2],
  );
  assert.ok(
    waited.slice(1).every(([ms]) => ms >= 55 && ms <= held + 1),
    `the others waited for the first commit: ${JSON.stringify(waited)}`,
  );
  assert.deepEqual(
    committed.map(([, n]) => n),
    [1, 5],
    'two commits: the first alone, then the two that waited (sizes summed)',
  );
  assert.ok(committed[0]![0] >= 55, `the first commit lasted while it was held (${committed[0]![0]} ms)`);
});
