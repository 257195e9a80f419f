// Docker's authorization plugin, for real: Debian's dockerd started with
// private paths and --authorization-plugin pointing at Vigil's plugin (in
// this process), images built by the test helpers and `docker load`ed.
// A blocked image is refused with Vigil's reason, a clean one runs, blocked
// settings (--cap-add SYS_ADMIN, -v /etc:/host, --privileged, --pid host) are
// refused, and with the plugin down Docker refuses every request (fail
// closed: it cannot reach the plugin), which docs/admission.md states.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { loadHostTrueImage, startDockerd, type Dockerd } from '../../helpers/dockerd.js';
import { DockerAuthzPlugin } from '../../../src/node/admission/docker-authz.js';
import { AdmissionService, LocalSource, loadPolicyFiles } from '../../../src/node/admission/service.js';
import { FactsTable } from '../../../src/core/admission/facts.js';
import { validateAdmissionPolicy } from '../../../src/core/admission/policy.js';
import type { Alert } from '../../../src/core/alerts/types.js';
import { e2eType } from '../../helpers/e2e-coverage.js';

const ex = (n: string) => fileURLToPath(new URL(`../../../examples/admission/${n}`, import.meta.url));
const name = `vigil-test-${randomBytes(4).toString('hex')}`;
const pluginSocket = `/run/docker/plugins/${name}.sock`;

let d: Dockerd | undefined;
/** Async: the plugin answers dockerd from this same process, so the event loop must keep running. */
const docker = (...args: string[]) => d!.docker(args);

describe('docker authorization plugin with a real dockerd', () => {
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
    d = await startDockerd({ prefix: 'vigil-authz-', args: [`--authorization-plugin=${name}`] });
    await loadHostTrueImage([d], d.dir, 'vigil-test/clean:1');
    await loadHostTrueImage([d], d.dir, 'vigil-test/unscanned:1');
  });

  after(async () => {
    await plugin?.stop();
    await d?.stop();
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
      ['-v', `${d!.dir}:/data`],
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
      httpRequest({ socketPath: d!.socket, path: '/v1.41/containers/json' }, (res) => {
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
