// The agent link's protocol in one place: proto/vigil/agent/v1/agent.proto,
// loaded at run time with @grpc/proto-loader (camelCase fields, oneofs as
// `body`), and the TypeScript types of its messages, written by hand next to
// it (keep them in step with the .proto).
import { fileURLToPath } from 'node:url';
import { join, dirname } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';

/** src/node/agent or dist/node/agent -> the repository (package) root. */
export const PROTO_FILE = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'proto', 'vigil', 'agent', 'v1', 'agent.proto');

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
  body?: 'alerts' | 'heartbeat' | 'status' | 'policyApplied' | 'inventory';
  alerts?: { alerts: AlertEnvelope[] };
  heartbeat?: { queueDepth: number; dropped: number; lostEvents: number; sensors: string };
  status?: { version: string; kernel: string; sensors: string };
  policyApplied?: { revision: string; error: string };
  inventory?: { json: string };
}
export interface ServerMessage {
  body?: 'ack' | 'reject' | 'command';
  ack?: { ids: string[] };
  reject?: { ids: string[]; reason: string };
  command?: { kind: string; json: string };
}

export interface AgentLinkClient extends grpc.Client {
  Discover(req: object, md: grpc.Metadata, o: grpc.CallOptions, cb: (e: grpc.ServiceError | null, r?: DiscoverResponse) => void): grpc.ClientUnaryCall;
  Enroll(req: EnrollRequest, md: grpc.Metadata, o: grpc.CallOptions, cb: (e: grpc.ServiceError | null, r?: EnrollResponse) => void): grpc.ClientUnaryCall;
  Connect(md?: grpc.Metadata, o?: grpc.CallOptions): grpc.ClientDuplexStream<AgentMessage, ServerMessage>;
}

let loaded:
  { service: grpc.ServiceDefinition; Client: new (target: string, creds: grpc.ChannelCredentials, o?: grpc.ChannelOptions) => AgentLinkClient } | undefined;

export function agentLinkProto(): NonNullable<typeof loaded> {
  if (loaded) return loaded;
  const def = protoLoader.loadSync(PROTO_FILE, { keepCase: false, longs: Number, enums: String, defaults: true, oneofs: true });
  const pkg = grpc.loadPackageDefinition(def) as unknown as { vigil: { agent: { v1: { AgentLink: grpc.ServiceClientConstructor } } } };
  const ctor = pkg.vigil.agent.v1.AgentLink;
  loaded = { service: ctor.service, Client: ctor as unknown as NonNullable<typeof loaded>['Client'] };
  return loaded;
}
