import { test } from 'node:test';
import assert from 'node:assert/strict';
import { maskLine, parseAccountFile, MAX_ACCOUNT_LINES } from './files.js';
import { diffAccounts, snapshotOf } from './diff.js';

// Real Debian bookworm files (debootstrap minbase), shortened.
const PASSWD = `root:x:0:0:root:/root:/bin/bash
daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin
bin:x:2:2:bin:/bin:/usr/sbin/nologin
_apt:x:42:65534::/nonexistent:/usr/sbin/nologin
nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin
`;
const SHADOW = `root:*:19675:0:99999:7:::
daemon:*:19675:0:99999:7:::
bin:*:19675:0:99999:7:::
_apt:*:19675:0:99999:7:::
nobody:*:19675:0:99999:7:::
`;
const GROUP = `root:x:0:
daemon:x:1:
bin:x:2:
adm:x:4:
sudo:x:27:
nogroup:x:65534:
`;
const HASH = '$y$j9T$abcdefghijklmnopqrstu.$0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcde';
const base = snapshotOf({ passwd: PASSWD, shadow: SHADOW, group: GROUP });

test('account files: parsed by name with line numbers; malformed lines counted; hashes masked', () => {
  const p = parseAccountFile('passwd', PASSWD + 'broken-line\nx:y:notanumber:1:::\n+nis\n# comment\n');
  assert.equal(p.entries.size, 5);
  assert.equal(p.entries.get('_apt')!.id, 42);
  assert.equal(p.entries.get('_apt')!.lineno, 4);
  assert.equal(p.bad, 2);
  const s = parseAccountFile('shadow', `eve:${HASH}:19675:0:99999:7:::\nlocked:!${HASH}:1::::::\nempty::1::::::\n`);
  assert.equal(s.entries.get('eve')!.line, 'eve:<hash>:19675:0:99999:7:::');
  assert.equal(s.entries.get('locked')!.line, 'locked:!<hash>:1::::::');
  assert.equal(s.entries.get('empty')!.line, 'empty::1::::::');
  assert.ok(!JSON.stringify([...s.entries.values()].map((e) => e.line)).includes('abcdefgh'));
  assert.equal(maskLine('passwd', 'old:$1$salt$hash:0:0::/:/bin/sh\u001b[2J'), 'old:<hash>:0:0::/:/bin/sh\\x1b[2J');
  const many = parseAccountFile('passwd', 'a:x:1:1:::\n'.repeat(MAX_ACCOUNT_LINES + 10));
  assert.equal(many.repeated.length, MAX_ACCOUNT_LINES - 1, 'bounded line count');
});

test('a uid-0 line appended to passwd is a clone; a usermod to uid 0 too; with the changed line', () => {
  const next = snapshotOf({ passwd: PASSWD + 'toor:x:0:0::/root:/bin/sh\n', shadow: SHADOW + `toor:${HASH}:19675:0:99999:7:::\n`, group: GROUP });
  const f = diffAccounts(base, next, { packageManager: false });
  assert.deepEqual(f, [
    {
      kind: 'uid0-clone',
      file: 'passwd',
      account: 'toor',
      id: 0,
      change: 'added',
      lineno: 6,
      line: 'toor:x:0:0::/root:/bin/sh',
      detail: 'toor has uid 0 (a root clone)',
    },
  ]);
  const usermod = diffAccounts(base, snapshotOf({ passwd: PASSWD.replace('bin:x:2:2', 'bin:x:0:2'), shadow: SHADOW, group: GROUP }), { packageManager: true });
  assert.deepEqual(
    usermod.map((x) => [x.kind, x.account, x.change]),
    [['uid0-clone', 'bin', 'modified']],
    'a clone is a clone even while a package manager runs',
  );
  // glibc's files backend accepts any name: odd ones are still accounts.
  const odd = diffAccounts(base, snapshotOf({ passwd: PASSWD + 'evil user:x:0:0::/:/bin/sh\nx$y$:x:0:0::/:/bin/sh\n', shadow: SHADOW, group: GROUP }), {
    packageManager: false,
  });
  assert.deepEqual(
    odd.map((x) => [x.kind, x.account]),
    [
      ['uid0-clone', 'evil user'],
      ['uid0-clone', 'x$y$'],
    ],
  );
});

test('a shadow-only account is hidden; a duplicate uid; accounts added with and without a package manager; privileged groups', () => {
  const hidden = diffAccounts(base, snapshotOf({ passwd: PASSWD, shadow: SHADOW + `ghost:${HASH}:19675:0:99999:7:::\n`, group: GROUP }), {
    packageManager: true,
  });
  assert.deepEqual(
    hidden.map((x) => [x.kind, x.file, x.account, x.line]),
    [['hidden-account', 'shadow', 'ghost', 'ghost:<hash>:19675:0:99999:7:::']],
  );
  // Removing the passwd line of an account hides it too.
  const removed = diffAccounts(base, snapshotOf({ passwd: PASSWD.replace(/^bin:.*\n/m, ''), shadow: SHADOW, group: GROUP }), { packageManager: false });
  assert.deepEqual(
    removed.map((x) => [x.kind, x.account]),
    [['hidden-account', 'bin']],
  );
  const dup = diffAccounts(base, snapshotOf({ passwd: PASSWD + 'svc:x:42:42::/:/bin/sh\n', shadow: SHADOW, group: GROUP }), { packageManager: true });
  assert.deepEqual(
    dup.map((x) => [x.kind, x.detail]),
    [['duplicate-uid', 'svc shares uid 42 with _apt']],
  );
  const add = snapshotOf({
    passwd: PASSWD + 'app:x:1001:1001::/home/app:/bin/sh\n',
    shadow: SHADOW + 'app:!:19675:0:99999:7:::\n',
    group: GROUP + 'app:x:1001:\n',
  });
  assert.deepEqual(
    diffAccounts(base, add, { packageManager: false }).map((x) => [x.kind, x.account, x.line]),
    [['unmanaged-account', 'app', 'app:x:1001:1001::/home/app:/bin/sh']],
  );
  assert.deepEqual(diffAccounts(base, add, { packageManager: true }), [], 'the package manager added it');
  assert.deepEqual(diffAccounts(base, base, { packageManager: false }), [], 'no change, no finding');
  const grp = snapshotOf({ passwd: PASSWD, shadow: SHADOW, group: GROUP.replace('sudo:x:27:', 'sudo:x:27:daemon').replace('adm:x:4:', 'adm:x:0:') });
  assert.deepEqual(
    diffAccounts(base, grp, { packageManager: false }).map((x) => [x.kind, x.account]),
    [
      ['gid0-clone', 'adm'],
      ['privileged-group-member', 'daemon'],
    ],
  );
  assert.deepEqual(diffAccounts({}, add, { packageManager: false }), [], 'the first reading is the baseline');
});
