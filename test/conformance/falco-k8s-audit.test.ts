// Conformance on Falco's recorded Kubernetes audit events: every
// non-optional row of EXPECTED.md (built-in cluster rules), and Falco's own
// k8s_audit_rules.yaml loaded as a user file firing as Falco's regression
// tests say (falcosecurity/falco test/falco_k8s_audit_tests.yaml).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Alert } from '../../src/core/alerts/types.js';
import { createClusterEngine } from '../../src/node/k8s/cluster-engine.js';
import { readAuditFile } from '../../src/node/k8s/audit-file.js';

const dir = fileURLToPath(new URL('./falco-k8s-audit/', import.meta.url));
const falcoRules = fileURLToPath(new URL('./falco-rules/k8s_audit_rules.yaml', import.meta.url));
const files = readdirSync(dir).filter((f) => f.endsWith('.json')).sort();

async function run(file: string, rules: string[] = []): Promise<{ alerts: Alert[]; errors: string[] }> {
  const ce = await createClusterEngine({ rules });
  const alerts: Alert[] = [];
  const errors: string[] = [];
  await readAuditFile(`${dir}${file}`, { onEvent: (e) => alerts.push(...ce.pipeline.process(e)), onError: (m) => errors.push(m) });
  return { alerts, errors };
}

/** EXPECTED.md: `| file | type |` rows; "every other file" gets none. */
function expectedTable(): Map<string, string> {
  const text = readFileSync(`${dir}EXPECTED.md`, 'utf8');
  const m = new Map<string, string>();
  let rest: string | undefined;
  for (const line of text.split('\n')) {
    const cells = /^\|\s*([^|]+?)\s*\|\s*([^|]+?)\s*\|$/.exec(line.trim());
    if (!cells || cells[1] === 'file' || /^-+$/.test(cells[1]!)) continue;
    if (cells[1]!.startsWith('every other file')) rest = cells[2];
    else m.set(cells[1]!, cells[2]!);
  }
  assert.ok(rest, 'EXPECTED.md has the "every other file" row');
  for (const f of files) if (!m.has(f)) m.set(f, rest!);
  return m;
}

test('EXPECTED.md: every non-optional row passes with the built-in cluster rules', async () => {
  const table = expectedTable();
  assert.ok(table.size >= 47);
  const failures: string[] = [];
  let checked = 0;
  for (const [file, want] of table) {
    if (want.startsWith('optional')) continue;
    checked++;
    const { alerts, errors } = await run(file);
    const types = [...new Set(alerts.map((a) => a.type).filter((t) => t.startsWith('cluster/')))];
    if (want.startsWith('none')) {
      if (types.length) failures.push(`${file}: expected none, got ${alerts.map((a) => `${a.type} (${a.rule})`).join(', ')}`);
      if (file === 'fal_01_003.json' && !errors.some((e) => /^line 1: data not recognized as a k8s audit event/.test(e))) failures.push(`${file}: no malformed-event diagnostic (${errors.join('; ')})`);
    } else {
      if (!types.includes(want)) failures.push(`${file}: expected ${want}, got ${types.join(', ') || 'nothing'}`);
      if (types.some((t) => t !== want)) failures.push(`${file}: unexpected extra ${types.filter((t) => t !== want).join(', ')}`);
    }
    if (file !== 'fal_01_003.json' && errors.length) failures.push(`${file}: parse errors ${errors.join('; ')}`);
    // The alert carries the request in the architecture's k8s shape.
    for (const a of alerts) assert.ok(a.k8s?.auditID && a.k8s.user && a.k8s.verb && a.k8s.resource, `${file}: k8s block ${JSON.stringify(a.k8s)}`);
  }
  assert.ok(checked >= 40);
  assert.deepEqual(failures, []);
});

test('Falco\'s k8s_audit_rules.yaml loads through --rules with coded warnings only', async () => {
  const ce = await createClusterEngine({ rules: [falcoRules] });
  const errors = ce.diagnostics.filter((d) => d.severity === 'error');
  assert.deepEqual(errors, []);
  for (const d of ce.diagnostics) assert.match(d.code, /^[A-Z_]+$/);
  const unsupported = ce.diagnostics.filter((d) => d.code === 'UNSUPPORTED_FIELD');
  for (const d of unsupported) assert.ok(d.field, `${d.message} names its field`);
  assert.deepEqual(ce.user!.skipped.map((s) => `${s.name}: ${s.message}`), []);
  assert.ok(ce.user!.rules.length >= 40, `${ce.user!.rules.length} rules loaded`);
});

// Falco's regression expectations (falcosecurity/falco test/falco_k8s_audit_tests.yaml), for the
// rules of the current k8s_audit_rules.yaml (renamed rules use their current names). `{}` = detect: False.
const DISALLOW_KACTIVITY = '- macro: consider_activity_events\n  condition: (k8s_audit_never_true)\n';
const ALLOW_NAMESPACE_FOO = '- list: allowed_namespaces\n  items: [foo]\n  append: true\n';
const ALLOW_USER_SOME_USER = '- list: allowed_k8s_users\n  items: [some-user]\n  append: true\n';
const falcoCases: Array<{ file: string; counts: Record<string, number>; extra?: string[] }> = [
  { file: 'create_nginx_pod_privileged.json', counts: { 'Create Privileged Pod': 1 } },
  { file: 'create_nginx_pod_no_secctx_1st_container_privileged_2nd_container.json', counts: { 'Create Privileged Pod': 1 } },
  { file: 'create_nginx_pod_privileged_2nd_container.json', counts: { 'Create Privileged Pod': 1 } },
  { file: 'create_nginx_pod_unprivileged.json', counts: {} },
  { file: 'create_nginx_pod_sensitive_mount.json', counts: { 'Create Sensitive Mount Pod': 1 } },
  { file: 'create_nginx_pod_sensitive_mount_2nd_container.json', counts: { 'Create Sensitive Mount Pod': 1 } },
  { file: 'create_nginx_pod_unsensitive_mount.json', counts: {} },
  { file: 'create_nginx_pod_hostnetwork.json', counts: { 'Create HostNetwork Pod': 1 } },
  { file: 'create_nginx_pod_nohostnetwork.json', counts: {} },
  { file: 'create_nginx_service_nodeport.json', counts: { 'Create NodePort Service': 1 }, extra: [DISALLOW_KACTIVITY] },
  { file: 'create_nginx_service_nonodeport.json', counts: {}, extra: [DISALLOW_KACTIVITY] },
  { file: 'create_configmap_sensitive_values.json', counts: { 'Create/Modify Configmap With Private Credentials': 6 }, extra: [DISALLOW_KACTIVITY] },
  { file: 'create_configmap_no_sensitive_values.json', counts: {}, extra: [DISALLOW_KACTIVITY] },
  { file: 'anonymous_creates_namespace_foo.json', counts: { 'Anonymous Request Allowed': 1 } },
  { file: 'exec_pod.json', counts: { 'Attach/Exec Pod': 1 } },
  { file: 'attach_pod.json', counts: { 'Attach/Exec Pod': 1 } },
  { file: 'some-user_creates_namespace_foo.json', counts: { 'Disallowed K8s User': 1 }, extra: [ALLOW_NAMESPACE_FOO] },
  { file: 'some-user_creates_namespace_foo.json', counts: { 'Create Disallowed Namespace': 1 }, extra: [ALLOW_USER_SOME_USER] },
  { file: 'minikube_creates_namespace_foo.json', counts: {}, extra: [ALLOW_NAMESPACE_FOO, DISALLOW_KACTIVITY] },
  { file: 'create_pod_kube_system_namespace.json', counts: { 'Pod Created in Kube Namespace': 1 } },
  { file: 'create_pod_kube_public_namespace.json', counts: { 'Pod Created in Kube Namespace': 1 } },
  { file: 'create_serviceaccount_kube_system_namespace.json', counts: { 'Service Account Created in Kube Namespace': 1 } },
  { file: 'create_serviceaccount_kube_public_namespace.json', counts: { 'Service Account Created in Kube Namespace': 1 } },
  { file: 'delete_cluster_role_kube_aggregator.json', counts: { 'System ClusterRole Modified/Deleted': 1 } },
  { file: 'modify_cluster_role_node_problem_detector.json', counts: { 'System ClusterRole Modified/Deleted': 1 } },
  { file: 'attach_cluster_admin_role.json', counts: { 'Attach to cluster-admin Role': 1 } },
  { file: 'create_cluster_role_wildcard_resources.json', counts: { 'ClusterRole With Wildcard Created': 1 } },
  { file: 'create_cluster_role_wildcard_verbs.json', counts: { 'ClusterRole With Wildcard Created': 1 } },
  { file: 'create_cluster_role_write_privileges.json', counts: { 'ClusterRole With Write Privileges Created': 1 } },
  { file: 'create_cluster_role_pod_exec.json', counts: { 'ClusterRole With Pod Exec Created': 1 } },
  { file: 'create_deployment.json', counts: { 'K8s Deployment Created': 1 } },
  { file: 'delete_deployment.json', counts: { 'K8s Deployment Deleted': 1 } },
  { file: 'create_service.json', counts: { 'K8s Service Created': 1 } },
  { file: 'delete_service.json', counts: { 'K8s Service Deleted': 1 } },
  { file: 'create_configmap.json', counts: { 'K8s ConfigMap Created': 1 } },
  { file: 'delete_configmap.json', counts: { 'K8s ConfigMap Deleted': 1 } },
  { file: 'some-user_creates_namespace_foo.json', counts: { 'K8s Namespace Created': 1 }, extra: [ALLOW_NAMESPACE_FOO, ALLOW_USER_SOME_USER] },
  { file: 'delete_namespace_foo.json', counts: { 'K8s Namespace Deleted': 1 } },
  { file: 'create_serviceaccount.json', counts: { 'K8s Serviceaccount Created': 1 } },
  { file: 'delete_serviceaccount.json', counts: { 'K8s Serviceaccount Deleted': 1 } },
  { file: 'create_clusterrole.json', counts: { 'K8s ClusterRole Created': 1 } },
  { file: 'delete_clusterrole.json', counts: { 'K8s ClusterRole Deleted': 1 } },
  { file: 'create_clusterrolebinding.json', counts: { 'K8s ClusterRoleBinding Created': 1 } },
  { file: 'delete_clusterrolebinding.json', counts: { 'K8s ClusterRoleBinding Deleted': 1 } },
  { file: 'create_secret.json', counts: { 'K8s Secret Created': 1 } },
  { file: 'create_service_account_token_secret.json', counts: {} },
  { file: 'create_kube_system_secret.json', counts: {} },
  { file: 'delete_secret.json', counts: { 'K8s Secret Deleted': 1 } },
  { file: 'fal_01_003.json', counts: {} },
];

test('Falco\'s rules fire on the recorded events as Falco\'s regression tests say', async () => {
  const { mkdtempSync, writeFileSync, rmSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const tmp = mkdtempSync(join(tmpdir(), 'vigil-falco-'));
  const failures: string[] = [];
  try {
    for (const [i, c] of falcoCases.entries()) {
      const extra = (c.extra ?? []).map((text, j) => { const p = join(tmp, `extra-${i}-${j}.yaml`); writeFileSync(p, text); return p; });
      const { alerts } = await run(c.file, [falcoRules, ...extra]);
      const custom = alerts.filter((a) => a.type.startsWith('custom/'));
      for (const a of custom) assert.equal(a.type, `custom/${a.rule}`);
      const got: Record<string, number> = {};
      for (const a of custom) got[a.rule] = (got[a.rule] ?? 0) + 1;
      if (Object.keys(c.counts).length === 0) {
        if (custom.length) failures.push(`${c.file}: expected no detection, got ${JSON.stringify(got)}`);
      } else {
        for (const [rule, n] of Object.entries(c.counts)) if (got[rule] !== n) failures.push(`${c.file}: ${rule} expected ${n}, got ${got[rule] ?? 0} (all: ${JSON.stringify(got)})`);
      }
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  assert.deepEqual(failures, []);
});
