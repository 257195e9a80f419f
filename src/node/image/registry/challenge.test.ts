import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseChallenges } from './challenge.js';

test('parses the Bearer challenge a registry sends', () => {
  const [c, ...rest] = parseChallenges(
    'Bearer realm="https://auth.example/token",service="registry.example",scope="repository:a/b:pull,push",error="insufficient_scope"',
  );
  assert.equal(rest.length, 0);
  assert.equal(c!.scheme, 'bearer');
  assert.deepEqual(c!.params, {
    realm: 'https://auth.example/token',
    service: 'registry.example',
    scope: 'repository:a/b:pull,push',
    error: 'insufficient_scope',
  });
});

test('parses Basic, several challenges in one header, escapes and unquoted values', () => {
  const cs = parseChallenges(['Basic realm="Registry \\"Realm\\""', 'Negotiate, Bearer realm=http://t/token , service=s']);
  assert.deepEqual(
    cs.map((c) => c.scheme),
    ['basic', 'negotiate', 'bearer'],
  );
  assert.equal(cs[0]!.params.realm, 'Registry "Realm"');
  assert.deepEqual(cs[2]!.params, { realm: 'http://t/token', service: 's' });
});

test('never throws on garbage', () => {
  for (const s of ['', '=', '"', ',,,', 'Bearer realm="unterminated', '\u0000\u00ff', 'x'.repeat(100_000), '=== Bearer']) {
    assert.doesNotThrow(() => parseChallenges(s));
  }
  assert.deepEqual(parseChallenges(undefined), []);
});
