// The background checkpointer moves committed pages from the WAL into the
// database file without the writer checkpointing: the main file grows while
// the WAL holds fewer pages than the writer's own threshold.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore } from './store.js';
import { SAFETY_NET_PAGES } from './sqlite-checkpointer.js';

async function grows(file: string, from: number, ms: number): Promise<boolean> {
  for (let waited = 0; waited < ms; waited += 50) {
    if (statSync(file).size > from) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return false;
}

for (const background of [true, false]) {
  test(`SQLite WAL checkpoints ${background ? 'run in a worker thread' : 'wait for the writer without the worker'}`, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vigil-ckpt-'));
    const file = join(dir, 'vigil.db');
    const store = await openStore(`sqlite:${file}`, { backgroundCheckpoints: background });
    try {
      if (!background) store.sqlite!.pragma(`wal_autocheckpoint = ${SAFETY_NET_PAGES}`);
      await new Promise((r) => setTimeout(r, 300));
      const before = statSync(file).size;
      // ~4 MiB in one transaction: about 1000 pages, far below the writer's own threshold.
      store.sqlite!.transaction(() => {
        const ins = store.sqlite!.prepare('insert into settings (key, value, updated_at) values (?, ?, ?)');
        for (let i = 0; i < 2000; i++) ins.run(`k${i}`, 'x'.repeat(2000), '');
      })();
      assert.equal(await grows(file, before, background ? 5000 : 600), background);
      assert.equal((await store.db.selectFrom('settings').select('key').where('key', '=', 'k1999').executeTakeFirst())?.key, 'k1999');
    } finally {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
}
