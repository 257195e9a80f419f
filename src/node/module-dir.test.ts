import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, test } from 'node:test';
import type { ModuleMeta } from '../core/module-index.js';
import { loadModule, loadModuleDir, moduleFiles, once } from './module-dir.js';

const root = mkdtempSync(join(tmpdir(), 'vigil-module-dir-'));
after(() => rmSync(root, { recursive: true, force: true }));

interface Greeter extends ModuleMeta {
  greet(): string;
}
const isGreeter = (m: unknown): m is Greeter => typeof (m as Greeter)?.id === 'string' && typeof (m as Greeter).greet === 'function';

let n = 0;
function dir(files: Record<string, string>): URL {
  const d = join(root, `d${n++}`);
  mkdirSync(d);
  for (const [f, text] of Object.entries(files)) writeFileSync(join(d, f), text);
  return pathToFileURL(d + '/');
}
const greeter = (id: string) => `export default { id: '${id}', version: 1, greet: () => 'hello from ${id}' };\n`;

test('every module file of the directory is in the index; tests, declarations and _helpers are not', async () => {
  const d = dir({
    'b-two.mjs': greeter('b-two'),
    'a.mjs': greeter('a'),
    'a.test.mjs': 'throw new Error("not loaded")',
    'x.d.ts': '',
    '_helper.mjs': 'throw new Error("not loaded")',
    'README.md': '',
  });
  assert.deepEqual(
    moduleFiles(d).map(([id]) => id),
    ['a', 'b-two'],
  );
  const index = await loadModuleDir('greeter', d, isGreeter);
  assert.deepEqual(
    index.all().map((m) => m.id),
    ['a', 'b-two'],
  );
  assert.equal(index.require('b-two').greet(), 'hello from b-two');
});

test('adding a module is adding its file: the next load has it', async () => {
  const files = { 'a.mjs': greeter('a') };
  const d = dir(files);
  assert.equal((await loadModuleDir('greeter', d, isGreeter)).size, 1);
  writeFileSync(new URL('c.mjs', d), greeter('c'));
  assert.deepEqual(
    (await loadModuleDir('greeter', d, isGreeter)).all().map((m) => m.id),
    ['a', 'c'],
  );
});

test('a file whose id is not its name, or that exports no module, fails the load naming the file', async () => {
  await assert.rejects(
    loadModuleDir('greeter', dir({ 'a.mjs': greeter('b') }), isGreeter),
    /greeter module a\.mjs has id b; the file must be named after its id/,
  );
  await assert.rejects(
    loadModuleDir('greeter', dir({ 'a.mjs': 'export const x = 1;\n' }), isGreeter),
    /greeter module a\.mjs does not default-export a greeter/,
  );
});

test('once loads once and retries after a failure', async () => {
  let calls = 0;
  const f = once(async () => {
    calls++;
    if (calls === 1) throw new Error('first');
    return calls;
  });
  await assert.rejects(f(), /first/);
  assert.equal(await f(), 2);
  assert.equal(await f(), 2);
  assert.equal(calls, 2);
});

test('loadModule loads the one file named after the id, and nothing else of the directory', async () => {
  const d = dir({
    'wanted.mjs': greeter('wanted'),
    'broken.mjs': 'throw new Error("loaded although not asked for")',
    'misnamed.mjs': greeter('other'),
  });
  assert.equal((await loadModule('greeter', d, 'wanted', isGreeter))?.greet(), 'hello from wanted');
  assert.equal(await loadModule('greeter', d, 'absent', isGreeter), undefined);
  // An id is only compared with the file names: a path never reaches import().
  assert.equal(await loadModule('greeter', d, '../wanted', isGreeter), undefined);
  await assert.rejects(loadModule('greeter', d, 'misnamed', isGreeter), /misnamed\.mjs has id other/);
});
