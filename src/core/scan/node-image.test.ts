import { test } from 'node:test';
import assert from 'node:assert/strict';
import { InputError } from '../errors.js';
import { NODE_IMAGE_LIMITS, packageForServer, readNodeImageScan } from './node-image.js';

const ID = `sha256:${'a'.repeat(64)}`;
const good = {
  imageId: ID,
  repoTags: ['local/app:1'],
  os: { family: 'debian', version: '12' },
  packages: [{ type: 'deb', name: 'zlib1g', version: '1:1.2.13.dfsg-1', sourceName: 'zlib', layer: { index: 0, digest: `sha256:${'b'.repeat(64)}` } }],
  notices: [{ kind: 'no-vuln-data', message: 'no vulnerability data for x' }],
};

test('node image scan: a good message reads back as sent', () => {
  const r = readNodeImageScan(JSON.stringify(good));
  assert.equal(r.imageId, ID);
  assert.deepEqual(r.repoTags, ['local/app:1']);
  assert.deepEqual(r.os, { family: 'debian', version: '12' });
  assert.deepEqual(r.packages, good.packages);
  assert.equal(r.notices.length, 1);
});

test('node image scan: broken input is one input error naming the field', () => {
  const cases: Array<[unknown, RegExp]> = [
    ['{', /not JSON/],
    [[], /not an object/],
    [{ ...good, imageId: 'sha256:xyz' }, /imageId must be sha256/],
    [{ ...good, repoTags: 'x' }, /repoTags must be a list/],
    [{ ...good, repoTags: Array(NODE_IMAGE_LIMITS.repoTags + 1).fill('a:1') }, /repoTags must be a list of at most/],
    [{ ...good, os: { version: '12' } }, /os.family/],
    [{ ...good, packages: [{ type: 'exe', name: 'a', version: '1' }] }, /packages\[0\]\.type/],
    [{ ...good, packages: [{ type: 'deb', name: '', version: '1' }] }, /packages\[0\]\.name/],
    [{ ...good, packages: [{ type: 'deb', name: 'a', version: 'x'.repeat(NODE_IMAGE_LIMITS.chars + 1) }] }, /packages\[0\]\.version/],
    [{ ...good, packages: [{ type: 'deb', name: 'a', version: '1', layer: { index: -1, digest: 'x' } }] }, /packages\[0\]\.layer/],
    [{ ...good, notices: [{ kind: 'other', message: 'x' }] }, /notices\[0\]/],
  ];
  for (const [v, re] of cases) {
    const json = typeof v === 'string' ? v : JSON.stringify(v);
    assert.throws(
      () => readNodeImageScan(json, 'scan of node n'),
      (e: unknown) => e instanceof InputError && e.code === 'AGENT_IMAGE_SCAN' && re.test(e.message) && e.message.includes('scan of node n'),
      json.slice(0, 80),
    );
  }
  // Too many packages: refused before any is read.
  const many = JSON.stringify({ ...good, packages: Array(NODE_IMAGE_LIMITS.packages + 1).fill(good.packages[0]) });
  assert.throws(() => readNodeImageScan(many), /packages must be a list of at most 50000/);
});

test('node image scan: the agent sends only what matching needs', () => {
  const p = packageForServer({
    type: 'npm',
    name: 'a',
    version: '1.0.0',
    filePath: '/app/package-lock.json',
    files: ['/x'],
    dependsOn: ['b@1'],
    licenses: ['MIT'],
    relationship: 'direct',
    layer: { index: 2, digest: 'sha256:c', diffId: 'sha256:d', createdBy: 'RUN x' },
  });
  assert.deepEqual(p, { type: 'npm', name: 'a', version: '1.0.0', filePath: '/app/package-lock.json', layer: { index: 2, digest: 'sha256:c' } });
});
