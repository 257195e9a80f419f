import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { runAnalyzer } from './test-harness.js';
import python from './modules/python.js';
import { MAX_PYTHON_LOCKFILE, loadToml, parsePythonLockfile, pythonLockKind } from './python-lockfiles.js';

await loadToml();

const TRIVY = new URL('./testdata/trivy/python/', import.meta.url);
const read = (f: string): Buffer => readFileSync(new URL(f, TRIVY));
const expected = JSON.parse(read('expected.json').toString()) as { files: Record<string, string[] | 'error'>; eggs: Record<string, string[]> };

function kindOf(file: string) {
  if (file.startsWith('requirement')) return 'requirements' as const;
  if (file.startsWith('Pipfile')) return 'pipenv' as const;
  if (file.startsWith('poetry')) return 'poetry' as const;
  return 'uv' as const;
}

test("python lockfiles: Trivy's requirements, Pipfile.lock, poetry.lock and uv.lock golden files give exactly Trivy's packages", () => {
  const files = Object.entries(expected.files);
  assert.equal(files.length, 19);
  for (const [file, want] of files) {
    const got = parsePythonLockfile(kindOf(file), read(file));
    if (want === 'error') assert.equal(typeof got, 'string', `${file} is refused`);
    else assert.deepEqual(typeof got === 'string' ? got : got.map((p) => `${p.name}@${p.version}`).sort(), want, file);
  }
});

test('python lockfiles: which files', () => {
  assert.equal(pythonLockKind('/app/poetry.lock'), 'poetry');
  assert.equal(pythonLockKind('/app/Pipfile.lock'), 'pipenv');
  assert.equal(pythonLockKind('/app/uv.lock'), 'uv');
  assert.equal(pythonLockKind('/app/requirements-prod.txt'), 'requirements');
  assert.equal(pythonLockKind('/app/requirements/base.txt'), undefined);
  assert.equal(pythonLockKind('/usr/lib/python3/dist-packages/x/requirements.txt'), undefined);
  assert.equal(pythonLockKind('/app/Pipfile'), undefined);
});

test("python: Trivy's zipped eggs", async () => {
  for (const [file, want] of Object.entries(expected.eggs)) {
    const r = await runAnalyzer(python, [{ [`/usr/lib/python2.7/site-packages/${file}`]: read(file) }]);
    assert.deepEqual(
      r.packages!.map((p) => `${p.name}@${p.version}`),
      want,
      file,
    );
    assert.deepEqual(r.notices, [], file);
  }
  const k = await runAnalyzer(python, [{ '/x/kitchen-1.2.6-py2.7.egg': read('kitchen-1.2.6-py2.7.egg') }]);
  assert.deepEqual(k.packages![0]!.licenses, ['GNU Library or Lesser General Public License (LGPL)'], 'classifiers before License, as Trivy');
});

test('python: lockfile packages that installed metadata does not cover are declared; broken lockfiles are notices', async () => {
  const r = await runAnalyzer(python, [
    {
      '/app/.venv/lib/python3.12/site-packages/Flask-2.0.0.dist-info/METADATA': 'Metadata-Version: 2.1\nName: Flask\nVersion: 2.0.0\n',
      '/app/requirements.txt': read('requirements_flask.txt'),
      '/app/poetry.lock': 'this is [not toml',
      '/app/uv.lock': read('uv_without_root.lock'),
      '/srv/Pipfile.lock': '{"default": {"requests": {"version": "==2.21.0"}, "mine": {"path": "."}}, "develop": {"pytest": {"version": "==8.0.0"}}}',
      '/srv/egg/bad-1.0.egg': 'PK\u0003\u0004 truncated',
    },
  ]);
  assert.deepEqual(r.packages!.map((p) => `${p.name}@${p.version}${p.declared ? ' declared' : ''} ${p.filePath}`).sort(), [
    'Flask@2.0.0 /app/.venv/lib/python3.12/site-packages/Flask-2.0.0.dist-info/METADATA',
    'Jinja2@3.0.0 declared /app/requirements.txt',
    'MarkupSafe@2.0.0 declared /app/requirements.txt',
    'Werkzeug@2.0.0 declared /app/requirements.txt',
    'click@8.0.0 declared /app/requirements.txt',
    'itsdangerous@2.0.0 declared /app/requirements.txt',
    'requests@2.21.0 declared /srv/Pipfile.lock',
  ]);
  assert.deepEqual(
    r.notices!.map((n) => n.message.replace(/not TOML \(.*\)$/, 'not TOML (...)')).sort(),
    [
      'Python lockfile /app/poetry.lock skipped: not TOML (...)',
      'Python lockfile /app/uv.lock skipped: 0 root packages (a uv lockfile has exactly one)',
      'Python package metadata /srv/egg/bad-1.0.egg skipped: not a readable zip archive: too short for a ZIP archive',
    ].sort(),
  );
});

test('python lockfiles: hostile input', () => {
  assert.match(parsePythonLockfile('requirements', Buffer.alloc(MAX_PYTHON_LOCKFILE + 1, 0x61)) as string, /larger than/);
  assert.equal(parsePythonLockfile('poetry', Buffer.from([0, 1, 2, 0xff])), 'not text');
  assert.deepEqual(parsePythonLockfile('requirements', Buffer.from(`${'a'.repeat(300)}==1.0\nok==${'1'.repeat(300)}\nx==1.0 \\\n  --hash=sha256:00\n`)), [
    { name: 'x', version: '1.0' },
  ]);
  assert.deepEqual(parsePythonLockfile('poetry', Buffer.from('[[package]]\nname = 1\nversion = "1"\n[[package]]\nname = "ok"\nversion = "2"\n')), [
    { name: 'ok', version: '2' },
  ]);
  assert.equal(typeof parsePythonLockfile('pipenv', Buffer.from('[]')), 'string');
});
