// The folder rule of src/core: no folder imports a sibling that imports it
// back, directly or through others. The graph is computed from the sources
// (every import, export-from and import() of non-test files (tests and their .test-helpers.ts)), so a new
// upward import fails here with the files that make the cycle.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const CORE = dirname(fileURLToPath(import.meta.url));

type Graph = Map<string, Map<string, string[]>>;

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...sourceFiles(p));
    else if (e.name.endsWith('.ts') && !e.name.endsWith('.test.ts') && !e.name.endsWith('.test-helpers.ts')) out.push(p);
  }
  return out;
}

/** Folder of a file directly under src/core (`.` for the top-level files). */
function folderOf(file: string): string {
  const parts = relative(CORE, file).split(sep);
  return parts.length > 1 ? parts[0]! : '.';
}

function folderGraph(): Graph {
  const g: Graph = new Map();
  for (const file of sourceFiles(CORE)) {
    const from = folderOf(file);
    for (const ref of ts.preProcessFile(readFileSync(file, 'utf8'), true, true).importedFiles) {
      if (!ref.fileName.startsWith('.')) continue;
      const target = resolve(dirname(file), ref.fileName);
      if (!target.startsWith(CORE + sep)) continue;
      const to = folderOf(target);
      if (to === from || to === '.' || from === '.') continue;
      const edges = g.get(from) ?? new Map<string, string[]>();
      g.set(from, edges);
      const why = edges.get(to) ?? [];
      edges.set(to, why);
      why.push(`${relative(CORE, file)} -> ${ref.fileName}`);
    }
  }
  return g;
}

/** Strongly connected components with more than one folder (Tarjan). */
export function cycles(g: Graph): string[][] {
  let index = 0;
  const idx = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const on = new Set<string>();
  const out: string[][] = [];
  const nodes = new Set<string>([...g.keys(), ...[...g.values()].flatMap((m) => [...m.keys()])]);
  const visit = (v: string): void => {
    idx.set(v, index);
    low.set(v, index++);
    stack.push(v);
    on.add(v);
    for (const w of g.get(v)?.keys() ?? []) {
      if (!idx.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (on.has(w)) low.set(v, Math.min(low.get(v)!, idx.get(w)!));
    }
    if (low.get(v) === idx.get(v)) {
      const comp: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        on.delete(w);
        comp.push(w);
      } while (w !== v);
      if (comp.length > 1) out.push(comp.sort());
    }
  };
  for (const n of [...nodes].sort()) if (!idx.has(n)) visit(n);
  return out;
}

test('the cycle finder reports a folder cycle and accepts a layered graph', () => {
  const edge = (pairs: Array<[string, string]>): Graph => {
    const g: Graph = new Map();
    for (const [a, b] of pairs) {
      const m = g.get(a) ?? new Map<string, string[]>();
      m.set(b, [`${a}/x.ts -> ../${b}/y.js`]);
      g.set(a, m);
    }
    return g;
  };
  assert.deepEqual(
    cycles(
      edge([
        ['image', 'analyzers'],
        ['analyzers', 'image'],
        ['report', 'scan'],
      ]),
    ),
    [['analyzers', 'image']],
  );
  assert.deepEqual(
    cycles(
      edge([
        ['a', 'b'],
        ['b', 'c'],
        ['c', 'a'],
        ['d', 'a'],
      ]),
    ),
    [['a', 'b', 'c']],
  );
  assert.deepEqual(
    cycles(
      edge([
        ['image', 'inventory'],
        ['analyzers', 'inventory'],
        ['image', 'analyzers'],
      ]),
    ),
    [],
  );
});

test('no folder of src/core imports a sibling that imports it back', () => {
  const g = folderGraph();
  assert.ok(g.size > 5, 'the graph was computed from the sources');
  assert.ok(g.get('analyzers')?.has('inventory'), 'a known edge is seen');
  const found = cycles(g);
  const explain = found.map((comp) =>
    comp
      .map((a) =>
        comp
          .filter((b) => g.get(a)?.has(b))
          .map((b) => `  ${a} -> ${b}: ${g.get(a)!.get(b)![0]}`)
          .join('\n'),
      )
      .join('\n'),
  );
  assert.deepEqual(found, [], `import cycles between folders of src/core:\n${explain.join('\n')}`);
});
