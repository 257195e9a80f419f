// A threat-IP feed of the server's vulnerability DB reaching a running agent,
// as real processes (`vigil server` on SQLite with VIGIL_DB, `vigil agent`
// with the eBPF sensor and the built-in rules, a private dockerd): `vigil db
// update --sources threat-ips` downloads a 300,000-entry list from a loopback
// HTTP server into the server's DB; without a restart the agent gets the
// whole list (packed, in chunks: as JSON it would be over the link's 4 MiB
// message limit), its effective configuration and saved set hold all
// 300,000 entries, and a container connecting to an address of the new list
// raises network/abnormal-outbound while one connecting elsewhere stays
// silent. Needs root (dockerd, bpftrace).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { agent, isRoot, run, serverWithCluster, stop, stored, until, type Proc } from './harness.js';
import { debianRootfs, dockerOk, importRootfs, startDockerd, type Dockerd } from '../../helpers/dockerd.js';
import { listen } from '../../helpers/tcp-listen.js';

const IMAGE = 'vigil-feed-test/minbase:1';
const OUTBOUND = 'network/abnormal-outbound';
const ENTRIES = 300_000;

/** The feed: 299,999 addresses of 10.0.0.0/8 as /32s, and the test's "C2" 127.0.0.2 (127.0.0.3 is not on it). */
function feedText(): string {
  const lines = ['; the test feed (Spamhaus DROP-like)'];
  for (let i = 0; i < ENTRIES - 1; i++) lines.push(`10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255} ; entry ${i}`);
  lines.push('127.0.0.2/32 ; the test C2');
  return `${lines.join('\n')}\n`;
}

test(
  'agent: a 300,000-entry threat-IP feed put in the server DB by `db update` reaches the running agent whole and alerts',
  { skip: !isRoot && 'needs root (dockerd, bpftrace)', timeout: 480_000 },
  async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vigil-agent-feed-'));
    let d: Dockerd | undefined;
    let server: Proc | undefined;
    let a: Proc | undefined;
    let http: HttpServer | undefined;
    const bad = await listen('127.0.0.2');
    const ok = await listen('127.0.0.3');
    try {
      const body = feedText();
      http = createHttpServer((req, res) => {
        if (req.url === '/drop.txt') res.writeHead(200, { 'content-type': 'text/plain' }).end(body);
        else res.writeHead(404).end();
      });
      await new Promise<void>((res) => http!.listen(0, '127.0.0.1', () => res()));
      const feedUrl = `http://127.0.0.1:${(http.address() as { port: number }).port}/drop.txt`;

      d = await startDockerd({ prefix: 'vigil-agf-' });
      await importRootfs(d, debianRootfs(), IMAGE);
      const docker = (args: string[]) => dockerOk(d!, args);
      const dbPath = join(dir, 'vuln.db');
      const { s, api, projectId, token, caHash, keyFile } = await serverWithCluster(dir, { VIGIL_DB: dbPath });
      server = s.p;
      const agentDir = join(dir, 'agent');
      a = agent(
        s.link,
        agentDir,
        keyFile,
        ['--token', token, '--ca-hash', caHash, '--sensor', 'ebpf'],
        { DOCKER_HOST: `unix://${d.socket}` },
        { builtinRules: true },
      );
      await until('agent ready', () => /vigil agent: ready/.test(a!.err()), 120_000, a);
      await docker(['run', '-d', '--name', 'web', '--network', 'host', IMAGE, 'sleep', '600']);
      const connect = (to: { port: number }, host: string) => docker(['exec', 'web', 'bash', '-c', `exec 3<>/dev/tcp/${host}/${to.port}; exec 3>&-`]);
      const applied = (ips: number) =>
        a!
          .err()
          .split('\n')
          .filter((l) => l.includes('server rules and threat list applied') && l.endsWith(`, ${ips} threat-IP entries`)).length;

      // Before the feed: the address is not on the agent's list (the built-in default), so no alert.
      await connect(bad, '127.0.0.2');

      // The feed into the server's DB, by the CLI (the server process is not touched).
      const up = run(['db', 'update', '--db', dbPath, '--sources', 'threat-ips', '--threat-ip-urls', feedUrl, '--outbound-allow', '127.0.0.1/32']);
      assert.equal(await up.exited, 0, up.err());

      // The running agent gets all of it (the link notices a new DB file within 5 s; generous: the machine is shared).
      await until('the 300,000-entry list applied', () => applied(ENTRIES) >= 1 || undefined, 120_000, a);
      const effective = JSON.parse(readFileSync(join(agentDir, 'detection-effective.json'), 'utf8')) as { server?: { threatIps: number } };
      assert.equal(effective.server?.threatIps, ENTRIES, 'the effective set has every entry');
      const saved = JSON.parse(readFileSync(join(agentDir, 'policies.json'), 'utf8')) as { threatIps: string[]; threatList?: unknown };
      assert.equal(saved.threatIps.length, ENTRIES, 'the saved set holds the whole list (a restart applies it offline)');
      assert.equal(saved.threatList, undefined);
      assert.ok(saved.threatIps.includes('127.0.0.2/32') && saved.threatIps.includes('10.4.147.222/32'));
      assert.ok(!/not received whole|threat list [0-9a-f]{12}:/.test(a.err()), 'no chunk refused');

      // A container connecting to the feed's address alerts; the other loopback address stays silent.
      await until(
        'network/abnormal-outbound for 127.0.0.2 in the API',
        async () => {
          await connect(ok, '127.0.0.3');
          await connect(bad, '127.0.0.2');
          return (await stored(api, projectId, OUTBOUND)) >= 1 || undefined;
        },
        90_000,
        a,
      );
      const local = existsSync(join(agentDir, 'alerts.jsonl'))
        ? readFileSync(join(agentDir, 'alerts.jsonl'), 'utf8')
            .split('\n')
            .filter(Boolean)
            .map((l) => JSON.parse(l) as { type: string; message: string })
            .filter((x) => x.type === OUTBOUND)
        : [];
      assert.ok(local.length >= 1);
      for (const x of local) assert.match(x.message, /127\.0\.0\.2:/, 'only the listed address alerts');
      assert.equal(a.proc.exitCode, null, 'the same agent process throughout');
    } finally {
      await stop(a);
      await stop(server);
      await d?.stop();
      bad.server.close();
      ok.server.close();
      http?.close();
      rmSync(dir, { recursive: true, force: true });
    }
  },
);
