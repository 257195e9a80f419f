// The server side of the node agent link (docs/agent.md): gRPC over TLS on
// --agent-port with the server's own CA (./pki.ts). Discover hands out the CA
// certificate (agents check it against their pinned hash), Enroll spends a
// one-time cluster agent token and issues a client certificate, Connect is
// the mutual-TLS stream: alerts are stored through the alerts service as
// POST /api/v1/alerts:batch (deduplicated by alert ID, audited, acknowledged
// only after the commit; batches of all streams that arrive during a commit
// share the next one, ./group-commit.ts), heartbeats and node status update the nodes table,
// inventories replace the node's containers, node-local image scans are
// matched and stored (services/node-images.ts), re-scans asked through the
// API go down as `scan-image` commands, learned whitelist entries are
// stored (and decided ones told back to the node),
// and the project's policies go down at connect and after every change
// (src/node/store/changes.ts). A node can only report into the project of the
// cluster it enrolled in (and as itself: the alerts' host is its node name).
// Client certificates are renewed over mTLS (Renew) and revocable from the
// API: a revoked node's streams are closed at once and it is refused from
// then on. Per node, alerts pass a token bucket (delayed acknowledgements,
// then Throttle messages with a retry-after) and a bounded backlog, so a
// flooding agent never starves the others. Also served: CheckToken and
// Whoami for `vigil agent doctor`, and the standard grpc.health.v1 Check.
// Database work is in src/node/services/agents.ts.
import { X509Certificate } from 'node:crypto';
import * as grpc from '@grpc/grpc-js';
import { Ajv } from 'ajv';
import addFormatsImport from 'ajv-formats';
import type { Alert } from '../../core/alerts/types.js';
import { isCatalogType } from '../../core/alerts/catalog.js';
import { readNodeContainers, type NodeContainer } from '../../core/checks/node-container.js';
import { readNodeImages, readNodeImageScan } from '../../core/scan/node-image.js';
import { dropGoneNodeImages, followNodeImageNames, nodeImagePolicyAlerts, requestedNodeScans, storeNodeImageScan } from '../services/node-images.js';
import type { ServerContext } from '../server/context.js';
import { alertSchema } from '../server/routes/alerts.js';
import { HttpError } from '../services/errors.js';
import { learnedDecisionsFor, storeLearnedReport } from '../services/learned.js';
import { feedThreatIps } from '../services/intel.js';
import { readLearnedReport, type LearnedDecision } from '../../core/policy/learned.js';
import { TokenBucket } from '../../core/rate/token-bucket.js';
import {
  AGENT_ALERT_ID_DAYS,
  agentPolicies,
  checkAgentToken,
  enrollNode,
  forgetPreviousCert,
  ingestAgentBatches,
  type AgentBatch,
  isRevoked,
  nodeByCertificate,
  pruneAgentAlertIds,
  recordHeartbeat,
  renewNodeCert,
  storeNodeInventory,
  sweepOfflineNodes,
  touchNode,
  type CertNode,
  type IssueCert,
} from '../services/agents.js';
import { agentLinkProto, MAX_MESSAGE_BYTES, THREAT_LIST_METADATA, type AgentMessage, type EnrollRequest, type ServerMessage } from './proto.js';
import { threatListChunks } from './threat-list.js';
import { certFingerprint, CLIENT_CERT_SECONDS, type AgentPki } from './pki.js';
import { GroupCommit } from './group-commit.js';
import { IngestThread, ingestThreadFits } from './ingest-thread.js';

const addFormats = addFormatsImport as unknown as (a: Ajv) => void;

export interface AgentLinkServer {
  address: string;
  port: number;
  caHash: string;
  /** Live streams by node id. */
  connected(): number;
  close(): Promise<void>;
}

export const MAX_ALERTS_PER_MESSAGE = 1000;
const PRUNE_EVERY_MS = 3600_000;
/** A batch waits at most this long for its node's bucket (its acknowledgement is delayed); longer: Throttle. */
const MAX_ACK_DELAY_MS = 1000;
/** Per stream: messages received and not yet handled at most (past it alert batches are throttled, other messages dropped). */
const MAX_BACKLOG_MESSAGES = 32;
/** Streams one node may hold open at once (a renewal overlaps two for a moment). */
const MAX_STREAMS_PER_NODE = 4;
/**
 * Alert commits start at most this often (group-commit.ts): under load the
 * batches of every stream that arrive meanwhile share one transaction, one
 * audit record per node and one WAL write; an alert after a quiet spell
 * still commits at once. Bounds the commit rate at 100/s.
 */
export const COMMIT_INTERVAL_MS = 10;

/** Buckets of vigil_agent_commit_alerts (alerts per commit). */
const COMMIT_SIZE_BUCKETS = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000];

export interface AgentLinkOptions {
  host: string;
  port: number;
  offlineSeconds: number;
  /** Lifetime of issued client certificates (default 30 days). */
  certSeconds?: number;
  /** Per node: alerts per second and the burst (defaults 2000 and 20000). */
  alertRate?: number;
  alertBurst?: number;
  /** Minimum time between the starts of two alert commits (default COMMIT_INTERVAL_MS). */
  commitIntervalMs?: number;
  /** Alert commits that may run at once on PostgreSQL (default 2; SQLite: 1). */
  commits?: number;
}

interface LiveStream {
  node: CertNode;
  call: grpc.ServerDuplexStream<AgentMessage, ServerMessage>;
  version: string;
  /** The last policy set sent (JSON), so an unchanged set is not sent again. */
  sentPolicies?: string;
  /** The agent takes packed threat lists (stream metadata); the digest of the last one sent. */
  packedThreatList: boolean;
  sentThreatList?: string;
  /** Image IDs whose re-scan was asked of this agent (a request is sent once per stream). */
  sentScans: Set<string>;
  /** The agent's last inventory (image policies are evaluated again when one of its images is scanned). */
  containers?: NodeContainer[];
  /** IDs of the image-policy alerts stored from this stream (not offered again). */
  raised: Set<string>;
  /** The agent's address (audit records). */
  ip: string;
  /** Close the stream at once (revoked). */
  kill(details: string): void;
}

/** Threat-IP entries an agent without packed lists gets in the set's JSON (what fits a 4 MiB message). */
const LEGACY_THREAT_IPS = 100_000;

const isoOf = (d: string | undefined) => {
  const t = d ? Date.parse(d) : NaN;
  return Number.isFinite(t) ? new Date(t).toISOString() : '';
};

export async function startAgentLink(ctx: ServerContext, pki: AgentPki, o: AgentLinkOptions): Promise<AgentLinkServer> {
  const { service, healthService } = agentLinkProto();
  const certSeconds = o.certSeconds ?? CLIENT_CERT_SECONDS;
  const alertRate = o.alertRate ?? 2000;
  const alertBurst = o.alertBurst ?? 20_000;
  const buckets = new Map<string, TokenBucket>();
  const bucketOf = (nodeId: string) => {
    let b = buckets.get(nodeId);
    if (!b) buckets.set(nodeId, (b = new TokenBucket(alertRate, alertBurst, Date.now())));
    return b;
  };
  const issue =
    (publicKeyPem: string): IssueCert =>
    async (node, now) => {
      const certPem = await pki.issueClient(publicKeyPem, node, now, certSeconds);
      const x = new X509Certificate(certPem);
      return { certPem, fingerprint: certFingerprint(x.raw), notAfter: isoOf(x.validTo) };
    };
  const ajv = new Ajv({ allErrors: false, strict: false });
  addFormats(ajv);
  const validAlert = ajv.compile(alertSchema);
  const live = new Map<string, number>();
  // Batches of every stream that arrive during a commit share the next one.
  // SQLite: the commits run in a worker thread with its own connection (./ingest-thread.ts), not on this event loop.
  const thread = ctx.store.auditKey && ingestThreadFits(ctx.store.url) ? new IngestThread(ctx.store.url, ctx.store.auditKey) : undefined;
  const commits = new GroupCommit<AgentBatch, readonly Alert[] | null>(
    (projectId, batches) => (thread ? thread.ingest(projectId, batches, ctx.clock()) : ingestAgentBatches(ctx, projectId, batches)),
    5000,
    o.commitIntervalMs ?? COMMIT_INTERVAL_MS,
    ctx.store.sqlite ? 1 : (o.commits ?? 2),
    {
      waited: (ms) => ctx.metrics.observe('vigil_agent_commit_wait_seconds', 'Agent alert batches: from handled to the start of their commit.', ms / 1000),
      committed: (ms, n) => {
        ctx.metrics.observe('vigil_agent_commit_seconds', 'Agent alert commits: duration of each transaction.', ms / 1000);
        ctx.metrics.observe('vigil_agent_commit_alerts', 'Agent alert commits: alerts in each.', n, undefined, COMMIT_SIZE_BUCKETS);
      },
    },
  );
  const refuse = (why: 'enroll' | 'connect' | 'oversized' | 'malformed' | 'revoked' | 'renew' | 'flood', reason?: MessageRefusal) => {
    ctx.metrics.inc(`vigil_agent_refused_${why}_total`, `Agent link refusals: ${why}.`);
    if (reason) ctx.metrics.inc('vigil_agent_refused_messages_total', 'Agent messages refused as oversized or malformed, by reason.', 1, { reason });
  };
  const throttled = (n: number) =>
    ctx.metrics.inc('vigil_agent_alerts_throttled_total', 'Alerts the agent link did not take (node over its rate or backlog; resent later).', n);

  /** The enrolled, unrevoked node of a mutual-TLS call's client certificate, or the refusal to send. */
  const certNode = async (
    call: Pick<grpc.ServerUnaryCall<unknown, unknown>, 'getAuthContext'>,
    what: string,
  ): Promise<{ node: CertNode; fp: string; notAfter: string } | { code: grpc.status; details: string }> => {
    const peer = call.getAuthContext().sslPeerCertificate;
    if (!peer?.raw) return { code: grpc.status.UNAUTHENTICATED, details: `${what}: no client certificate from this server's CA (enroll first)` };
    const fp = certFingerprint(peer.raw);
    const node = await nodeByCertificate(ctx, fp);
    if (!node)
      return {
        code: grpc.status.PERMISSION_DENIED,
        details: `${what}: this client certificate is not (or no longer) the certificate of an enrolled node; enroll again`,
      };
    if (node.revokedAt) {
      refuse('revoked');
      return {
        code: grpc.status.PERMISSION_DENIED,
        details: `${what}: node ${node.hostname} was revoked at ${node.revokedAt}${node.revokedReason ? ` (${node.revokedReason.slice(0, 200)})` : ''}; it is refused`,
      };
    }
    return { node, fp, notAfter: isoOf(peer.valid_to) };
  };

  const sourceIp = (peer: string) =>
    peer
      .replace(/^ipv[46]:/, '')
      .replace(/:\d+$/, '')
      .replace(/^\[|\]$/g, '');

  // Policy push: every open stream, by project; a change notification (this
  // replica or another one, src/node/store/changes.ts) re-reads the project's
  // policies once (coalesced over 100 ms) and sends them to its streams.
  const streams = new Map<string, Set<LiveStream>>();
  // The threat-IP feeds of the vulnerability DB (`vigil db update --sources threat-ips`): a new DB file is pushed to everyone.
  const feed = feedThreatIps(ctx.scans.vulnDbPath);
  let feedKey = feed.key();
  const pending = new Set<string>();
  let flushTimer: NodeJS.Timeout | undefined;
  // Two forms of each set: the threat list packed in ThreatList chunks (agents that ask for it), or in the JSON
  // (older agents: as many entries as fit a message, LEGACY_THREAT_IPS).
  const pushTo = async (targets: Iterable<LiveStream>) => {
    const byCluster = new Map<string, Promise<{ packed: string; legacy: string; list: ReturnType<typeof threatListChunks> }>>();
    for (const st of targets) {
      const key = `${st.node.projectId}\u0000${st.node.clusterId ?? ''}`;
      let forms = byCluster.get(key);
      if (!forms) {
        forms = agentPolicies(ctx, st.node.projectId, st.node.clusterId, feed).then((p) => {
          const { threatIps = [], ...rest } = p;
          const list = threatListChunks(threatIps);
          return {
            packed: JSON.stringify({ ...rest, threatList: { digest: list.digest, count: list.count } }),
            legacy: JSON.stringify({ ...rest, threatIps: threatIps.slice(0, LEGACY_THREAT_IPS) }),
            list,
          };
        });
        byCluster.set(key, forms);
      }
      const f = await forms;
      const body = st.packedThreatList ? f.packed : f.legacy;
      if (st.sentPolicies === body) continue;
      st.sentPolicies = body;
      if (st.packedThreatList && st.sentThreatList !== f.list.digest) {
        for (const chunk of f.list.chunks) st.call.write({ threatList: chunk });
        st.sentThreatList = f.list.digest;
      }
      st.call.write({ command: { kind: 'policies', json: body } });
      ctx.metrics.inc('vigil_agent_policy_pushes_total', 'Policy sets sent to agents.');
    }
  };
  const flush = () => {
    flushTimer = undefined;
    const projects = [...pending];
    pending.clear();
    const targets = projects.includes('*') ? [...streams.values()].flatMap((x) => [...x]) : projects.flatMap((p) => [...(streams.get(p) ?? [])]);
    void pushTo(targets).catch((e: unknown) => ctx.log.warn({ err: e }, 'agent policy push failed'));
  };
  // Running containers whose image an image-admission policy does not admit: container/image-blocked, stored
  // like the agent's own alerts (idempotent IDs: an agent restart or a new inventory stores nothing twice).
  const raiseImagePolicyAlerts = async (st: LiveStream, containers: NodeContainer[]) => {
    st.containers = containers;
    const alerts = (await nodeImagePolicyAlerts(ctx, st.node, containers)).filter((a) => !st.raised.has(a.id));
    if (!alerts.length) return;
    const fresh = await commits.submit(st.node.projectId, { node: { ...st.node, sourceIp: st.ip, version: st.version }, alerts }, alerts.length);
    if (!fresh) return st.kill(`node ${st.node.hostname} was revoked; its alerts are not accepted`);
    for (const a of alerts) if (st.raised.size < 10_000) st.raised.add(a.id);
    if (fresh.length) void ctx.notifier.alerts(st.node.projectId, fresh).catch((e: unknown) => ctx.log.warn({ err: e }, 'alert notification failed'));
  };
  // Re-scans of node-local images asked through the API (services/node-images.ts): sent as `scan-image` commands.
  const askScans = async (targets: Iterable<LiveStream>) => {
    for (const st of targets) {
      for (const image of await requestedNodeScans(ctx, st.node.id)) {
        if (st.sentScans.has(image)) continue;
        st.sentScans.add(image);
        st.call.write({ command: { kind: 'scan-image', json: JSON.stringify({ image }) } });
      }
    }
  };
  // Learned entries decided by a user: each stream of the project is told the decided entries its node still holds.
  const sendDecisions = async (st: LiveStream, decisions?: LearnedDecision[]) => {
    const d = decisions ?? (await learnedDecisionsFor(ctx, st.node.id));
    if (d.length) st.call.write({ learnedDecisions: { json: JSON.stringify({ decisions: d }) } });
  };
  // Revocation (this replica or another): the project's streams whose node is revoked now are closed at once.
  const recheck = async (projectId: string) => {
    for (const st of [...(streams.get(projectId) ?? [])])
      if (await isRevoked(ctx, st.node.id)) st.kill(`node ${st.node.hostname} was revoked; the link is closed and refused from now on`);
  };
  const unsubscribe = await ctx.changes.subscribe((topic, projectId) => {
    if (topic === 'learned') {
      for (const st of streams.get(projectId) ?? []) void sendDecisions(st).catch((e: unknown) => ctx.log.warn({ err: e }, 'sending learned decisions failed'));
      return;
    }
    if (topic === 'nodes') {
      const targets = projectId === '*' ? [...streams.values()].flatMap((x) => [...x]) : [...(streams.get(projectId) ?? [])];
      void askScans(targets).catch((e: unknown) => ctx.log.warn({ err: e }, 'agent scan request failed'));
      void recheck(projectId).catch((e: unknown) => ctx.log.warn({ err: e }, 'agent revocation check failed'));
      return;
    }
    if (topic !== 'policies') return;
    pending.add(projectId);
    flushTimer ??= setTimeout(flush, 100);
  });

  const handlers: grpc.UntypedServiceImplementation = {
    Discover: (_call: grpc.ServerUnaryCall<object, unknown>, cb: grpc.sendUnaryData<unknown>) => cb(null, { caPem: pki.caPem }),
    Enroll: (call: grpc.ServerUnaryCall<EnrollRequest, unknown>, cb: grpc.sendUnaryData<unknown>) => {
      const req = call.request;
      enrollNode(ctx, { ...req, sourceIp: sourceIp(call.getPeer()) }, issue(req.publicKeyPem)).then(
        (r) => {
          ctx.metrics.inc('vigil_agent_enrolled_total', 'Nodes enrolled through the agent link.');
          cb(null, r);
        },
        (e: unknown) => {
          if (e instanceof HttpError && (e.statusCode === 400 || e.statusCode === 401)) {
            refuse('enroll');
            cb({ code: e.statusCode === 400 ? grpc.status.INVALID_ARGUMENT : grpc.status.UNAUTHENTICATED, details: e.message });
          } else if ((e as { code?: string }).code === 'AGENT_KEY') {
            refuse('enroll');
            cb({ code: grpc.status.INVALID_ARGUMENT, details: `enroll: ${(e as Error).message}` });
          } else {
            ctx.log.error({ err: e }, 'agent enroll failed');
            cb({ code: grpc.status.INTERNAL, details: 'enroll failed (server error; see the server log)' });
          }
        },
      );
    },
    CheckToken: (call: grpc.ServerUnaryCall<{ token: string }, unknown>, cb: grpc.sendUnaryData<unknown>) => {
      checkAgentToken(ctx, String(call.request.token ?? '')).then(
        (r) => {
          if (!r.valid) refuse('enroll');
          cb(null, r);
        },
        (e: unknown) => {
          ctx.log.error({ err: e }, 'agent token check failed');
          cb({ code: grpc.status.INTERNAL, details: 'token check failed (server error)' });
        },
      );
    },
    Whoami: (call: grpc.ServerUnaryCall<object, unknown>, cb: grpc.sendUnaryData<unknown>) => {
      certNode(call, 'whoami').then(
        (r) => {
          if (!('node' in r)) return cb(r);
          cb(null, { nodeId: r.node.id, nodeName: r.node.hostname, clusterId: r.node.clusterId ?? '', projectId: r.node.projectId, notAfter: r.notAfter });
        },
        (e: unknown) => {
          ctx.log.error({ err: e }, 'agent whoami failed');
          cb({ code: grpc.status.INTERNAL, details: 'whoami failed (server error)' });
        },
      );
    },
    Renew: (call: grpc.ServerUnaryCall<{ publicKeyPem: string }, unknown>, cb: grpc.sendUnaryData<unknown>) => {
      const req = call.request;
      certNode(call, 'renew')
        .then(async (r) => {
          if (!('node' in r)) {
            refuse('renew');
            return cb(r);
          }
          if (typeof req.publicKeyPem !== 'string' || req.publicKeyPem.length > 2000) {
            refuse('renew');
            return cb({ code: grpc.status.INVALID_ARGUMENT, details: 'renew: public key missing or too long' });
          }
          const out = await renewNodeCert(ctx, { ...r.node, sourceIp: sourceIp(call.getPeer()), version: '' }, r.fp, issue(req.publicKeyPem));
          ctx.metrics.inc('vigil_agent_renewed_total', 'Node client certificates renewed.');
          cb(null, out);
        })
        .catch((e: unknown) => {
          if ((e as { code?: string }).code === 'AGENT_KEY' || (e instanceof HttpError && e.statusCode === 403)) {
            refuse('renew');
            cb({ code: e instanceof HttpError ? grpc.status.PERMISSION_DENIED : grpc.status.INVALID_ARGUMENT, details: `renew: ${(e as Error).message}` });
          } else {
            ctx.log.error({ err: e }, 'agent renew failed');
            cb({ code: grpc.status.INTERNAL, details: 'renew failed (server error; see the server log)' });
          }
        });
    },
    Connect: (call: grpc.ServerDuplexStream<AgentMessage, ServerMessage>) => {
      const fail = (code: grpc.status, details: string, md?: grpc.Metadata) => {
        refuse('connect');
        call.emit('error', { code, details, ...(md ? { metadata: md } : {}) });
      };
      const ip = sourceIp(call.getPeer());
      // Messages received and not yet handled: bounded (a client ignoring backpressure cannot fill the server's memory).
      let backlog = 0;
      /** Commits of this stream's alert batches still running (their acknowledgements follow). */
      const tails = new Set<Promise<void>>();
      let chain: Promise<unknown> = certNode(call, 'connect')
        .then(async (r) => {
          if (!('node' in r)) return fail(r.code, r.details);
          const node = r.node;
          if ((live.get(node.id) ?? 0) >= MAX_STREAMS_PER_NODE) {
            refuse('flood');
            const md = new grpc.Metadata();
            md.set('retry-after-ms', '5000');
            return fail(grpc.status.RESOURCE_EXHAUSTED, `connect: node ${node.hostname} already has ${MAX_STREAMS_PER_NODE} open streams`, md);
          }
          if (r.node.current) await forgetPreviousCert(ctx, node.id, r.fp);
          live.set(node.id, (live.get(node.id) ?? 0) + 1);
          const st: LiveStream = {
            node,
            call,
            version: '',
            packedThreatList: call.metadata.get(THREAT_LIST_METADATA)[0] === 'packed',
            sentScans: new Set(),
            raised: new Set(),
            ip,
            kill: (details) => {
              refuse('revoked');
              call.emit('error', { code: grpc.status.PERMISSION_DENIED, details: `connect: ${details}` });
              call.end();
            },
          };
          (streams.get(node.projectId) ?? streams.set(node.projectId, new Set()).get(node.projectId)!).add(st);
          await touchNode(ctx, node.id, { status: 'online' });
          await pushTo([st]);
          await askScans([st]);
          const bucket = bucketOf(node.id);
          /** A report read by its module's reader; one that does not validate is refused (counted, logged) and dropped. */
          const readOrRefuse = <T>(reason: MessageRefusal, read: () => T): T | undefined => {
            try {
              return read();
            } catch (e) {
              refuse('malformed', reason);
              ctx.log.warn({ node: node.id, error: (e as Error).message }, `agent ${reason} message refused`);
              return undefined;
            }
          };
          /**
           * `arrived`: performance.now() when the message came off the stream (the link's timing metrics).
           * An alert batch is handled once it is validated and submitted to the group commit: its commit and
           * acknowledgement follow in `committed`, so the stream's next messages are handled meanwhile and a
           * stream's batches that wait share the next commit (one commit at a time per stream made a stream
           * that sends faster than commits finish queue without bound).
           */
          const onMessage = async (m: AgentMessage, arrived: number): Promise<{ committed: Promise<void> } | void> => {
            if (m.body === 'alerts' && m.alerts) {
              ctx.metrics.observe(
                'vigil_agent_stream_wait_seconds',
                "Agent alert batches: from arrival to handled (the stream's earlier messages, the node's rate limit).",
                (performance.now() - arrived) / 1000,
              );
              const env = m.alerts.alerts ?? [];
              if (env.length > MAX_ALERTS_PER_MESSAGE) {
                refuse('oversized', 'alerts-per-message');
                call.write({ reject: { ids: env.map((x) => x.id), reason: `more than ${MAX_ALERTS_PER_MESSAGE} alerts in one message` } });
                return;
              }
              const good: Alert[] = [];
              const bad: string[] = [];
              let reason = '';
              let kind: MessageRefusal = 'alert-schema';
              for (const x of env) {
                const id = String(x.id).slice(0, 100);
                let a: unknown;
                try {
                  a = JSON.parse(x.json);
                } catch (e) {
                  bad.push(id);
                  if (!reason) [reason, kind] = [`alert ${id}: its json field is not JSON (${(e as Error).message.slice(0, 100)})`, 'json'];
                  continue;
                }
                const why = !validAlert(a)
                  ? `not a valid alert (${ajv.errorsText(validAlert.errors).slice(0, 200)})`
                  : (a as Alert).id !== x.id
                    ? 'its id differs from the envelope id'
                    : !isCatalogType((a as Alert).type) && !(a as Alert).type.startsWith('custom/')
                      ? `unknown alert type ${(a as Alert).type.slice(0, 80)}`
                      : '';
                // The node reports as itself: the host is its enrolled name, whatever the body says.
                if (!why) good.push({ ...(a as Alert), host: node.hostname });
                else {
                  bad.push(id);
                  reason ||= `alert ${id}: ${why}`;
                }
              }
              if (bad.length) {
                refuse('malformed', kind);
                call.write({ reject: { ids: bad, reason } });
              }
              if (good.length) {
                const committed = commits
                  .submit(node.projectId, { node: { ...node, sourceIp: ip, version: st.version }, alerts: good }, good.length)
                  .then((fresh) => {
                    if (!fresh) return st.kill(`node ${node.hostname} was revoked; its alerts are not accepted`);
                    ctx.metrics.inc('vigil_alerts_ingested_total', 'Alerts received through the ingest API.', fresh.length);
                    if (fresh.length)
                      void ctx.notifier.alerts(node.projectId, fresh).catch((e: unknown) => ctx.log.warn({ err: e }, 'alert notification failed'));
                    call.write({ ack: { ids: good.map((a) => a.id) } });
                    ctx.metrics.observe(
                      'vigil_agent_ack_seconds',
                      'Agent alert batches: from arrival to the acknowledgement (after the commit).',
                      (performance.now() - arrived) / 1000,
                    );
                  });
                return { committed };
              }
            } else if (m.body === 'heartbeat' && m.heartbeat) {
              await recordHeartbeat(ctx, node.id, m.heartbeat);
            } else if (m.body === 'status' && m.status) {
              st.version = String(m.status.version).slice(0, 50);
              await touchNode(ctx, node.id, { status: 'online', version: st.version, kernel: String(m.status.kernel).slice(0, 200) });
            } else if (m.body === 'inventory' && m.inventory) {
              const containers = readOrRefuse('inventory', () => readNodeContainers(String(m.inventory!.json), `inventory of node ${node.hostname}`));
              if (!containers) return;
              await storeNodeInventory(ctx, node, containers);
              await raiseImagePolicyAlerts(st, containers);
            } else if (m.body === 'imageScan' && m.imageScan) {
              const json = String(m.imageScan.json);
              let scan;
              try {
                scan = readNodeImageScan(json, `image scan of node ${node.hostname}`);
              } catch (e) {
                refuse('malformed', 'image-scan');
                const id = /"imageId":"(sha256:[0-9a-f]{64})"/.exec(json.slice(0, 200))?.[1] ?? '';
                ctx.log.warn({ node: node.id, error: (e as Error).message }, 'agent image scan refused');
                call.write({ imageScanAck: { imageId: id, error: (e as Error).message.slice(0, 300) } });
                return;
              }
              const r = await storeNodeImageScan(ctx, { ...node, sourceIp: ip, version: st.version }, scan, ctx.scans.vulnDbPath);
              st.sentScans.delete(scan.imageId);
              ctx.metrics.inc('vigil_agent_image_scans_total', 'Node-local image scans stored from agents.');
              ctx.log.info({ node: node.id, image: scan.imageId, scanId: r.scanId }, 'node image scan stored');
              if (st.containers) await raiseImagePolicyAlerts(st, st.containers);
              call.write({ imageScanAck: { imageId: scan.imageId, error: '' } });
            } else if (m.body === 'nodeImages' && m.nodeImages) {
              const present = readOrRefuse('node-images', () => readNodeImages(String(m.nodeImages!.json), `node images of node ${node.hostname}`));
              if (!present) return;
              const n = await dropGoneNodeImages(ctx, { ...node, sourceIp: ip, version: st.version }, present.images);
              if (n) ctx.log.info({ node: node.id, dropped: n }, 'node images gone from the node dropped');
              if (present.names) {
                const r = await followNodeImageNames(ctx, { ...node, sourceIp: ip, version: st.version }, present.names);
                if (r) ctx.log.info({ node: node.id, renamed: r }, 'node images renamed after their names on the node');
              }
            } else if (m.body === 'detection' && m.detection) {
              await touchNode(ctx, node.id, { status: 'online', detection: m.detection.active ? 'on' : 'off' });
            } else if (m.body === 'learned' && m.learned) {
              const entries = readOrRefuse('learned', () => readLearnedReport(String(m.learned!.json), `learned report of node ${node.hostname}`));
              if (!entries) return;
              await sendDecisions(st, await storeLearnedReport(ctx, node, entries));
            } else if (m.body === 'policyApplied' && m.policyApplied) {
              const pa = m.policyApplied;
              if (pa.error)
                ctx.log.warn(
                  { node: node.id, revision: String(pa.revision).slice(0, 80), error: String(pa.error).slice(0, 300) },
                  'agent could not apply its policies',
                );
              ctx.metrics.inc('vigil_agent_policy_applied_total', 'Policy sets agents reported applied (or failed to apply).');
            }
          };
          call.on('data', (m: AgentMessage) => {
            const arrived = performance.now();
            let delay = 0;
            if (m.body === 'alerts' && m.alerts && (m.alerts.alerts ?? []).length <= MAX_ALERTS_PER_MESSAGE) {
              const ids = (m.alerts.alerts ?? []).map((x) => String(x.id).slice(0, 100));
              const t = backlog >= MAX_BACKLOG_MESSAGES ? ({ ok: false, retryAfterMs: 1000 } as const) : bucket.take(ids.length, Date.now(), MAX_ACK_DELAY_MS);
              if (!t.ok) {
                throttled(ids.length);
                call.write({
                  throttle: {
                    ids,
                    retryAfterMs: t.retryAfterMs,
                    reason: `node ${node.hostname} is over its alert rate (${alertRate}/s, burst ${alertBurst}) or backlog; resend after ${t.retryAfterMs} ms`,
                  },
                });
                return;
              }
              delay = t.waitMs;
            } else if (backlog >= MAX_BACKLOG_MESSAGES && m.body !== 'alerts') {
              // Heartbeats, status and inventory from a node that floods the stream: dropped (the next one replaces them).
              refuse('flood');
              return;
            }
            backlog++;
            const failed = (e: unknown) => {
              ctx.log.error({ err: e, node: node.id }, 'agent message failed');
              call.emit('error', { code: grpc.status.UNAVAILABLE, details: 'server could not store the message; retry' });
            };
            // Messages are handled in order; an alert batch's commit runs on (`commits`), counted in the backlog until it ends.
            chain = chain
              .then(() => (delay ? new Promise((res) => setTimeout(res, delay)) : undefined))
              .then(() => onMessage(m, arrived))
              .then(
                (r) => {
                  if (!r) return void backlog--;
                  const tail: Promise<void> = r.committed.catch(failed).finally(() => {
                    backlog--;
                    tails.delete(tail);
                  });
                  tails.add(tail);
                },
                (e: unknown) => {
                  backlog--;
                  failed(e);
                },
              );
          });
          /** Every message handled and every commit of its alerts ended. */
          const settled = () => chain.then(() => Promise.all([...tails]));
          const closed = () => {
            const set = streams.get(node.projectId);
            set?.delete(st);
            if (set && !set.size) streams.delete(node.projectId);
            const n = (live.get(node.id) ?? 1) - 1;
            if (n > 0) live.set(node.id, n);
            else {
              live.delete(node.id);
              void settled()
                .then(() => touchNode(ctx, node.id, { status: 'offline' }))
                .catch(() => {});
            }
          };
          let done = false;
          const once = () => {
            if (!done) {
              done = true;
              closed();
            }
          };
          call.on('end', () => {
            void settled().then(() => call.end());
            once();
          });
          call.on('cancelled', once);
          call.on('error', once);
        })
        .catch((e: unknown) => {
          ctx.log.error({ err: e }, 'agent connect failed');
          fail(grpc.status.INTERNAL, 'connect failed (server error)');
        });
    },
  };

  // grpc-js ends a call whose message is over the limit (RESOURCE_EXHAUSTED) or does not decode as protobuf
  // (INTERNAL) in its own base call, before any handler or interceptor sees the message; that call's
  // sendStatus is where both pass: counted there, with a clear error to that agent (only its call ends).
  const transportRefusals: grpc.ServerInterceptor = (_method, call) => {
    const base = call as unknown as { sendStatus(status: LinkStatus): void };
    const send = base.sendStatus.bind(base);
    let counted = false; // later data frames of the same refused call come here again
    base.sendStatus = (status) => {
      const r = transportRefusal(status);
      if (r && !counted) refuse(r.why, r.reason);
      counted ||= !!r;
      send(r ? { ...status, details: r.details } : status);
    };
    return new grpc.ServerInterceptingCall(call);
  };
  const server = new grpc.Server({
    'grpc.max_receive_message_length': MAX_MESSAGE_BYTES,
    'grpc.max_send_message_length': MAX_MESSAGE_BYTES,
    interceptors: [transportRefusals],
  });
  server.addService(service, handlers);
  // The standard health service: "" (the server) and the link's own service name are SERVING while it runs.
  server.addService(healthService, {
    Check: (call: grpc.ServerUnaryCall<{ service: string }, unknown>, cb: grpc.sendUnaryData<unknown>) => {
      const name = String(call.request.service ?? '');
      if (name === '' || name === 'vigil.agent.v1.AgentLink') cb(null, { status: 'SERVING' });
      else cb({ code: grpc.status.NOT_FOUND, details: `unknown service ${name.slice(0, 100)}` });
    },
  });
  const identity = new grpc.experimental.FileWatcherCertificateProvider({
    certificateFile: `${pki.dir}/server.pem`,
    privateKeyFile: `${pki.dir}/server-key.pem`,
    caCertificateFile: `${pki.dir}/ca.pem`,
    refreshIntervalMs: 3600_000,
  });
  // Client certificates are requested but not required (Discover and Enroll
  // come before the node has one); Connect checks that one was presented
  // and verified against the CA (getAuthContext is empty otherwise).
  const creds = grpc.experimental.createCertificateProviderServerCredentials(identity, identity, false);
  // The provider reads the files asynchronously: a handshake before that fails, so serve only once both are loaded.
  // (Our listeners are removed again: a listener keeps the provider's refresh timer, and the process, alive.)
  const loaded = (add: (l: (c: unknown) => void) => void, remove: (l: (c: unknown) => void) => void) =>
    new Promise<void>((res) => {
      const l = (c: unknown) => {
        if (!c) return;
        remove(l);
        res();
      };
      add(l);
    });
  await Promise.all([
    loaded(
      (l) => identity.addIdentityCertificateListener(l),
      (l) => identity.removeIdentityCertificateListener(l),
    ),
    loaded(
      (l) => identity.addCaCertificateListener(l),
      (l) => identity.removeCaCertificateListener(l),
    ),
  ]);
  // The ingest thread has opened its connection before the first agent can send.
  await thread?.ready;
  const hostPort = `${o.host.includes(':') ? `[${o.host}]` : o.host}:${o.port}`;
  const port = await new Promise<number>((res, rej) => server.bindAsync(hostPort, creds, (e, p) => (e ? rej(e) : res(p))));
  let lastPrune = 0;
  const sweep = setInterval(
    () => {
      const now = ctx.clock().getTime();
      const key = feed.key();
      if (key !== feedKey) {
        feedKey = key;
        pending.add('*');
        flushTimer ??= setTimeout(flush, 100);
      }
      void sweepOfflineNodes(ctx, new Date(now - o.offlineSeconds * 1000).toISOString()).catch(() => {});
      if (now - lastPrune > PRUNE_EVERY_MS) {
        lastPrune = now;
        void pruneAgentAlertIds(ctx, new Date(now - AGENT_ALERT_ID_DAYS * 86_400_000).toISOString())
          .then((n) => n && ctx.metrics.inc('vigil_agent_alert_ids_pruned_total', 'Agent alert IDs forgotten after the dedup window.', n))
          .catch((e: unknown) => ctx.log.warn({ err: e }, 'pruning agent alert IDs failed'));
      }
    },
    Math.min(5000, Math.max(500, o.offlineSeconds * 250)),
  );
  sweep.unref();
  return {
    address: `${o.host.includes(':') ? `[${o.host}]` : o.host}:${port}`,
    port,
    caHash: pki.caHash,
    connected: () => live.size,
    close: async () => {
      clearInterval(sweep);
      clearTimeout(flushTimer);
      await unsubscribe();
      await new Promise<void>((res) => server.tryShutdown(() => res()));
      await thread?.close();
    },
  };
}

/** A status a server call ends with (grpc-js's PartialStatusObject, not exported by its index). */
type LinkStatus = Parameters<grpc.ServerInterceptingCallInterface['sendStatus']>[0];

/** Why the link refused an agent message (the `reason` label of vigil_agent_refused_messages_total). */
export type MessageRefusal =
  'message-size' | 'alerts-per-message' | 'protobuf' | 'json' | 'alert-schema' | 'inventory' | 'image-scan' | 'node-images' | 'learned';

/** The refusal grpc-js made of a message (over the size limit, not decodable), with the error the agent gets; undefined for any other status. */
export function transportRefusal(status: LinkStatus): { why: 'oversized' | 'malformed'; reason: MessageRefusal; details: string } | undefined {
  const d = status.details ?? '';
  if (status.code === grpc.status.RESOURCE_EXHAUSTED && /^Received message larger than max/.test(d)) {
    const size = /\((\d+) vs\.? (\d+)\)/.exec(d);
    return {
      why: 'oversized',
      reason: 'message-size',
      details: `agent message refused: ${size ? `${size[1]} bytes, over` : 'over'} the agent link's limit of ${MAX_MESSAGE_BYTES} bytes (4 MiB)`,
    };
  }
  if (status.code === grpc.status.INTERNAL && /^Error deserializing request/.test(d))
    return { why: 'malformed', reason: 'protobuf', details: 'agent message refused: not a valid protobuf message of this RPC (malformed)' };
  return undefined;
}
