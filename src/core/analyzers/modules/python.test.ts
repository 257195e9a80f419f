import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { AnalyzerFile } from '../types.js';
import { analyzerFile, fileEntry, runAnalyzer } from '../analyzer.test-helpers.js';
import python, { MAX_METADATA, isPythonMetadata, parseCoreMetadata } from './python.js';

const run = (files: AnalyzerFile[]) => runAnalyzer(python, files);

test('python: claims only core-metadata files', () => {
  assert.ok(isPythonMetadata('/usr/lib/python3/dist-packages/pip-23.0.1.dist-info/METADATA', 'file'));
  assert.ok(isPythonMetadata('/app/.venv/lib/python3.12/site-packages/requests-2.32.3.dist-info/METADATA', 'file'));
  assert.ok(isPythonMetadata('/usr/lib/python3/dist-packages/idna-3.3.egg-info/PKG-INFO', 'file'));
  assert.ok(isPythonMetadata('/usr/lib/python3/dist-packages/foo-1.0.egg-info', 'file'));
  assert.ok(!isPythonMetadata('/usr/lib/python3/dist-packages/foo-1.0.egg-info', 'dir'));
  assert.ok(!isPythonMetadata('/x/.dist-info/METADATA', 'file'));
  assert.ok(!isPythonMetadata('/x/pip-23.0.1.dist-info/RECORD', 'file'));
  assert.ok(!isPythonMetadata('/x/PKG-INFO', 'file'));
  assert.ok(python.required('/a/b-1.dist-info/METADATA', fileEntry('/a/b-1.dist-info/METADATA', 1000)));
  assert.ok(!python.required('/a/b-1.dist-info/METADATA', fileEntry('/a/b-1.dist-info/METADATA', MAX_METADATA * 100)), 'huge files are not buffered');
});

test('python: fields, folded lines, CRLF, licence precedence', async () => {
  const m = parseCoreMetadata(
    Buffer.from('Metadata-Version: 2.4\r\nName: Foo\r\nLicense: line one\r\n        line two\r\nClassifier: A\r\nClassifier: B\r\n\r\nName: body\r\n'),
  );
  assert.ok(typeof m !== 'string');
  assert.deepEqual(m.get('name'), ['Foo']);
  assert.deepEqual(m.get('license'), ['line one\nline two']);
  assert.deepEqual(m.get('classifier'), ['A', 'B']);
  const r = await run([
    analyzerFile('/s/a-1.dist-info/METADATA', 'Name: a\nVersion: 1\nLicense-Expression: MIT OR Apache-2.0\nLicense: BSD\n'),
    analyzerFile(
      '/s/b-2.dist-info/METADATA',
      'Name: b\nVersion: 2\nLicense: Copyright (c) someone\n    Permission is hereby granted\nClassifier: License :: OSI Approved :: MIT License\n',
    ),
    analyzerFile('/s/c-3.dist-info/METADATA', 'Name: c\nVersion: 3\n'),
  ]);
  assert.deepEqual(
    r.packages!.map((p) => [p.name, p.version, p.licenses]),
    [
      ['a', '1', ['MIT OR Apache-2.0']],
      ['b', '2', ['MIT License']],
      ['c', '3', undefined],
    ],
  );
  assert.equal(r.packages![0]!.layer?.index, 0);
});

test('python: broken and oversized metadata are skipped with a notice, never a crash', async () => {
  const r = await run([
    analyzerFile('/s/a-1.dist-info/METADATA', ''),
    analyzerFile('/s/b-1.dist-info/METADATA', '  leading continuation\nName: b\n'),
    analyzerFile('/s/c-1.dist-info/METADATA', 'this is not a header\n'),
    analyzerFile('/s/d-1.dist-info/METADATA', Buffer.from([0xc3, 0x28, 0x0a])),
    analyzerFile('/s/e-1.dist-info/METADATA', `Name: e\nVersion: 1\n${'x'.repeat(MAX_METADATA)}`),
    analyzerFile('/s/f-1.dist-info/METADATA', 'Name: has space\nVersion: 1\n'),
    analyzerFile('/s/g-1.dist-info/METADATA', `Name: g\nVersion: ${'9'.repeat(300)}\n`),
    analyzerFile('/s/h-1.dist-info/METADATA', 'X: y\n'.repeat(10_001)),
  ]);
  assert.deepEqual(r.packages, []);
  assert.deepEqual(
    r.notices!.map((n) => n.message.replace(/^Python package metadata \/s\/(\w)-1\.dist-info\/METADATA skipped: /, '$1 ')),
    [
      'a no Name field',
      'b continuation line before any field',
      'c line 1 is not a "Field: value" header',
      'd not UTF-8 text',
      `e larger than ${MAX_METADATA} bytes`,
      'f Name is not a project name',
      'g Version is not a version',
      'h more than 10000 header fields',
    ],
  );
  assert.ok(r.notices!.every((n) => n.kind === 'package-db-unreadable' && n.path));
});

test('python: a poetry.lock is read without the TOML library loaded first (analyze loads it on the first TOML lockfile)', async () => {
  const lock = '[[package]]\nname = "requests"\nversion = "2.32.3"\n\n[[package]]\nname = "idna"\nversion = "3.7"\n';
  const r = await run([analyzerFile('/app/poetry.lock', lock), analyzerFile('/app/requirements.txt', 'flask==3.0.3\n')]);
  assert.deepEqual(
    r.packages!.map((p) => [p.name, p.version, p.declared, p.filePath]).sort((a, b) => String(a[0]).localeCompare(String(b[0]))),
    [
      ['flask', '3.0.3', true, '/app/requirements.txt'],
      ['idna', '3.7', true, '/app/poetry.lock'],
      ['requests', '2.32.3', true, '/app/poetry.lock'],
    ],
  );
});
