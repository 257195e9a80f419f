// The recommended apiserver audit policy (`vigil k8s audit-policy`): the
// seed's policy, unchanged in substance: drop high-volume low-risk requests,
// Metadata for secrets, configmaps and tokenreviews, Request for reads,
// RequestResponse for writes of known API groups, Metadata for the rest.
// It also records the pod bodies and RBAC objects the cluster rules read.
// Vigil's changes to the seed's policy, all so the cluster rules see what they
// need: exec/attach/port-forward and RBAC/service-account writes are recorded
// first (the seed drops get/update in kube-system), and Event objects are
// dropped for every verb but delete/deletecollection.

export const RECOMMENDED_POLICY_FILE = '/etc/kubernetes/audit-policy.yaml';
export const RECOMMENDED_LOG_PATH = '/var/log/kubernetes/audit/audit.log';
export const RECOMMENDED_LOG_FLAGS: ReadonlyArray<[string, string]> = [
  ['--audit-log-maxsize', '100'],
  ['--audit-log-maxage', '1'],
  ['--audit-log-maxbackup', '10'],
];

const KNOWN_GROUPS = [
  '""',
  '"admissionregistration.k8s.io"',
  '"apps"',
  '"authentication.k8s.io"',
  '"authorization.k8s.io"',
  '"autoscaling"',
  '"batch"',
  '"certificates.k8s.io"',
  '"extensions"',
  '"networking.k8s.io"',
  '"policy"',
  '"rbac.authorization.k8s.io"',
  '"settings.k8s.io"',
  '"storage.k8s.io"',
];

const groupLines = KNOWN_GROUPS.map((g) => `      - group: ${g}${g === '""' ? ' # core' : ''}`).join('\n');

export const RECOMMENDED_AUDIT_POLICY = `apiVersion: audit.k8s.io/v1 # This is required.
kind: Policy
# Don't generate audit events for all requests in RequestReceived stage.
omitStages:
  - "RequestReceived"
rules:
  # Vigil: interactive access to pods and RBAC changes are always recorded,
  # also in kube-system (where the seed's policy drops get and update below).
  - level: Metadata
    resources:
      - group: "" # core
        resources: ["pods/exec", "pods/attach", "pods/portforward"]
  - level: RequestResponse
    verbs: ["create", "update", "patch", "delete", "deletecollection"]
    resources:
      - group: "" # core
        resources: ["pods/ephemeralcontainers", "serviceaccounts"]
      - group: "rbac.authorization.k8s.io"
  # The following requests were manually identified as high-volume and low-risk,
  # so drop them.
  # kube-proxy on each node watches services and endpoints all the time.
  - level: None
    users: ["system:kube-proxy"]
    verbs: ["watch"]
    resources:
      - group: "" # core
        resources: ["endpoints", "services"]
  # Some health checks
  - level: None
    users: ["kubelet"] # legacy kubelet identity
    verbs: ["get"]
    resources:
      - group: "" # core
        resources: ["nodes"]
  - level: None
    userGroups: ["system:nodes"]
    verbs: ["get"]
    resources:
      - group: "" # core
        resources: ["nodes"]
  - level: None
    users: ["system:apiserver"]
    verbs: ["get"]
    resources:
      - group: "" # core
        resources: ["namespaces"]
  # System components reuse the master identity under kube-system; reads and
  # updates there are dropped (users should not operate in kube-system).
  - level: None
    verbs: ["get", "update"]
    namespaces: ["kube-system"]
  # Don't log these read-only URLs.
  - level: None
    nonResourceURLs:
      - /healthz*
      - /version
      - /swagger*
  # Don't log events requests (deletions of events are still caught: see below).
  - level: None
    verbs: ["get", "list", "watch", "create", "update", "patch"]
    resources:
      - group: "" # core
        resources: ["events"]
      - group: "events.k8s.io"
        resources: ["events"]
  # Don't log leases requests
  - level: None
    verbs: ["get", "update"]
    resources:
      - group: "coordination.k8s.io"
        resources: ["leases"]
  # Secrets, ConfigMaps, and TokenReviews can contain sensitive & binary data,
  # so only log at the Metadata level.
  - level: Metadata
    resources:
      - group: "" # core
        resources: ["secrets", "configmaps"]
      - group: authentication.k8s.io
        resources: ["tokenreviews"]
  # Get responses can be large; skip them.
  - level: Request
    verbs: ["get", "list", "watch"]
    resources:
${groupLines}
  # Default level for known APIs
  - level: RequestResponse
    resources:
${groupLines}
  # Default level for all other requests.
  - level: Metadata
`;
