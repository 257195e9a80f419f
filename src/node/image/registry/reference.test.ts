import { test } from 'node:test';
import assert from 'node:assert/strict';
import { InputError } from '../../../core/errors.js';
import { formatReference, parseHost, parseReference } from './reference.js';

const D = `sha256:${'a'.repeat(64)}`;

test('parses host, port, nested repository, tag and digest', () => {
  assert.deepEqual(parseReference('registry:localhost:5000/team/app:1.0'), {
    host: 'localhost:5000',
    endpoint: 'localhost:5000',
    repository: 'team/app',
    tag: '1.0',
  });
  assert.deepEqual(parseReference(`127.0.0.1:5000/app@${D}`), { host: '127.0.0.1:5000', endpoint: '127.0.0.1:5000', repository: 'app', digest: D });
  assert.deepEqual(parseReference(`reg.example.com/a/b/c:v2@${D}`), {
    host: 'reg.example.com',
    endpoint: 'reg.example.com',
    repository: 'a/b/c',
    tag: 'v2',
    digest: D,
  });
  assert.equal(parseReference('registry:reg.example.com/app').tag, 'latest');
});

test('docker.io: library/ prefix and the registry-1 endpoint', () => {
  const r = parseReference('registry:docker.io/debian:12');
  assert.equal(r.repository, 'library/debian');
  assert.equal(r.endpoint, 'registry-1.docker.io');
  assert.equal(parseReference('index.docker.io/bitnami/redis').host, 'docker.io');
});

test('rejects broken references with a code and the reference named', () => {
  const bad = [
    '',
    'registry:',
    'app:1.0',
    '/app',
    'host/App',
    'host/app:',
    'host/app:-x',
    `host/app:${'t'.repeat(129)}`,
    'host/app@sha256:abc',
    'host/app@md5:' + 'a'.repeat(32),
    'ho_st/app',
    'host:99999/app',
    'host/a//b',
    'host/a/',
    `host/${'a'.repeat(300)}`,
  ];
  for (const s of bad) {
    assert.throws(
      () => parseReference(s),
      (e: unknown) => e instanceof InputError && e.code === 'REGISTRY_BAD_REFERENCE' && e.message.startsWith(`${s || '""'}:`),
      s,
    );
  }
});

test('parseHost normalises config keys and formatReference round-trips', () => {
  assert.equal(parseHost('https://Index.Docker.io/v1/').host, 'docker.io');
  assert.equal(parseHost('localhost:5000').endpoint, 'localhost:5000');
  const r = parseReference(`h:1/x/y:t@${D}`);
  assert.equal(formatReference(r), `h:1/x/y:t@${D}`);
});
