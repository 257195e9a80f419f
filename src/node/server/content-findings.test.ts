// The server's scans run every content scanner by default: findings of each
// kind are stored per scan and listed/filtered through the API, images count
// them, a new malware finding raises an alert of its catalog type (once), and
// a project can narrow its scanners. SQLite and PostgreSQL.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { writeDockerArchive } from '../../../test/helpers/image-builder.js';
import { AWS_KEY_ID, badImage } from '../../../test/helpers/content-images.js';
import { startTestServer, type TestServer } from './server.test-helpers.js';
import { e2eType } from '../../../test/helpers/e2e-coverage.js';

async function waitScan(s: TestServer, projectId: string, scanId: string): Promise<any> {
  for (let i = 0; i < 600; i++) {
    const r = await s.call('GET', `/api/v1/projects/${projectId}/scans/${scanId}`, s.adminToken);
    if (r.body.status === 'succeeded' || r.body.status === 'failed') return r.body;
    await new Promise((res) => setTimeout(res, 50));
  }
  throw new Error('scan did not finish');
}

for (const kind of ['sqlite', 'postgres'] as const) {
  describe(`content findings on ${kind}`, () => {
    let s: TestServer;
    before(async () => {
      s = await startTestServer(kind);
    });
    after(async () => {
      await s?.cleanup();
    });

    test('stored, counted, filtered; malware alerts once; project scanners', async () => {
      const t = s.adminToken;
      const P = (await s.call('POST', '/api/v1/projects', t, { name: 'content' })).body.id;
      const file = join(s.dataDir, 'bad.tar');
      await writeDockerArchive(file, badImage());
      const img = (await s.call('POST', `/api/v1/projects/${P}/images`, t, { ref: `docker-archive:${file}` })).body;
      const scan = async (): Promise<void> => {
        const r = await s.call('POST', `/api/v1/projects/${P}/images/${img.id}/scan`, t);
        const done = await waitScan(s, P, r.body.scanId);
        assert.equal(done.status, 'succeeded', done.error);
      };
      await scan();
      const image = (await s.call('GET', `/api/v1/projects/${P}/images/${img.id}`, t)).body;
      assert.ok(image.malware >= 5, String(image.malware));
      assert.equal(image.secrets, 4);
      assert.equal(image.baseline, 14);
      assert.ok(image.unownedFiles > 5);
      const list = async (q: string): Promise<any[]> => {
        const r = await s.call('GET', `/api/v1/projects/${P}/images/${img.id}/findings?limit=500&${q}`, t);
        assert.equal(r.status, 200, JSON.stringify(r.body));
        return r.body.items;
      };
      const web = await list('kind=malware&path=/var/www/');
      assert.deepEqual(
        web.map((f) => [f.refId, f.path]),
        [['Vigil_Webshell_PHP_Eval_Request', '/var/www/html/uploads/img.php']],
      );
      assert.equal(web[0].data.alertType, 'malware/webshell');
      assert.equal((await list('kind=malware')).length, image.malware);
      const secrets = await list('kind=secret');
      assert.equal(secrets.length, 4);
      const all = JSON.stringify(await list(''));
      assert.ok(!all.includes(AWS_KEY_ID), 'the API never returns the secret');
      assert.deepEqual(
        (await list('kind=baseline&ruleId=account-uid0-clone')).map((f) => f.data.detail),
        ['toor'],
      );
      assert.ok((await list('kind=file&ruleId=unowned-setuid')).some((f) => f.path === '/usr/local/bin/.sh'));
      assert.equal((await s.call('GET', `/api/v1/projects/${P}/images/${img.id}/findings?kind=nope`, t)).status, 400);

      const alerts = async (): Promise<any[]> => (await s.call('GET', `/api/v1/alerts?project=${P}&limit=100`, t)).body.items;
      const first = await alerts();
      // One group per file and type; one alert per malware finding.
      const types = first.map((a) => `${a.type}|${a.count}`).sort();
      assert.deepEqual(first.map((a) => a.type).sort(), [
        e2eType('malware/unclassified', 'image scan'),
        'malware/unclassified',
        e2eType('malware/webshell', 'image scan'),
      ]);
      assert.equal(
        first.reduce((n, a) => n + a.count, 0),
        image.malware,
      );
      // A rescan of the same image raises nothing new.
      await scan();
      assert.deepEqual((await alerts()).map((a) => `${a.type}|${a.count}`).sort(), types);

      // A project limited to the baseline scanner stores only baseline findings.
      assert.equal((await s.call('PATCH', `/api/v1/projects/${P}`, t, { scanners: 'baseline' })).status, 200);
      assert.equal((await s.call('PATCH', `/api/v1/projects/${P}`, t, { scanners: 'baseline,bogus' })).status, 400);
      await scan();
      const kinds = new Set((await list('')).map((f) => f.kind));
      assert.deepEqual([...kinds], ['baseline']);
      const after2 = (await s.call('GET', `/api/v1/projects/${P}/images/${img.id}`, t)).body;
      assert.equal(after2.malware, 0);
    });
  });
}
