import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { criInspectToMeta, CrictlClient } from './cri-client.js';
import { InputError } from '../../core/errors.js';

const read = (n: string) => JSON.parse(readFileSync(new URL(`./testdata/${n}`, import.meta.url), 'utf8')) as unknown;

describe('CRI metadata (recorded crictl inspect output)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-cri-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('maps containerd', () => {
    const m = criInspectToMeta(read('crictl-inspect-containerd.json'));
    assert.equal(m.name, 'api');
    assert.equal(m.image, 'registry.example.com/shop/api:2.4.1');
    assert.equal(m.imageDigest, 'sha256:4c1f0b8f0c53d2f2b9e8e5d4c3b2a1908f7e6d5c4b3a29180f7e6d5c4b3a2918');
    assert.equal(m.podName, 'api-5c9d7f-abcde');
    assert.equal(m.podNamespace, 'shop');
    assert.equal(m.privileged, true);
    assert.deepEqual(m.mounts?.[1], { source: '/etc', destination: '/host/etc', readOnly: false });
  });

  it('maps CRI-O', () => {
    const m = criInspectToMeta(read('crictl-inspect-crio.json'));
    assert.equal(m.name, 'worker');
    assert.equal(m.privileged, false);
    assert.equal(m.podNamespace, 'batch');
  });

  it('asks crictl (a real process) and handles its failures', async () => {
    const fake = join(dir, 'crictl');
    writeFileSync(join(dir, 'ok.json'), readFileSync(new URL('./testdata/crictl-inspect-containerd.json', import.meta.url)));
    // Prints the recorded answer for the recorded id, fails like crictl for others, garbage for 'b...'.
    writeFileSync(
      fake,
      `#!/bin/sh\ncase "$*" in\n*a1b2c3d4e5f6*) cat ${join(dir, 'ok.json')};;\n*bbbbbbbbbbbb*) echo '{oops';;\n*) echo 'NotFound' >&2; exit 1;;\nesac\n`,
    );
    chmodSync(fake, 0o755);
    const c = new CrictlClient('/run/containerd/containerd.sock', undefined, fake);
    assert.equal((await c.inspect('a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f90'))?.name, 'api');
    assert.equal(await c.inspect('f'.repeat(64)), undefined);
    await assert.rejects(c.inspect('b'.repeat(64)), (e: unknown) => e instanceof InputError && e.code === 'CRI_BAD_JSON');
  });

  it('rejects documents without a container id', () => {
    assert.throws(
      () => criInspectToMeta({ status: {} }),
      (e: unknown) => e instanceof InputError && e.code === 'CRI_BAD_INSPECT',
    );
  });
});
