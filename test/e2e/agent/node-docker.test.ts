// The agent on a node with a real Docker Engine (a private dockerd): the
// node inventory (containers running before the agent started and those
// started or removed after, with image, image ID, state, start time and the
// security settings) reaches GET .../nodes/{id}/containers, scoped to the
// node's project; a container started with dangerous settings (an added
// capability, a host /etc mount, the host PID namespace) raises
// container/abnormal-startup naming it and each setting, and a plain one
// stays silent. Needs root (dockerd, the agent's procfs sensor).
import assert from 'node:assert/strict';
import { localAlerts, nodeContainers, onlineNode, run, startupAlerts, until, stageTest } from './harness.js';

const IMAGE = 'vigil-agent-test/minbase:1';

stageTest(
  'agent on a real dockerd: node inventory in the API, container start checks as alerts',
  { needs: 'dockerd, procfs sensor', timeout: 300_000, dir: 'vigil-agent-docker-' },
  async (st) => {
    const { d, docker } = await st.dockerd('vigil-agd-', IMAGE);
    const before = await docker(['run', '-d', '--name', 'before', '--network', 'none', IMAGE, 'sleep', '600']);
    const imageId = await docker(['inspect', '-f', '{{.Image}}', before]);

    // The docker-daemon: source: the engine's save stream through DOCKER_HOST, no docker CLI.
    const env = { DOCKER_HOST: `unix://${d.socket}` };
    const scan = run(['scan', `docker-daemon:${IMAGE}`, '--format', 'json', '--scanners', 'baseline'], env);
    assert.equal(await scan.exited, 0, scan.err());
    const report = JSON.parse(scan.out()) as {
      artifact: { name: string; digest?: string; os?: { family: string } };
      packages: Array<{ name: string; type: string }>;
    };
    assert.equal(report.artifact.name, `docker-daemon:${IMAGE}`);
    assert.equal(report.artifact.os?.family, 'debian');
    assert.ok(report.packages.filter((p) => p.type === 'deb').length > 50, `${report.packages.length} packages`);
    assert.ok(report.packages.some((p) => p.name === 'libc6'));
    const sbom = run(['sbom', `docker-daemon:${imageId}`, '--format', 'cyclonedx'], env);
    assert.equal(await sbom.exited, 0, sbom.err());
    assert.match(sbom.out(), /"name": ?"libc6"/);
    const missing = run(['scan', 'docker-daemon:no-such/image:1', '--scanners', 'baseline'], env);
    assert.equal(await missing.exited, 2);
    assert.match(missing.err(), /no such image in the Docker Engine/);
    assert.doesNotMatch(missing.err(), /\n\s+at /);

    const { s, api, projectId, agentDir, a } = await st.linked({ agentEnv: env, builtinRules: true });
    const nodeId = await onlineNode(api, projectId, a);
    const containers = () => nodeContainers(api, projectId, nodeId);

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

    const startup = () => startupAlerts(api, projectId);
    // Three findings (capability, mount, namespace): three alerts of one group (type and container) on the server.
    const group = await until(
      'start-check alerts stored',
      async () => (await startup()).find((g) => g.subject === `container:${risky}` && g.count === 3),
      30_000,
      a,
    );
    assert.match(group.message, /^Container risky\/risky started with /);
    const local = localAlerts(agentDir, 'container/abnormal-startup');
    assert.equal(local.length, 3, JSON.stringify(local));
    const text = local.map((x) => x.message).join('\n');
    assert.match(text, /added capabilities beyond the default set: SYS_ADMIN/);
    assert.match(text, /host path \/etc mounted at \/x \(read-only\)/);
    assert.match(text, /host PID namespace/);
    for (const x of local) {
      assert.equal(x.container?.id, risky);
      assert.equal(x.container?.name, 'risky');
      assert.equal(x.container?.image, IMAGE);
    }
    await new Promise((res) => setTimeout(res, 1500));
    assert.deepEqual(
      (await startup()).map((g) => g.subject),
      [`container:${risky}`],
      'only the dangerous container raised start-check alerts',
    );

    // Removed: gone from the inventory.
    await docker(['rm', '-f', 'before']);
    await until('removed from the inventory', async () => ((await containers()).some((c) => c.name === 'before') ? undefined : true), 20_000, a);

    // Scoped to the node's project: another project does not see the node.
    const other = await api.call<{ id: string }>('POST', '/api/v1/projects', { name: `other-${Date.now()}` });
    const res = await fetch(`${s.url}/api/v1/projects/${other.id}/nodes/${nodeId}/containers`, {
      headers: { authorization: `Bearer ${api.token}` },
    });
    assert.equal(res.status, 404);
  },
);
