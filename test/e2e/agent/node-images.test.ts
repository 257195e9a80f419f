// The agent on a real Docker Engine (a private dockerd), with the server
// matching against a small vulnerability DB: images that exist only in that
// dockerd are scanned by the agent and their findings appear in the image
// API (registry-less, with their node); a new image (docker load) is scanned
// when it appears, and its row dropped when it is deleted (docker rmi); POST .../images/{id}/scan asks the agent again. A
// container already running when the agent starts is checked (start checks)
// and, its image violating the project's image-admission policy, raises
// container/image-blocked; an agent restart stores neither again. Closing
// the cluster's protection stops the agent's runtime detection (an attack in
// a container raises nothing, the node says detection off), opening it
// starts it again. Needs root (dockerd, the agent's procfs sensor).
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { until, stageTest } from './harness.js';
import { writeDockerArchive } from '../../helpers/image-builder.js';
import { buildDb } from '../../../src/node/vulndb/db.test-helpers.js';

const BASE = 'vigil-agent-test/minbase:1';
const OS_RELEASE = 'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nNAME="Debian GNU/Linux"\nVERSION_ID="12"\nID=debian\n';
const dpkg = (pkgs: Array<[string, string, string]>) =>
  pkgs
    .map(([name, source, version]) => `Package: ${name}\nStatus: install ok installed\nArchitecture: amd64\nSource: ${source}\nVersion: ${version}\n`)
    .join('\n');
/** Debian 12 OSV records: zlib before 1:1.2.13.dfsg-9 (critical), openssl before 3.0.99-1 (high). */
const osv = (id: string, name: string, fixed: string, severity: string) =>
  JSON.stringify({
    id,
    modified: '2026-01-01T00:00:00Z',
    summary: `${name} test issue`,
    database_specific: { severity },
    affected: [{ package: { ecosystem: 'Debian:12', name }, ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed }] }] }],
  });

interface ImageApi {
  id: string;
  ref: string;
  registry: string;
  repository: string;
  tag: string;
  digest: string;
  nodeId: string | null;
  osFamily: string;
  critical: number;
  high: number;
  lastScanId: string | null;
}

stageTest(
  'agent on a real dockerd: node-local images scanned, running containers checked (image policy too), cluster protection acted on',
  { needs: 'dockerd, procfs sensor', timeout: 400_000, dir: 'vigil-agent-img-' },
  async (st) => {
    const { dir } = st;
    // A runnable base (its zlib1g is 1:1.2.13.dfsg-1: vulnerable in the test DB) and an image that exists only in this dockerd.
    const { d, docker } = await st.dockerd('vigil-agi-', BASE);
    const appTar = join(dir, 'app.tar');
    await writeDockerArchive(appTar, {
      layers: [
        {
          files: [
            { path: 'etc/os-release', content: OS_RELEASE },
            {
              path: 'var/lib/dpkg/status',
              content: dpkg([
                ['zlib1g', 'zlib', '1:1.2.13.dfsg-1'],
                ['libssl3', 'openssl', '3.0.11-1~deb12u1'],
              ]),
            },
          ],
        },
      ],
      repoTags: ['local/vulnapp:1'],
    });
    await docker(['load', '-i', appTar]);
    const appId = await docker(['image', 'inspect', '-f', '{{.Id}}', 'local/vulnapp:1']);
    // Running before the agent starts, with an added capability.
    const before = await docker(['run', '-d', '--name', 'before', '--network', 'none', '--cap-add', 'SYS_ADMIN', BASE, 'sleep', '900']);

    const dbPath = join(dir, 'db', 'vigil.db');
    mkdirSync(join(dir, 'db'));
    await buildDb(
      dir,
      dbPath,
      [osv('DSA-9001-1', 'zlib', '1:1.2.13.dfsg-9', 'critical'), osv('DSA-9002-1', 'openssl', '3.0.99-1', 'high')],
      '2026-03-01T00:00:00.000Z',
    );
    const sc = await st.server({ VIGIL_DB: dbPath });
    const { api, projectId, clusterId } = sc;
    // Images with a critical vulnerability may not run (audit: alert only).
    await api.call('POST', `/api/v1/projects/${projectId}/policies`, {
      name: 'no-critical',
      kind: 'image-admission',
      mode: 'audit',
      document: {
        apiVersion: 'vigil.dev/v1',
        kind: 'ImageAdmissionPolicy',
        name: 'no-critical',
        mode: 'audit',
        scope: { targets: ['docker'] },
        rules: { vulnerabilities: { maxCritical: 0 } },
      },
    });
    const x = await st.enroll(sc, { agentEnv: { DOCKER_HOST: `unix://${d.socket}` }, builtinRules: true });
    let a = x.a;
    const node = async () =>
      (
        await api.call<{ items: Array<{ id: string; hostname: string; status: string; detection: string }> }>('GET', `/api/v1/projects/${projectId}/nodes`)
      ).items.find((x) => x.hostname === 'node-a');
    const nodeId = await until('node online', async () => ((await node())?.status === 'online' ? (await node())!.id : undefined), 20_000, a);

    // 1. Node-local images: scanned by the agent, matched and stored by the server, listed registry-less with their node.
    const images = async () => (await api.call<{ items: ImageApi[] }>('GET', `/api/v1/projects/${projectId}/images?limit=100`)).items;
    const app = await until(
      'the node-only image scanned',
      async () => (await images()).find((i) => i.ref === 'node:node-a/local/vulnapp:1' && i.lastScanId),
      90_000,
      a,
    );
    assert.equal(app.nodeId, nodeId);
    assert.equal(app.registry, '');
    assert.equal(app.repository, 'local/vulnapp');
    assert.equal(app.tag, '1');
    assert.equal(app.digest, appId);
    assert.equal(app.osFamily, 'debian');
    assert.equal(app.critical, 1);
    assert.equal(app.high, 1);
    const findings = async (id: string) =>
      (
        await api.call<{ items: Array<{ kind: string; refId: string; package: string; installedVersion: string; fixedVersion: string; severity: string }> }>(
          'GET',
          `/api/v1/projects/${projectId}/images/${id}/findings?kind=vuln&limit=100`,
        )
      ).items;
    const f = (await findings(app.id)).map((x) => `${x.refId} ${x.package} ${x.installedVersion} -> ${x.fixedVersion} ${x.severity}`).sort();
    assert.deepEqual(f, ['DSA-9001-1 zlib1g 1:1.2.13.dfsg-1 -> 1:1.2.13.dfsg-9 critical', 'DSA-9002-1 libssl3 3.0.11-1~deb12u1 -> 3.0.99-1 high']);
    const base = await until('the base image scanned', async () => (await images()).find((i) => i.ref === `node:node-a/${BASE}` && i.lastScanId), 120_000, a);
    assert.ok(base.critical >= 1, JSON.stringify(base));
    const scans = async (id: string) =>
      (await api.call<{ items: Array<{ trigger: string; status: string }> }>('GET', `/api/v1/projects/${projectId}/scans?imageId=${id}&limit=100`)).items;
    assert.deepEqual(
      (await scans(app.id)).map((x) => `${x.trigger} ${x.status}`),
      ['agent succeeded'],
    );

    // 2. The container running before the agent started: start checks, and the image policy (its image has a critical vulnerability).
    const groups = async (type: string) =>
      (
        await api.call<{ items: Array<{ type: string; subject: string; message: string; count: number }> }>(
          'GET',
          `/api/v1/alerts?project=${projectId}&type=${encodeURIComponent(type)}&limit=100`,
        )
      ).items.filter((g) => g.type === type);
    const startup = await until(
      'start check of the container that ran before',
      async () => (await groups('container/abnormal-startup')).find((g) => g.subject === `container:${before}`),
      30_000,
      a,
    );
    assert.match(startup.message, /^Container before\/before started with added capabilities beyond the default set: SYS_ADMIN/);
    const blocked = await until(
      'image-policy alert of the container that ran before',
      async () => (await groups('container/image-blocked')).find((g) => g.subject === `container:${before}`),
      30_000,
      a,
    );
    assert.match(
      blocked.message,
      new RegExp(`^Container before runs image ${BASE}, which image policy no-critical \\(audit\\) does not admit: .*critical vulnerabilities`),
    );
    assert.equal(startup.count, 1);
    assert.equal(blocked.count, 1);

    // Restart the agent: the same container start is checked again, nothing is stored twice.
    a = await x.restart();
    await until('linked again', async () => ((await node())?.status === 'online' ? true : undefined), 20_000, a);
    await new Promise((r) => setTimeout(r, 4000));
    assert.equal((await groups('container/abnormal-startup')).find((g) => g.subject === `container:${before}`)?.count, 1);
    assert.equal((await groups('container/image-blocked')).find((g) => g.subject === `container:${before}`)?.count, 1);
    // Scanned images are not scanned again at restart.
    assert.equal((await scans(app.id)).length, 1);

    // A new image (docker load after the agent started) is scanned when it appears.
    const otherTar = join(dir, 'other.tar');
    await writeDockerArchive(otherTar, {
      layers: [
        {
          files: [
            { path: 'etc/os-release', content: OS_RELEASE },
            { path: 'var/lib/dpkg/status', content: dpkg([['libssl3', 'openssl', '3.0.11-1~deb12u1']]) },
          ],
        },
      ],
      repoTags: ['local/other:2'],
    });
    await docker(['load', '-i', otherTar]);
    const other = await until(
      'the new image scanned',
      async () => (await images()).find((i) => i.ref === 'node:node-a/local/other:2' && i.lastScanId),
      60_000,
      a,
    );
    assert.equal(other.critical, 0);
    assert.equal(other.high, 1);
    // Deleted on the node (untag + delete events): its row leaves the image list, audited as the node's deleteImage.
    await docker(['rmi', 'local/other:2']);
    await until('the deleted image dropped', async () => ((await images()).some((i) => i.ref === 'node:node-a/local/other:2') ? undefined : true), 30_000, a);
    const dropped = (await api.call<{ items: Array<{ username: string; resourceId: string }> }>('GET', '/api/v1/audit?event=deleteImage')).items;
    assert.deepEqual(
      dropped.map((x) => [x.username, x.resourceId]),
      [['node:node-a', other.id]],
    );
    assert.ok(
      (await images()).some((i) => i.id === app.id),
      'the images still on the node stay',
    );

    // "Scan now" through the API: the worker re-matches the stored list at once, and the agent scans the image again.
    await api.call('POST', `/api/v1/projects/${projectId}/images/${app.id}/scan`);
    await until(
      'the agent scanned it again',
      async () => {
        const list = (await scans(app.id)).map((x) => `${x.trigger} ${x.status}`).sort();
        return list.length === 3 && list.join() === ['agent succeeded', 'agent succeeded', 'manual succeeded'].join() ? true : undefined;
      },
      60_000,
      a,
    );
    assert.equal((await images()).find((i) => i.id === app.id)?.critical, 1);

    // 3. Cluster protection closed: the agent stops detection (the node says so) and an attack raises nothing.
    const attack = async () => {
      // A credential search (user/password-theft) that the procfs sensor sees: grep waits 2 s for its input.
      const r = await d.docker(['exec', 'before', 'sh', '-c', 'sleep 2 | grep "BEGIN OPENSSH PRIVATE"']);
      assert.equal(r.status, 1, r.err);
    };
    const theft = async () => (await groups('user/password-theft')).reduce((n, g) => n + g.count, 0);
    assert.equal((await node())?.detection, 'on');
    // Open (as the harness made it): detected.
    await attack();
    await until('the attack detected', async () => ((await theft()) >= 1 ? true : undefined), 30_000, a);
    const seen = await theft();
    await api.call('POST', `/api/v1/projects/${projectId}/clusters/${clusterId}/unprotect`);
    const t0 = Date.now();
    await until('detection off on the node', async () => ((await node())?.detection === 'off' ? true : undefined), 5000, a);
    assert.ok(Date.now() - t0 < 5000);
    assert.match(a.err(), /runtime detection off: cluster protection is closed/);
    await attack();
    await new Promise((r) => setTimeout(r, 3000));
    assert.equal(await theft(), seen, 'no detection while protection is closed');
    assert.equal((await node())?.status, 'online', 'heartbeats go on');

    await api.call('POST', `/api/v1/projects/${projectId}/clusters/${clusterId}/protect`);
    await until('detection on again', async () => ((await node())?.detection === 'on' ? true : undefined), 5000, a);
    await attack();
    await until('the attack detected again', async () => ((await theft()) > seen ? true : undefined), 30_000, a);
  },
);
