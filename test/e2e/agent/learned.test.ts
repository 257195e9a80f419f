// Learn mode end to end, as real processes (`vigil server`, `vigil agent`
// with the eBPF sensor, a private dockerd): a process-whitelist policy with
// a learn window is pushed to the agent; processes run in a real container
// during the window are learned, reported over the link and listed by the
// API with node, image, first seen and count; after the window, accepting one
// adds it to the policy's whitelist (modifyPolicy in the audit trail) and
// rejecting another dismisses it (rejectLearnedProcesses); the agent forgets
// both, so in enforce mode the accepted executable runs silently while the
// rejected one is killed and alerted on. Needs root (dockerd, bpftrace).
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { localAlerts, until, stageTest } from './harness.js';

const IMAGE = 'vigil-learn-test/minbase:1';
const LEARN_SECONDS = 40;

interface Learned {
  id: string;
  nodeName: string;
  executable: string;
  image: string;
  firstSeen: string;
  count: number;
  status: string;
}

stageTest(
  'agent learn mode: learned entries in the API, accept into the whitelist, reject; enforce then kills only the rejected one',
  { needs: 'dockerd, bpftrace', timeout: 300_000, dir: 'vigil-agent-learn-' },
  async (st) => {
    const { d, docker } = await st.dockerd('vigil-agl-', IMAGE);
    // The eBPF sensor: a container's exec is seen as the exec it is (the procfs poller may first see the pid as `runc init`).
    const { api, projectId, agentDir, a } = await st.linked({ args: ['--sensor', 'ebpf'], agentEnv: { DOCKER_HOST: `unix://${d.socket}` } });
    // Created once the agent runs: the learn window starts when the agent applies the policy.
    const pol = await api.call<{ id: string }>('POST', `/api/v1/projects/${projectId}/policies`, {
      name: 'learn-web',
      kind: 'process-whitelist',
      mode: 'alert',
      document: { selector: { images: [IMAGE] }, processWhitelist: { learn: `${LEARN_SECONDS}s` } },
    });
    await until('the policy applied', () => /policies applied: .*, 1 runtime policies/.test(a.err()) || undefined, 20_000, a);
    const windowEnds = Date.now() + LEARN_SECONDS * 1000;

    // Inside the learn window: the container's processes are learned, nothing alerts.
    await docker(['run', '-d', '--name', 'web', '--network', 'none', IMAGE, 'sleep', '600']);
    const base = `/api/v1/projects/${projectId}/policies/${pol.id}/learned`;
    const learned = async (status = 'pending') => (await api.call<{ items: Learned[] }>('GET', `${base}?status=${status}&limit=500`)).items;
    // An exec of a container whose metadata the agent is still looking up (a busy host) carries no image and matches
    // no selector: each program runs until the API lists it.
    const rows = await until(
      'both executables listed by the API',
      async () => {
        const l = await learned();
        const sleep = l.find((x) => x.executable === '/usr/bin/sleep');
        const tail = l.find((x) => x.executable === '/usr/bin/tail');
        if (sleep && tail) return { sleep, tail };
        if (!sleep) await docker(['exec', 'web', '/usr/bin/sleep', '1']);
        if (!tail) await docker(['exec', '-d', 'web', '/usr/bin/tail', '-f', '/etc/hostname']);
        return undefined;
      },
      LEARN_SECONDS * 1000,
      a,
    ).catch((e: Error) => {
      const f = join(agentDir, 'runtime-learn.json');
      throw new Error(`${e.message}\nlearn state: ${existsSync(f) ? readFileSync(f, 'utf8') : '(none)'}`);
    });
    assert.ok(Date.now() < windowEnds, 'learned inside the window (the test machine was too slow otherwise)');
    for (const r of [rows.sleep, rows.tail]) {
      assert.equal(r.nodeName, 'node-a');
      assert.equal(r.image, IMAGE);
      assert.equal(r.status, 'pending');
      assert.ok(r.count >= 1);
      assert.ok(Math.abs(Date.parse(r.firstSeen) - Date.now()) < 120_000, r.firstSeen);
    }
    assert.deepEqual(localAlerts(agentDir, 'container/abnormal-process'), [], 'nothing alerts while learning');

    // After the window: accept sleep, reject tail.
    await new Promise((r) => setTimeout(r, Math.max(0, windowEnds - Date.now() + 1000)));
    const acc = await api.call<{ decided: number; executables: string[] }>('POST', `${base}/accept`, { ids: [rows.sleep.id] });
    assert.deepEqual(acc, { decided: 1, executables: ['/usr/bin/sleep'] });
    const rej = await api.call<{ decided: number; executables: string[] }>('POST', `${base}/reject`, { ids: [rows.tail.id] });
    assert.deepEqual(rej, { decided: 1, executables: ['/usr/bin/tail'] });
    const policy = await api.call<{ document: { processWhitelist: { executables?: string[] } } }>('GET', `/api/v1/projects/${projectId}/policies/${pol.id}`);
    assert.deepEqual(policy.document.processWhitelist.executables, ['/usr/bin/sleep'], 'accepting changed the policy');
    for (const [status, executable] of [
      ['accepted', '/usr/bin/sleep'],
      ['rejected', '/usr/bin/tail'],
    ])
      assert.deepEqual(
        (await learned(status)).map((x) => x.executable),
        [executable],
        status,
      );
    const audit = await api.call<{ items: Array<{ event: string; resourceId: string; summary: { executables?: string[] } }> }>(
      'GET',
      '/api/v1/audit?limit=500',
    );
    const ofPolicy = audit.items.filter((x) => x.resourceId === pol.id);
    assert.ok(ofPolicy.some((x) => x.event === 'modifyPolicy' && x.summary.executables?.includes('/usr/bin/sleep')));
    assert.ok(ofPolicy.some((x) => x.event === 'rejectLearnedProcesses' && x.summary.executables?.includes('/usr/bin/tail')));
    await until(
      'the agent forgot the decided entries',
      () => /learned entries decided by the server: 1 accepted, 1 rejected/.test(a.err()) || undefined,
      10_000,
      a,
    );

    // Enforce: the accepted executable runs (whitelisted now), the rejected one is killed and alerted on.
    const appliedSets = () => (a.err().match(/policies applied: /g) ?? []).length;
    const before = appliedSets();
    await api.call('PATCH', `/api/v1/projects/${projectId}/policies/${pol.id}`, { mode: 'enforce' });
    await until('the enforce set applied', () => appliedSets() > before || undefined, 10_000, a);
    await docker(['exec', 'web', '/usr/bin/sleep', '2']);
    const killed = await d.docker(['exec', 'web', '/usr/bin/tail', '-f', '/etc/hostname'], { timeoutMs: 30_000 });
    assert.equal(killed.status, 137, `tail is killed (SIGKILL): ${killed.status} ${killed.err}`);
    const alerts = await until('the rejected executable alerted', () => {
      const l = localAlerts(agentDir, 'container/abnormal-process');
      return l.some((x) => x.message.includes('/usr/bin/tail')) ? l : undefined;
    });
    assert.ok(
      alerts.every((x) => !x.message.includes('/usr/bin/sleep')),
      `the accepted executable never alerts: ${alerts.map((x) => x.message).join('; ')}`,
    );
    assert.equal(alerts.find((x) => x.message.includes('/usr/bin/tail'))?.action?.kind, 'killed');
  },
);
