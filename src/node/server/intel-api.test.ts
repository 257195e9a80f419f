// Threat-IP entries and custom rule files through the server's API on SQLite
// and PostgreSQL: added (normalised), listed, deleted, audited
// (addThreatIp / deleteThreatIp / addRule / modifyRule / deleteRule), bad
// CIDRs and rule files that do not load refused (the loader's diagnostics with
// line and column), limits, roles; the set pushed to the project's agents
// carries the enabled rule files and the global, project and feed entries
// (a real vulnerability DB with a threat_ips table); the effective
// configuration shows them.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { startTestServer, type TestServer } from './server.test-helpers.js';
import { agentPolicies } from '../services/agents.js';
import { FeedThreatIps, MAX_THREAT_IPS_PER_SCOPE } from '../services/intel.js';
import { DbWriter } from '../vulndb/db.js';

const RULE = `- rule: Netcat in container
  desc: netcat started
  condition: evt.type in (execve, execveat) and evt.dir = < and proc.name = nc
  output: netcat in %container.name (cmdline=%proc.cmdline)
  priority: WARNING
`;

for (const kind of ['sqlite', 'postgres'] as const) {
  describe(`threat IPs and custom rules through the API on ${kind}`, () => {
    let s: TestServer;
    let P = '';
    before(async () => {
      s = await startTestServer(kind, {}, { workers: 0 });
      P = (await s.call('POST', '/api/v1/projects', s.adminToken, { name: 'intel' })).body.id;
    });
    after(async () => {
      await s?.cleanup();
    });

    test('threat-IP entries: add, normalise, list, refuse, delete, audit, roles', async () => {
      const t = s.adminToken;
      // Every change is a policy change for the agent links of every replica (PostgreSQL: NOTIFY).
      const heard: string[] = [];
      const unsubscribe = await s.ctx.changes.subscribe((topic, projectId) => {
        if (topic === 'policies') heard.push(projectId);
      });
      // (A new PostgreSQL listener tells everyone to re-read once when it connects: not this test's change.)
      heard.length = 0;
      const g = await s.call('POST', '/api/v1/threat-ips', t, { entries: [{ cidr: '198.51.100.77/24', comment: 'scanner\nrange' }] });
      assert.equal(g.status, 201, JSON.stringify(g.body));
      assert.equal(g.body.added, 1);
      const p = await s.call('POST', `/api/v1/projects/${P}/threat-ips`, t, {
        entries: [{ cidr: '127.0.0.77', comment: 'C2 of the test' }, { cidr: '2001:DB8::1/32' }, { cidr: '127.0.0.77/32' }],
      });
      assert.equal(p.status, 201, JSON.stringify(p.body));
      assert.equal(p.body.added, 2, 'the same CIDR twice is one entry');
      const deadline = Date.now() + 10_000;
      while (!(heard.includes('*') && heard.includes(P)) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      await unsubscribe();
      assert.ok(heard.includes('*'), `a global entry tells every project's agents: ${heard}`);
      assert.ok(heard.includes(P), `a project entry tells that project's agents: ${heard}`);
      const again = await s.call('POST', `/api/v1/projects/${P}/threat-ips`, t, { entries: [{ cidr: '127.0.0.77' }] });
      assert.equal(again.body.added, 0, 'already present');
      const gl = await s.call('GET', '/api/v1/threat-ips', t);
      assert.deepEqual(
        gl.body.items.map((x: { cidr: string; comment: string; projectId: string | null }) => [x.cidr, x.comment, x.projectId]),
        [['198.51.100.0/24', 'scanner range', null]],
      );
      const pl = await s.call('GET', `/api/v1/projects/${P}/threat-ips`, t);
      assert.deepEqual(
        pl.body.items.map((x: { cidr: string }) => x.cidr),
        ['127.0.0.77/32', '2001:db8::/32'],
      );

      for (const bad of ['300.1.1.1', '10.0.0.0/33', 'example.com', '1.2.3.4/']) {
        const r = await s.call('POST', `/api/v1/projects/${P}/threat-ips`, t, { entries: [{ cidr: '10.0.0.1' }, { cidr: bad }] });
        assert.equal(r.status, 400, bad);
        assert.equal(r.body.error, 'THREAT_IP_INVALID');
        assert.match(r.body.message, /^entries\[1\]\.cidr: '.*' is not an IP address or CIDR$/);
      }
      assert.equal((await s.call('GET', `/api/v1/projects/${P}/threat-ips`, t)).body.items.length, 2, 'a refused request adds nothing');
      const tooMany = await s.call('POST', '/api/v1/threat-ips', t, {
        entries: Array.from({ length: 1001 }, (_, i) => ({ cidr: `10.9.${i >> 8}.${i & 255}` })),
      });
      assert.equal(tooMany.status, 400, 'at most 1000 entries a request');
      const longComment = await s.call('POST', '/api/v1/threat-ips', t, { entries: [{ cidr: '10.1.1.1', comment: 'x'.repeat(201) }] });
      assert.equal(longComment.status, 400);

      // Roles: read-only users read, cannot add or delete; another project's users see nothing of this one.
      const ro = await s.user(`ro-${kind}`, 'ReadOnlyAccess', P);
      assert.equal((await s.call('GET', `/api/v1/projects/${P}/threat-ips`, ro.token)).status, 200);
      assert.equal((await s.call('POST', `/api/v1/projects/${P}/threat-ips`, ro.token, { entries: [{ cidr: '10.0.0.1' }] })).status, 403);
      assert.equal((await s.call('POST', '/api/v1/threat-ips', ro.token, { entries: [{ cidr: '10.0.0.1' }] })).status, 403, 'global needs a global binding');

      const id = pl.body.items[1].id;
      assert.equal((await s.call('DELETE', `/api/v1/threat-ips/${id}`, t)).status, 404, 'a project entry is not a global one');
      assert.equal((await s.call('DELETE', `/api/v1/projects/${P}/threat-ips/${id}`, t)).status, 200);
      assert.equal((await s.call('DELETE', `/api/v1/projects/${P}/threat-ips/${id}`, t)).status, 404);

      const audit = await s.call('GET', '/api/v1/audit?limit=1000', t);
      const events = audit.body.items.filter((r: { event: string }) => /ThreatIp$/.test(r.event));
      assert.ok(events.some((r: { event: string; result: string }) => r.event === 'addThreatIp' && r.result === 'success'));
      assert.ok(
        events.some((r: { event: string; result: string }) => r.event === 'addThreatIp' && r.result === 'failure'),
        'refused adds are in the trail',
      );
      assert.ok(events.some((r: { event: string; result: string }) => r.event === 'deleteThreatIp' && r.result === 'success'));
    });

    test('custom rule files: upload, diagnostics, enable/disable, delete, audit; what agents get', async () => {
      const t = s.adminToken;
      const add = await s.call('POST', `/api/v1/projects/${P}/rules`, t, { name: 'netcat.yaml', content: RULE });
      assert.equal(add.status, 201, JSON.stringify(add.body));
      assert.equal(add.body.rules, 1);

      // Does not load: the error names the file, line and column; the diagnostics carry them.
      const broken = `- rule: Broken\n  desc: x\n  condition: proc.name = nc and (\n  output: x\n  priority: WARNING\n`;
      const bad = await s.call('POST', `/api/v1/projects/${P}/rules`, t, { name: 'broken.yaml', content: broken });
      assert.equal(bad.status, 400);
      assert.equal(bad.body.error, 'RULES_INVALID');
      assert.match(bad.body.message, /^broken\.yaml:3:\d+: /);
      assert.ok(!/\n/.test(bad.body.message));
      assert.ok(bad.body.diagnostics.length >= 1);
      assert.equal(bad.body.diagnostics[0].line, 3);
      assert.equal(typeof bad.body.diagnostics[0].column, 'number');
      // Every error of the file, with line, column and code (not only the first one the message names); warnings are not errors.
      const multi = `${broken}- rule: Unsupported\n  desc: y\n  condition: proc.nme = nc\n  output: y\n  priority: WARNING\n- rule: Loud\n  desc: z\n  condition: proc.name = nc\n  output: z\n  priority: LOUD\n`;
      const many = await s.call('POST', `/api/v1/projects/${P}/rules`, t, { name: 'multi.yaml', content: multi });
      assert.equal(many.status, 400);
      assert.match(many.body.message, /^multi\.yaml:3:\d+: /);
      assert.deepEqual(
        many.body.diagnostics.map((d: { line: number; code: string; severity: string }) => [d.line, d.code, d.severity]),
        [
          [3, 'CONDITION_SYNTAX', 'error'],
          [11, 'INVALID_PRIORITY', 'error'],
        ],
      );
      assert.ok(many.body.diagnostics.every((d: { column: number; message: string }) => d.column > 0 && d.message.length > 0));
      const yaml = await s.call('POST', `/api/v1/projects/${P}/rules`, t, { name: 'yaml.yaml', content: '- rule: [unclosed\n' });
      assert.equal(yaml.status, 400);
      assert.equal(yaml.body.diagnostics[0].code, 'YAML_SYNTAX');
      const none = await s.call('POST', `/api/v1/projects/${P}/rules`, t, { name: 'empty.yaml', content: '- list: x\n  items: [a]\n' });
      assert.equal(none.status, 400);
      assert.match(none.body.message, /defines no rule/);
      assert.equal((await s.call('POST', `/api/v1/projects/${P}/rules`, t, { name: '../x', content: RULE })).status, 400, 'file names are names');
      assert.equal((await s.call('POST', `/api/v1/projects/${P}/rules`, t, { name: 'netcat.yaml', content: RULE })).status, 409);

      const list = await s.call('GET', `/api/v1/projects/${P}/rules`, t);
      assert.deepEqual(
        list.body.items.map((r: { name: string; enabled: boolean; ruleCount: number }) => [r.name, r.enabled, r.ruleCount]),
        [['netcat.yaml', true, 1]],
      );
      assert.equal(list.body.items[0].content, undefined, 'the list leaves the content out');
      assert.equal((await s.call('GET', `/api/v1/projects/${P}/rules/${add.body.id}`, t)).body.content, RULE);

      // The agents' set: enabled files, global + project entries, and the feed of the vulnerability DB.
      const dbPath = join(s.dataDir, 'vuln.db');
      const w = DbWriter.open(dbPath, { fresh: true });
      w.putThreatIp('threat-ips', 'https://feed.example/drop.txt', { cidr: '192.0.2.0/24', comment: 'SBL1' });
      w.commit();
      let set = await agentPolicies(s.ctx, P, null, new FeedThreatIps(dbPath));
      assert.deepEqual(set.rules, [{ name: 'netcat.yaml', content: RULE }]);
      assert.deepEqual(set.threatIps, ['127.0.0.77/32', '192.0.2.0/24', '198.51.100.0/24']);
      const rev = set.revision;

      assert.equal((await s.call('PATCH', `/api/v1/projects/${P}/rules/${add.body.id}`, t, { enabled: false })).status, 200);
      set = await agentPolicies(s.ctx, P, null);
      assert.deepEqual(set.rules, [], 'a disabled file is not pushed');
      assert.notEqual(set.revision, rev);
      const badPatch = await s.call('PATCH', `/api/v1/projects/${P}/rules/${add.body.id}`, t, { content: broken });
      assert.equal(badPatch.status, 400);
      assert.equal(badPatch.body.error, 'RULES_INVALID');
      assert.equal((await s.call('PATCH', `/api/v1/projects/${P}/rules/${add.body.id}`, t, { enabled: true })).status, 200);

      const eff = await s.call('GET', `/api/v1/projects/${P}/detection/effective`, t);
      assert.equal(eff.status, 200);
      assert.deepEqual(eff.body.customRules, [{ name: 'netcat.yaml', enabled: true, rules: 1 }]);
      assert.equal(eff.body.threatIps.global, 1);
      assert.equal(eff.body.threatIps.project, 1);
      assert.ok(
        eff.body.types.some((x: { raisedBy: Array<{ name: string }> }) => x.raisedBy.some((r) => r.name === 'Netcat in container')),
        'the custom rule is in the effective configuration',
      );

      assert.equal((await s.call('DELETE', `/api/v1/projects/${P}/rules/${add.body.id}`, t)).status, 200);
      assert.equal((await s.call('GET', `/api/v1/projects/${P}/rules/${add.body.id}`, t)).status, 404);

      const audit = await s.call('GET', '/api/v1/audit?limit=1000', t);
      const events = new Set(audit.body.items.filter((r: { result: string }) => r.result === 'success').map((r: { event: string }) => r.event));
      for (const e of ['addRule', 'modifyRule', 'deleteRule']) assert.ok(events.has(e), `audit trail lacks ${e}`);
      assert.ok(!JSON.stringify(audit.body).includes('proc.name = nc and ('), 'rule contents are not copied into the trail');
    });

    if (kind === 'sqlite')
      test('threat-IP entries: at most MAX_THREAT_IPS_PER_SCOPE per scope', async () => {
        const Q = (await s.call('POST', '/api/v1/projects', s.adminToken, { name: 'full' })).body.id;
        for (let k = 0; k < MAX_THREAT_IPS_PER_SCOPE / 1000; k++) {
          const r = await s.call('POST', `/api/v1/projects/${Q}/threat-ips`, s.adminToken, {
            entries: Array.from({ length: 1000 }, (_, i) => ({ cidr: `10.${k}.${i >> 8}.${i & 255}` })),
          });
          assert.equal(r.status, 201);
        }
        const over = await s.call('POST', `/api/v1/projects/${Q}/threat-ips`, s.adminToken, { entries: [{ cidr: '11.0.0.1' }] });
        assert.equal(over.status, 400);
        assert.equal(over.body.error, 'LIMIT_THREAT_IPS');
      });
  });
}
