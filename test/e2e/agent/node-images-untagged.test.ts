// A node image left with no name while a running container still uses it
// (`docker rmi -f` of its last tag: Docker untags it and keeps the image), on
// a real Docker Engine (a private dockerd) with `vigil server` and `vigil
// agent`: the server's row of the image stays (the same row, image ID and
// scan), named by its image ID (`node:<node>/<image ID>`), and the node
// inventory keeps the container with its image ID. Needs root (dockerd, the
// agent's procfs sensor).
import assert from 'node:assert/strict';
import { nodeContainers, nodeImageRows, onlineNode, until, stageTest } from './harness.js';

const IMAGE = 'vigil-untag-test/minbase:1';

stageTest(
  'agent on a real dockerd: an image untagged while a container runs it keeps its row, named by its image ID',
  { needs: 'dockerd, procfs sensor', timeout: 300_000, dir: 'vigil-agent-untag-' },
  async (st) => {
    const { d, docker } = await st.dockerd('vigil-agu-', IMAGE);
    const imageId = await docker(['image', 'inspect', '-f', '{{.Id}}', IMAGE]);
    await docker(['run', '-d', '--name', 'holder', '--network', 'none', IMAGE, 'sleep', '600']);
    const { api, projectId, a } = await st.linked({ agentEnv: { DOCKER_HOST: `unix://${d.socket}` } });
    const images = () => nodeImageRows(api, projectId);
    const first = await until('the node image scanned', async () => (await images()).find((i) => i.ref === `node:node-a/${IMAGE}` && i.lastScanId), 120_000, a);
    assert.equal(first.digest, imageId);

    await docker(['rmi', '-f', IMAGE]);
    assert.equal(await docker(['image', 'inspect', '-f', '{{len .RepoTags}}', imageId]), '0', 'Docker keeps the image, with no name');
    const rows = await until(
      'the row named by its image ID',
      async () => {
        const r = await images();
        return r.some((i) => i.ref === `node:node-a/${imageId}`) ? r : undefined;
      },
      60_000,
      a,
    );
    assert.equal(rows.length, 1, `one row: ${rows.map((r) => r.ref).join(', ')}`);
    const row = rows[0]!;
    assert.equal(row.id, first.id, 'the same row');
    assert.equal(row.digest, imageId);
    assert.equal(row.lastScanId, first.lastScanId, 'its scan kept (the image did not change)');
    assert.equal(row.repository, imageId);
    assert.equal(row.tag, '');

    // The container still runs it: the node inventory keeps it with its image ID.
    const nodeId = await onlineNode(api, projectId, a);
    const holder = (await nodeContainers(api, projectId, nodeId)).find((c) => c.name === 'holder');
    assert.ok(holder, 'the container in the node inventory');
    assert.equal(holder.imageDigest, imageId);
    assert.equal(holder.state, 'running');
    assert.equal(a.proc.exitCode, null, 'the same agent process throughout');
  },
);
