// `vigil admission webhook-config`: the ValidatingWebhookConfiguration that
// sends Pods and the pod-templating workloads to Vigil's webhook, with the CA
// bundle the apiserver trusts, the failure policy the user chose, and Vigil's
// own namespace and kube-system left out (so the webhook never blocks itself).
import { Buffer } from 'node:buffer';
import { stringify } from 'yaml';
import { InputError } from '../errors.js';

export interface WebhookConfigOptions {
  caPem: string;
  /** Either a URL (webhook outside the cluster) ... */
  url?: string;
  /** ... or a Service in the cluster. */
  service?: { namespace: string; name: string; port: number };
  failurePolicy: 'fail' | 'ignore';
  name?: string;
  timeoutSeconds?: number;
  /** Namespaces never sent to the webhook. */
  excludeNamespaces?: string[];
}

export function validatingWebhookConfiguration(o: WebhookConfigOptions): Record<string, unknown> {
  if (!o.caPem.includes('-----BEGIN CERTIFICATE-----')) throw new InputError('USAGE', '--ca is not a PEM certificate');
  if (!o.url === !o.service) throw new InputError('USAGE', 'give --url or --service (one of them)');
  let clientConfig: Record<string, unknown>;
  if (o.url) {
    let u: URL;
    try {
      u = new URL(o.url);
    } catch {
      throw new InputError('USAGE', `--url ${JSON.stringify(o.url.slice(0, 100))} is not a URL`);
    }
    if (u.protocol !== 'https:') throw new InputError('USAGE', '--url must be https (the apiserver only calls webhooks over TLS)');
    if (u.pathname === '/' || u.pathname === '') u.pathname = '/validate';
    clientConfig = { url: u.toString() };
  } else {
    clientConfig = { service: { namespace: o.service!.namespace, name: o.service!.name, port: o.service!.port, path: '/validate' } };
  }
  clientConfig.caBundle = Buffer.from(o.caPem).toString('base64');
  const exclude = o.excludeNamespaces ?? ['kube-system', 'vigil'];
  const hook = (name: string, rules: unknown[]) => ({
    name,
    admissionReviewVersions: ['v1'],
    clientConfig,
    rules,
    failurePolicy: o.failurePolicy === 'fail' ? 'Fail' : 'Ignore',
    matchPolicy: 'Equivalent',
    // Decisions send alerts, except for dry runs.
    sideEffects: 'NoneOnDryRun',
    timeoutSeconds: o.timeoutSeconds ?? 5,
    namespaceSelector: { matchExpressions: [{ key: 'kubernetes.io/metadata.name', operator: 'NotIn', values: exclude }] },
  });
  const ops = ['CREATE', 'UPDATE'];
  return {
    apiVersion: 'admissionregistration.k8s.io/v1',
    kind: 'ValidatingWebhookConfiguration',
    metadata: { name: o.name ?? 'vigil-admission', labels: { 'app.kubernetes.io/name': 'vigil-admission' } },
    webhooks: [
      hook('pods.admission.vigil.dev', [
        { apiGroups: [''], apiVersions: ['v1'], operations: ops, resources: ['pods', 'pods/ephemeralcontainers'], scope: 'Namespaced' },
      ]),
      hook('workloads.admission.vigil.dev', [
        {
          apiGroups: ['apps'],
          apiVersions: ['v1'],
          operations: ops,
          resources: ['deployments', 'statefulsets', 'daemonsets', 'replicasets'],
          scope: 'Namespaced',
        },
        { apiGroups: ['batch'], apiVersions: ['v1'], operations: ops, resources: ['jobs', 'cronjobs'], scope: 'Namespaced' },
      ]),
    ],
  };
}

export function validatingWebhookConfigurationYaml(o: WebhookConfigOptions): string {
  return stringify(validatingWebhookConfiguration(o), { lineWidth: 0 });
}
