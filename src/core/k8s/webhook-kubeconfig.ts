// `vigil k8s webhook-config`: the kubeconfig-format file the apiserver's
// `--audit-webhook-config-file` reads to reach Vigil's audit webhook.
import { Buffer } from 'node:buffer';
import { stringify } from 'yaml';
import { InputError } from '../errors.js';

export interface WebhookKubeconfigOptions {
  /** https URL of the receiver, e.g. https://vigil.example:8443/k8s/audit. */
  url: string;
  /** PEM of the CA (or the self-signed certificate) the apiserver should trust. */
  caPem?: string;
  token?: string;
}

export function webhookKubeconfig(o: WebhookKubeconfigOptions): string {
  let u: URL;
  try {
    u = new URL(o.url);
  } catch {
    throw new InputError('USAGE', `--url ${JSON.stringify(o.url)} is not a URL`);
  }
  if (u.protocol !== 'https:') throw new InputError('USAGE', `--url must be https (the apiserver sends audit events with credentials): ${o.url}`);
  if (u.pathname === '/' || u.pathname === '') u.pathname = '/k8s/audit';
  if (o.caPem !== undefined && !o.caPem.includes('-----BEGIN CERTIFICATE-----')) throw new InputError('USAGE', '--ca is not a PEM certificate');
  const cluster: Record<string, string> = { server: u.toString() };
  if (o.caPem) cluster['certificate-authority-data'] = Buffer.from(o.caPem).toString('base64');
  const user: Record<string, string> = {};
  if (o.token) user.token = o.token;
  const config = {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'vigil', cluster }],
    users: [{ name: 'kube-apiserver', user }],
    contexts: [{ name: 'vigil', context: { cluster: 'vigil', user: 'kube-apiserver' } }],
    'current-context': 'vigil',
  };
  return `# Save as e.g. /etc/kubernetes/audit-webhook.yaml and start kube-apiserver with
#   --audit-webhook-config-file=/etc/kubernetes/audit-webhook.yaml
#   --audit-policy-file=/etc/kubernetes/audit-policy.yaml
${stringify(config, { indent: 2, lineWidth: 0 })}`;
}
