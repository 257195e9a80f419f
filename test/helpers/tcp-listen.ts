// A TCP listener on a loopback address and an ephemeral port that closes each
// connection at once: the far end of a container's outbound connection in
// the threat-list tests.
import { createServer, type Server } from 'node:net';

export async function listen(host: string): Promise<{ server: Server; port: number }> {
  const server = createServer((sk) => sk.end());
  await new Promise<void>((res, rej) => server.once('error', rej).listen(0, host, () => res()));
  return { server, port: (server.address() as { port: number }).port };
}
