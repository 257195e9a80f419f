// Every user-visible string of the console goes through the i18n layer:
// this test parses each .tsx file of web/src and fails on text in JSX, on
// user-visible attributes (title, placeholder, aria-label, ...) and on
// table/option/menu labels given as string literals with letters in them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const VISIBLE_ATTRS = new Set([
  'title',
  'placeholder',
  'aria-label',
  'alt',
  'label',
  'okText',
  'cancelText',
  'message',
  'description',
  'extra',
  'tooltip',
  'checkedChildren',
  'unCheckedChildren',
  'emptyText',
]);
const VISIBLE_PROPS = new Set(['title', 'label', 'emptyText', 'placeholder', 'message', 'description', 'okText', 'cancelText']);
const LETTERS = /\p{L}/u;

export function hardCodedStrings(file: string, source: string): string[] {
  const sf = ts.createSourceFile(file, source, ts.ScriptTarget.Latest, true, ts.ScriptKind.TSX);
  const out: string[] = [];
  const at = (n: ts.Node, what: string) => {
    const { line } = sf.getLineAndCharacterOfPosition(n.getStart(sf));
    out.push(`${file}:${line + 1}: ${what}`);
  };
  const visit = (n: ts.Node) => {
    if (ts.isJsxText(n) && LETTERS.test(n.text)) at(n, `text in JSX: ${JSON.stringify(n.text.trim())}`);
    if (ts.isJsxAttribute(n) && n.initializer) {
      const name = n.name.getText(sf);
      const init = n.initializer;
      const lit = ts.isStringLiteral(init)
        ? init
        : ts.isJsxExpression(init) && init.expression && ts.isStringLiteral(init.expression)
          ? init.expression
          : undefined;
      if (lit && VISIBLE_ATTRS.has(name) && LETTERS.test(lit.text)) at(n, `${name}="${lit.text}"`);
    }
    if (
      ts.isJsxExpression(n) &&
      n.expression &&
      (ts.isStringLiteral(n.expression) || ts.isNoSubstitutionTemplateLiteral(n.expression)) &&
      ts.isJsxElement(n.parent) &&
      LETTERS.test(n.expression.text)
    ) {
      at(n, `string child: ${JSON.stringify(n.expression.text)}`);
    }
    if (ts.isPropertyAssignment(n) && VISIBLE_PROPS.has(n.name.getText(sf)) && ts.isStringLiteral(n.initializer) && LETTERS.test(n.initializer.text)) {
      at(n, `${n.name.getText(sf)}: '${n.initializer.text}'`);
    }
    ts.forEachChild(n, visit);
  };
  visit(sf);
  return out;
}

function tsxFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? tsxFiles(join(dir, e.name)) : e.name.endsWith('.tsx') ? [join(dir, e.name)] : [],
  );
}

test('the checker finds hard-coded strings of every kind it knows', () => {
  const src = `
    const cols = [{ title: 'Name', dataIndex: 'name' }, { title: '#' }];
    export const A = () => <div title="Hello"><p>Welcome back</p>{'Click'}<Input placeholder={'Search'} /><span>{t('ok')}</span><b>—</b></div>;
  `;
  const found = hardCodedStrings('x.tsx', src);
  assert.equal(found.length, 5, found.join('\n'));
  assert.ok(found.some((f) => f.includes("title: 'Name'")));
  assert.ok(found.some((f) => f.includes('Welcome back')));
  assert.ok(found.some((f) => f.includes('placeholder="Search"')));
  assert.deepEqual(hardCodedStrings('y.tsx', 'export const B = () => <p>{t("a")} · {n}</p>;'), []);
});

test('no hard-coded user-visible string in the console', () => {
  const root = join(dirname(fileURLToPath(import.meta.url)), '..');
  const files = tsxFiles(root);
  assert.ok(files.length >= 10, 'the console pages are found');
  const found = files.flatMap((f) => hardCodedStrings(relative(root, f), readFileSync(f, 'utf8')));
  assert.deepEqual(found, []);
});
