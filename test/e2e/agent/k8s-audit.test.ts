// The node agent on a node that carries a kube-apiserver audit log: a real
// `vigil agent` follows the file (--k8s-audit-log) and the cluster alerts
// its lines raise reach the server's API in the node's project, once each,
// including lines appended while it runs and a bad line skipped with a
// notice. The finder of a local kube-apiserver's --audit-log-path is
// checked on a fake /proc. Needs root (the agent's procfs sensor).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { auditEvent } from '../../../src/core/k8s/audit-builders.js';
import { findApiserverAuditLog } from '../../../src/node/k8s/apiserver-audit-log.js';
import { stored, until, stageTest } from './harness.js';

const line = (id: string) => JSON.stringify(auditEvent({ verb: 'delete', resource: 'events', namespace: 'default', name: id, auditID: id }).audit) + '\n';

stageTest(
  'agent: follows the kube-apiserver audit log; cluster alerts reach the server once each',
  { needs: 'procfs sensor', timeout: 180_000, dir: 'vigil-agent-k8s-' },
  async (st) => {
    const log = join(st.dir, 'audit.log');
    writeFileSync(log, line('ev-1') + '{"kind": "Event", broken\n' + line('ev-2'));
    const x = await st.linked({ args: ['--k8s-audit-log', log] });
    const { api, projectId } = x;
    let a = x.a;
    assert.match(a.err(), new RegExp(`following the kube-apiserver audit log ${log}`));
    const type = 'cluster/event-deletion';
    await until('the first two stored', async () => ((await stored(api, projectId, type)) === 2 ? true : undefined), 20_000, a);
    assert.match(a.err(), /audit\.log: line 2: /, 'the bad line is reported and skipped');
    appendFileSync(log, line('ev-3'));
    await until('the appended line stored', async () => ((await stored(api, projectId, type)) === 3 ? true : undefined), 20_000, a);
    const groups = await api.call<{ items: Array<{ type: string; host: string }> }>('GET', `/api/v1/alerts?project=${projectId}&type=${type}`);
    assert.ok(
      groups.items.every((g) => g.host === 'node-a'),
      'raised on the node that follows the log',
    );

    // A restart resumes from the saved position: nothing is stored twice.
    a = await x.restart();
    appendFileSync(log, line('ev-4'));
    await until('the line after the restart stored', async () => ((await stored(api, projectId, type)) === 4 ? true : undefined), 20_000, a);
    await new Promise((r) => setTimeout(r, 1500));
    assert.equal(await stored(api, projectId, type), 4);
  },
);

test('agent: the audit log of a kube-apiserver running on the node is found by its --audit-log-path', () => {
  const proc = mkdtempSync(join(tmpdir(), 'vigil-fake-proc-'));
  try {
    const fake = (pid: number, comm: string, argv: string[]) => {
      mkdirSync(join(proc, String(pid)));
      writeFileSync(join(proc, String(pid), 'comm'), `${comm}\n`);
      writeFileSync(join(proc, String(pid), 'cmdline'), argv.join('\0') + '\0');
    };
    fake(10, 'bash', ['bash', '--audit-log-path=/tmp/not-this']);
    assert.equal(findApiserverAuditLog(proc), undefined, 'only kube-apiserver counts');
    fake(11, 'kube-apiserver', ['kube-apiserver', '--audit-log-path', '-']);
    assert.equal(findApiserverAuditLog(proc), undefined, 'stdout is not a file to follow');
    rmSync(join(proc, '11'), { recursive: true });
    fake(12, 'kube-apiserver', ['kube-apiserver', '--etcd-servers=https://127.0.0.1:2379', '--audit-log-path=/var/log/kubernetes/audit/audit.log']);
    assert.equal(findApiserverAuditLog(proc), '/var/log/kubernetes/audit/audit.log');
    assert.equal(findApiserverAuditLog(join(proc, 'missing')), undefined);
  } finally {
    rmSync(proc, { recursive: true, force: true });
  }
});
