// Detection policy documents: what is accepted, and every refusal names the
// field and the reason (one line, the DETECTION_POLICY_INVALID code).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { InputError } from '../errors.js';
import { validateDetectionDocument, validateDetectionPolicy, isDetectionDocument } from './detection.js';
import { defaultThresholds } from './thresholds.js';

const doc = (...policies: unknown[]) => ({ apiVersion: 'vigil.dev/v1', kind: 'DetectionPolicy', policies });

test('a valid document: durations in ms, shorthand booleans, scope and allowlists kept', () => {
  const d = validateDetectionDocument(
    doc({
      name: 'p1',
      types: { 'system/high-risk-command': false, 'user/brute-force': { severity: 'critical' }, 'custom/My rule': { enabled: false } },
      thresholds: { 'brute-force': { attempts: 10, window: '2m' }, cpu: { percent: 95, duration: 120 } },
      allow: [{ images: ['nginx:*'], destinations: ['10.0.0.0/8', '2001:db8::/32', '192.0.2.1'], serviceAccounts: ['kube-system/*'] }],
    }),
    'f.yaml',
  );
  assert.deepEqual(d.policies[0]!.types, {
    'system/high-risk-command': { enabled: false },
    'user/brute-force': { severity: 'critical' },
    'custom/My rule': { enabled: false },
  });
  assert.deepEqual(d.policies[0]!.thresholds, { 'brute-force': { attempts: 10, window: 120_000 }, cpu: { percent: 95, duration: 120_000 } });
  assert.ok(isDetectionDocument(doc()));
  assert.ok(!isDetectionDocument({ policies: [] }));
  assert.deepEqual(defaultThresholds().cpu, { percent: 90, duration: 60_000 });
});

test('invalid documents are refused with the field and the reason', () => {
  const cases: Array<[unknown, RegExp]> = [
    [doc({ name: 'p', types: { 'system/nope': false } }), /^f: policies\[0\]\.types\.system\/nope: unknown alert type "system\/nope"/],
    [
      doc({ name: 'p', types: { 'user/brute-force': { severity: 'urgent' } } }),
      /policies\[0\]\.types\.user\/brute-force\.severity: must be one of critical, high/,
    ],
    [doc({ name: 'p', types: { 'user/brute-force': { enabled: 'no' } } }), /types\.user\/brute-force\.enabled: must be true or false/],
    [doc({ name: 'p', types: { 'user/brute-force': {} } }), /types\.user\/brute-force: needs enabled and\/or severity/],
    [doc({ name: 'p', thresholds: { ssh: { attempts: 3 } } }), /thresholds\.ssh: unknown threshold \(expected one of brute-force, connections, cpu/],
    [doc({ name: 'p', thresholds: { 'brute-force': { attempts: 0 } } }), /thresholds\.brute-force\.attempts: must be a whole number from 1 to 100000/],
    [doc({ name: 'p', thresholds: { 'brute-force': { attempts: 2.5 } } }), /attempts: must be a whole number/],
    [doc({ name: 'p', thresholds: { 'brute-force': { tries: 3 } } }), /thresholds\.brute-force\.tries: unknown field \(expected one of attempts, window\)/],
    [doc({ name: 'p', thresholds: { cpu: { percent: 150 } } }), /thresholds\.cpu\.percent: must be a whole number from 1 to 100/],
    [doc({ name: 'p', thresholds: { cpu: { duration: 'soon' } } }), /thresholds\.cpu\.duration: not a duration: "soon"/],
    [doc({ name: 'p', thresholds: { cpu: { duration: '10ms' } } }), /thresholds\.cpu\.duration: must be between 1s and 24h/],
    [doc({ name: 'p', scope: { images: ['x'] }, thresholds: { cpu: { percent: 95 } } }), /policies\[0\]\.thresholds: thresholds apply to the whole project/],
    [doc({ name: 'p', scope: {}, types: { 'user/brute-force': false } }), /policies\[0\]\.scope: needs images, containers or namespaces/],
    [doc({ name: 'p', scope: { pods: ['x'] }, types: { 'user/brute-force': false } }), /policies\[0\]\.scope\.pods: unknown field/],
    [doc({ name: 'p', allow: [{}] }), /policies\[0\]\.allow\[0\]: needs at least one of images, containers/],
    [doc({ name: 'p', allow: [{ types: ['user/brute-force'] }] }), /allow\[0\]: needs at least one of/],
    [doc({ name: 'p', allow: [{ images: [] }] }), /allow\[0\]\.images: must not be empty/],
    [doc({ name: 'p', allow: [{ images: 'nginx' }] }), /allow\[0\]\.images: must be a list of strings/],
    [doc({ name: 'p', allow: [{ images: [''] }] }), /allow\[0\]\.images\[0\]: must be a non-empty string/],
    [doc({ name: 'p', allow: [{ destinations: ['10.0.0.0/33'] }] }), /allow\[0\]\.destinations\[0\]: prefix length must be 0..32/],
    [doc({ name: 'p', allow: [{ destinations: ['example.com'] }] }), /allow\[0\]\.destinations\[0\]: must be an IP address or a CIDR/],
    [doc({ name: 'p', allow: [{ serviceAccounts: ['default'] }] }), /allow\[0\]\.serviceAccounts\[0\]: must be namespace\/name/],
    [doc({ name: 'p', allow: [{ containers: ['abc123'] }] }), /allow\[0\]\.containers\[0\]: a container id needs at least 12 hex/],
    [doc({ name: 'p', allow: [{ images: ['x'], types: ['bogus'] }] }), /allow\[0\]\.types\[0\]: unknown alert type/],
    [doc({ name: 'p', allow: [{ images: ['x'.repeat(5000)] }] }), /images\[0\]: longer than 4096 characters/],
    [doc({ name: 'p' }), /policies\[0\]: sets nothing: give types, thresholds and\/or allow/],
    [doc({ name: 'bad name!', types: { 'user/brute-force': false } }), /policies\[0\]\.name: must be a name of letters/],
    [
      doc({ name: 'p', types: { 'user/brute-force': false } }, { name: 'p', types: { 'user/brute-force': false } }),
      /policies\[1\]\.name: duplicate policy name p/,
    ],
    [{ kind: 'DetectionPolicy', policies: {} }, /^f: policies: must be a list/],
    [{ kind: 'RuntimePolicy', policies: [] }, /^f: kind: must be DetectionPolicy/],
    [{ ...doc(), apiVersion: 'v2' }, /^f: apiVersion: unsupported/],
    [{ ...doc(), extra: 1 }, /^f\.extra: unknown field/],
    ['text', /^f: must be a mapping/],
  ];
  for (const [raw, re] of cases) {
    assert.throws(
      () => validateDetectionDocument(raw, 'f'),
      (e: unknown) => {
        assert.ok(e instanceof InputError, String(e));
        assert.equal(e.code, 'DETECTION_POLICY_INVALID');
        assert.match(e.message, re);
        assert.ok(!e.message.includes('\n'));
        return true;
      },
      String(re),
    );
  }
});

test('limits: too many policies, allow entries or list values', () => {
  const many = Array.from({ length: 1001 }, (_, i) => ({ name: `p${i}`, types: { 'user/brute-force': false } }));
  assert.throws(() => validateDetectionDocument(doc(...many), 'f'), /policies: more than 1000 policies/);
  assert.throws(
    () => validateDetectionPolicy({ name: 'p', allow: Array.from({ length: 1001 }, () => ({ users: ['u'] })) }, 'x'),
    /x\.allow: more than 1000 entries/,
  );
  assert.throws(
    () => validateDetectionPolicy({ name: 'p', allow: [{ users: Array.from({ length: 10_001 }, () => 'u') }] }, 'x'),
    /users: more than 10000 entries/,
  );
});
