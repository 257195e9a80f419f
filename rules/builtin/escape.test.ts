import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ruleTester, runRuleCases, open, makeEvent } from '../../src/core/rules/index.js';
import { builtinFilesSync } from '../../src/node/rules/load.js';

const files = builtinFilesSync('escape.yaml');
const V = 'exploit/escape-vulnerability';
const F = 'exploit/escape-file';
const inC = { container: {} };

test('escape rules', () => {
  const handles = Array.from({ length: 5 }, (_, i) =>
    makeEvent({ type: 'open_by_handle_at', time: 1000 + i * 100, res: -116, proc: { name: 'shocker', pid: 77 }, container: {} }),
  );
  ruleTester(files, {
    fires: [
      { type: V, rule: 'Cgroup release_agent or notify_on_release write', event: open('/tmp/cgrp/release_agent', 'w', inC) },
      { type: V, rule: 'Kernel core_pattern or usermode helper write from container', event: open('/proc/sys/kernel/core_pattern', 'w', inC) },
      { type: V, rule: 'Runtime binary overwrite through proc exe', event: open('/proc/19/exe', 'w', inC) },
      { type: V, rule: 'Process memory write through proc mem', event: open('/proc/self/mem', 'rw', { proc: { name: 'dirtyc0w' } }) },
      { type: V, rule: 'File handle brute force from container', events: handles },
      { type: F, rule: 'Host key file reached through a mount', event: open('/host/etc/shadow', 'r', inC) },
      // The sensor named the host's /etc/shadow by its (device, inode), reached as /host-etc/shadow in the container.
      {
        type: F,
        rule: 'Host key file reached through a mount',
        event: open('/host-etc/shadow', 'r', { ...inC, args: { name: '/host-etc/shadow', ino: 739, dev: 2049 }, fd: { name: '/etc/shadow' } }),
      },
      { type: F, rule: 'Host key file reached through a mount', event: open('/hostroot/root/.ssh/authorized_keys', 'w', inC) },
      { type: F, rule: 'Host key file reached through a mount', event: open('/mnt/etc/crontab', 'w', inC) },
      {
        type: F,
        rule: 'Container runtime socket used from container',
        event: makeEvent({ type: 'connect', container: {}, proc: { name: 'curl' }, fd: { type: 'unix', name: '/var/run/docker.sock' } }),
      },
    ],
    silent: [
      { event: open('/sys/fs/cgroup/release_agent', 'r', inC) },
      { event: open('/tmp/cgrp/release_agent', 'w') },
      { event: open('/proc/sys/kernel/core_pattern', 'r', inC) },
      { event: open('/proc/self/mem', 'r', { proc: { name: 'cat' } }) },
      { events: handles.slice(0, 4) },
      { event: open('/etc/shadow', 'r', inC) },
      { event: open('/etc/passwd', 'r', inC) },
      { event: open('/host/etc/shadow', 'r') },
      { event: open('/app/etc/config.yaml', 'r', inC) },
      { event: makeEvent({ type: 'connect', container: {}, proc: { name: 'app' }, fd: { type: 'unix', name: '/run/app.sock' } }) },
      { event: makeEvent({ type: 'connect', proc: { name: 'docker' }, fd: { type: 'unix', name: '/var/run/docker.sock' } }) },
    ],
  });
});

test('regression: one open_by_handle_at burst is one alert with its count and window, not one per 5 calls', () => {
  const burst = Array.from({ length: 185 }, (_, i) =>
    makeEvent({ type: 'open_by_handle_at', time: 1000 + i * 20, res: -116, proc: { name: 'shocker', pid: 77 }, container: {} }),
  );
  const rep = runRuleCases(files, { fires: [{ type: V, rule: 'File handle brute force from container', events: burst }] });
  const alerts = rep.results[0]!.alerts;
  assert.equal(alerts.length, 1);
  assert.match(alerts[0]!.message, /\(5 events within 10s\)/);
  // A second burst after a quiet window is a new alert.
  const later = burst.map((e) => ({ ...e, time: e.time + 60_000 }));
  const rep2 = runRuleCases(files, { fires: [{ type: V, events: [...burst, ...later] }] });
  assert.equal(rep2.results[0]!.alerts.length, 2);
});
