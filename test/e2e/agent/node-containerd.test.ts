// A node that runs containers through containerd, no Docker (a private
// containerd, test/helpers/containerd.ts; images imported with `ctr images
// import`, containers run with `ctr run`):
// - `vigil sbom`/`vigil scan containerd:NAME` list the same packages as the
//   same image read from its archive, through the Content API and through
//   --containerd-root; a namespace (`k8s.io=`) and --platform pick from a
//   multi-platform index; bad names and missing images are one-line errors.
// - `vigil agent` with CONTAINERD_ADDRESS lists containerd's containers in
//   the node inventory (runtime, namespace, image ID, settings from the OCI
//   spec), follows containerd's events (start, kill), and a container started
//   with an added capability, a host /etc mount and no seccomp raises
//   container/abnormal-startup for each; one with containerd's seccomp
//   profile stays silent.
// - The agent scans containerd's images itself (content store, one at a
//   time): the server matches the Debian status against its DB (zlib1g
//   1:1.2.13.dfsg-1 is vulnerable in the test DB) and lists them as node
//   images with the config digest as image ID; a "scan now" through the API
//   makes the agent scan one again; an image imported later is scanned when
//   it appears, and its row dropped when it is removed.
// Needs root (containerd, the procfs sensor).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { localAlerts, nodeContainers, onlineNode, run, startupAlerts, until, stageTest, zlibAdvisory } from './harness.js';
import { startContainerd } from '../../helpers/containerd.js';
import { debianRootfs } from '../../helpers/dockerd.js';
import { writeDockerArchive, writeOciArchive, type FileSpec, type ImageSpec } from '../../helpers/image-builder.js';
import { sbomDebPackages } from '../../../bench/lib/debian-image.js';
import { ContainerdClient } from '../../../src/node/containerd/client.js';
import { ContainerdImages } from '../../../src/node/agent/node-images.js';
import { buildDb } from '../../../src/node/vulndb/db.test-helpers.js';

const IMAGE = 'docker.io/vigil/ctd-test:1';

/** /usr/bin/sleep and its libraries from the host, the Debian rootfs' dpkg status and os-release: a runnable image with real packages. */
function imageFiles(): FileSpec[] {
  const ldd = spawnSync('ldd', ['/usr/bin/sleep'], { encoding: 'utf8' }).stdout;
  const libs = [...ldd.matchAll(/(\/[^\s]+\.so[^\s]*)/g)].map((m) => m[1]!);
  const root = debianRootfs();
  return [
    { path: 'etc/os-release', content: readFileSync(join(root, 'etc/os-release')) },
    { path: 'var/lib/dpkg/status', content: readFileSync(join(root, 'var/lib/dpkg/status')) },
    { path: 'bin/sleep', content: readFileSync('/usr/bin/sleep'), mode: 0o755 },
    ...libs.map((l) => ({ path: l.slice(1), content: readFileSync(l), mode: 0o755 })),
  ];
}

stageTest(
  'containerd: images scanned from its content store, containers in the agent inventory, start checks as alerts',
  { needs: 'containerd, procfs sensor', timeout: 480_000, dir: 'vigil-agent-ctd-' },
  async (st) => {
    const { dir } = st;
    const c = await startContainerd({ prefix: 'vigil-ctd-' });
    st.defer(() => c.stop());
    const files = imageFiles();
    const spec: ImageSpec = { layers: [{ files, compression: 'gzip' }], config: { config: { Cmd: ['/bin/sleep', '600'] } }, repoTags: ['vigil/ctd-test:1'] };
    await writeDockerArchive(join(dir, 'image.tar'), spec);
    await writeOciArchive(join(dir, 'image-oci.tar'), [{ ...spec, refName: '1' }]);
    c.ctr(['images', 'import', join(dir, 'image.tar')]);
    // A two-platform index kept whole in Kubernetes' namespace.
    const arm = { ...spec, platform: { os: 'linux', architecture: 'arm64', variant: 'v8' }, layers: [{ files: files.slice(0, 2) }] };
    await writeOciArchive(join(dir, 'multi.tar'), [{ ...spec, platform: { os: 'linux', architecture: 'amd64' } }, arm]);
    c.ctr(['images', 'import', '--all-platforms', '--no-unpack', '--index-name', 'docker.io/vigil/multi:1', join(dir, 'multi.tar')], 'k8s.io');

    const env = { CONTAINERD_ADDRESS: c.socket };
    const sbom = async (ref: string, extra: string[] = []) => {
      const p = run(['sbom', '--format', 'json', ...extra, ref], env);
      assert.equal(await p.exited, 0, `${ref}: ${p.err()}`);
      return p.out();
    };
    // One CLI process each, side by side: the same image through its archive, the Content API, --containerd-root; the index by platform.
    const multi = 'containerd:k8s.io=docker.io/vigil/multi:1';
    const [ociJson, viaApi, viaRoot, amd, armJson] = await Promise.all([
      sbom(`oci-archive:${join(dir, 'image-oci.tar')}`),
      sbom(`containerd:${IMAGE}`),
      sbom(`containerd:default=${IMAGE}`, ['--containerd-root', c.root]),
      sbom(multi),
      sbom(multi, ['--platform', 'linux/arm64']),
    ]);
    const expected = sbomDebPackages(ociJson);
    assert.ok(expected.length > 50, `${expected.length} packages`);
    assert.deepEqual(sbomDebPackages(viaApi), expected);
    assert.equal((JSON.parse(viaApi) as { artifact: { name: string } }).artifact.name, `containerd:${IMAGE}`);
    assert.deepEqual(sbomDebPackages(viaRoot), expected);
    const scan = run(['scan', `containerd:${IMAGE}`, '--format', 'json', '--scanners', 'baseline'], env);
    assert.equal(await scan.exited, 0, scan.err());
    assert.equal((JSON.parse(scan.out()) as { artifact: { os?: { family: string } } }).artifact.os?.family, 'debian');

    // Namespace and platform: the arm64 manifest of the index holds only os-release and the dpkg status.
    type Artifact = { artifact: { layers?: unknown[] } };
    const layersOf = (json: string) => JSON.stringify((JSON.parse(json) as Artifact).artifact.layers);
    assert.equal(layersOf(amd), layersOf(viaApi), 'linux/amd64 by default: the same layer as the imported archive');
    assert.notEqual(layersOf(armJson), layersOf(viaApi), 'linux/arm64: its own layer');
    assert.deepEqual(sbomDebPackages(armJson), expected);
    // The agent's node-local image listing: every namespace, as references the source reads.
    const client = new ContainerdClient({ socketPath: c.socket });
    try {
      const listed = await new ContainerdImages(client).list(100);
      assert.deepEqual(listed.map((i) => i.ref).sort(), [`containerd:default=${IMAGE}`, 'containerd:k8s.io=docker.io/vigil/multi:1']);
      assert.ok(listed.every((i) => /^sha256:[0-9a-f]{64}$/.test(i.key)));
    } finally {
      client.close();
    }
    const fail = async (ref: string, re: RegExp, extra: string[] = [], e: NodeJS.ProcessEnv = env) => {
      const p = run(['sbom', ...extra, ref], e);
      assert.equal(await p.exited, 2, `${ref}: ${p.err()}`);
      assert.match(p.err(), re);
      assert.doesNotMatch(p.err(), /\n\s+at /);
      assert.equal(p.err().trim().split('\n').length, 1, p.err());
    };
    await Promise.all([
      fail('containerd:docker.io/vigil/multi:1', /no image docker\.io\/vigil\/multi:1 in containerd namespace default/),
      fail('containerd:k8s.io=docker.io/vigil/multi:1', /no image for platform linux\/s390x/, ['--platform', 'linux/s390x']),
      fail('containerd:../../etc/passwd', /expected containerd:\[NAMESPACE=\]NAME/),
      fail('containerd:a b=x', /not a containerd namespace/),
      fail(`containerd:${IMAGE}`, /no containerd socket here/, [], { CONTAINERD_ADDRESS: join(dir, 'none.sock') }),
    ]);

    // The agent on this node: no Docker Engine, containerd found through CONTAINERD_ADDRESS.
    c.ctr(['run', '-d', '--seccomp', IMAGE, 'before', '/bin/sleep', '600']);
    const dbPath = join(dir, 'vigil.db');
    const osv = zlibAdvisory('DSA-9001-1');
    await buildDb(dir, dbPath, [osv], '2026-03-01T00:00:00.000Z');
    const { api, projectId, agentDir, a } = await st.linked({
      env: { VIGIL_DB: dbPath },
      agentEnv: { CONTAINERD_ADDRESS: c.socket, DOCKER_HOST: `unix://${join(dir, 'no-docker.sock')}` },
      builtinRules: true,
    });
    assert.match(a.err(), /no Docker Engine at/);
    const nodeId = await onlineNode(api, projectId, a);
    const containers = () => nodeContainers(api, projectId, nodeId);
    const first = await until('first inventory', async () => (await containers()).find((x) => x.id === 'before'), 20_000, a);
    const { configDigest } = (JSON.parse(viaApi) as { artifact: { configDigest?: string } }).artifact;
    assert.equal(first.runtime, 'containerd');
    assert.equal(first.namespace, 'default');
    assert.equal(first.image, IMAGE);
    assert.match(first.imageDigest, /^sha256:[0-9a-f]{64}$/);
    assert.equal(first.imageDigest, configDigest, 'the image ID is the config digest the scan reports');
    assert.equal(first.state, 'running');
    assert.deepEqual([first.privileged, first.capAdd, first.hostMounts, first.hostPid, first.hostNetwork], [false, [], [], false, false]);

    // The agent scans containerd's images: matched by the server, listed as the node's images.
    type ImageApi = { id: string; ref: string; digest: string; nodeId: string | null; critical: number; lastScanId: string | null };
    const images = async () => (await api.call<{ items: ImageApi[] }>('GET', `/api/v1/projects/${projectId}/images?limit=100`)).items;
    const scanned = (name: string) =>
      until(`${name} scanned`, async () => (await images()).find((i) => i.ref.endsWith(`/${name}`) && i.lastScanId), 120_000, a);
    const ctd = await scanned(IMAGE);
    assert.match(ctd.ref, /^node:[^/]+\/docker\.io\/vigil\/ctd-test:1$/);
    assert.equal(ctd.nodeId, nodeId);
    assert.equal(ctd.digest, configDigest, 'filed under the image ID its containers carry');
    assert.equal(ctd.critical, 1);
    const vulns = (
      await api.call<{ items: Array<{ refId: string; package: string; installedVersion: string }> }>(
        'GET',
        `/api/v1/projects/${projectId}/images/${ctd.id}/findings?kind=vuln&limit=100`,
      )
    ).items.map((f) => `${f.refId} ${f.package} ${f.installedVersion}`);
    assert.deepEqual(vulns, ['DSA-9001-1 zlib1g 1:1.2.13.dfsg-1']);
    const multiRow = await scanned('docker.io/vigil/multi:1');
    assert.equal(multiRow.critical, 1, 'the linux/amd64 image of the index');
    const scans = async (id: string) =>
      (await api.call<{ items: Array<{ trigger: string; status: string }> }>('GET', `/api/v1/projects/${projectId}/scans?imageId=${id}&limit=100`)).items;
    // "Scan now": the agent scans the containerd image again.
    await api.call('POST', `/api/v1/projects/${projectId}/images/${ctd.id}/scan`);
    await until(
      'the agent scanned it again',
      async () => ((await scans(ctd.id)).filter((x) => x.trigger === 'agent' && x.status === 'succeeded').length === 2 ? true : undefined),
      90_000,
      a,
    );
    // Imported after the agent started: scanned when it appears; removed: its row is dropped.
    await writeDockerArchive(join(dir, 'new.tar'), { layers: [{ files: files.slice(0, 2) }], repoTags: ['vigil/ctd-new:1'] });
    c.ctr(['images', 'import', join(dir, 'new.tar')]);
    const added = await scanned('docker.io/vigil/ctd-new:1');
    assert.equal(added.critical, 1);
    c.ctr(['images', 'rm', 'docker.io/vigil/ctd-new:1']);
    await until('the removed image dropped', async () => ((await images()).some((i) => i.id === added.id) ? undefined : true), 60_000, a);
    assert.ok(
      (await images()).some((i) => i.id === ctd.id),
      'the others stay',
    );

    // Started after the agent: followed through containerd's events; the risky one raises its start checks.
    c.ctr(['run', '-d', '--cap-add', 'CAP_SYS_PTRACE', '--mount', 'type=bind,src=/etc,dst=/hostetc,options=rbind:ro', IMAGE, 'risky', '/bin/sleep', '600']);
    c.ctr(['run', '-d', '--seccomp', IMAGE, 'plain', '/bin/sleep', '600']);
    const r = await until('risky in the inventory', async () => (await containers()).find((x) => x.id === 'risky'), 20_000, a);
    assert.deepEqual(r.capAdd, ['SYS_PTRACE']);
    assert.deepEqual(r.hostMounts, [{ source: '/etc', destination: '/hostetc', readOnly: true }]);
    assert.ok(Date.parse(r.startedAt) > Date.now() - 120_000, r.startedAt);
    await until('plain in the inventory', async () => (await containers()).find((x) => x.id === 'plain'), 20_000, a);

    const startup = () => startupAlerts(api, projectId);
    await until('start-check alerts stored', async () => (await startup()).find((g) => g.subject === 'container:risky' && g.count === 3), 30_000, a);
    const local = localAlerts(agentDir, 'container/abnormal-startup');
    const text = local.map((x) => x.message).join('\n');
    assert.match(text, /added capabilities beyond the default set: SYS_PTRACE/);
    assert.match(text, /host path \/etc mounted at \/hostetc \(read-only\)/);
    assert.match(text, /seccomp=unconfined/);
    for (const x of local) assert.deepEqual([x.container?.id, x.container?.image], ['risky', IMAGE]);
    await new Promise((res) => setTimeout(res, 1500));
    assert.deepEqual(
      (await startup()).map((g) => g.subject),
      ['container:risky'],
      'only the risky container raised start-check alerts',
    );

    // Killed: gone from the inventory (its task exited).
    c.ctr(['tasks', 'kill', '-s', 'SIGKILL', 'risky']);
    await until('killed container leaves the inventory', async () => ((await containers()).some((x) => x.id === 'risky') ? undefined : true), 20_000, a);
  },
);
