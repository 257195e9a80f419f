// The agent on a node with a real Docker Engine (a private dockerd): the
// node inventory (containers running before the agent started and those
// started or removed after, with image, image ID, state, start time and the
// security settings) reaches GET .../nodes/{id}/containers, scoped to the
// node's project; a container started with dangerous settings (an added
// capability, a host /etc mount, the host PID namespace) raises
// container/abnormal-startup naming it and each setting, and a plain one
// stays silent. Needs root (dockerd, the agent's procfs sensor).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Api, agent, cluster, isRoot, localLog, startServer, stop, until, type Proc } from '../../helpers/agent-e2e.js';
import { debianRootfs, importRootfs, startDockerd, type Dockerd } from '../../helpers/dockerd.js';

const IMAGE = 'vigil-agent-test/minbase:1';

interface NodeContainerApi {
  id: string;
  nodeId: string;
  name: string;
  image: string;
  imageDigest: string;
  state: string;
  startedAt: string;
  privileged: boolean;
  capAdd: string[];
  hostMounts: Array<{ source: string; destination: string; readOnly: boolean }>;
  hostPid: boolean;
  hostNetwork: boolean;
}

test(
  'agent on a real dockerd: node inventory in the API, container start checks as alerts',
  { skip: !isRoot && 'needs root (dockerd, procfs sensor)', timeout: 300_000 },
  async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vigil-agent-docker-'));
    let d: Dockerd | undefined;
    let server: Proc | undefined;
    let a: Proc | undefined;
    try {
      d = await startDockerd({ prefix: 'vigil-agd-' });
      await importRootfs(d, debianRootfs(), IMAGE);
      const docker = async (args: string[]) => {
        const r = await d!.docker(args);
        assert.equal(r.status, 0, `docker ${args.join(' ')}: ${r.err}`);
        return r.out.trim();
      };
      const before = await docker(['run', '-d', '--name', 'before', '--network', 'none', IMAGE, 'sleep', '600']);
      const imageId = await docker(['inspect', '-f', '{{.Image}}', before]);

      const s = await startServer(join(dir, 'server'), 0);
      server = s.p;
      const api = await Api.login(s.url);
      const { projectId, token, caHash } = await cluster(api);
      const keyFile = join(dir, 'key');
      writeFileSync(keyFile, 'x\n');
      a = agent(s.link, join(dir, 'agent'), keyFile, ['--token', token, '--ca-hash', caHash], { DOCKER_HOST: `unix://${d.socket}` }, { builtinRules: true });
      await until('agent ready', () => /vigil agent: ready/.test(a!.err()), 120_000, a);
      const nodeId = await until(
        'node online',
        async () =>
          (await api.call<{ items: Array<{ id: string; hostname: string; status: string }> }>('GET', `/api/v1/projects/${projectId}/nodes`)).items.find(
            (x) => x.hostname === 'node-a' && x.status === 'online',
          )?.id,
        20_000,
        a,
      );
      const containers = async () =>
        (await api.call<{ items: NodeContainerApi[] }>('GET', `/api/v1/projects/${projectId}/nodes/${nodeId}/containers`)).items;

      // What ran before the agent started is in the first inventory.
      const first = await until('first inventory', async () => (await containers()).find((c) => c.name === 'before'), 20_000, a);
      assert.equal(first.id, before);
      assert.equal(first.nodeId, nodeId);
      assert.equal(first.image, IMAGE);
      assert.equal(first.imageDigest, imageId);
      assert.match(imageId, /^sha256:[0-9a-f]{64}$/);
      assert.equal(first.state, 'running');
      assert.ok(Date.parse(first.startedAt) > Date.now() - 600_000, first.startedAt);
      assert.equal(first.privileged, false);
      assert.deepEqual(first.capAdd, []);
      assert.deepEqual(first.hostMounts, []);
      assert.equal(first.hostPid, false);

      // Started after: the inventory follows docker events; the dangerous one raises its start-check alerts.
      const risky = await docker([
        'run',
        '-d',
        '--name',
        'risky',
        '--network',
        'none',
        '--cap-add',
        'SYS_ADMIN',
        '-v',
        '/etc:/x:ro',
        '--pid',
        'host',
        IMAGE,
        'sleep',
        '600',
      ]);
      await docker(['run', '-d', '--name', 'plain', '--network', 'none', IMAGE, 'sleep', '600']);
      const r = await until('risky in the inventory', async () => (await containers()).find((c) => c.name === 'risky'), 20_000, a);
      assert.equal(r.id, risky);
      assert.deepEqual(r.capAdd, ['SYS_ADMIN']);
      assert.deepEqual(r.hostMounts, [{ source: '/etc', destination: '/x', readOnly: true }]);
      assert.equal(r.hostPid, true);
      assert.equal(r.hostNetwork, false);
      await until('plain in the inventory', async () => (await containers()).find((c) => c.name === 'plain'), 20_000, a);

      const startup = async () =>
        (
          await api.call<{ items: Array<{ type: string; message: string; count: number }> }>(
            'GET',
            `/api/v1/alerts?project=${projectId}&type=container/abnormal-startup&limit=100`,
          )
        ).items;
      let last = '';
      const alerts = await until(
        'start-check alerts',
        async () => {
          const items = await startup();
          last = JSON.stringify(items);
          const text = items.map((i) => i.message).join('\n');
          return /SYS_ADMIN/.test(text) && /\/etc/.test(text) && /host PID|hostPID|PID namespace/i.test(text) ? items : undefined;
        },
        30_000,
        a,
      ).catch((e: Error) => {
        throw new Error(`${e.message}\nstored: ${last}\nlocal: ${localLog(join(dir, 'agent'), 'container/abnormal-startup').join(',')}`);
      });
      for (const i of alerts) assert.match(i.message, /risky/, i.message);
      await new Promise((res) => setTimeout(res, 1500));
      assert.ok(!(await startup()).some((i) => /plain|before/.test(i.message)), 'a plain container raised a start-check alert');

      // Removed: gone from the inventory.
      await docker(['rm', '-f', 'before']);
      await until('removed from the inventory', async () => ((await containers()).some((c) => c.name === 'before') ? undefined : true), 20_000, a);

      // Scoped to the node's project: another project does not see the node.
      const other = await api.call<{ id: string }>('POST', '/api/v1/projects', { name: `other-${Date.now()}` });
      const res = await fetch(`${s.url}/api/v1/projects/${other.id}/nodes/${nodeId}/containers`, {
        headers: { authorization: `Bearer ${api.token}` },
      });
      assert.equal(res.status, 404);
    } finally {
      await stop(a);
      await stop(server);
      await d?.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  },
);
