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
import { GROUP, PASSWD, SHADOW, STAT, TCP } from './samples.js';

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
