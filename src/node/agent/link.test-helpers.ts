// A raw agent link stream for tests: TLS trusting the server's CA, with a
// client identity (mutual TLS) or without one; what the server sent, and how
// the stream ended.
import * as grpc from '@grpc/grpc-js';
import { agentLinkProto, type AgentMessage, type ServerMessage } from './proto.js';

export function openLink(target: string, id: { caPem: string; keyPem?: string; certPem?: string }) {
  const { Client } = agentLinkProto();
  const creds = id.keyPem
    ? grpc.credentials.createSsl(Buffer.from(id.caPem), Buffer.from(id.keyPem), Buffer.from(id.certPem!))
    : grpc.credentials.createSsl(Buffer.from(id.caPem));
  const c = new Client(target, creds);
  const s = c.Connect();
  const got: ServerMessage[] = [];
  const ended = new Promise<grpc.ServiceError | undefined>((res) => {
    s.on('error', (e: grpc.ServiceError) => res(e));
    s.on('end', () => res(undefined));
  });
  s.on('data', (m: ServerMessage) => got.push(m));
  return {
    c,
    s,
    got,
    ended,
    send: (m: AgentMessage) => s.write(m),
    close: () => {
      s.cancel();
      c.close();
    },
  };
}
