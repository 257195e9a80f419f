import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { ERROR_CODES, errorCodesMarkdown, exitCodeOf, isErrorCode, type ErrorCode } from './error-codes.js';
import { InputError, LimitError } from './errors.js';

const root = new URL('../../', import.meta.url).pathname;

function sources(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) sources(p, out);
    else if (name.endsWith('.ts') && !name.endsWith('.test.ts') && !name.endsWith('.d.ts')) out.push(p);
  }
  return out;
}

test('docs/errors.md is the page generated from the registry', () => {
  const page = readFileSync(join(root, 'docs/errors.md'), 'utf8');
  assert.equal(page, errorCodesMarkdown(), 'docs/errors.md is stale: run node --import tsx scripts/gen-errors-doc.ts');
  for (const code of Object.keys(ERROR_CODES)) assert.match(page, new RegExp(`^\\| \`${code}\` \\|`, 'm'));
});

test('every registered code is thrown somewhere, every literal code thrown is registered', () => {
  const text = sources(join(root, 'src'))
    .filter((f) => !f.endsWith('error-codes.ts'))
    .map((f) => readFileSync(f, 'utf8'))
    .join('\n');
  const unused = Object.keys(ERROR_CODES).filter((c) => !text.includes(`'${c}'`));
  assert.deepEqual(unused, [], 'registered but never used');
  const thrown = [...text.matchAll(/new (?:Input|Limit)Error\(\s*'([A-Z0-9_]+)'/g)].map((m) => m[1]!);
  assert.ok(thrown.length > 150);
  assert.deepEqual(
    thrown.filter((c) => !isErrorCode(c)),
    [],
  );
});

test('every entry has a one-line message and a known class; limit codes are the LIMIT_* ones LimitError takes', () => {
  for (const [code, info] of Object.entries(ERROR_CODES)) {
    assert.match(code, /^[A-Z][A-Z0-9_]*$/);
    assert.ok(info.message.length > 0 && !info.message.includes('\n'), code);
    assert.ok(['usage', 'input', 'limit', 'environment'].includes(info.class), code);
  }
  const e = new LimitError('LIMIT_ENTRIES', 'too many', 'x.tar');
  assert.equal(e.code, 'LIMIT_ENTRIES');
  // @ts-expect-error a LimitError takes only codes of class limit
  void new LimitError('TAR_INVALID', 'not a limit');
  // @ts-expect-error an unregistered code is a type error
  void new InputError('NOT_A_REGISTERED_CODE', 'x');
});

test('exit codes come from the class; an unknown code is internal', () => {
  assert.equal(exitCodeOf('USAGE' satisfies ErrorCode), 2);
  assert.equal(exitCodeOf('LIMIT_LAYERS'), 2);
  assert.equal(exitCodeOf('SENSOR_NO_BPFTRACE'), 2);
  assert.equal(exitCodeOf('NO_SUCH_CODE'), 3);
});
