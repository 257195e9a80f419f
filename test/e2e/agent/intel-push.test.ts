// Threat-IP entries and custom rule files from the server, applied live on
// the agent, as real processes (`vigil server` on SQLite, `vigil agent` with
// the eBPF sensor and the built-in rules, a private dockerd): a loopback
// address added to the project's threat list through the API reaches the
// agent within seconds, and a container connecting to a listener on it raises
// network/abnormal-outbound (a connection to another loopback address stays
// silent); a rule file uploaded through the API fires on a `docker exec` of
// the command it names, and disabling it stops it, all without an agent
// restart; the agent keeps the last set under its data dir, so after a
// restart with the server gone it still applies both. Needs root (dockerd,
// bpftrace).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { localAlerts, stop, stored, until, stageTest } from './harness.js';
import { listen } from '../../helpers/tcp-listen.js';

const IMAGE = 'vigil-intel-test/minbase:1';
const OUTBOUND = 'network/abnormal-outbound';
const RULE_TYPE = 'custom/Tac in a container';
const RULE = `- rule: Tac in a container
  desc: tac ran in a container (the test's custom rule)
  condition: evt.type in (execve, execveat) and evt.dir = < and proc.name = tac
  output: tac ran in %container.name (cmdline=%proc.cmdline)
  priority: WARNING
`;

stageTest(
  'agent: threat-IP entries and custom rules from the API applied live; disabled stops; kept offline after a restart',
  { needs: 'dockerd, bpftrace', timeout: 360_000, dir: 'vigil-agent-intel-' },
  async (st) => {
    const bad = await listen('127.0.0.2');
    st.defer(() => bad.server.close());
    const ok = await listen('127.0.0.3');
    st.defer(() => ok.server.close());
    const { d, docker } = await st.dockerd('vigil-agi-', IMAGE);
    const x = await st.linked({ args: ['--sensor', 'ebpf'], agentEnv: { DOCKER_HOST: `unix://${d.socket}` }, builtinRules: true });
    const { s, api, projectId, token, caHash, agentDir } = x;
    let a = x.a;
    // Host network: the container reaches the test's listeners on the host's loopback addresses.
    await docker(['run', '-d', '--name', 'web', '--network', 'host', IMAGE, 'sleep', '600']);
    const connect = (to: { port: number }, host: string) => docker(['exec', 'web', 'bash', '-c', `exec 3<>/dev/tcp/${host}/${to.port}; exec 3>&-`]);
    const applied = (files: number, ips: number) =>
      a
        .err()
        .split('\n')
        .filter((l) => l.includes(`server rules and threat list applied: ${files} rule files`) && l.endsWith(`, ${ips} threat-IP entries`)).length;

    // The threat list: added through the API, applied by the running agent.
    const t0 = Date.now();
    const added = await api.call<{ added: number }>('POST', `/api/v1/projects/${projectId}/threat-ips`, {
      entries: [{ cidr: '127.0.0.2/32', comment: 'the test C2' }],
    });
    assert.equal(added.added, 1);
    await until('the threat list applied', () => applied(0, 1) >= 1 || undefined, 15_000, a);
    const pushMs = Date.now() - t0;
    const outbound = await until(
      'network/abnormal-outbound for 127.0.0.2 in the API',
      async () => {
        await connect(ok, '127.0.0.3');
        await connect(bad, '127.0.0.2');
        return (await stored(api, projectId, OUTBOUND)) >= 1 || undefined;
      },
      60_000,
      a,
    );
    assert.ok(outbound);
    const local = localAlerts(agentDir, OUTBOUND);
    assert.ok(local.length >= 1);
    for (const x of local) assert.match(x.message, /127\.0\.0\.2:/, 'only the listed address alerts (127.0.0.3 is silent)');
    assert.equal(localAlerts(agentDir, OUTBOUND).filter((x) => /127\.0\.0\.3/.test(x.message)).length, 0);

    // A custom rule: uploaded, fires on the exec it names.
    const rule = await api.call<{ id: string; rules: number }>('POST', `/api/v1/projects/${projectId}/rules`, { name: 'tac.yaml', content: RULE });
    assert.equal(rule.rules, 1);
    await until('the rule file applied', () => applied(1, 1) >= 1 || undefined, 15_000, a);
    await until(
      'the custom rule fired',
      async () => {
        await docker(['exec', 'web', 'tac', '/etc/hostname']);
        return (await stored(api, projectId, RULE_TYPE)) >= 1 || undefined;
      },
      60_000,
      a,
    );
    const effective = JSON.parse(readFileSync(join(agentDir, 'detection-effective.json'), 'utf8')) as { server?: { ruleFiles: unknown; threatIps: number } };
    assert.deepEqual(effective.server, { ruleFiles: [{ name: 'tac.yaml', rules: 1 }], threatIps: 1 });

    // Disabled: the rule stops; the threat list (the positive control that the agent still sees execs and connects) stays.
    await api.call('PATCH', `/api/v1/projects/${projectId}/rules/${rule.id}`, { enabled: false });
    await until('the set without the rule applied', () => applied(0, 1) >= 2 || undefined, 15_000, a);
    const tacBefore = localAlerts(agentDir, RULE_TYPE).length;
    const outBefore = localAlerts(agentDir, OUTBOUND).length;
    await docker(['exec', 'web', 'tac', '/etc/hostname']);
    await until(
      'the control alert after the exec',
      async () => {
        await connect(bad, '127.0.0.2');
        return localAlerts(agentDir, OUTBOUND).length > outBefore || undefined;
      },
      60_000,
      a,
    );
    await new Promise((r) => setTimeout(r, 1500));
    assert.equal(localAlerts(agentDir, RULE_TYPE).length, tacBefore, 'the disabled rule does not fire');
    assert.equal(a.proc.exitCode, null, 'the same agent process throughout');

    // Kept under the data dir: with the rule on again, the server stopped and the agent restarted, both still apply.
    await api.call('PATCH', `/api/v1/projects/${projectId}/rules/${rule.id}`, { enabled: true });
    await until('the rule on again', () => applied(1, 1) >= 2 || undefined, 15_000, a);
    // The agent says it applied the set before it writes policies.json.
    const saved = await until(
      'the set saved under the data dir',
      () => {
        const set = JSON.parse(readFileSync(join(agentDir, 'policies.json'), 'utf8')) as { rules: Array<{ name: string }>; threatIps: string[] };
        return set.rules.length ? set : undefined;
      },
      15_000,
      a,
    );
    assert.deepEqual(
      saved.rules.map((r) => r.name),
      ['tac.yaml'],
    );
    assert.deepEqual(saved.threatIps, ['127.0.0.2/32']);
    await stop(a);
    await stop(s.p);
    a = await x.restart(['--token', token, '--ca-hash', caHash], 'agent ready offline');
    await until('the saved set applied', () => applied(1, 1) >= 1 || undefined, 30_000, a);
    const tacOffline = localAlerts(agentDir, RULE_TYPE).length;
    const outOffline = localAlerts(agentDir, OUTBOUND).length;
    await until(
      'both alert offline',
      async () => {
        await docker(['exec', 'web', 'tac', '/etc/hostname']);
        await connect(bad, '127.0.0.2');
        return (localAlerts(agentDir, RULE_TYPE).length > tacOffline && localAlerts(agentDir, OUTBOUND).length > outOffline) || undefined;
      },
      60_000,
      a,
    );
    process.stderr.write(`threat list applied by the agent ${pushMs} ms after the API call\n`);
  },
);
