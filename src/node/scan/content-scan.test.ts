// The content scanners end to end: images in real formats (docker-archive,
// gzip layers) through runScan with malware, secret, baseline and files, and
// every report writer. A "bad" image must show each problem, its clean twin none.
import assert from 'node:assert/strict';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { writeDockerArchive } from '../../../test/helpers/image-builder.js';
import { AWS_KEY_ID, AWS_SECRET, badImage, cleanImage } from '../../../test/helpers/content-images.js';
import { InputError } from '../../core/errors.js';
import { MemoryLayerCache } from '../../core/image/analyze.js';
import type { ScanReport } from '../../core/scan/types.js';
import { checkFormat, renderReport as renderWith } from '../../cli/scan/render.js';

const renderReport = async (r: ScanReport, format: string, opts: { color: boolean }) => renderWith(r, await checkFormat(format, 'scan'), opts);
import { runScan } from './run-scan.js';

const ALL = ['malware', 'secret', 'baseline', 'files'] as const;

describe('content scanners on a bad image and its clean twin', () => {
  let dir: string;
  let bad: ScanReport;
  let clean: ScanReport;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'vigil-content-'));
    await writeDockerArchive(join(dir, 'bad.tar'), { ...badImage(), repoTags: ['shop/app:latest'] });
    await writeDockerArchive(join(dir, 'clean.tar'), { ...cleanImage(), repoTags: ['shop/app:1.4.2'] });
    bad = await runScan(`docker-archive:${join(dir, 'bad.tar')}`, { scanners: [...ALL] });
    clean = await runScan(`docker-archive:${join(dir, 'clean.tar')}`, { scanners: [...ALL] });
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('malware: webshell, miner, EICAR (rule and hash), with layer and alert type', () => {
    const by = (file: string) => bad.malware.filter((m) => m.file === file);
    const web = by('/var/www/html/uploads/img.php');
    assert.deepEqual(
      web.map((m) => m.rule),
      ['Vigil_Webshell_PHP_Eval_Request'],
    );
    assert.equal(web[0]!.alertType, 'malware/webshell');
    assert.equal(web[0]!.severity, 'critical');
    assert.equal(web[0]!.layer?.index, 0);
    assert.match(web[0]!.sha256, /^[0-9a-f]{64}$/);
    const miner = by('/tmp/.x/kworker');
    assert.ok(
      miner.some((m) => m.rule === 'Vigil_Miner_XMRig' && m.family === 'XMRig' && m.alertType === 'malware/unclassified'),
      JSON.stringify(miner),
    );
    assert.ok(miner.some((m) => m.rule === 'Vigil_ELF_In_Temp_Or_Web_Root'));
    const eicar = by('/opt/eicar.com')
      .map((m) => m.rule)
      .sort();
    assert.deepEqual(eicar, ['Vigil_EICAR_Test_File', 'sha256:EICAR-Test-File']);
    // Nothing else: the harmless index.php and the binaries in /usr are clean.
    assert.deepEqual([...new Set(bad.malware.map((m) => m.file))].sort(), ['/opt/eicar.com', '/tmp/.x/kworker', '/var/www/html/uploads/img.php']);
    assert.deepEqual(clean.malware, []);
  });

  it('secrets: in ENV, in files (line numbers), in a deleted layer file; allowlisted docs are not read', () => {
    const got = bad.secrets.map((s) => `${s.file}:${s.line}:${s.ruleId}${s.deleted ? ':deleted' : ''}`).sort();
    assert.deepEqual(got, [
      '/app/config/prod.env:2:aws-access-key-id',
      '/app/config/prod.env:3:aws-secret-access-key',
      '/root/.aws/credentials:2:aws-access-key-id:deleted',
      'config:env:2:aws-access-key-id',
    ]);
    const f = bad.secrets.find((s) => s.file === '/app/config/prod.env' && s.line === 2)!;
    assert.equal(f.match, 'AWS_ACCESS_KEY_ID=AKIA****************');
    assert.equal(f.severity, 'critical');
    assert.equal(f.layer?.index, 0);
    assert.deepEqual(clean.secrets, []);
  });

  it('the secret never appears in any output format', async () => {
    for (const format of ['json', 'table', 'sarif', 'cyclonedx', 'spdx']) {
      const out = await renderReport(bad, format, { color: false });
      assert.ok(!out.includes(AWS_KEY_ID), `${format} shows the key id`);
      assert.ok(!out.includes(AWS_SECRET), `${format} shows the secret key`);
      assert.ok(!out.includes(AWS_SECRET.slice(4, 20)), `${format} shows part of the secret key`);
    }
  });

  it('baseline: each failing check with its detail; the clean twin passes all', () => {
    const got = bad.baseline.map((b) => `${b.id}|${b.detail}`).sort();
    assert.deepEqual(got, [
      'account-empty-password|root',
      'account-hidden|ghost',
      'account-uid0-clone|toor',
      'file-unexpected-suid|/usr/local/bin/.sh (setuid, mode 4755, uid 0)',
      'image-add-remote-url|https://downloads.example.org/tool.tar.gz',
      'image-env-secret|AWS_ACCESS_KEY_ID (aws-access-key-id)',
      'image-latest-tag|base image debian:latest',
      'image-latest-tag|image tag shop/app:latest',
      'image-no-healthcheck|no HEALTHCHECK in the image config',
      'image-root-user|no USER: the image runs as root',
      'ssh-empty-passwords|PermitEmptyPasswords yes',
      'ssh-password-auth|PasswordAuthentication not set (OpenSSH default: yes)',
      'ssh-root-login|PermitRootLogin yes',
      'sudo-nopasswd-all|app ALL=(ALL) NOPASSWD: ALL',
    ]);
    const root = bad.baseline.find((b) => b.id === 'image-root-user')!;
    assert.equal(root.reference, 'CIS Docker Benchmark 4.1');
    assert.ok(root.remedy.length > 10);
    assert.deepEqual(clean.baseline, []);
  });

  it('files: nothing is owned by a package here, so every file is listed with size, mode, layer, hash, flags', () => {
    const sh = bad.files.find((f) => f.path === '/usr/local/bin/.sh')!;
    assert.equal(sh.setuid, true);
    assert.equal(sh.executable, true);
    assert.equal(sh.mode, 0o4755);
    assert.equal(sh.dir, '/usr/local/bin');
    assert.equal(sh.layer?.index, 0);
    assert.match(sh.sha256 ?? '', /^[0-9a-f]{64}$/);
    // The deleted file is not in the squashed view.
    assert.ok(!bad.files.some((f) => f.path === '/root/.aws/credentials'));
    assert.equal(bad.files.find((f) => f.path === '/etc/passwd')?.noise, 'etc-generated');
  });

  it('table, SARIF and CycloneDX carry the findings', async () => {
    const table = await renderReport(bad, 'table', { color: false });
    for (const s of ['Malware: ', 'Vigil_Webshell_PHP_Eval_Request', 'Secrets: ', 'Baseline: ', 'account-uid0-clone', 'Unowned files'])
      assert.ok(table.includes(s), s);
    const sarif = JSON.parse(await renderReport(bad, 'sarif', { color: false }));
    const ids = new Set(sarif.runs[0].results.map((r: { ruleId: string }) => r.ruleId));
    for (const id of ['malware/Vigil_Webshell_PHP_Eval_Request', 'secret/aws-access-key-id', 'baseline/account-uid0-clone']) assert.ok(ids.has(id), id);
    const bom = JSON.parse(await renderReport(bad, 'cyclonedx', { color: false }));
    const web = bom.components.find((c: { name: string }) => c.name === '/var/www/html/uploads/img.php');
    assert.equal(web.type, 'file');
    assert.equal(web.hashes[0].alg, 'SHA-256');
    assert.ok(web.properties.some((p: { name: string; value: string }) => p.name === 'vigil:malware:alert-type' && p.value === 'malware/webshell'));
  });

  it("the per-layer cache keeps the scanners' observations", async () => {
    const cache = new MemoryLayerCache();
    const a = await runScan(`docker-archive:${join(dir, 'bad.tar')}`, { scanners: [...ALL], layerCache: cache });
    const b = await runScan(`docker-archive:${join(dir, 'bad.tar')}`, { scanners: [...ALL], layerCache: cache });
    assert.ok(cache.hits >= 2);
    assert.deepEqual(b.malware, a.malware);
    assert.deepEqual(b.secrets, a.secrets);
    assert.deepEqual(b.baseline, a.baseline);
    assert.deepEqual(b.files, a.files);
    // Without content scanners the same cache gives a different key (no observations needed).
    const inv = await runScan(`docker-archive:${join(dir, 'bad.tar')}`, { layerCache: cache });
    assert.deepEqual(inv.malware, []);
  });

  it('user rules and hash lists load from a directory; broken ones fail with file and line', async () => {
    const rules = join(dir, 'rules');
    await mkdir(rules, { recursive: true });
    await writeFile(join(rules, 'mine.yar'), 'rule Shop_Backdoor : hacktool { meta: family = "ShopDoor" strings: $a = "app binary" condition: $a }\n');
    const { createHash } = await import('node:crypto');
    const helloSha = createHash('sha256').update('<?php echo htmlspecialchars($_GET["q"] ?? "", ENT_QUOTES); ?>\n').digest('hex');
    await writeFile(join(rules, 'bad.sha256'), `# team list\n${helloSha} Known.Index malware/webshell critical\n`);
    const r = await runScan(`docker-archive:${join(dir, 'clean.tar')}`, { scanners: ['malware'], malwareRules: [rules] });
    const got = r.malware.map((m) => `${m.file}|${m.rule}|${m.alertType}|${m.severity}|${m.family ?? ''}`).sort();
    assert.deepEqual(got, [
      '/usr/local/bin/app|Shop_Backdoor|malware/hacktool|high|ShopDoor',
      '/var/www/html/index.php|sha256:Known.Index|malware/webshell|critical|Known',
    ]);
    await writeFile(join(rules, 'broken.yar'), 'rule ok { condition: true }\nrule broken { condition: nosuchthing }\n');
    await assert.rejects(
      runScan(`docker-archive:${join(dir, 'clean.tar')}`, { scanners: ['malware'], malwareRules: [rules] }),
      (e: unknown) =>
        e instanceof InputError && e.code === 'MALWARE_RULE_INVALID' && e.message.startsWith(`${join(rules, 'broken.yar')}:2: `) && !e.message.includes('\n'),
    );
    await rm(join(rules, 'broken.yar'));
    await writeFile(join(rules, 'bad.sha256'), 'not-a-hash Foo\n');
    await assert.rejects(
      runScan(`docker-archive:${join(dir, 'clean.tar')}`, { scanners: ['malware'], malwareRules: [rules] }),
      (e: unknown) => e instanceof InputError && e.code === 'HASH_LIST_INVALID' && e.message.startsWith(`${join(rules, 'bad.sha256')}:1: `),
    );
    await assert.rejects(
      runScan(`docker-archive:${join(dir, 'clean.tar')}`, { scanners: ['malware'], malwareRules: [join(dir, 'nope')] }),
      (e: unknown) => e instanceof InputError && e.code === 'MALWARE_RULES_NOT_FOUND',
    );
  });
});
