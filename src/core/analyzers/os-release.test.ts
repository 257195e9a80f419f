import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { InputError } from '../errors.js';
import { loadFixtureLayer } from '../../node/analyzers/fixture-layer.test-helpers.js';
import { osReleaseAnalyzer } from './os-release.js';
import { runAnalyzer, type HarnessLayer } from './test-harness.js';

const testdata = fileURLToPath(new URL('./testdata/', import.meta.url));
const detect = async (...layers: HarnessLayer[]) => (await runAnalyzer(osReleaseAnalyzer, layers)).os;

const CENTOS7 = `NAME="CentOS Linux"
VERSION="7 (Core)"
ID="centos"
ID_LIKE="rhel fedora"
VERSION_ID="7"
PRETTY_NAME="CentOS Linux 7 (Core)"
ANSI_COLOR="0;31"
CPE_NAME="cpe:/o:centos:centos:7"
HOME_URL="https://www.centos.org/"
BUG_REPORT_URL="https://bugs.centos.org/"

CENTOS_MANTISBT_PROJECT="CentOS-7"
CENTOS_MANTISBT_PROJECT_VERSION="7"
REDHAT_SUPPORT_PRODUCT="centos"
REDHAT_SUPPORT_PRODUCT_VERSION="7"

`;
const UBUNTU = `PRETTY_NAME="Ubuntu 22.04.4 LTS"
NAME="Ubuntu"
VERSION_ID="22.04"
VERSION="22.04.4 LTS (Jammy Jellyfish)"
VERSION_CODENAME=jammy
ID=ubuntu
ID_LIKE=debian
HOME_URL="https://www.ubuntu.com/"
UBUNTU_CODENAME=jammy
`;
const AMAZON = `NAME="Amazon Linux"
VERSION="2023"
ID="amzn"
ID_LIKE="fedora"
VERSION_ID="2023"
PLATFORM_ID="platform:al2023"
PRETTY_NAME="Amazon Linux 2023"
`;
const ROCKY = `NAME="Rocky Linux"
VERSION="9.3 (Blue Onyx)"
ID="rocky"
ID_LIKE="rhel centos fedora"
VERSION_ID="9.3"
PLATFORM_ID="platform:el9"
PRETTY_NAME="Rocky Linux 9.3 (Blue Onyx)"
`;

test('Debian 12 from the real os-release (a symlink into /usr/lib) and debian_version', async () => {
  const os = await detect(loadFixtureLayer(`${testdata}dpkg/debian`));
  assert.deepEqual(os, { family: 'debian', version: '12.15', name: 'Debian GNU/Linux 12 (bookworm)', codename: 'bookworm' });
});

test('Alpine 3.19 from os-release, and from alpine-release alone', async () => {
  const os = await detect(loadFixtureLayer(`${testdata}apk`));
  assert.deepEqual(os, { family: 'alpine', version: '3.19.1', name: 'Alpine Linux v3.19' });
  assert.deepEqual(await detect({ '/etc/alpine-release': '3.19.1\n' }), { family: 'alpine', version: '3.19.1' });
});

test('Ubuntu, Amazon (amzn -> amazon), Rocky', async () => {
  assert.deepEqual(await detect({ '/etc/os-release': UBUNTU }), { family: 'ubuntu', version: '22.04', name: 'Ubuntu 22.04.4 LTS', codename: 'jammy' });
  assert.equal((await detect({ '/usr/lib/os-release': AMAZON }))?.family, 'amazon');
  const rocky = await detect({
    '/etc/os-release': ROCKY,
    '/etc/rocky-release': 'Rocky Linux release 9.3 (Blue Onyx)\n',
    '/etc/redhat-release': { symlink: 'rocky-release' },
  });
  assert.deepEqual([rocky?.family, rocky?.version], ['rocky', '9.3']);
});

test('Fedora: /usr/lib/os-release is a symlink into os.release.d', async () => {
  const os = await detect({
    '/usr/lib/os.release.d/os-release-container':
      'NAME="Fedora Linux"\nVERSION="40 (Container Image)"\nID=fedora\nVERSION_ID=40\nVERSION_CODENAME=""\nPRETTY_NAME="Fedora Linux 40 (Container Image)"\n',
    '/usr/lib/os-release': { symlink: 'os.release.d/os-release-container' },
    '/etc/os-release': { symlink: '../usr/lib/os-release' },
    '/etc/fedora-release': 'Fedora release 40 (Forty)\n',
  });
  assert.deepEqual(os, { family: 'fedora', version: '40', name: 'Fedora Linux 40 (Container Image)' });
});

test('CentOS 7: the full version comes from centos-release', async () => {
  const os = await detect({
    '/usr/lib/os-release': CENTOS7,
    '/etc/os-release': { symlink: '../usr/lib/os-release' },
    '/etc/centos-release': 'CentOS Linux release 7.9.2009 (Core)\n',
    '/etc/redhat-release': { symlink: 'centos-release' },
  });
  assert.deepEqual(os, { family: 'centos', version: '7.9.2009', name: 'CentOS Linux 7 (Core)' });
});

test('old images without os-release: Red Hat family release files, debian_version', async () => {
  assert.deepEqual(await detect({ '/etc/centos-release': 'CentOS release 6.10 (Final)\n', '/etc/redhat-release': { symlink: 'centos-release' } }), {
    family: 'centos',
    version: '6.10',
    name: 'CentOS 6.10',
    codename: 'Final',
  });
  assert.equal((await detect({ '/etc/redhat-release': 'Red Hat Enterprise Linux Server release 7.9 (Maipo)\n' }))?.family, 'rhel');
  assert.deepEqual(await detect({ '/etc/debian_version': '9.13\n' }), { family: 'debian', version: '9.13' });
  // testing/sid: os-release has no VERSION_ID, debian_version names the suite.
  const sid = await detect({
    '/etc/os-release': 'PRETTY_NAME="Debian GNU/Linux trixie/sid"\nID=debian\nVERSION_CODENAME=trixie\n',
    '/etc/debian_version': 'trixie/sid\n',
  });
  assert.equal(sid?.version, 'trixie/sid');
});

test('distroless: Debian from status.d base-files, with or without debian_version', async () => {
  const layer = loadFixtureLayer(`${testdata}dpkg/distroless`);
  assert.deepEqual(await detect(layer), { family: 'debian', version: '12', distroless: true });
  assert.deepEqual(await detect({ ...layer, '/etc/debian_version': '12.15\n' }), { family: 'debian', version: '12.15', distroless: true });
  // A distroless image that does carry os-release (newer distroless) is still marked distroless.
  const withRelease = await detect({ ...layer, ...loadFixtureLayer(`${testdata}dpkg/debian/usr`, '/usr') });
  assert.equal(withRelease?.distroless, true);
  assert.equal(withRelease?.family, 'debian');
});

test('a later layer replacing os-release wins; deleting it falls back', async () => {
  const base = loadFixtureLayer(`${testdata}dpkg/debian`);
  assert.equal((await detect(base, { '/usr/lib/os-release': UBUNTU }))?.family, 'ubuntu');
  assert.deepEqual(await detect(base, { '/usr/lib/os-release': { whiteout: true } }), { family: 'debian', version: '12.15' });
});

test('no OS files: no OS', async () => {
  assert.equal(await detect({ '/bin/app': 'x' }), undefined);
});

test('hostile os-release: syntax, quoting, size, encoding fail with InputError naming file and line', async () => {
  const cases: Array<[string | Buffer, string, RegExp]> = [
    ['ID=debian\nthis is not a variable\n', 'OS_RELEASE_SYNTAX', /\/etc\/os-release:2/],
    ['ID="debian\n', 'OS_RELEASE_SYNTAX', /unterminated quote/],
    [Buffer.from([0x49, 0x44, 0x3d, 0xff, 0xfe, 0x0a]), 'OS_RELEASE_NOT_UTF8', /not valid UTF-8/],
    [`ID=debian\n${'#'.repeat(70 * 1024)}\n`, 'LIMIT_RELEASE_FILE_SIZE', /larger than/],
  ];
  for (const [content, code, message] of cases) {
    await assert.rejects(detect({ '/etc/os-release': content }), (e: unknown) => e instanceof InputError && e.code === code && message.test(e.message));
  }
  await assert.rejects(detect({ '/etc/centos-release': 'CentOS release six\n' }), (e: unknown) => e instanceof InputError && e.code === 'OS_RELEASE_SYNTAX');
});
