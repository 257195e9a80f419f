import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SquashedTree } from './file-tree.js';
import { normalizePath } from './path.js';
import { expectCases } from '../expect-cases.test-helpers.js';
import type { EntryKind, FileEntry } from '../inventory/types.js';

function e(path: string, layer: number, kind: EntryKind = 'file', linkTarget?: string): FileEntry {
  const x: FileEntry = { path, kind, mode: 0o644, size: 1, uid: 0, gid: 0, layer };
  if (linkTarget !== undefined) x.linkTarget = linkTarget;
  return x;
}

describe('normalizePath', () => {
  it('makes every name absolute and clamps .. at the root', () => {
    expectCases(normalizePath, [
      ['etc/passwd', '/etc/passwd'],
      ['./etc/passwd', '/etc/passwd'],
      ['/etc/passwd', '/etc/passwd'],
      ['etc/', '/etc'],
      ['./', '/'],
      ['', '/'],
      ['../../etc/shadow', '/etc/shadow'],
      ['a/b/../../../c', '/c'],
      ['a//b/./c/', '/a/b/c'],
      ['/..', '/'],
      ['.wh..wh..opq', '/.wh..wh..opq'],
      ['a/..b', '/a/..b'],
    ]);
  });
});

describe('SquashedTree', () => {
  it('creates parents, lists children sorted and lists all entries sorted by path', () => {
    const t = new SquashedTree();
    t.add(e('/usr/bin/b', 0));
    t.add(e('/usr/bin/a', 0));
    t.add(e('/usr-x', 0));
    assert.equal(t.get('/usr')?.kind, 'dir');
    assert.deepEqual(
      t.list('/usr/bin').map((x) => x.path),
      ['/usr/bin/a', '/usr/bin/b'],
    );
    assert.deepEqual(
      [...t.entries()].map((x) => x.path),
      ['/usr', '/usr-x', '/usr/bin', '/usr/bin/a', '/usr/bin/b'],
    );
    assert.equal(t.size, 5);
  });

  it('removes a subtree and clears an opaque directory', () => {
    const t = new SquashedTree();
    for (const p of ['/a/x', '/a/y/z', '/b/c']) t.add(e(p, 0));
    t.remove('/a/y');
    assert.equal(t.get('/a/y/z'), undefined);
    assert.ok(t.get('/a/x'));
    t.clear('/a');
    assert.ok(t.get('/a'));
    assert.deepEqual(t.list('/a'), []);
    assert.equal(t.size, 3);
  });

  it('replaces a directory by a file and a file by a directory', () => {
    const t = new SquashedTree();
    t.add(e('/d/f', 0));
    assert.equal(t.add(e('/d', 1)), true, 'children were dropped');
    assert.equal(t.get('/d/f'), undefined);
    t.add(e('/d/g', 2));
    assert.equal(t.get('/d')?.kind, 'dir');
    assert.equal(t.get('/d/g')?.layer, 2);
    // A dir over a dir keeps the children.
    t.add(e('/d', 3, 'dir'));
    assert.ok(t.get('/d/g'));
  });

  it('resolves relative and absolute symlinks, through directories, clamped to the root', () => {
    const t = new SquashedTree();
    t.add(e('/usr/lib/os-release', 0));
    t.add(e('/etc/os-release', 0, 'symlink', '../usr/lib/os-release'));
    t.add(e('/lib', 0, 'symlink', 'usr/lib'));
    t.add(e('/abs', 0, 'symlink', '/usr/lib'));
    t.add(e('/escape', 0, 'symlink', '../../../../../usr/lib/os-release'));
    assert.equal(t.resolve('/etc/os-release')?.path, '/usr/lib/os-release');
    assert.equal(t.resolve('/lib/os-release')?.path, '/usr/lib/os-release');
    assert.equal(t.resolve('/abs/os-release')?.path, '/usr/lib/os-release');
    assert.equal(t.resolve('/escape')?.path, '/usr/lib/os-release');
    assert.equal(t.resolve('/lib/../etc/os-release')?.path, '/usr/lib/os-release', '.. after a followed link is taken from the target');
    assert.equal(t.resolve('/missing'), undefined);
  });

  it('terminates on symlink loops and on chains deeper than the limit', () => {
    const t = new SquashedTree(5);
    t.add(e('/a', 0, 'symlink', 'b'));
    t.add(e('/b', 0, 'symlink', '/a'));
    t.add(e('/self', 0, 'symlink', '.'));
    assert.equal(t.resolve('/a'), undefined);
    assert.equal(t.resolve('/a/x/y'), undefined);
    assert.equal(t.resolve('/self/self/self/self/self/self/self'), undefined);
    for (let i = 0; i < 10; i++) t.add(e(`/c${i}`, 0, 'symlink', `/c${i + 1}`));
    t.add(e('/c10', 0));
    assert.equal(t.resolve('/c6')?.path, '/c10');
    assert.equal(t.resolve('/c0'), undefined, 'deeper than 5');
  });

  it('gives a hard link the size of its target', () => {
    const t = new SquashedTree();
    t.add({ ...e('/bin/a', 0), size: 99 });
    t.add(e('/bin/b', 0, 'hardlink', '/bin/a'));
    assert.equal(t.get('/bin/b')?.size, 99);
  });
});
