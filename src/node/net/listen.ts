// Starting a listening server and stopping it, for the receivers Vigil runs
// (admission webhook, Docker authorization plugin, k8s audit webhook).
import type { Server } from 'node:net';

/** Listens on a TCP host:port (`port` 0: an ephemeral one) or a unix socket path; a listen error (address in use) rejects. */
export async function listen(server: Server, at: { port: number; host?: string } | { path: string }): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    const ready = (): void => {
      server.off('error', reject);
      resolve();
    };
    if ('path' in at) server.listen(at.path, ready);
    else server.listen(at.port, at.host, ready);
  });
}
