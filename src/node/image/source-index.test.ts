// The image source index: every module of ./sources/ is a source, named and
// documented, and openImage/detection/help texts come from it.
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { documentedPage } from '../../../test/helpers/doc-pages.js';
import { buildTar } from '../../../test/helpers/image-builder.js';
import { InputError } from '../../core/errors.js';
import { ModuleIndex } from '../../core/module-index.js';
import { detectSource, openImage } from './open.js';
import { parseImageRef } from './ref.js';
import { imageRefHelp, imageSources } from './source-index.js';
import type { ImageSourceModule } from './source-module.js';

const tmp = mkdtempSync(join(tmpdir(), 'vigil-source-index-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

test('the index holds the built-in sources, each documented', async () => {
  const sources = await imageSources();
  assert.deepEqual(
    sources.all().map((s) => s.id),
    ['containerd', 'docker-archive', 'docker-daemon', 'oci', 'oci-archive', 'registry', 'rootfs'],
  );
  for (const s of sources.all()) {
    const page = documentedPage(s.docs, s.id);
    assert.ok(page.includes(`${s.id}:`), `${s.id}: its page names the ${s.id}: prefix`);
    assert.ok(s.syntax.startsWith(`${s.id}:`), `${s.id}: syntax starts with the prefix`);
  }
});

test('the IMAGE help text lists every source', async () => {
  const help = imageRefHelp(await imageSources());
  for (const s of (await imageSources()).all()) assert.ok(help.includes(s.syntax));
  assert.match(help, /, or a path$/);
});

test('references are split by the index ids; unsupported daemons name the registered prefixes', async () => {
  const ids = (await imageSources()).all().map((s) => s.id);
  assert.deepEqual(parseImageRef('oci-archive:/x.tar:1', ids), { type: 'oci-archive', rest: '/x.tar:1' });
  assert.deepEqual(parseImageRef('oci:/x', ids), { type: 'oci', rest: '/x' });
  assert.deepEqual(parseImageRef('docker-daemon:app:1', ids), { type: 'docker-daemon', rest: 'app:1' });
  assert.deepEqual(parseImageRef('containerd:k8s.io=app:1', ids), { type: 'containerd', rest: 'k8s.io=app:1' });
  assert.deepEqual(parseImageRef('/some/path', ids), { rest: '/some/path' });
  assert.deepEqual(parseImageRef('zip:/a.zip', [...ids, 'zip']), { type: 'zip', rest: '/a.zip' });
  assert.throws(
    () => parseImageRef('podman:app', ids),
    (e: unknown) =>
      e instanceof InputError &&
      e.code === 'USAGE' &&
      /use containerd:, docker-archive:, docker-daemon:, oci:, oci-archive:, registry:, rootfs: or a path/.test(e.message),
  );
  assert.throws(() => parseImageRef('rootfs:', ids), /rootfs: needs a path/);
  await assert.rejects(openImage(''), /no image given/);
});

test('bare paths are offered to the detecting sources in their order', async () => {
  const sources = await imageSources();
  const layout = join(tmp, 'layout');
  mkdirSync(layout);
  writeFileSync(join(layout, 'index.json'), '{}');
  writeFileSync(join(layout, 'oci-layout'), '{}');
  assert.equal((await detectSource(layout, {}, sources)).id, 'oci');
  assert.equal((await detectSource(tmp, {}, sources)).id, 'rootfs');
  const docker = join(tmp, 'd.tar');
  writeFileSync(
    docker,
    await buildTar([
      { path: 'manifest.json', content: '[]' },
      { path: 'index.json', content: '{}' },
    ]),
  );
  assert.equal((await detectSource(docker, {}, sources)).id, 'docker-archive');
  const oci = join(tmp, 'o.tar');
  writeFileSync(oci, await buildTar([{ path: 'oci-layout', content: '{}' }]));
  assert.equal((await detectSource(oci, {}, sources)).id, 'oci-archive');
  const other = join(tmp, 'other.tar');
  writeFileSync(other, await buildTar([{ path: 'hello.txt', content: 'hi' }]));
  await assert.rejects(
    detectSource(other, {}, sources),
    (e: unknown) =>
      e instanceof InputError &&
      e.code === 'IMAGE_UNKNOWN_FORMAT' &&
      e.message.endsWith('tar archive is neither a docker-archive (manifest.json) nor an OCI archive (index.json)'),
  );

  // One more module in the index is one more detector, asked in its order.
  const claimed: string[] = [];
  const extra: ImageSourceModule = {
    id: 'hello',
    version: 1,
    syntax: 'hello:PATH',
    summary: 'test',
    docs: 'docs/images.md',
    detect: { kind: 'tar', order: 5, describe: 'a hello archive (hello.txt)', test: (p) => p.has('hello.txt') },
    open: async (rest) => {
      claimed.push(rest);
      throw new InputError('IMAGE_UNKNOWN_FORMAT', 'test source', rest);
    },
  };
  const withExtra = new ModuleIndex('image source', [...sources.all(), extra]);
  assert.equal((await detectSource(other, {}, withExtra)).id, 'hello');
  assert.throws(() => new ModuleIndex('image source', [...sources.all(), { ...extra, id: 'oci' }]), /duplicate image source id: oci/);
});
