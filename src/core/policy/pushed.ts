// The policies a server pushes to its agents (docs/agent.md): the project's
// policy rows, each with the references of the images it is applied to,
// turned into the runtime policy document the agent's PolicyStage evaluates.
// Process-whitelist and file-protection rows become runtime policies whose
// selector is the document's own selector (if any) plus the applied images
// (with the short forms a container runtime reports: `busybox:1.36` for
// `docker.io/library/busybox:1.36`); a row with neither is not applied to any
// container yet and is left out. Detection rows become detection policies in
// their file form (docs/detection-policy.md: the row's name, its document,
// the applied images added to `scope.images` with the same short forms), which
// the agent validates and gives its rule engine. Other kinds (image
// admission) are carried as they are, for the parts of the agent that use them.
// The server's custom rule files and threat-IP entries (PushedIntel) ride in
// the same set, so one revision covers everything the agent's engine uses. Pure.
import { validatePolicyDocument, type PolicyDocument, type RuntimePolicy } from './model.js';
import { validateDetectionPolicy } from './detection.js';

export const PUSHED_FORMAT = 1;

export interface PushedPolicyRow {
  id: string;
  name: string;
  kind: string;
  mode: string;
  document: Record<string, unknown>;
  /** References of the images the policy is applied to (imageApplyPolicy). */
  images: string[];
  updatedAt: string;
}

/** Rule files and threat-IP entries from the server (docs/rules.md): part of the pushed set when the server has them. */
export interface PushedIntel {
  /** Enabled custom rule files of the project, by name: each loads as its own rule set on the agent. */
  rules: Array<{ name: string; content: string }>;
  /** Canonical CIDRs: global and project entries of the API, and the threat-IP feeds. */
  threatIps: string[];
}

/** What the agent receives (Command kind `policies`). */
export interface PushedPolicies {
  format: number;
  projectId: string;
  /** A digest of the content: equal revisions, equal policies. */
  revision: string;
  /** Cluster protection (openClusterProtect / closeClusterProtect) of the agent's cluster. */
  protected: boolean;
  runtime: PolicyDocument;
  /**
   * Detection policies in their file form (by name; applied images in `scope.images`). Absent in sets
   * of servers older than the agent's detection support (the agent then keeps its local ones only).
   */
  detection?: Array<Record<string, unknown>>;
  /** Rows of kinds neither document holds (image-admission, ...). */
  other: Array<Pick<PushedPolicyRow, 'id' | 'name' | 'kind' | 'mode' | 'document'>>;
  /** Rows left out, with why (shown by the agent). */
  inactive: Array<{ name: string; why: string }>;
  /** Custom rule files (absent from servers without them: the agent keeps its local rules only). */
  rules?: PushedIntel['rules'];
  /** Threat-IP entries added to the agent's own list (absent: none). */
  threatIps?: string[];
  /**
   * Instead of `threatIps`, to agents that take packed lists: the list came in ThreatList chunks (agent.proto)
   * just before the set; the agent puts it back as `threatIps` (and saves the set so).
   */
  threatList?: { digest: string; count: number };
}

/**
 * The forms a container runtime may report for an image of the API
 * (`registry:docker.io/library/nginx:1.25`, `docker-daemon:nginx:1.25`,
 * `containerd:...`, or a bare reference); none for sources that have no
 * reference a container could run by (archives, OCI layouts, root filesystems).
 */
export function imageRefAliases(apiRef: string): string[] {
  const m = /^(registry|docker-daemon|containerd):(.+)$/.exec(apiRef);
  if (!m && /^(docker-archive|oci|oci-archive|rootfs):/.test(apiRef)) return [];
  const ref = m ? m[2]! : apiRef;
  const out = new Set<string>([ref]);
  let r = ref;
  for (const p of ['docker.io/library/', 'index.docker.io/library/', 'docker.io/', 'index.docker.io/']) {
    if (r.startsWith(p)) {
      r = r.slice(p.length);
      out.add(r);
      break;
    }
  }
  // A tag of `latest` may be omitted (`docker run busybox` reports `busybox`).
  for (const x of [...out]) if (x.endsWith(':latest')) out.add(x.slice(0, -':latest'.length));
  return [...out];
}

const RUNTIME_KINDS: Record<string, 'processWhitelist' | 'fileProtection'> = {
  'process-whitelist': 'processWhitelist',
  'file-protection': 'fileProtection',
};

export function pushedPolicies(
  projectId: string,
  isProtected: boolean,
  rows: readonly PushedPolicyRow[],
  digest: (s: string) => string,
  intel?: PushedIntel,
): PushedPolicies {
  const runtime: RuntimePolicy[] = [];
  const detection: Array<Record<string, unknown>> = [];
  const other: PushedPolicies['other'] = [];
  const inactive: PushedPolicies['inactive'] = [];
  for (const r of [...rows].sort((a, b) => a.name.localeCompare(b.name) || a.id.localeCompare(b.id))) {
    if (r.kind === 'detection') {
      const doc: Record<string, unknown> = { name: r.name, ...r.document };
      const refs = r.images.flatMap(imageRefAliases);
      if (refs.length) {
        const scope = { ...((doc.scope as Record<string, unknown> | undefined) ?? {}) };
        scope.images = [...new Set([...((scope.images as string[] | undefined) ?? []), ...refs])].sort();
        doc.scope = scope;
      }
      try {
        // Checked here so one stored row the model no longer accepts does not make the agent refuse the whole set.
        validateDetectionPolicy(doc, `policy ${r.name}`);
        detection.push(doc);
      } catch (e) {
        inactive.push({ name: r.name, why: (e as Error).message.slice(0, 300) });
      }
      continue;
    }
    const section = RUNTIME_KINDS[r.kind];
    if (!section) {
      other.push({ id: r.id, name: r.name, kind: r.kind, mode: r.mode, document: r.document });
      continue;
    }
    const own = (r.document.selector ?? {}) as { images?: string[]; containers?: string[] };
    const images = [...new Set([...(own.images ?? []), ...r.images.flatMap(imageRefAliases)])].sort();
    const containers = own.containers ?? [];
    if (!images.length && !containers.length) {
      inactive.push({ name: r.name, why: 'applied to no image and no selector in its document' });
      continue;
    }
    const candidate = {
      ...r.document,
      name: r.name,
      mode: r.mode,
      selector: { ...(images.length ? { images } : {}), ...(containers.length ? { containers } : {}) },
    };
    try {
      // Stored documents were validated on write; a row the model no longer accepts is left out, not pushed broken.
      runtime.push(validatePolicyDocument({ policies: [candidate] }, `policy ${r.name}`).policies[0]!);
    } catch (e) {
      inactive.push({ name: r.name, why: (e as Error).message.slice(0, 300) });
    }
  }
  // Names are unique per project for the API's kinds; two kinds may share one: keep the first.
  const seen = new Set<string>();
  const unique = runtime.filter((p) => (seen.has(p.name) ? (inactive.push({ name: p.name, why: 'duplicate name' }), false) : (seen.add(p.name), true)));
  const body = {
    format: PUSHED_FORMAT,
    projectId,
    protected: isProtected,
    runtime: { policies: unique },
    detection,
    other,
    inactive,
    ...(intel ? { rules: intel.rules, threatIps: intel.threatIps } : {}),
  };
  return { ...body, revision: digest(JSON.stringify(body)) };
}
