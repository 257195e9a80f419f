import { test } from 'node:test';
import { appendToLists, clusterRuleFile } from './cluster.test-helpers.js';
import { ruleTester } from '../../src/core/rules/rule-tester.js';
import { auditEvent, podCreate, podExec } from '../../src/core/k8s/audit-builders.js';

const file = clusterRuleFile('pod-abnormal');
const type = 'cluster/pod-abnormal';
const sa = 'system:serviceaccount:kube-system:replicaset-controller';

test('cluster/pod-abnormal fires on dangerous pods and interactive access, not on ordinary pods', () => {
  ruleTester(
    file,
    {
      fires: [
        {
          name: 'privileged container',
          type,
          event: podCreate({ user: sa, containers: [{ name: 'a', image: 'nginx', securityContext: { privileged: true } }] }),
        },
        {
          name: 'privileged init container',
          type,
          event: podCreate({ initContainers: [{ name: 'i', image: 'busybox', securityContext: { privileged: true } }] }),
        },
        {
          name: 'privileged ephemeral container in a created pod',
          type,
          event: podCreate({ ephemeralContainers: [{ name: 'e', image: 'busybox', securityContext: { privileged: true } }] }),
        },
        { name: 'hostNetwork', type, event: podCreate({ hostNetwork: true }) },
        { name: 'hostPID', type, event: podCreate({ hostPID: true }) },
        { name: 'hostIPC', type, event: podCreate({ hostIPC: true }) },
        { name: 'hostPath /', type, event: podCreate({ hostPaths: ['/'] }) },
        { name: 'hostPath docker socket', type, event: podCreate({ hostPaths: ['/var/run/docker.sock'] }) },
        { name: 'hostPath /var/lib/kubelet', type, event: podCreate({ hostPaths: ['/var/lib/kubelet/pods'] }) },
        { name: 'hostPath /etc/kubernetes with a harmless one', type, event: podCreate({ hostPaths: ['/etc/hosts', '/etc/kubernetes/'] }) },
        {
          name: 'SYS_ADMIN',
          type,
          event: podCreate({ containers: [{ name: 'a', image: 'x', securityContext: { capabilities: { add: ['NET_BIND_SERVICE', 'SYS_ADMIN'] } } }] }),
        },
        {
          name: 'static (mirror) pod in kube-system',
          type,
          event: podCreate({ namespace: 'kube-system', user: 'system:node:cp-1', annotations: { 'kubernetes.io/config.mirror': 'abc' } }),
        },
        {
          name: 'static (mirror) pod in default',
          type,
          event: podCreate({
            namespace: 'default',
            user: 'system:node:worker-1',
            annotations: { 'kubernetes.io/config.mirror': 'abc', 'kubernetes.io/config.source': 'file' },
          }),
        },
        {
          name: 'exec',
          type,
          event: podExec('web-1', { uri: '/api/v1/namespaces/default/pods/web-1/exec?command=sh&stdin=true&tty=true' }),
        },
        {
          name: 'attach (get)',
          type,
          event: auditEvent({ verb: 'get', resource: 'pods', subresource: 'attach', namespace: 'default', name: 'web-1', stage: 'ResponseStarted', code: 101 }),
        },
        {
          name: 'port-forward',
          type,
          event: auditEvent({
            verb: 'create',
            resource: 'pods',
            subresource: 'portforward',
            namespace: 'default',
            name: 'web-1',
            stage: 'ResponseStarted',
            code: 101,
          }),
        },
        {
          name: 'ephemeral container',
          type,
          event: auditEvent({
            verb: 'patch',
            resource: 'pods',
            subresource: 'ephemeralcontainers',
            namespace: 'default',
            name: 'web-1',
            requestObject: { spec: { ephemeralContainers: [{ name: 'debugger', image: 'busybox' }] } },
          }),
        },
      ],
      silent: [
        { name: 'ordinary pod', event: podCreate({ user: sa }) },
        {
          name: 'privileged: false, hostNetwork: false, harmless host files',
          event: podCreate({
            hostNetwork: false,
            hostPaths: ['/etc/hosts', '/run/xtables.lock', '/data/app'],
            containers: [{ name: 'a', image: 'x', securityContext: { privileged: false, capabilities: { add: ['NET_BIND_SERVICE'] } } }],
          }),
        },
        { name: 'refused privileged pod', event: podCreate({ code: 403, containers: [{ name: 'a', image: 'x', securityContext: { privileged: true } }] }) },
        {
          name: 'RequestReceived stage',
          event: { ...podCreate({ hostPID: true }), audit: { ...podCreate({ hostPID: true }).audit, stage: 'RequestReceived' } },
        },
        {
          name: 'a pod with ordinary annotations',
          event: podCreate({ annotations: { 'kubernetes.io/config.source': 'api', 'prometheus.io/scrape': 'true' } }),
        },
        { name: 'pod log read', event: auditEvent({ verb: 'get', resource: 'pods', subresource: 'log', namespace: 'default', name: 'web-1' }) },
        {
          name: 'pod status update',
          event: auditEvent({ verb: 'patch', resource: 'pods', subresource: 'status', namespace: 'default', name: 'web-1', user: 'system:node:worker-1' }),
        },
        { name: 'pod delete', event: auditEvent({ verb: 'delete', resource: 'pods', namespace: 'default', name: 'web-1' }) },
      ],
    },
    { source: 'k8s_audit' },
  );
});

test('tuning: trusted images and users are allowlisted by appending to lists', () => {
  const tuning = appendToLists({
    vigil_trusted_pod_images: ['calico/node'],
    vigil_trusted_pod_users: ['ci-bot'],
    vigil_static_pod_namespaces: ['kube-system'],
    vigil_trusted_pod_groups: ['platform-admins'],
  });
  ruleTester(
    [file, tuning],
    {
      fires: [{ type, event: podCreate({ hostNetwork: true, containers: [{ name: 'a', image: 'nginx:1' }] }) }],
      silent: [
        { event: podCreate({ hostNetwork: true, containers: [{ name: 'a', image: 'calico/node:v3.27' }] }) },
        {
          event: podExec('x', { user: 'ci-bot' }),
        },
        { event: podCreate({ namespace: 'kube-system', user: 'system:node:cp-1', annotations: { 'kubernetes.io/config.mirror': 'abc' } }) },
        {
          event: podExec('x', { groups: ['system:authenticated', 'platform-admins'] }),
        },
      ],
    },
    { source: 'k8s_audit' },
  );
});
