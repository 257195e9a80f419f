// Response schemas: every route of the OpenAPI document declares its 2xx
// response (except the documented non-JSON ones), and on a server seeded
// through the API (a real scan of a Debian image against a real vulnerability
// DB, a registry with a password, a webhook with a secret, API and agent
// tokens, users and bindings, policies, a cluster and nodes, alerts,
// ignores, the demo's learned processes) each GET route's body matches its
// schema exactly: the app answers with JSON.stringify here (not the schema's
// serializer, which drops unlisted fields), and the schemas are checked with
// additionalProperties false, so a field a service returns that the schema
// lacks (the console would never see it) fails as much as a missing or
// mistyped one. No body holds a secret-looking field or a secret value.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import addFormatsImport from 'ajv-formats';
import { writeDockerArchive } from '../../../test/helpers/image-builder.js';
import { DbWriter } from '../vulndb/db.js';
import { importPaths } from '../vulndb/import.js';
import { seedDemoData } from './demo-data.js';
import { startTestServer, waitScan, type TestServer } from './server.test-helpers.js';

const addFormats = addFormatsImport as unknown as (a: Ajv) => void;

/** Routes without a JSON response schema, and why (docs/api.md). */
const NO_JSON_SCHEMA = new Map<string, string>([
  ['GET /metrics', 'Prometheus text format'],
  ['GET /api/v1/audit/export', 'a JSON-lines or CSV download'],
]);

const REGISTRY_PASSWORD = 'reg-pass-Zq81-never-shown';
const WEBHOOK_SECRET = 'hook-secret-Mv27-never-shown';
const SECRET_KEY = /password|secret|tokenhash|passwordenc|privatekey|apikey/i;
/** A secret-looking field may hold a flag, a count or a masked value, never the secret. */
const MASKED = /^(\*+|\[redacted\]|)$/;

type Schema = Record<string, any>;

/** The schema with every object closed (additionalProperties false unless it says otherwise). */
function strict(s: unknown): unknown {
  if (Array.isArray(s)) return s.map(strict);
  if (!s || typeof s !== 'object') return s;
  const o: Schema = {};
  for (const [k, v] of Object.entries(s as Schema))
    o[k] = k === 'properties' ? Object.fromEntries(Object.entries(v as Schema).map(([p, x]) => [p, strict(x)])) : strict(v);
  if (o.properties && o.additionalProperties === undefined) o.additionalProperties = false;
  return o;
}

function secretKeys(v: unknown, path = '$'): string[] {
  if (Array.isArray(v)) return v.flatMap((x, i) => secretKeys(x, `${path}[${i}]`));
  if (!v || typeof v !== 'object') return [];
  return Object.entries(v as Schema).flatMap(([k, x]) => [
    ...(SECRET_KEY.test(k) && typeof x === 'string' && !MASKED.test(x) ? [`${path}.${k}: ${x.slice(0, 3)}...`] : []),
    ...secretKeys(x, `${path}.${k}`),
  ]);
}

async function fixtures(dir: string): Promise<{ image: string; db: string }> {
  const image = join(dir, 'image.tar');
  await writeDockerArchive(image, {
    layers: [
      {
        files: [
          { path: 'etc/os-release', content: 'NAME="Debian GNU/Linux"\nVERSION_ID="12"\nID=debian\n' },
          {
            path: 'var/lib/dpkg/status',
            content: 'Package: bin1\nStatus: install ok installed\nArchitecture: amd64\nVersion: 1.0-1\nSource: src1\nDescription: x\n',
          },
          {
            path: 'root/.aws/credentials',
            content: '[default]\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\naws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n',
          },
          { path: 'opt/tool.sh', content: '#!/bin/sh\necho hi\n', mode: 0o755 },
        ],
      },
    ],
  });
  const src = mkdtempSync(join(dir, 'osv-'));
  writeFileSync(
    join(src, 'dsa-1.json'),
    JSON.stringify({
      id: 'DSA-1-1',
      modified: '2026-01-01T00:00:00Z',
      summary: 'src1 issue',
      upstream: ['CVE-2026-0001'],
      severity: [{ type: 'CVSS_V3', score: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H' }],
      affected: [{ package: { ecosystem: 'Debian:12', name: 'src1' }, ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '1.0-2' }] }] }],
    }),
  );
  const db = join(dir, 'vigil.db');
  const w = DbWriter.open(db, { fresh: true });
  await importPaths(w, [src]);
  w.commit();
  return { image, db };
}

describe('response schemas', () => {
  let dir: string;
  let s: TestServer;
  let doc: { paths: Record<string, Record<string, { responses?: Record<string, any> }>> };
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'vigil-resp-'));
    const f = await fixtures(dir);
    s = await startTestServer('sqlite', { vulnDb: f.db }, { schemaSerializer: false });
    doc = s.app.swagger() as unknown as typeof doc;
    const P = s.defaultProjectId;
    const t = s.adminToken;
    const must = async (method: string, url: string, body?: unknown) => {
      const r = await s.call(method, url, t, body);
      assert.ok(r.status < 300, `${method} ${url}: ${r.status} ${JSON.stringify(r.body)}`);
      return r.body;
    };
    const img = await must('POST', `/api/v1/projects/${P}/images`, { ref: `docker-archive:${f.image}`, scan: true });
    assert.equal((await waitScan(s, P, img.scanId)).status, 'succeeded');
    await must('POST', `/api/v1/projects/${P}/vuln-ignores`, { vulnId: 'CVE-2026-0009', reason: 'r' });
    await must('POST', `/api/v1/projects/${P}/images/${img.id}/vuln-ignores`, { vulnId: 'CVE-2026-0001', reason: 'r', expires: '2099-01-01' });
    await must('POST', `/api/v1/projects/${P}/registries`, { name: 'reg', url: 'https://registry.example.test', username: 'u', password: REGISTRY_PASSWORD });
    await must('POST', '/api/v1/notifiers', { name: 'hook', kind: 'webhook', url: 'https://hooks.example.test/x', secret: WEBHOOK_SECRET });
    await must('POST', '/api/v1/tokens', { name: 'ci' });
    await s.user('reader', 'ReadOnlyAccess', P);
    const cluster = await must('POST', `/api/v1/projects/${P}/clusters`, { name: 'c1' });
    await must('POST', `/api/v1/projects/${P}/clusters/${cluster.id}/agent-tokens`, {});
    await must('POST', `/api/v1/projects/${P}/policies`, { name: 'fp', kind: 'file-protection', document: { fileProtection: { paths: ['/etc'] } } });
    await must('POST', `/api/v1/projects/${P}/policies`, { name: 'det', kind: 'detection', document: { types: { 'system/high-risk-command': false } } });
    await seedDemoData(s.ctx, P, img.id, `docker-archive:${f.image}`);
  });
  after(async () => {
    await s?.cleanup();
    rmSync(dir, { recursive: true, force: true });
  });

  test('every route of the OpenAPI document declares a 2xx response schema (the documented exceptions aside)', () => {
    const missing: string[] = [];
    for (const [path, methods] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(methods)) {
        const key = `${method.toUpperCase()} ${path}`;
        if (NO_JSON_SCHEMA.has(key)) continue;
        const ok = Object.entries(op.responses ?? {}).some(([code, r]) => /^2\d\d$/.test(code) && r?.content?.['application/json']?.schema);
        if (!ok) missing.push(key);
      }
    }
    assert.deepEqual(missing, []);
  });

  test('GET bodies on a seeded server match their schema exactly, with no secret in them', async () => {
    const P = s.defaultProjectId;
    const t = s.adminToken;
    const ids = async (url: string) => ((await s.call('GET', url, t)).body.items as Array<{ id: string }>).map((x) => x.id);
    const image = (await ids(`/api/v1/projects/${P}/images`))[0]!;
    const policies = (await s.call('GET', `/api/v1/projects/${P}/policies?limit=500`, t)).body.items as Array<{ id: string; name: string }>;
    const whitelist = policies.find((p) => p.name === 'demo-app-processes')!.id;
    const node = (await ids(`/api/v1/projects/${P}/nodes`))[0]!;
    const cluster = (await ids(`/api/v1/projects/${P}/clusters`))[0]!;
    const alert = (await s.call('GET', `/api/v1/alerts?project=${P}`, t)).body.items[0].id as string;
    const scan = (await ids(`/api/v1/projects/${P}/scans`))[0]!;
    const registry = (await ids(`/api/v1/projects/${P}/registries`))[0]!;
    const user = (await ids('/api/v1/users'))[0]!;
    const urls = [
      '/healthz',
      '/api/v1/auth/me',
      '/api/v1/users',
      `/api/v1/users/${user}`,
      `/api/v1/users/${user}/bindings`,
      '/api/v1/tokens',
      '/api/v1/projects',
      `/api/v1/projects/${P}`,
      `/api/v1/projects/${P}/registries`,
      `/api/v1/projects/${P}/registries/${registry}`,
      `/api/v1/projects/${P}/images`,
      `/api/v1/projects/${P}/images/${image}`,
      `/api/v1/projects/${P}/images/${image}/findings`,
      `/api/v1/projects/${P}/images/${image}/findings?kind=secret`,
      `/api/v1/projects/${P}/images/${image}/findings?kind=file`,
      `/api/v1/projects/${P}/images/${image}/packages`,
      `/api/v1/projects/${P}/scans`,
      `/api/v1/projects/${P}/scans/${scan}`,
      `/api/v1/projects/${P}/vuln-ignores`,
      `/api/v1/projects/${P}/overview`,
      `/api/v1/projects/${P}/policies`,
      `/api/v1/projects/${P}/policies/${whitelist}`,
      `/api/v1/projects/${P}/policies/${whitelist}/learned`,
      `/api/v1/projects/${P}/detection/policies`,
      `/api/v1/projects/${P}/detection/effective`,
      `/api/v1/projects/${P}/clusters`,
      `/api/v1/projects/${P}/clusters/${cluster}`,
      `/api/v1/projects/${P}/nodes`,
      `/api/v1/projects/${P}/nodes/${node}/containers`,
      `/api/v1/alerts?project=${P}`,
      `/api/v1/projects/${P}/alerts/${alert}`,
      '/api/v1/audit?limit=500',
      '/api/v1/audit/verify',
      '/api/v1/settings',
      '/api/v1/notifiers',
    ];
    const ajv = new Ajv({ strict: false, allErrors: true });
    addFormats(ajv);
    const problems: string[] = [];
    for (const url of urls) {
      const r = await s.call('GET', url, t);
      if (r.status !== 200) {
        problems.push(`GET ${url}: ${r.status} ${JSON.stringify(r.body).slice(0, 200)}`);
        continue;
      }
      const path = url.replace(/\?.*$/, '');
      const entry = Object.entries(doc.paths).find(([p]) => new RegExp(`^${p.replace(/\{[^}]+\}/g, '[^/]+')}$`).test(path));
      const schema = entry?.[1].get?.responses?.['200']?.content?.['application/json']?.schema;
      if (!schema) {
        problems.push(`GET ${url}: no 200 schema`);
        continue;
      }
      const validate = ajv.compile(strict(schema) as object);
      if (!validate(r.body)) problems.push(`GET ${url}: ${ajv.errorsText(validate.errors, { separator: '; ' }).slice(0, 600)}`);
      const text = JSON.stringify(r.body);
      for (const k of secretKeys(r.body)) problems.push(`GET ${url}: secret-looking field ${k}`);
      for (const secret of [REGISTRY_PASSWORD, WEBHOOK_SECRET, t, 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY'])
        if (text.includes(secret)) problems.push(`GET ${url}: a secret value in the body`);
    }
    assert.deepEqual(problems, []);
  });
});
