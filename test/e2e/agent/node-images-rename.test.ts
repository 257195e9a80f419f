// A node image retagged or untagged but still on the node under another name,
// on a real Docker Engine (a private dockerd) with `vigil server` and `vigil
// agent`: the server's row of the image follows its names (same row, same
// image ID and scan, ref `node:<node>/<first name>` updated), no stale row
// under the old name is left, and a name that sorts first takes over; each
// rename is audited. Needs root (dockerd).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { agent, isRoot, nodeImageRows, serverWithCluster, stop, until, type Proc, zlibAdvisory } from './harness.js';
import { dockerOk, startDockerd, type Dockerd } from '../../helpers/dockerd.js';
import { writeDockerArchive } from '../../helpers/image-builder.js';
import { buildDb } from '../../../src/node/vulndb/db.test-helpers.js';

const OS_RELEASE = 'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nNAME="Debian GNU/Linux"\nVERSION_ID="12"\nID=debian\n';
const DPKG = 'Package: zlib1g\nStatus: install ok installed\nArchitecture: amd64\nSource: zlib\nVersion: 1:1.2.13.dfsg-1\n';
const OSV = zlibAdvisory('DSA-9101-1');

test(
  'agent on a real dockerd: a node image renamed on the node (retag, untag) keeps one row that follows its names',
  { skip: !isRoot && 'needs root (dockerd)', timeout: 300_000 },
  async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vigil-agent-rename-'));
    let d: Dockerd | undefined;
    let server: Proc | undefined;
    let a: Proc | undefined;
    try {
      d = await startDockerd({ prefix: 'vigil-agr-' });
      const docker = (args: string[]) => dockerOk(d!, args);
      const appTar = join(dir, 'app.tar');
      await writeDockerArchive(appTar, {
        layers: [
          {
            files: [
              { path: 'etc/os-release', content: OS_RELEASE },
              { path: 'var/lib/dpkg/status', content: DPKG },
            ],
          },
        ],
        repoTags: ['local/app:1'],
      });
      await docker(['load', '-i', appTar]);
      const appId = await docker(['image', 'inspect', '-f', '{{.Id}}', 'local/app:1']);
      const dbPath = join(dir, 'db', 'vigil.db');
      mkdirSync(join(dir, 'db'));
      await buildDb(dir, dbPath, [OSV], '2026-03-01T00:00:00.000Z');
      const { s, api, projectId, token, caHash, keyFile } = await serverWithCluster(dir, { VIGIL_DB: dbPath });
      server = s.p;
      a = agent(s.link, join(dir, 'agent'), keyFile, ['--token', token, '--ca-hash', caHash], { DOCKER_HOST: `unix://${d.socket}` });
      await until('agent ready', () => /vigil agent: ready/.test(a!.err()), 120_000, a);
      const images = () => nodeImageRows(api, projectId);
      const first = await until(
        'the node image scanned',
        async () => (await images()).find((i) => i.ref === 'node:node-a/local/app:1' && i.lastScanId),
        90_000,
        a,
      );
      assert.equal(first.digest, appId);
      /** The node's rows once the only one has this ref: one row, the same one, the same image and scan. */
      const follows = async (ref: string, what: string) => {
        const rows = await until(
          what,
          async () => {
            const r = await images();
            return r.some((i) => i.ref === ref) ? r : undefined;
          },
          60_000,
          a,
        );
        assert.equal(rows.length, 1, `one row, not one per name: ${rows.map((r) => r.ref).join(', ')}`);
        assert.equal(rows[0]!.id, first.id, 'the same row');
        assert.equal(rows[0]!.digest, appId);
        assert.equal(rows[0]!.lastScanId, first.lastScanId, 'its scan kept (the image did not change)');
        return rows[0]!;
      };

      // Retagged, the old name removed: the image is still here as local/app:2.
      await docker(['tag', 'local/app:1', 'local/app:2']);
      await docker(['rmi', 'local/app:1']);
      const second = await follows('node:node-a/local/app:2', 'the row renamed to local/app:2');
      assert.equal(second.repository, 'local/app');
      assert.equal(second.tag, '2');

      // Another name that sorts first: the row takes it (the names the server shows are the node's).
      await docker(['tag', 'local/app:2', 'aaa/app:0']);
      const third = await follows('node:node-a/aaa/app:0', 'the row renamed to aaa/app:0');
      assert.equal(third.repository, 'aaa/app');
      assert.equal(third.tag, '0');

      // The audit trail says who renamed it and from what.
      const audit = await api.call<{ items: Array<{ event: string; resourceId: string; actor: string; summary?: unknown }> }>(
        'GET',
        '/api/v1/audit?limit=1000',
      );
      const renames = audit.items.filter((x) => x.event === 'modifyImage' && x.resourceId === first.id);
      assert.equal(renames.length, 2, JSON.stringify(renames));
      assert.equal(a.proc.exitCode, null, 'the same agent process throughout');
    } finally {
      await stop(a);
      await stop(server);
      await d?.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  },
);
