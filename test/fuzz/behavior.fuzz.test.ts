// Fuzz: the behaviour sensors' readers of untrusted input: account files
// (a container writes its own passwd, shadow and group), the procfs socket
// tables and stat lines (a process names itself), and the thresholds
// overrides (a user's file). Mutations of real samples: each reader returns
// a result or throws InputError, in bounded time; the diff of two mutated
// snapshots never throws and never shows a password field unmasked.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parseAccountFile } from '../../src/core/accounts/files.js';
import { diffAccounts, snapshotOf } from '../../src/core/accounts/diff.js';
import { parseSocketTable, outboundConnections } from '../../src/core/behavior/sockets.js';
import { behaviorThresholds } from '../../src/core/behavior/thresholds.js';
import { parseCpuStat } from '../../src/node/sensors/cpu-sampler.js';
import { expectSync, fuzzJson, fuzzText, params } from './harness.js';

const HASH = '$6$Qx1saltsalt$HASHhashHASHhashHASHhashHASHhashHASHhashHASHhashHASHhashHASHhashHASHhashHASHhash01';
const PASSWD = 'root:x:0:0:root:/root:/bin/bash\ndaemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin\n_apt:x:42:65534::/nonexistent:/usr/sbin/nologin\n';
const SHADOW = `root:${HASH}:19675:0:99999:7:::\ndaemon:*:19675:0:99999:7:::\n_apt:*:19675:0:99999:7:::\n`;
const GROUP = 'root:x:0:\ndaemon:x:1:\nsudo:x:27:alice,bob\n';
const TCP =
  '  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n' +
  '   0: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1193 1 000000004fa3aca6 100 0 0 10 0\n' +
  '   1: 0100007F:A1B2 0100007F:0D05 01 00000000:00000000 00:00000000 00000000     0        0 5001 1 0000000000000000 20 4 30 10 -1\n';
const STAT =
  '4242 (kw) R 1 4242 4242 0 -1 4194304 100 0 0 0 950 12 0 0 20 0 1 0 5000 10000000 300 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0\n';

test('fuzz: account files parse and diff without throwing; hashes never shown', () => {
  fc.assert(
    fc.property(fuzzText([PASSWD]), fuzzText([SHADOW]), fuzzText([GROUP]), (passwd, shadow, group) => {
      for (const [f, t] of [
        ['passwd', passwd],
        ['shadow', shadow],
        ['group', group],
      ] as const)
        expectSync(`parseAccountFile ${f}`, () => parseAccountFile(f, t));
      const base = snapshotOf({ passwd: PASSWD, shadow: SHADOW, group: GROUP });
      const next = snapshotOf({ passwd, shadow, group });
      const out = diffAccounts(base, next, { packageManager: false });
      // The password field is always masked (a hash shifted into the name field by a broken line cannot be told from a name).
      for (const x of out) assert.match(x.line.split(':')[1] ?? '', /^(|x|\*|!+\*?|!?<hash>)$/, `password field shown: ${x.line}`);
    }),
    params(300),
  );
});

test('fuzz: socket tables and stat lines parse or are counted as bad', () => {
  fc.assert(
    fc.property(fuzzText([TCP]), fuzzText([STAT]), (tcp, stat) => {
      expectSync('parseSocketTable', () => outboundConnections([{ proto: 'tcp', rows: parseSocketTable(tcp).rows }], new Set([5001])));
      expectSync('parseCpuStat', () => parseCpuStat(stat));
    }),
    params(300),
  );
});

test('fuzz: thresholds overrides are applied or refused with InputError', () => {
  fc.assert(
    fc.property(fuzzJson([{ cpu: { percent: 50, sustainSeconds: 3, usualPorts: [443, 80] }, accounts: { intervalMs: 500 } }]), (doc) => {
      expectSync('behaviorThresholds', () => behaviorThresholds(doc));
    }),
    params(300),
  );
});
