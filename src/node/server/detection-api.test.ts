// Detection policies through the server's policy API on SQLite and
// PostgreSQL: added, changed, applied to an image and deleted with their
// audit events; invalid documents refused with the field and the reason; the
// policy file the API hands out, loaded into a real engine, disables a type,
// raises a threshold and allowlists an image; the effective configuration
// read shows each setting with the policy it came from.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { startTestServer, type TestServer } from './server.test-helpers.js';
import { insertImage } from '../services/images.js';
import { Engine, loadRuleset, makeEvent, exec, open } from '../../core/rules/index.js';
import { DetectionTuning } from '../../core/rules/tuning.js';
import { validateDetectionDocument } from '../../core/policy/detection.js';
import type { EngineEvent } from '../../core/events/event.js';

const dir = new URL('../../../rules/builtin/', import.meta.url);
const builtin = loadRuleset(
  readdirSync(dir)
    .filter((n) => n.endsWith('.yaml'))
    .sort()
    .map((n) => ({ name: n, text: readFileSync(new URL(n, dir), 'utf8') })),
  { builtin: true },
).ruleset;

const app = { id: 'c'.repeat(64), name: 'app', image: 'registry.example.com/shop/app:1.0', imageRepository: 'registry.example.com/shop/app' };
const other = { id: 'd'.repeat(64), name: 'other', image: 'registry.example.com/shop/other:2', imageRepository: 'registry.example.com/shop/other' };
const auth = (i: number) =>
  makeEvent({ type: 'auth', time: 1000 + i * 1000, proc: { name: 'sshd' }, args: { service: 'sshd', result: 'failure', user: 'root', sip: '198.51.100.7' } });
const shadow = (container: typeof app) => open('/etc/shadow', 'r', { container, proc: { name: 'cat', exepath: '/usr/bin/cat' } });

for (const kind of ['sqlite', 'postgres'] as const) {
  describe(`detection policies through the API on ${kind}`, () => {
    let s: TestServer;
    let P = '';
    let imageId = '';
    before(async () => {
      s = await startTestServer(kind, {}, { workers: 0 });
      P = (await s.call('POST', '/api/v1/projects', s.adminToken, { name: 'dpol' })).body.id;
      imageId = await s.ctx.store.db.transaction().execute((trx) => insertImage(s.ctx, trx, P, 'registry:registry.example.com/shop/app:1.0'));
    });
    after(async () => {
      await s?.cleanup();
    });

    const engineFromApi = async () => {
      const file = await s.call('GET', `/api/v1/projects/${P}/detection/policies`, s.adminToken);
      assert.equal(file.status, 200, JSON.stringify(file.body));
      // The file the API hands out is a valid --policy file as it is.
      const doc = validateDetectionDocument(file.body, 'api');
      return { file: file.body, engine: new Engine(builtin, { host: 'n', newId: () => 'x', tuning: new DetectionTuning(doc.policies) }) };
    };
    const types = (en: Engine, evs: EngineEvent[]) => evs.flatMap((e) => en.process(e)).map((a) => a.type);

    test('add, change, apply, read back, take effect, delete; audit events; the effective configuration', async () => {
      const t = s.adminToken;
      const add = await s.call('POST', `/api/v1/projects/${P}/policies`, t, {
        name: 'tuning',
        kind: 'detection',
        document: {
          types: { 'system/high-risk-command': false },
          thresholds: { 'brute-force': { attempts: 8, window: '2m' } },
        },
      });
      assert.equal(add.status, 201, JSON.stringify(add.body));
      const trust = await s.call('POST', `/api/v1/projects/${P}/policies`, t, {
        name: 'trust-app',
        kind: 'detection',
        document: { allow: [{ name: 'the app reads shadow', types: ['user/password-theft'], processes: ['cat'] }] },
      });
      assert.equal(trust.status, 201, JSON.stringify(trust.body));
      // Applying the allowlist policy to the image scopes it to that image's runtime reference.
      assert.equal((await s.call('POST', `/api/v1/projects/${P}/policies/${trust.body.id}/images`, t, { imageIds: [imageId] })).status, 200);
      // A policy with thresholds applies project-wide: it cannot be applied to images.
      const noApply = await s.call('POST', `/api/v1/projects/${P}/policies/${add.body.id}/images`, t, { imageIds: [imageId] });
      assert.equal(noApply.status, 400);
      assert.match(noApply.body.message, /document\.thresholds: thresholds apply to the whole project/);
      // modifyPolicy: raise the threshold further.
      const patch = await s.call('PATCH', `/api/v1/projects/${P}/policies/${add.body.id}`, t, {
        document: { types: { 'system/high-risk-command': false }, thresholds: { 'brute-force': { attempts: 10, window: '2m' } } },
      });
      assert.equal(patch.status, 200, JSON.stringify(patch.body));

      const { file, engine } = await engineFromApi();
      assert.deepEqual(
        file.policies.find((p: { name: string }) => p.name === 'trust-app'),
        {
          name: 'trust-app',
          allow: [{ name: 'the app reads shadow', types: ['user/password-theft'], processes: ['cat'] }],
          scope: { images: ['registry.example.com/shop/app:1.0'] },
        },
      );
      assert.deepEqual(types(engine, [exec('rm -rf /', { container: other })]), [], 'the type is off');
      assert.deepEqual(types(engine, [0, 1, 2, 3, 4, 5, 6, 7, 8].map(auth)), [], '9 failures are below the raised threshold');
      assert.deepEqual(types(engine, [auth(9)]), ['user/brute-force']);
      assert.deepEqual(types(engine, [shadow(app)]), [], 'the applied image is allowlisted');
      assert.deepEqual(types(engine, [shadow(other)]), ['user/password-theft'], 'another image is not');

      const eff = await s.call('GET', `/api/v1/projects/${P}/detection/effective`, t);
      assert.equal(eff.status, 200, JSON.stringify(eff.body));
      const ty = (id: string) => eff.body.types.find((x: { type: string }) => x.type === id);
      assert.equal(ty('system/high-risk-command').enabled, false);
      assert.equal(ty('system/high-risk-command').enabledFrom, 'tuning');
      assert.deepEqual(eff.body.thresholds.find((x: { key: string }) => x.key === 'brute-force').params.attempts, { value: 10, unit: 'count', from: 'tuning' });
      assert.deepEqual(eff.body.allow[0].scope, { images: ['registry.example.com/shop/app:1.0'] });
      assert.equal(eff.body.allow[0].id, 'trust-app.allow[0]');
      assert.ok(ty('user/password-theft').allow.includes('trust-app.allow[0]'));

      // A read-only user reads both; it cannot add a policy.
      const ro = await s.user(`ro-${kind}`, 'ReadOnlyAccess', P);
      assert.equal((await s.call('GET', `/api/v1/projects/${P}/detection/effective`, ro.token)).status, 200);
      assert.equal(
        (await s.call('POST', `/api/v1/projects/${P}/policies`, ro.token, { name: 'x', kind: 'detection', document: { types: { 'user/brute-force': false } } }))
          .status,
        403,
      );

      assert.equal((await s.call('DELETE', `/api/v1/projects/${P}/policies/${add.body.id}`, t)).status, 200);
      const after = await s.call('GET', `/api/v1/projects/${P}/detection/effective`, t);
      assert.equal(after.body.types.find((x: { type: string }) => x.type === 'system/high-risk-command').enabled, true);
      const { engine: e2 } = await engineFromApi();
      assert.deepEqual(types(e2, [exec('rm -rf /', { container: other })]), ['system/high-risk-command'], 'deleted: the type is back');

      const events = new Map<string, number>();
      const page = await s.call('GET', `/api/v1/audit?limit=1000`, t);
      for (const r of page.body.items) if (r.resourceType === 'policy' || /Policy$/.test(r.event)) events.set(r.event, (events.get(r.event) ?? 0) + 1);
      for (const e of ['addPolicy', 'modifyPolicy', 'imageApplyPolicy', 'deletePolicy'])
        assert.ok(events.has(e), `audit trail lacks ${e}: ${[...events.keys()]}`);
    });

    test('invalid detection documents are refused with the field and the reason', async () => {
      const t = s.adminToken;
      const cases: Array<[Record<string, unknown>, RegExp]> = [
        [{ document: { types: { 'user/brute-forse': false } } }, /^document\.types\.user\/brute-forse: unknown alert type/],
        [{ document: { thresholds: { cpu: { percent: 0 } } } }, /^document\.thresholds\.cpu\.percent: must be a whole number from 1 to 100$/],
        [{ document: { allow: [{ destinations: ['10.0.0.0/40'] }] } }, /^document\.allow\[0\]\.destinations\[0\]: prefix length must be 0\.\.32$/],
        [{ document: { allow: [{}] } }, /^document\.allow\[0\]: needs at least one of images/],
        [{ document: {} }, /^document: sets nothing/],
        [{ document: { scope: { images: ['x'] }, thresholds: { cpu: { percent: 95 } } } }, /^document\.thresholds: thresholds apply to the whole project/],
        [{ mode: 'enforce', document: { types: { 'user/brute-force': false } } }, /^mode: a detection policy tunes alerts; its mode is alert$/],
      ];
      for (const [body, re] of cases) {
        const r = await s.call('POST', `/api/v1/projects/${P}/policies`, t, { name: 'bad', kind: 'detection', ...body });
        assert.equal(r.status, 400, JSON.stringify(r.body));
        assert.match(r.body.message, re);
      }
      const list = await s.call('GET', `/api/v1/projects/${P}/policies?kind=detection`, t);
      assert.ok(!list.body.items.some((p: { name: string }) => p.name === 'bad'));
    });
  });
}
