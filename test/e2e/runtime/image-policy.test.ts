// End-to-end: image-scoped detection policies and image allowlists on real
// containers, from their first moments. A private dockerd (test/helpers/dockerd.ts)
// runs the Debian minbase under three names; `vigil runtime watch --policy`
// (bpftrace, the private daemon's socket for names and images) watches the
// host. Each attack is the container's first action (its entry command), so
// it is only decided right when the pipeline waits for the container's
// metadata (src/node/runtime/pipeline.ts) instead of processing the first
// events with the id only.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Watch, skipReason } from './harness.js';
import { debianRootfs, importRootfs, startDockerd, type Dockerd } from '../../helpers/dockerd.js';

const skip = skipReason();
const BACKUP = 'vigil-e2e/backup:1';
const BATCH = 'vigil-e2e/batch:1';
const WEB = 'vigil-e2e/web:1';
const SETTLE_MS = 1500;
const HISTORY_WIPE = `sh -c 'unset HISTFILE; true'`;

describe('vigil runtime watch: image-scoped detection policies on real containers', { skip, timeout: 600_000 }, () => {
  const w = new Watch();
  let d: Dockerd;
  let dir = '';

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'vigil-e2e-imgpol-'));
    writeFileSync(
      join(dir, 'detection.yaml'),
      `kind: DetectionPolicy
policies:
  - name: trust-backup
    allow:
      - name: the backup image reads credentials
        types: [user/password-theft]
        images: [vigil-e2e/backup]
  - name: quiet-batch
    scope: {images: ["vigil-e2e/batch:*"]}
    types:
      system/high-risk-command: false
`,
    );
    d = await startDockerd({ prefix: 'vigil-e2e-ip-' });
    await importRootfs(d, debianRootfs(), BACKUP);
    for (const tag of [BATCH, WEB]) assert.equal((await d.docker(['tag', BACKUP, tag])).status, 0);
    await w.start([
      '--stats',
      '0',
      '--no-raw-syscalls',
      '--no-malware',
      '--docker-socket',
      d.socket,
      '--policy',
      join(dir, 'detection.yaml'),
      '--state',
      join(dir, 'learn.json'),
    ]);
    assert.match(w.stderr, /1 detection policies|2 detection policies/);
  });

  after(async () => {
    const code = await w.stop();
    await d?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
    assert.equal(code, 0, `watch exits 0; stderr: ${w.stderr.slice(-2000)}`);
  });

  /** Runs `argv` as the entry command of a new container of `image` (no network), waits for it; returns the full id. */
  async function run(image: string, argv: string[]): Promise<string> {
    const r = await d.docker(['run', '-d', '--network', 'none', image, ...argv]);
    assert.equal(r.status, 0, r.err);
    const id = r.out.trim();
    assert.match(id, /^[0-9a-f]{64}$/);
    const waited = await d.docker(['wait', id]);
    assert.equal(waited.out.trim(), '0', `container of ${image} exited with ${waited.out.trim()}`);
    return id;
  }

  it('reading /etc/shadow as the first action: silent in the allowlisted image, an alert naming the image in another', async () => {
    const trusted = await run(BACKUP, ['cat', '/etc/shadow']);
    const other = await run(WEB, ['cat', '/etc/shadow']);
    const a = await w.waitFor((x) => x.container?.id === other && x.type === 'user/password-theft', 20_000);
    assert.equal(a.container?.image, WEB, 'the alert of the first action carries the image');
    assert.ok(a.container?.name, 'and the container name');
    assert.equal(a.fields?.['container.metadata'], undefined, 'enriched, not marked');
    // The positive control of the trusted container: its next action (not allowlisted) is seen, with the image.
    const trustedMore = await run(BACKUP, ['cat', '/etc/shadow']);
    const c = await w.waitFor((x) => x.container?.id === trustedMore || x.container?.id === trusted, 3000).catch(() => undefined);
    assert.equal(c, undefined, `no alert from the allowlisted image: ${JSON.stringify(c)}`);
    const control = await run(BACKUP, ['sh', '-c', HISTORY_WIPE]);
    const h = await w.waitFor((x) => x.container?.id === control && x.type === 'system/high-risk-command', 20_000);
    assert.equal(h.container?.image, BACKUP);
    await new Promise((r) => setTimeout(r, SETTLE_MS));
    assert.deepEqual(
      w.alerts.filter((x) => (x.container?.id === trusted || x.container?.id === trustedMore) && x.type === 'user/password-theft'),
      [],
    );
  });

  it('a policy scoped to an image turns a type off there only: history wiping is silent in batch, alerts in web', async () => {
    // The batch container's positive control: a shadow read (its type is on there) after the silent history wipe.
    const batch = await run(BATCH, ['sh', '-c', `${HISTORY_WIPE}; cat /etc/shadow`]);
    const web = await run(WEB, ['sh', '-c', HISTORY_WIPE]);
    const a = await w.waitFor((x) => x.container?.id === web && x.type === 'system/high-risk-command', 20_000);
    assert.equal(a.container?.image, WEB);
    const control = await w.waitFor((x) => x.container?.id === batch && x.type === 'user/password-theft', 20_000);
    assert.equal(control.container?.image, BATCH);
    await new Promise((r) => setTimeout(r, SETTLE_MS));
    assert.deepEqual(
      w.of(batch).filter((x) => x.type === 'system/high-risk-command'),
      [],
    );
  });
});
