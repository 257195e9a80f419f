// The admission benchmarks' input: realistic Deployment AdmissionReviews (2
// containers + 1 init container, env, probes, volumes; every tenth one
// privileged, so denied by block-dangerous-settings) over 200 images, and the
// image facts of those images (scanned, no critical vulnerability), and the
// flags that give `vigil admission` the example policies.
import { join } from 'node:path';

/** Facts of the 200 images the reviews name, as in a facts file's `images`. */
export function factsImages(now: Date): Record<string, unknown> {
  const clean = { scanned: true, scannedAt: now.toISOString(), vulnerabilities: { critical: 0, high: 2, criticalFixable: 0, highFixable: 1 }, malware: 0 };
  const images: Record<string, unknown> = {};
  for (let i = 0; i < 200; i++) images[`registry.example.com/team-${i % 20}/app-${i}:1.${i}`] = clean;
  return images;
}

/** A realistic Deployment review: 2 containers, an init container, volumes, probes, env. */
export function review(i: number): string {
  const img = `registry.example.com/team-${i % 20}/app-${i % 200}:1.${i % 200}`;
  const c = (name: string) => ({
    name,
    image: img,
    ports: [{ containerPort: 8080 }],
    env: Array.from({ length: 10 }, (_, k) => ({ name: `VAR_${k}`, value: `value-${k}` })),
    resources: { requests: { cpu: '100m', memory: '128Mi' } },
    readinessProbe: { httpGet: { path: '/healthz', port: 8080 } },
    securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] }, privileged: i % 10 === 0 },
    volumeMounts: [{ name: 'data', mountPath: '/data' }],
  });
  return JSON.stringify({
    apiVersion: 'admission.k8s.io/v1',
    kind: 'AdmissionReview',
    request: {
      uid: `uid-${i}`,
      kind: { group: 'apps', version: 'v1', kind: 'Deployment' },
      resource: { group: 'apps', version: 'v1', resource: 'deployments' },
      namespace: `ns-${i % 7}`,
      operation: 'CREATE',
      userInfo: { username: 'system:serviceaccount:ci:deployer', groups: ['system:serviceaccounts'] },
      dryRun: false,
      object: {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: `app-${i}`, labels: { app: `app-${i}` } },
        spec: {
          replicas: 2,
          selector: { matchLabels: { app: `app-${i}` } },
          template: {
            metadata: { labels: { app: `app-${i}`, tier: 'web' } },
            spec: { initContainers: [c('init')], containers: [c('app'), c('sidecar')], volumes: [{ name: 'data', emptyDir: {} }] },
          },
        },
      },
    },
  });
}

/** `vigil admission` flags for both example policies and a facts file (as the admission benchmarks run it). */
export function examplePolicyArgs(repoRoot: string, factsFile: string): string[] {
  const ex = (n: string) => join(repoRoot, 'examples', 'admission', n);
  return ['--policy', ex('block-dangerous-settings.yaml'), '--policy', ex('block-critical-vulns.yaml'), '--facts', factsFile];
}
