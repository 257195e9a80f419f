// End to end: the debootstrap'ed Debian rootfs, read by the compiled CLI
// (`vigil sbom --format json`) as a root filesystem, as a docker-archive, as
// an OCI layout and from a real registry, lists exactly the packages and
// versions dpkg-query lists.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pushImage, startRegistry, type RegistryServer } from '../helpers/registry-server.js';
import {
  buildOciLayout,
  debianRootfs,
  DEFAULT_DEBIAN_ROOTFS,
  dpkgPackages,
  runVigil,
  sbomDebPackages,
  setDiff,
  skopeoCopy,
} from '../../bench/lib/debian-image.js';

const root = debianRootfs();
const inCi = process.env.CI === 'true';
// Outside CI the fixture may not be built yet; in CI its absence is a failure, not a skip.
const skip = !root && !inCi ? `no Debian rootfs at ${process.env.VIGIL_TEST_DEBIAN_ROOTFS || DEFAULT_DEBIAN_ROOTFS} (CI builds it with debootstrap)` : false;

describe('the same Debian image through every source lists what dpkg lists', { skip }, () => {
  let dir: string;
  let reg: RegistryServer;
  let expected: string[];
  let oci: string;
  let archive: string;

  before(async () => {
    if (!root) {
      throw new Error(
        `Debian rootfs missing at ${process.env.VIGIL_TEST_DEBIAN_ROOTFS || DEFAULT_DEBIAN_ROOTFS}: .ci/run builds it with debootstrap (VIGIL_TEST_DEBIAN_ROOTFS)`,
      );
    }
    dir = await mkdtemp(join(tmpdir(), 'vigil-e2e-sources-'));
    expected = await dpkgPackages(root);
    assert.ok(expected.length > 50, `dpkg-query listed only ${expected.length} packages in ${root}`);
    oci = await buildOciLayout(root, join(dir, 'oci'), 'bookworm');
    archive = join(dir, 'bookworm.tar');
    await skopeoCopy(oci, `docker-archive:${archive}:vigil/bookworm:e2e`);
    reg = await startRegistry();
    await pushImage(oci, `${reg.host}/e2e/bookworm:1`);
  });
  after(async () => {
    await reg?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const check = async (image: string, extra: string[] = []): Promise<void> => {
    const { stdout } = await runVigil(['sbom', '--format', 'json', ...extra, image]);
    const got = sbomDebPackages(stdout);
    const { onlyA, onlyB } = setDiff(expected, got);
    assert.deepEqual({ missing: onlyA, extra: onlyB }, { missing: [], extra: [] }, `${image}: package set differs from dpkg-query`);
    assert.equal(got.length, expected.length);
  };

  test('rootfs:DIR', async () => check(`rootfs:${root}`));
  test('docker-archive (skopeo, uncompressed layer)', async () => check(`docker-archive:${archive}`));
  test('OCI layout (umoci, gzip layer)', async () => check(oci));
  test('registry (docker-registry, pushed with skopeo)', async () => check(`registry:${reg.host}/e2e/bookworm:1`, ['--insecure']));
});
