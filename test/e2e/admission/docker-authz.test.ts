// Docker's authorization plugin, for real: Debian's dockerd started with
// private paths and --authorization-plugin pointing at Vigil's plugin (in
// this process), images built by the test helpers and `docker load`ed.
// A blocked image is refused with Vigil's reason, a clean one runs, blocked
// settings (--cap-add SYS_ADMIN, -v /etc:/host, --privileged, --pid host) are
// refused, and with the plugin down Docker refuses every request (fail
// closed: it cannot reach the plugin), which docs/admission.md states.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { request as httpRequest } from 'node:http';
import { mkdtempSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, basename } from 'node:path';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { writeDockerArchive, type FileSpec } from '../../helpers/image-builder.js';
import { DockerAuthzPlugin } from '../../../src/node/admission/docker-authz.js';
import { AdmissionService, LocalSource, loadPolicyFiles } from '../../../src/node/admission/service.js';
import { FactsTable } from '../../../src/core/admission/facts.js';
import { validateAdmissionPolicy } from '../../../src/core/admission/policy.js';
import type { Alert } from '../../../src/core/alerts/types.js';
import { e2eType } from '../../helpers/e2e-coverage.js';

const ex = (n: string) => fileURLToPath(new URL(`../../../examples/admission/${n}`, import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'vigil-authz-'));
const name = `vigil-test-${randomBytes(4).toString('hex')}`;
const pluginSocket = `/run/docker/plugins/${name}.sock`;
const dockerSock = join(dir, 'docker.sock');

/** Async: the plugin answers dockerd from this same process, so the event loop must keep running. */
function docker(...args: string[]): Promise<{ status: number; out: string; err: string; ms: number }> {
  const t0 = Date.now();
  return new Promise((resolve) => {
    const c = spawn('docker', ['-H', `unix://${dockerSock}`, ...args], { stdio: ['ignore', 'pipe', 'pipe'], timeout: 120_000 });
    let out = '';
    let err = '';
    c.stdout.on('data', (d) => {
      out += d;
    });
    c.stderr.on('data', (d) => {
      err += d;
    });
    c.on('close', (code) => resolve({ status: code ?? -1, out, err, ms: Date.now() - t0 }));
    c.on('error', (e) => resolve({ status: -1, out, err: e.message, ms: Date.now() - t0 }));
  });
}

/** /bin/true and the libraries it needs, from the host: a real executable in a tiny image. */
function trueFiles(): FileSpec[] {
  const ldd = spawnSync('ldd', ['/usr/bin/true'], { encoding: 'utf8' }).stdout;
  const libs = [...ldd.matchAll(/(\/[^\s]+\.so[^\s]*)/g)].map((m) => m[1]!);
  return [
    { path: 'bin/true', content: readFileSync('/usr/bin/true'), mode: 0o755 },
    ...libs.map((l) => ({ path: l.slice(1), content: readFileSync(l), mode: 0o755 })),
  ];
}

async function waitFor(f: () => Promise<boolean>, ms: number, what: string): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await f()) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe('docker authorization plugin with a real dockerd', () => {
  let dockerd: ChildProcess | undefined;
  let plugin: DockerAuthzPlugin;
  const alerts: Alert[] = [];
  let service: AdmissionService;

  before(async () => {
    const policies = [
      ...(await loadPolicyFiles([ex('block-dangerous-settings.yaml')])),
      validateAdmissionPolicy({ name: 'no-unscanned', mode: 'enforce', rules: { scan: { required: true } } }),
    ];
    const facts = new FactsTable();
    facts.set('vigil-test/clean:1', {
      scanned: true,
      scannedAt: new Date().toISOString(),
      vulnerabilities: { critical: 0, high: 0, criticalFixable: 0, highFixable: 0 },
    });
    service = new AdmissionService({ source: new LocalSource(policies, facts), onAlerts: (a) => alerts.push(...a) });
    plugin = new DockerAuthzPlugin({ socket: pluginSocket, service, failurePolicy: 'fail' });
    await plugin.start();
    dockerd = spawn(
      'dockerd',
      [
        '--bridge=none',
        '--iptables=false',
        '--ip6tables=false',
        '-H',
        `unix://${dockerSock}`,
        '--data-root',
        join(dir, 'data'),
        '--exec-root',
        join(dir, 'exec'),
        '-p',
        join(dir, 'docker.pid'),
        `--authorization-plugin=${name}`,
      ],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    let log = '';
    dockerd.stderr!.on('data', (c) => {
      log = (log + c).slice(-20_000);
    });
    await waitFor(
      async () => existsSync(dockerSock) && (await docker('version', '--format', '{{.Server.Version}}')).status === 0,
      60_000,
      `dockerd to answer (log: ${log.slice(-500)})`,
    );
    const files = trueFiles();
    for (const tag of ['vigil-test/clean:1', 'vigil-test/unscanned:1']) {
      const tar = join(dir, `${basename(tag).replace(':', '-')}.tar`);
      await writeDockerArchive(tar, { layers: [{ files }], config: { config: { Cmd: ['/bin/true'] } }, repoTags: [tag] });
      const l = await docker('load', '-i', tar);
      assert.equal(l.status, 0, l.err);
    }
  });

  after(async () => {
    await plugin?.stop();
    if (dockerd?.pid) {
      dockerd.kill('SIGTERM');
      await new Promise((r) => {
        dockerd!.once('exit', r);
        setTimeout(r, 20_000);
      });
    }
    rmSync(dir, { recursive: true, force: true });
  });

  test('a clean image runs; a blocked image and blocked settings are refused with the reason', async () => {
    const ok = await docker('run', '--rm', '--network', 'none', 'vigil-test/clean:1');
    assert.equal(ok.status, 0, ok.err);
    const unscanned = await docker('run', '--rm', '--network', 'none', 'vigil-test/unscanned:1');
    assert.notEqual(unscanned.status, 0);
    assert.match(
      unscanned.err,
      /authorization denied by plugin vigil-test-[0-9a-f]+: Vigil admission: denied: no-unscanned\/scan\.required: .*vigil-test\/unscanned:1 has not been scanned/,
    );
    const refused: Array<[string[], RegExp]> = [
      [['--cap-add', 'SYS_ADMIN'], /container\.capabilities: .*adds capabilities SYS_ADMIN/],
      [['-v', '/etc:/host'], /container\.hostMounts: .*mounts host path \/etc at \/host/],
      [['--privileged'], /container\.privileged/],
      [['--pid', 'host'], /container\.hostNamespaces: .*PID/],
      [['--security-opt', 'seccomp=unconfined'], /container\.seccomp/],
      [['-v', '/var/run/docker.sock:/s'], /container\.hostMounts/],
    ];
    for (const [flags, re] of refused) {
      const r = await docker('run', '--rm', '--network', 'none', ...flags, 'vigil-test/clean:1');
      assert.notEqual(r.status, 0, flags.join(' '));
      assert.match(r.err, re, flags.join(' '));
    }
    // Allowed twins of the settings.
    for (const flags of [
      ['--cap-add', 'NET_BIND_SERVICE'],
      ['-v', `${dir}:/data`],
    ]) {
      const r = await docker('run', '--rm', '--network', 'none', ...flags, 'vigil-test/clean:1');
      assert.equal(r.status, 0, `${flags.join(' ')}: ${r.err}`);
    }
    assert.ok(alerts.some((a) => a.type === e2eType('container/image-blocked', 'admission request') && a.action?.kind === 'denied'));
    assert.ok(alerts.some((a) => a.type === e2eType('container/abnormal-startup', 'admission request') && JSON.stringify(a.fields).includes('SYS_ADMIN')));
    // Other API calls pass.
    assert.equal((await docker('images', '--format', '{{.Repository}}')).status, 0);
    const metrics = await new Promise<string>((resolve, reject) => {
      httpRequest({ socketPath: pluginSocket, path: '/metrics' }, (res) => {
        let b = '';
        res.on('data', (c) => {
          b += c;
        });
        res.on('end', () => resolve(b));
      })
        .on('error', reject)
        .end();
    });
    assert.match(metrics, /vigil_admission_decisions_total\{target="docker",result="denied",dry_run="false"\} 7/);
    assert.match(metrics, /vigil_admission_decisions_total\{target="docker",result="allowed",dry_run="false"\} 3/);
  });

  test('the plugin down: Docker refuses every request, reads too (fail closed), and recovers when it is back', async () => {
    await plugin.stop();
    const r = await docker('run', '--rm', '--network', 'none', 'vigil-test/clean:1');
    assert.notEqual(r.status, 0);
    assert.match(r.err, /500 Internal Server Error/, r.err);
    // The daemon's own answer names the plugin it cannot reach.
    const api = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      httpRequest({ socketPath: dockerSock, path: '/v1.41/containers/json' }, (res) => {
        let b = '';
        res.on('data', (c) => {
          b += c;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: b }));
      })
        .on('error', reject)
        .end();
    });
    assert.equal(api.status, 500);
    assert.match(api.body, new RegExp(`plugin ${name}`), api.body);
    process.stderr.write(`docker with the authorization plugin down: HTTP ${api.status} ${api.body.trim()} (docker run took ${r.ms} ms)\n`);
    // Back up: requests pass again.
    await plugin.start();
    const again = await docker('run', '--rm', '--network', 'none', 'vigil-test/clean:1');
    assert.equal(again.status, 0, again.err);
  });
});
