import { test } from 'node:test';
import assert from 'node:assert/strict';
import { auditHash, canonicalJson, GENESIS_HASH, redactSummary } from './audit-chain.js';
import { hashPassword, verifyPassword } from './password.js';

test('canonical JSON sorts keys at every level and drops undefined', () => {
  assert.equal(canonicalJson({ b: 1, a: { d: [1, { y: 2, x: 1 }], c: undefined } }), '{"a":{"d":[1,{"x":1,"y":2}]},"b":1}');
});

test('hash depends on the previous hash and every field', () => {
  const r = {
    seq: 1,
    time: 't',
    user_id: 'u',
    username: 'n',
    source_ip: 'i',
    user_agent: 'a',
    project_id: 'p',
    event: 'addPolicy',
    resource_type: 'policy',
    resource_id: 'x',
    summary: '{}',
    result: 'success',
  };
  const h = auditHash(GENESIS_HASH, r);
  assert.match(h, /^[0-9a-f]{64}$/);
  assert.notEqual(auditHash('1'.repeat(64), r), h);
  assert.notEqual(auditHash(GENESIS_HASH, { ...r, result: 'failure' }), h);
});

test('summaries lose secrets', () => {
  assert.deepEqual(redactSummary({ name: 'r', password: 'hunter2', nested: { apiToken: 'x' }, insecure: true }), {
    name: 'r',
    password: '***',
    nested: { apiToken: '***' },
    insecure: true,
  });
});

test('scrypt passwords verify, wrong ones and garbage do not', async () => {
  const h = await hashPassword('correct horse');
  assert.equal(await verifyPassword('correct horse', h), true);
  assert.equal(await verifyPassword('wrong', h), false);
  assert.equal(await verifyPassword('x', 'garbage'), false);
  assert.equal(await verifyPassword('x', 'scrypt$99999999$8$1$AAAA$AAAA'), false);
});
