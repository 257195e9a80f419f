// The agent link's protocol in one place: proto/vigil/agent/v1/agent.proto,
// loaded at run time with @grpc/proto-loader (camelCase fields, oneofs as
// `body`), and the TypeScript types of its messages, written by hand next to
// it (keep them in step with the .proto).
import { fileURLToPath } from 'node:url';
import { join, dirname } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';

/** src/node/agent or dist/node/agent -> the repository (package) root. */
const PROTO_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'proto');
export const PROTO_FILE = join(PROTO_DIR, 'vigil', 'agent', 'v1', 'agent.proto');
/** The standard gRPC health service (Check), served on the agent port too. */
export const HEALTH_PROTO_FILE = join(PROTO_DIR, 'grpc', 'health', 'v1', 'health.proto');

/** Largest message either side accepts (an alert batch of 500 alerts fits many times over). */
export const MAX_MESSAGE_BYTES = 4 * 1024 * 1024;

export interface DiscoverResponse {
  caPem: string;
}
export interface EnrollRequest {
  token: string;
  nodeName: string;
  publicKeyPem: string;
  version: string;
  kernel: string;
}
export interface EnrollResponse {
  certPem: string;
  nodeId: string;
  clusterId: string;
  projectId: string;
}
export interface AlertEnvelope {
  id: string;
  json: string;
}
export interface AgentMessage {
  body?: 'alerts' | 'heartbeat' | 'status' | 'policyApplied' | 'inventory' | 'imageScan' | 'detection' | 'learned' | 'nodeImages';
  alerts?: { alerts: AlertEnvelope[] };
  heartbeat?: { queueDepth: number; dropped: number; lostEvents: number; sensors: string };
  status?: { version: string; kernel: string; sensors: string };
  policyApplied?: { revision: string; error: string };
  inventory?: { json: string };
  imageScan?: { json: string };
  detection?: { active: boolean; reason: string };
  learned?: { json: string };
  nodeImages?: { json: string };
}
export interface ServerMessage {
  body?: 'ack' | 'reject' | 'command' | 'throttle' | 'imageScanAck' | 'learnedDecisions' | 'threatList';
  ack?: { ids: string[] };
  reject?: { ids: string[]; reason: string };
  command?: { kind: string; json: string };
  imageScanAck?: { imageId: string; error: string };
  learnedDecisions?: { json: string };
  throttle?: { ids: string[]; retryAfterMs: number; reason: string };
  threatList?: ThreatListChunk;
}
/** ServerMessage.threatList: one chunk of a packed threat list (agent.proto). */
export interface ThreatListChunk {
  digest: string;
  index: number;
  chunks: number;
  count: number;
  packed: Uint8Array;
}
/** Stream metadata by which an agent asks for packed threat lists (agent.proto ThreatList). */
export const THREAT_LIST_METADATA = 'vigil-threat-list';
export interface CheckTokenResponse {
  valid: boolean;
  reason: string;
  expiresAt: string;
  clusterId: string;
}
export interface WhoamiResponse {
  nodeId: string;
  nodeName: string;
  clusterId: string;
  projectId: string;
  notAfter: string;
}
export interface RenewResponse {
  certPem: string;
  notAfter: string;
}
type Unary<Req, Res> = (req: Req, md: grpc.Metadata, o: grpc.CallOptions, cb: (e: grpc.ServiceError | null, r?: Res) => void) => grpc.ClientUnaryCall;

export interface AgentLinkClient extends grpc.Client {
  Discover(req: object, md: grpc.Metadata, o: grpc.CallOptions, cb: (e: grpc.ServiceError | null, r?: DiscoverResponse) => void): grpc.ClientUnaryCall;
  Enroll(req: EnrollRequest, md: grpc.Metadata, o: grpc.CallOptions, cb: (e: grpc.ServiceError | null, r?: EnrollResponse) => void): grpc.ClientUnaryCall;
  Connect(md?: grpc.Metadata, o?: grpc.CallOptions): grpc.ClientDuplexStream<AgentMessage, ServerMessage>;
  CheckToken: Unary<{ token: string }, CheckTokenResponse>;
  Whoami: Unary<object, WhoamiResponse>;
  Renew: Unary<{ publicKeyPem: string }, RenewResponse>;
}
export interface HealthClient extends grpc.Client {
  Check: Unary<{ service: string }, { status: string }>;
}

type Ctor<C> = new (target: string, creds: grpc.ChannelCredentials, o?: grpc.ChannelOptions) => C;

let loaded:
  | {
      service: grpc.ServiceDefinition;
      Client: Ctor<AgentLinkClient>;
      healthService: grpc.ServiceDefinition;
      HealthClient: Ctor<HealthClient>;
    }
  | undefined;

export function agentLinkProto(): NonNullable<typeof loaded> {
  if (loaded) return loaded;
  const def = protoLoader.loadSync([PROTO_FILE, HEALTH_PROTO_FILE], { keepCase: false, longs: Number, enums: String, defaults: true, oneofs: true });
  const pkg = grpc.loadPackageDefinition(def) as unknown as {
    vigil: { agent: { v1: { AgentLink: grpc.ServiceClientConstructor } } };
    grpc: { health: { v1: { Health: grpc.ServiceClientConstructor } } };
  };
  const ctor = pkg.vigil.agent.v1.AgentLink;
  const health = pkg.grpc.health.v1.Health;
  loaded = {
    service: ctor.service,
    Client: ctor as unknown as Ctor<AgentLinkClient>,
    healthService: health.service,
    HealthClient: health as unknown as Ctor<HealthClient>,
  };
  return loaded;
}
