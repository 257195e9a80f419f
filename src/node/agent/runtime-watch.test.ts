// The one follow loop under the node inventory (./node-follow.ts via
// ./runtime-watch.ts) with a scripted backend: a runtime that cannot be
// reached is told once and retried, a container
// running when first seen is start-checked once per start (again only when
// its start changes), events keep the inventory current, stop ends it all.
// The real backends run against a real dockerd and containerd in
// test/e2e/agent/node-docker, node-images and node-containerd.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { NodeContainer } from '../../core/checks/node-container.js';
import { RuntimeWatch, type RuntimeBackend, type RuntimeEvent } from './runtime-watch.js';

const container = (id: string, state = 'running'): NodeContainer => ({
  id,
  runtime: 'containerd',
  namespace: 'default',
  name: id,
  image: 'img:1',
  imageDigest: '',
  state,
  startedAt: '',
  privileged: false,
  capAdd: [],
  hostMounts: [],
  hostPid: false,
  hostNetwork: false,
  hostIpc: false,
});

async function until(what: string, fn: () => boolean): Promise<void> {
  for (let i = 0; i < 500; i++) {
    if (fn()) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`timed out waiting for ${what}`);
}

test('node follow loop: unreachable runtime told once and retried, starts checked once per start, events followed, stop ends it', async () => {
  const live = new Map<string, { state: string; start: string }>([['a', { state: 'running', start: 'pid:10' }]]);
  let failures = 2;
  let subscribes = 0;
  let emit: ((e: RuntimeEvent) => void) | undefined;
  let endStream: (() => void) | undefined;
  const backend: RuntimeBackend<string> = {
    label: 'testrt',
    async subscribe(onEvent, signal) {
      subscribes++;
      if (failures-- > 0) throw new Error('connection refused');
      emit = onEvent;
      await new Promise<void>((res) => {
        endStream = res;
        signal.addEventListener('abort', () => res(), { once: true });
      });
    },
    async list() {
      return [...live.keys()];
    },
    async inspect(key) {
      const c = live.get(key);
      return c ? { container: container(key, c.state), doc: `doc-${key}`, start: c.start } : undefined;
    },
  };
  const notices: string[] = [];
  const starts: string[] = [];
  let inventory: string[] = [];
  const w = new RuntimeWatch(backend, {
    onInventory: (list) => (inventory = list.map((c) => c.id).sort()),
    onStart: (doc) => starts.push(doc),
    notice: (l) => notices.push(l),
    coalesceMs: 5,
    retryMs: 20,
  });
  w.start();
  await until('first inventory', () => inventory.join() === 'a');
  // Each attempt lists too (subscribe, then list); the third subscription holds.
  await until('subscribed', () => emit !== undefined);
  assert.equal(subscribes, 3);
  assert.deepEqual(notices, ['testrt: connection refused; inventory retried'], 'told once while the problem stays the same');
  assert.deepEqual(starts, ['doc-a'], 'running when first seen: checked');
  assert.equal(w.startOf('a'), 'pid:10');

  // A new container starts; another event of the same start checks nothing more.
  live.set('b', { state: 'running', start: 'pid:20' });
  emit!({ key: 'b', change: 'start' });
  emit!({ key: 'b', change: 'change' });
  await until('b in the inventory', () => inventory.join() === 'a,b');
  assert.deepEqual(starts, ['doc-a', 'doc-b']);

  // The stream ends: told, re-listed; a is seen again with the same start (not checked again), b restarted (checked).
  live.set('b', { state: 'running', start: 'pid:21' });
  endStream!();
  await until('b checked again', () => starts.length === 3);
  assert.deepEqual(starts, ['doc-a', 'doc-b', 'doc-b']);
  assert.match(notices[1]!, /^testrt events stream ended \(restarted\?\); inventory retried$/);

  // Gone and stopped containers leave the inventory.
  live.set('a', { state: 'exited', start: 'pid:10' });
  emit!({ key: 'a', change: 'change' });
  live.delete('b');
  emit!({ key: 'b', change: 'gone' });
  await until('empty inventory', () => inventory.length === 0);
  assert.equal(w.startOf('b'), '');
  await w.stop();
  const n = subscribes;
  await new Promise((r) => setTimeout(r, 100));
  assert.equal(subscribes, n, 'nothing after stop');
});
