// Detection policies on the engine directly, with the shipped built-in rules:
// a type turned off, a threshold raised, an image allowlisted, a severity
// overridden, scoped settings, the CPU gate, k8s allowlists, and the
// effective configuration that explains each of them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { Engine, loadRuleset, makeEvent, exec, open, connect } from './index.js';
import type { EngineEvent } from '../events/event.js';
import { DetectionTuning, effectiveConfig } from './tuning.js';
import { validateDetectionDocument, validateDetectionPolicy, type DetectionPolicy } from '../policy/detection.js';
import { THRESHOLDS, THRESHOLD_KEYS, type ThresholdDef } from '../policy/thresholds.js';
import { auditEvent } from '../k8s/audit-builders.js';

const dir = (d: string) => new URL(`../../../rules/${d}/`, import.meta.url);
const filesOf = (d: string) =>
  readdirSync(dir(d))
    .filter((n) => n.endsWith('.yaml'))
    .sort()
    .map((n) => ({ name: `rules/${d}/${n}`, text: readFileSync(new URL(n, dir(d)), 'utf8') }));
const builtin = loadRuleset(filesOf('builtin'), { builtin: true }).ruleset;
const cluster = loadRuleset(filesOf('cluster'), { builtin: true, source: 'k8s_audit' }).ruleset;

const policies = (...ps: unknown[]): DetectionPolicy[] => ps.map((p, i) => validateDetectionPolicy(p, `p[${i}]`));
const engineWith = (ps: DetectionPolicy[], opts: { threatIps?: string[] } = {}) =>
  new Engine(builtin, { host: 'n', clock: () => 0, newId: () => 'x', tuning: new DetectionTuning(ps), ...opts });
const types = (en: Engine, events: EngineEvent[]) => events.flatMap((e) => en.process(e)).map((a) => a.type);

const nginx = { id: 'a'.repeat(64), name: 'web', image: 'docker.io/library/nginx:1.25', imageRepository: 'docker.io/library/nginx', podNamespace: 'shop' };
const redis = { id: 'b'.repeat(64), name: 'cache', image: 'docker.io/library/redis:7', imageRepository: 'docker.io/library/redis', podNamespace: 'ci' };
const auth = (i: number, user = 'root') =>
  makeEvent({ type: 'auth', time: 1000 + i * 1000, proc: { name: 'sshd' }, args: { service: 'sshd', result: 'failure', user, sip: '198.51.100.23' } });
const wipe = (container = nginx) => exec('rm -rf /', { container });
const shadow = (container: typeof nginx) => open('/etc/shadow', 'r', { container, proc: { name: 'cat', exepath: '/usr/bin/cat' } });
// The CPU sampler's reports: one per sustained episode, with the miner traits it found.
const cpu = (n: number, pct: number) =>
  Array.from({ length: n }, (_, i) =>
    makeEvent({
      type: 'procstat',
      time: 1000 + i * 10_000,
      args: { cpu_percent: pct, seconds: 60, traits: 'kernel-thread-name' },
      proc: { name: 'kworker', pid: 31 },
    }),
  );

const tuningPolicy = {
  name: 'team-tuning',
  types: { 'system/high-risk-command': false, 'user/brute-force': { severity: 'critical' } },
  thresholds: { 'brute-force': { attempts: 10, window: '2m' } },
  allow: [{ name: 'trusted nginx', images: ['docker.io/library/nginx:*'] }],
};

test('without policies the built-in behaviour is unchanged (the baseline of every case below)', () => {
  const en = engineWith([]);
  assert.deepEqual(types(en, [wipe()]), ['system/high-risk-command']);
  assert.deepEqual(types(en, [shadow(nginx)]), ['user/password-theft']);
  const a = [0, 1, 2, 3, 4].flatMap((i) => en.process(auth(i)));
  assert.deepEqual(
    a.map((x) => [x.type, x.severity]),
    [['user/brute-force', 'high']],
  );
  assert.deepEqual(types(en, cpu(5, 95)), ['system/abnormal-process-behavior']);
  assert.deepEqual(types(engineWith([]), cpu(10, 40)), [], 'the default CPU gate is 90%');
});

test('a policy disables a type, raises a threshold, allowlists an image and overrides a severity', () => {
  const en = engineWith(policies(tuningPolicy));
  assert.deepEqual(types(en, [wipe(redis)]), [], 'system/high-risk-command is off');
  assert.ok(en.off.includes('Destructive or evasive command'));
  // 5 failures no longer make a brute force; 10 within 2 minutes do, with the overridden severity.
  const five = [0, 1, 2, 3, 4].flatMap((i) => en.process(auth(i)));
  assert.deepEqual(five, []);
  const ten = [5, 6, 7, 8, 9].flatMap((i) => en.process(auth(i)));
  assert.deepEqual(
    ten.map((x) => [x.type, x.severity, x.rule]),
    [['user/brute-force', 'critical', 'Login brute force']],
  );
  assert.match(ten[0]!.message, /\(10 events within 120s\)/);
  // The allowlisted image is trusted (every type); another image is not.
  assert.deepEqual(types(en, [shadow(nginx)]), []);
  assert.deepEqual(types(en, [shadow(redis)]), ['user/password-theft']);
});

test('allowlist entries: every named field must match; types restrict the entry', () => {
  const en = engineWith(
    policies({
      name: 'backup',
      allow: [
        { types: ['user/password-theft'], processes: ['/usr/bin/cat'], users: ['root'], images: ['docker.io/library/redis*'] },
        { cmdlines: ['rm -rf /'], containers: ['web'] },
      ],
    }),
  );
  assert.deepEqual(types(en, [shadow(redis)]), [], 'cat as root in redis is trusted for password theft');
  assert.deepEqual(types(en, [open('/etc/shadow', 'r', { container: redis, proc: { name: 'cat', exepath: '/usr/bin/cat', user: 'app' } })]), [
    'user/password-theft',
  ]);
  assert.deepEqual(types(en, [open('/etc/shadow', 'r', { container: redis, proc: { name: 'head', exepath: '/usr/bin/head' } })]), ['user/password-theft']);
  assert.deepEqual(types(en, [wipe(nginx)]), [], 'the command line in container web');
  assert.deepEqual(types(en, [wipe(redis)]), ['system/high-risk-command']);
});

test('destinations allowlist the threat-IP detector (an exception on fd.rip)', () => {
  const ev = connect('203.0.113.9', 443, { container: nginx });
  assert.deepEqual(types(engineWith([], { threatIps: ['203.0.113.0/24'] }), [ev]), ['network/abnormal-outbound']);
  const en = engineWith(policies({ name: 'cdn', allow: [{ destinations: ['203.0.113.0/28'] }] }), { threatIps: ['203.0.113.0/24'] });
  assert.deepEqual(types(en, [ev]), []);
  assert.deepEqual(types(en, [connect('203.0.113.77', 443, { container: nginx })]), ['network/abnormal-outbound']);
});

test('scoped policies refine the project-wide ones for their images and namespaces only', () => {
  const en = engineWith(
    policies(
      {
        name: 'ci-quiet',
        scope: { namespaces: ['ci'] },
        types: { 'user/password-theft': { enabled: false }, 'system/high-risk-command': { severity: 'low' } },
      },
      { name: 'project', types: { 'user/password-theft': { severity: 'critical' } } },
    ),
  );
  assert.deepEqual(types(en, [shadow(redis)]), [], 'redis runs in namespace ci');
  const a = en.process(shadow(nginx));
  assert.deepEqual(
    a.map((x) => [x.type, x.severity]),
    [['user/password-theft', 'critical']],
  );
  assert.deepEqual(
    en.process(wipe(redis)).map((x) => x.severity),
    ['low'],
  );
  assert.deepEqual(
    en.process(wipe(nginx)).map((x) => x.severity),
    ['high'],
  );
  // A scoped policy can turn a type back on in its scope.
  const on = engineWith(
    policies(
      { name: 'off', types: { 'user/password-theft': false } },
      { name: 'shop-on', scope: { images: ['*/nginx:*'] }, types: { 'user/password-theft': true } },
    ),
  );
  assert.deepEqual(types(on, [shadow(redis)]), []);
  assert.deepEqual(types(on, [shadow(nginx)]), ['user/password-theft']);
});

test('the cpu threshold: percent is a gate on evt.arg.cpu_percent, duration the sustain time the sampler reads from engine.thresholds', () => {
  assert.deepEqual(types(engineWith(policies({ name: 'c', thresholds: { cpu: { percent: 95 } } })), cpu(1, 92)), []);
  assert.deepEqual(types(engineWith(policies({ name: 'c', thresholds: { cpu: { percent: 50 } } })), cpu(1, 60)), ['system/abnormal-process-behavior']);
  // One alert per process per window however many episodes it reports.
  assert.deepEqual(types(engineWith([]), cpu(3, 99)), ['system/abnormal-process-behavior']);
  // The duration is how long the CPU sampler waits before it reports (runtime watch hands it engine.thresholds.cpu).
  const short = engineWith(policies({ name: 'c', thresholds: { cpu: { duration: '30s' } } }));
  assert.deepEqual(short.thresholds.cpu, { percent: 90, duration: 30_000 });
  assert.deepEqual(engineWith([]).thresholds.cpu, { percent: 90, duration: 60_000 });
});

test('k8s: service accounts and users allowlisted, the forbidden-burst threshold', () => {
  const t0 = Date.UTC(2026, 0, 15, 12);
  const review = (user: string) =>
    auditEvent({
      verb: 'create',
      resource: 'selfsubjectrulesreviews',
      user,
      requestObject: { kind: 'SelfSubjectRulesReview', spec: { namespace: 'default' } },
    });
  const forbidden = (user: string, i: number) => auditEvent({ verb: 'list', resource: 'secrets', namespace: `ns-${i}`, user, code: 403, time: t0 + i * 1000 });
  const mk = (ps: DetectionPolicy[]) => new Engine(cluster, { host: 'c', newId: () => 'x', detectors: [], tuning: new DetectionTuning(ps) });
  const ps = policies({
    name: 'k8s',
    thresholds: { 'forbidden-burst': { requests: 20 } },
    allow: [{ serviceAccounts: ['monitoring/*'] }, { k8sUsers: ['ci-bot'], types: ['cluster/user-enumeration'] }],
  });
  assert.deepEqual(types(mk([]), [review('system:serviceaccount:monitoring:prom')]), ['cluster/user-enumeration']);
  const en = mk(ps);
  assert.deepEqual(types(en, [review('system:serviceaccount:monitoring:prom'), review('ci-bot')]), []);
  assert.deepEqual(types(en, [review('system:serviceaccount:default:web')]), ['cluster/user-enumeration']);
  const burst = (e: Engine, n: number) =>
    types(
      e,
      Array.from({ length: n }, (_, i) => forbidden('mallory', i)),
    );
  assert.deepEqual(burst(mk([]), 10), ['cluster/user-enumeration']);
  assert.deepEqual(burst(mk(ps), 10), []);
  assert.deepEqual(burst(mk(ps), 20), ['cluster/user-enumeration']);
});

test('the effective configuration says what is on, the thresholds and allowlists, and where each came from', () => {
  const t = new DetectionTuning(policies(tuningPolicy, { name: 'ci', scope: { namespaces: ['ci'] }, types: { 'user/password-theft': false } }));
  const en = new Engine(builtin, { host: 'n', tuning: t });
  const eff = effectiveConfig(en.matchers(), en.rules, t);
  const ty = (id: string) => eff.types.find((x) => x.type === id)!;
  assert.equal(ty('system/high-risk-command').enabled, false);
  assert.equal(ty('system/high-risk-command').enabledFrom, 'team-tuning');
  assert.equal(ty('user/brute-force').severity, 'critical');
  assert.equal(ty('user/brute-force').severityFrom, 'team-tuning');
  assert.equal(ty('user/password-theft').enabled, 'scoped');
  assert.deepEqual(ty('user/password-theft').scoped, [{ policy: 'ci', scope: { namespaces: ['ci'] }, enabled: false }]);
  assert.equal(ty('system/key-file-change').enabled, true);
  assert.equal(ty('system/key-file-change').enabledFrom, 'default');
  assert.ok(ty('user/brute-force').raisedBy.some((r) => r.name === 'Login brute force'));
  const bf = eff.thresholds.find((x) => x.key === 'brute-force')!;
  assert.deepEqual(bf.params.attempts, { value: 10, unit: 'count', from: 'team-tuning' });
  assert.deepEqual(bf.params.window, { value: 120_000, unit: 'ms', from: 'team-tuning' });
  const conn = eff.thresholds.find((x) => x.key === 'connections')!;
  assert.deepEqual(conn.params.connections, { value: 200, unit: 'count', from: 'rule file rules/builtin/system.yaml' });
  assert.deepEqual(eff.thresholds.find((x) => x.key === 'cpu')!.params.percent, { value: 90, unit: 'percent', from: 'default' });
  assert.deepEqual(eff.allow, [
    {
      id: 'team-tuning.allow[0]',
      policy: 'team-tuning',
      name: 'trusted nginx',
      types: 'all',
      match: { images: ['docker.io/library/nginx:*'] },
      fields: ['container.image', 'container.image.repository'],
      sources: ['syscall'],
    },
  ]);
  const k8s = new Engine(cluster, { host: 'c', detectors: [], tuning: t });
  const both = effectiveConfig([...en.matchers(), ...k8s.matchers()], [...en.rules, ...k8s.rules], t);
  assert.deepEqual(both.types.find((x) => x.type === 'cluster/role-binding')!.allow, [], 'an image allowlist cannot match audit events');
  assert.deepEqual(both.types.find((x) => x.type === 'user/password-theft')!.allow, ['team-tuning.allow[0]']);
  assert.deepEqual(ty('user/password-theft').allow, ['team-tuning.allow[0]']);
  assert.deepEqual(
    eff.policies.map((p) => p.name),
    ['team-tuning', 'ci'],
  );
});

test('every threshold names a loaded built-in rule whose aggregate holds the defaults', () => {
  for (const k of THRESHOLD_KEYS) {
    const def: ThresholdDef = THRESHOLDS[k];
    const rule = [...builtin.rules, ...cluster.rules].find((r) => r.name === def.rule && r.source === def.source);
    assert.ok(rule, `${k}: rule ${def.rule}`);
    assert.equal(rule.type, def.type, k);
    assert.ok(rule.aggregate, `${k}: ${def.rule} aggregates`);
    if (def.bind.count) assert.equal(rule.aggregate.threshold, def.params[def.bind.count]!.default, `${k}.${def.bind.count}`);
    if (def.bind.window) assert.equal(rule.aggregate.windowMs, def.params[def.bind.window]!.default, `${k}.${def.bind.window}`);
  }
});

test('the example policy file is valid and its CIDRs compile', () => {
  const doc = validateDetectionDocument(parse(readFileSync(new URL('../../../examples/detection/team-tuning.yaml', import.meta.url), 'utf8')), 'example');
  assert.ok(doc.policies.length >= 2);
  new DetectionTuning(doc.policies);
});
