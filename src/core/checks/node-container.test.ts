import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { InputError } from '../errors.js';
import { MAX_NODE_CONTAINERS, nodeContainerOf, readNodeContainers } from './node-container.js';

const unsafe = JSON.parse(readFileSync(new URL('./testdata/docker-unsafe.json', import.meta.url), 'utf8')) as unknown;
const doc = (Array.isArray(unsafe) ? unsafe[0] : unsafe) as Record<string, unknown>;

test('a container of the inventory from a docker inspect document, read back by the server unchanged', () => {
  const c = nodeContainerOf({ ...doc, Id: 'a'.repeat(64), Image: `sha256:${'b'.repeat(64)}`, State: { Status: 'running', StartedAt: '2026-01-02T03:04:05Z' } });
  assert.equal(c.id, 'a'.repeat(64));
  assert.equal(c.state, 'running');
  assert.equal(c.imageDigest, `sha256:${'b'.repeat(64)}`);
  assert.ok(c.capAdd.every((x) => !x.startsWith('CAP_')));
  assert.deepEqual(readNodeContainers(JSON.stringify([c])), [c]);
});

test('broken inventories are refused with the element and field', () => {
  const good = nodeContainerOf({ ...doc, Id: 'a'.repeat(64) });
  const cases: Array<[string, RegExp]> = [
    ['{', /not JSON/],
    ['{}', /not a list/],
    [JSON.stringify(Array(MAX_NODE_CONTAINERS + 1).fill(good)), /more than 1000 containers/],
    [JSON.stringify([{ ...good, id: '../x' }]), /bad or missing id.*\[0\]/],
    [JSON.stringify([{ ...good, id: 'x'.repeat(77) }]), /bad or missing id/],
    [JSON.stringify([{ ...good, runtime: 'podman' }]), /runtime/],
    [JSON.stringify([{ ...good, namespace: 'k8s.io/../x' }]), /namespace/],
    [JSON.stringify([good, { ...good, privileged: 'yes' }]), /privileged.*\[1\]/],
    [JSON.stringify([{ ...good, imageDigest: 'md5:1' }]), /imageDigest/],
    [JSON.stringify([{ ...good, capAdd: ['A'.repeat(41)] }]), /capAdd/],
    [JSON.stringify([{ ...good, hostMounts: [{ source: '/etc' }] }]), /hostMounts/],
    [JSON.stringify([{ ...good, name: 'n'.repeat(1001) }]), /name/],
    [JSON.stringify([null]), /container/],
  ];
  for (const [json, re] of cases)
    assert.throws(
      () => readNodeContainers(json),
      (e: unknown) => e instanceof InputError && re.test(`${e.message} ${e.where ?? ''}`),
      json.slice(0, 80),
    );
  assert.throws(() => nodeContainerOf({ Id: 'nope' }), /64-hex/);
});

test('containerd containers; an older agent without runtime is Docker; a repeated id is kept once', () => {
  const good = nodeContainerOf({ ...doc, Id: 'a'.repeat(64) });
  assert.equal(good.runtime, 'docker');
  assert.equal(good.namespace, '');
  const { runtime: _r, namespace: _n, ...old } = good;
  const ctd = { ...good, id: 'web-1', runtime: 'containerd', namespace: 'k8s.io' };
  const got = readNodeContainers(JSON.stringify([old, ctd, { ...ctd, namespace: 'default' }]));
  assert.deepEqual(
    got.map((c) => [c.id, c.runtime, c.namespace]),
    [
      ['a'.repeat(64), 'docker', ''],
      ['web-1', 'containerd', 'k8s.io'],
    ],
  );
});
