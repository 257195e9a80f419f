import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { NodeContainer } from '../checks/node-container.js';
import { validateAdmissionPolicy } from './policy.js';
import { runningImageAlerts } from './running.js';
import type { ImageFacts } from './decide.js';

const container = (over: Partial<NodeContainer> = {}): NodeContainer => ({
  id: 'c'.repeat(64),
  runtime: 'docker',
  namespace: '',
  name: 'web',
  image: 'local/app:1',
  imageDigest: `sha256:${'d'.repeat(64)}`,
  state: 'running',
  startedAt: '2026-03-01T10:00:00.000Z',
  privileged: true,
  capAdd: ['SYS_ADMIN'],
  hostMounts: [],
  hostPid: false,
  hostNetwork: false,
  hostIpc: false,
  ...over,
});
const node = { id: 'node-1', hostname: 'node-a' };
const policies = [
  validateAdmissionPolicy({ name: 'no-critical', mode: 'audit', rules: { vulnerabilities: { maxCritical: 0 }, container: { privileged: true } } }),
  validateAdmissionPolicy({ name: 'scanned', mode: 'enforce', rules: { scan: { required: true } } }),
];
const vulnerable: ImageFacts = {
  scanned: true,
  scannedAt: '2026-03-01T09:00:00.000Z',
  vulnerabilities: { critical: 2, high: 0, criticalFixable: 1, highFixable: 0 },
};

test('running containers: one container/image-blocked per violated image rule, with container, image and reason', () => {
  const alerts = runningImageAlerts(policies, node, [container()], () => () => vulnerable, Date.parse('2026-03-02T00:00:00Z'));
  assert.equal(alerts.length, 1, JSON.stringify(alerts));
  const a = alerts[0]!;
  assert.equal(a.type, 'container/image-blocked');
  assert.equal(a.host, 'node-a');
  assert.deepEqual(a.container, { id: 'c'.repeat(64), name: 'web', image: 'local/app:1' });
  assert.equal(a.time, '2026-03-01T10:00:00.000Z');
  assert.match(
    a.message,
    /^Container web runs image local\/app:1, which image policy no-critical \(audit\) does not admit: local\/app:1 has 2 critical vulnerabilities/,
  );
  assert.equal(a.fields?.refused, false);
  // The container rule (privileged) is the start checks' business, not this alert's.
  assert.ok(!alerts.some((x) => String(x.fields?.check).startsWith('container.')));
});

test('running containers: IDs are derived (same start, same IDs; a new start, new IDs); clean or stopped containers raise nothing', () => {
  const now = Date.parse('2026-03-02T00:00:00Z');
  const unscanned = () => () => undefined;
  const first = runningImageAlerts(policies, node, [container()], unscanned, now);
  assert.deepEqual(
    first.map((a) => a.fields?.check),
    ['scan.required'],
  );
  assert.deepEqual(
    runningImageAlerts(policies, node, [container()], unscanned, now + 1000).map((a) => a.id),
    first.map((a) => a.id),
  );
  const restarted = runningImageAlerts(policies, node, [container({ startedAt: '2026-03-01T11:00:00.000Z' })], unscanned, now);
  assert.notEqual(restarted[0]!.id, first[0]!.id);
  assert.match(first[0]!.id, /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
  const clean: ImageFacts = { scanned: true, vulnerabilities: { critical: 0, high: 0, criticalFixable: 0, highFixable: 0 } };
  assert.deepEqual(
    runningImageAlerts(policies, node, [container()], () => () => clean, now),
    [],
  );
  assert.deepEqual(runningImageAlerts(policies, node, [container({ state: 'exited' })], unscanned, now), []);
  assert.deepEqual(runningImageAlerts([], node, [container()], unscanned, now), []);
});
