import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { containerFromCgroup, ContainerResolver, splitImageRef, type MetadataClient } from './container-resolver.js';
import { DockerClient } from './docker-client.js';

const ID = '3f4e5d6c7b8a99887766554433221100ffeeddccbbaa00112233445566778899';
const ID2 = 'a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f90';
const POD = '0f5e7f27-1a3b-4e2b-9a0c-123456789abc';

// /proc/PID/cgroup lines as each runtime leaves them (v1 lines: hierarchy:controllers:path; v2: 0::path).
const CASES: Array<[string, string[], { id: string; runtime: string; podUid?: string } | undefined]> = [
  [
    'docker, cgroup v1, cgroupfs driver',
    ['12:pids:/docker/' + ID, '11:memory:/docker/' + ID, '1:name=systemd:/docker/' + ID, '0::/'],
    { id: ID, runtime: 'docker' },
  ],
  ['docker, cgroup v2, systemd driver', ['0::/system.slice/docker-' + ID + '.scope'], { id: ID, runtime: 'docker' }],
  [
    'docker, cgroup v1, systemd driver',
    ['4:memory:/system.slice/docker-' + ID + '.scope', '1:name=systemd:/system.slice/docker-' + ID + '.scope'],
    { id: ID, runtime: 'docker' },
  ],
  ['docker, cgroup v2, cgroupfs driver', ['0::/docker/' + ID], { id: ID, runtime: 'docker' }],
  [
    'containerd CRI, cgroup v2, systemd driver',
    ['0::/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod' + POD.replace(/-/g, '_') + '.slice/cri-containerd-' + ID + '.scope'],
    { id: ID, runtime: 'containerd', podUid: POD },
  ],
  [
    'kubernetes, cgroup v1, cgroupfs driver',
    ['11:memory:/kubepods/burstable/pod' + POD + '/' + ID, '1:name=systemd:/kubepods/burstable/pod' + POD + '/' + ID],
    { id: ID, runtime: 'unknown', podUid: POD },
  ],
  [
    'CRI-O, cgroup v2',
    ['0::/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod' + POD.replace(/-/g, '_') + '.slice/crio-' + ID + '.scope'],
    { id: ID, runtime: 'cri-o', podUid: POD },
  ],
  ['CRI-O, cgroup v1', ['3:cpu,cpuacct:/kubepods/besteffort/pod' + POD + '/crio-' + ID], { id: ID, runtime: 'cri-o', podUid: POD }],
  ['podman rootful, cgroup v2 (nested container cgroup)', ['0::/machine.slice/libpod-' + ID + '.scope/container'], { id: ID, runtime: 'podman' }],
  ['podman, cgroup v1', ['1:name=systemd:/machine.slice/libpod-' + ID + '.scope'], { id: ID, runtime: 'podman' }],
  ['podman, cgroupfs manager', ['0::/libpod_parent/libpod-' + ID], { id: ID, runtime: 'podman' }],
  ['docker in docker: the innermost container', ['0::/docker/' + ID + '/docker/' + ID2], { id: ID2, runtime: 'docker' }],
  ['kernel leaf names (sensor)', ['1:kernel:/' + ID, '0::/'], { id: ID, runtime: 'unknown' }],
  ['podman conmon is not a container', ['0::/machine.slice/libpod-conmon-' + ID + '.scope'], undefined],
  ['CRI-O conmon is not a container', ['0::/system.slice/crio-conmon-' + ID + '.scope'], undefined],
  ['host: systemd session', ['0::/user.slice/user-1000.slice/session-2.scope', '1:name=systemd:/user.slice/user-1000.slice/session-2.scope'], undefined],
  ['host: root', ['0::/', '12:pids:/'], undefined],
  ['broken lines', ['garbage', '', '::', '1:x'], undefined],
  ['short ids are not containers', ['0::/docker/3f4e5d6c7b8a'], undefined],
];

describe('container id from /proc/PID/cgroup', () => {
  for (const [name, lines, want] of CASES) {
    it(name, () => assert.deepEqual(containerFromCgroup(lines), want));
  }
  it('splits image references', () => {
    assert.deepEqual(splitImageRef('registry:5000/team/app:1.2@sha256:abc'), { repository: 'registry:5000/team/app', tag: '1.2' });
    assert.deepEqual(splitImageRef('registry:5000/team/app'), { repository: 'registry:5000/team/app' });
  });
});

describe('container resolver with the Docker Engine API', () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-resolver-'));
  const sock = join(dir, 'docker.sock');
  let server: Server;
  let requests = 0;
  after(() => {
    server?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('resolves the id at once, the metadata from the API once, and forgets on request', async () => {
    server = createServer((req, res) => {
      requests++;
      if (req.url === `/v1.41/containers/${ID}/json`) {
        res.setHeader('content-type', 'application/json');
        res.end(
          JSON.stringify({
            Id: ID,
            Name: '/web-1',
            Image: 'sha256:' + 'e'.repeat(64),
            Config: { Image: 'nginx:1.25', Labels: {} },
            HostConfig: { Privileged: true },
            Mounts: [],
          }),
        );
      } else {
        res.statusCode = 404;
        res.end('{"message":"No such container"}');
      }
    });
    await new Promise<void>((r) => server.listen(sock, () => r()));
    const r = new ContainerResolver({ clients: [new DockerClient({ socketPath: sock })] });
    const first = r.resolve(['0::/docker/' + ID]);
    assert.deepEqual(first, { id: ID }, 'the first event carries the id only');
    await r.lookup(ID);
    const later = r.resolve(['0::/docker/' + ID]);
    assert.equal(later.name, 'web-1');
    assert.equal(later.image, 'nginx:1.25');
    assert.equal(later.imageTag, '1.25');
    assert.equal(later.privileged, true);
    const before = requests;
    r.resolve(['0::/docker/' + ID]);
    assert.equal(requests, before, 'cached');
    r.forget(ID);
    assert.equal(r.size, 0);
    assert.deepEqual(r.resolve(['0::/']), { id: 'host' });
    // Unknown to the engine: no metadata (retried with a backoff: pipeline-enrichment.test.ts).
    assert.equal(await r.lookup(ID2), undefined);
  });

  it('keeps going when a client fails', async () => {
    const broken: MetadataClient = {
      name: 'broken',
      inspect: async () => {
        throw new Error('socket closed');
      },
    };
    const ok: MetadataClient = { name: 'ok', inspect: async (id) => ({ id, name: 'from-second' }) };
    const r = new ContainerResolver({ clients: [broken, ok] });
    assert.equal((await r.lookup(ID))?.name, 'from-second');
  });
});
