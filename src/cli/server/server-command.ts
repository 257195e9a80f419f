// `vigil server`: start by role, print the URL (and on first start the admin
// login), optionally set up the demo project and print what it found, and
// shut down cleanly on SIGINT/SIGTERM (src/node/server/server-command.ts
// does the work).
import { setUpDemo, startServerCommand } from '../../node/server/server-command.js';

const say = (line: string) => process.stdout.write(`${line}\n`);

export async function serverCommand(opts: Record<string, unknown>): Promise<number> {
  const { server, config } = await startServerCommand(opts, say);
  const stop = async () => {
    process.stderr.write('vigil: shutting down\n');
    await server.close();
    process.exit(0);
  };
  process.once('SIGINT', () => void stop());
  process.once('SIGTERM', () => void stop());
  if (server.url) say(`vigil: server listening on ${server.url} (API ${server.url}/api/v1, docs ${server.url}/api/docs)`);
  if (server.agentLink) say(`vigil: agent link (gRPC, TLS) on ${server.agentLink.address}, CA hash ${server.agentLink.caHash}`);
  if (!server.url) say(`vigil: worker ${server.ctx.scans.workerName} processing scan jobs`);
  if (config.demo && server.boot) {
    const d = await setUpDemo(server, config.demoImage);
    say(
      `vigil: demo project "default": ${d.ref} scanned: ${d.packages} packages; vulnerabilities critical=${d.critical} high=${d.high} medium=${d.medium} low=${d.low}`,
    );
    if (d.demoData) say('vigil: demo data added: alerts of several types, a process whitelist policy on the demo image, a protected cluster with nodes');
    say(`vigil: API docs at ${d.url}/api/docs`);
    say(`vigil: console at ${d.url}/ : log in as admin${d.adminPassword ? ` / ${d.adminPassword}` : ' (with the password set on first start)'}`);
  }
  // Keep running until a signal arrives.
  await new Promise(() => {});
  return 0;
}
