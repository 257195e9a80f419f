import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parse } from 'yaml';
import { webhookKubeconfig } from './webhook-kubeconfig.js';

const pem = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';

test('prints a kubeconfig the apiserver webhook backend reads', () => {
  const text = webhookKubeconfig({ url: 'https://vigil.example:8443', caPem: pem, token: 't0k' });
  assert.ok(!text.includes('\t'));
  const c = parse(text);
  assert.equal(c.kind, 'Config');
  assert.equal(c.clusters[0].cluster.server, 'https://vigil.example:8443/k8s/audit');
  assert.equal(Buffer.from(c.clusters[0].cluster['certificate-authority-data'], 'base64').toString(), pem);
  assert.equal(c.users[0].user.token, 't0k');
  assert.equal(c['current-context'], c.contexts[0].name);
  assert.throws(() => webhookKubeconfig({ url: 'http://x/k8s/audit' }), /https/);
  assert.throws(() => webhookKubeconfig({ url: 'nope' }), /not a URL/);
  assert.throws(() => webhookKubeconfig({ url: 'https://x', caPem: 'junk' }), /PEM/);
});
