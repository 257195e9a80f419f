// The secret rules on real-looking inputs: each rule finds its kind, masks it,
// and leaves placeholders, documented examples and allowlisted paths alone.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { configSecrets, findSecrets, keywordsIn, secretPathAllowed, secretScanner } from './secrets.js';
import { SECRET_RULES } from './secret-rules.js';

const gh = 'ghp_' + 'aB3dE5gH7jK9mN1pQ3sT5vW7yZ9bC1dE3fG5';
const cases: Array<[string, string, string | undefined]> = [
  [
    'private-key',
    '-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW\n-----END OPENSSH PRIVATE KEY-----\n',
    undefined,
  ],
  ['aws-access-key-id', 'key=AKIA' + 'Z7Q2RM4XK5TB3NWE\n', undefined],
  ['aws-secret-access-key', 'aws_secret_access_key = ' + 'Zk2p8RvN5qW1xL7tY4bM9cH3jD6fG0sA2eU5iO8r\n', undefined],
  ['gcp-service-account-key', '{"type": "service_account", "private_key_id": "' + 'a1b2c3d4e5'.repeat(4) + '"}', undefined],
  ['gcp-api-key', 'const key = "AIza' + 'SyD4kL9mN2pQ5rS8tU1vW4xY7zA0bC3dE6f";', undefined],
  ['github-token', `token: ${gh}\n`, undefined],
  ['gitlab-token', 'GITLAB_TOKEN=glpat-' + 'x7Yz3AbC9dEf2GhJ5kLm\n', undefined],
  ['slack-token', 'SLACK=xoxb-' + '123456789012-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx\n', undefined],
  ['stripe-secret-key', 'STRIPE=sk_live_' + '4eC39HqLyjWDarjtT1zdp7dc\n', undefined],
  ['url-credentials', 'DATABASE_URL=postgres://app:' + 'S3cr3tPassw0rd@db.internal:5432/app\n', undefined],
  ['generic-password', 'db:\n  password: "Tr0ub4dor&3xyz"\n', 'config.yaml'],
];

const SECRETS: Record<string, string> = {
  'private-key': 'b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW',
  'aws-access-key-id': 'AKIAZ7Q2RM4XK5TB3NWE',
  'aws-secret-access-key': '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',
  'gcp-service-account-key': 'a1b2c3d4e5'.repeat(4),
  'gcp-api-key': 'AIzaSyD4kL9mN2pQ5rS8tU1vW4xY7zA0bC3dE6f',
  'github-token': gh,
  'gitlab-token': 'glpat-x7Yz3AbC9dEf2GhJ5kLm',
  'slack-token': 'xoxb-123456789012-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx',
  'stripe-secret-key': 'sk_live_4eC39HqLyjWDarjtT1zdp7dc',
  'url-credentials': 'S3cr3tPassw0rd',
  'generic-password': 'Tr0ub4dor&3xyz',
};

describe('secret rules', () => {
  it('has unique ids', () => {
    assert.equal(new Set(SECRET_RULES.map((r) => r.id)).size, SECRET_RULES.length);
  });
  for (const [id, text, name] of cases) {
    it(`finds ${id} and masks it`, () => {
      const got = findSecrets(text, name ?? 'file.txt');
      assert.deepEqual(
        got.map((g) => g.ruleId),
        [id],
      );
      assert.ok(got[0]!.match.includes('*'), got[0]!.match);
      // Nothing of the secret survives masking beyond a 4-character kind hint.
      const secret = SECRETS[id]!;
      for (let i = 4; i + 6 <= secret.length; i++)
        assert.ok(!got[0]!.match.includes(secret.slice(i, i + 6)), `${got[0]!.match} shows ${secret.slice(i, i + 6)}`);
    });
  }
  it('leaves placeholders, AWS documentation examples and variables alone', () => {
    assert.deepEqual(findSecrets('AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE\naws_secret_access_key=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n', 'x.env'), []);
    assert.deepEqual(findSecrets('password: ${DB_PASSWORD}\npassword = changeme123\napi_key: <your-api-key>\n', 'app.yaml'), []);
  });
  it('keeps the generic rule to configuration files', () => {
    assert.deepEqual(findSecrets('password = "Tr0ub4dor&3xyz"\n', 'main.py'), []);
    assert.equal(findSecrets('password = Tr0ub4dor&3xyz\n', '.env').length, 1);
  });
  it('reports the line of the secret', () => {
    const got = findSecrets('a\nb\nkey=AKIA' + 'Z7Q2RM4XK5TB3NWE\n', 'f');
    assert.equal(got[0]!.line, 3);
  });
  it('allowlists documentation, tests and examples', () => {
    for (const p of ['/usr/share/doc/x/README', '/app/node_modules/jsonwebtoken/test/key.pem', '/usr/lib/python3.11/test/keycert.pem', '/srv/examples/.env'])
      assert.ok(secretPathAllowed(p), p);
    for (const p of ['/app/.env', '/root/.aws/credentials', '/etc/ssl/private/server.key']) assert.ok(!secretPathAllowed(p), p);
  });
  it('does not read binary files', () => {
    const s = secretScanner();
    const content = Buffer.concat([Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0]), Buffer.from('AKIA' + 'Z7Q2RM4XK5TB3NWE')]);
    assert.deepEqual(
      s.scan({ path: '/bin/x', content, sha256: '', entry: { path: '/bin/x', kind: 'file', mode: 0o755, size: content.length, uid: 0, gid: 0, layer: 0 } }),
      [],
    );
  });
  it('bounds the work on a hostile file (many matches, huge lines)', () => {
    const text = ('key=AKIA' + 'Z7Q2RM4XK5TB3NWE ').repeat(10_000) + 'x'.repeat(1_000_000);
    const t = performance.now();
    const got = findSecrets(text, 'f');
    assert.equal(got.length, 50);
    assert.ok(got.every((g) => g.match.length <= 170));
    assert.ok(performance.now() - t < 5000);
  });
  it('scans ENV, labels and history of the config, attributing history to its layer', () => {
    const got = configSecrets(
      {
        config: { Env: ['A=1', 'GITHUB_TOKEN=' + gh], Labels: { note: 'x' } },
        history: [{ created_by: 'FROM x', empty_layer: true }, { created_by: 'RUN echo hi' }, { created_by: `RUN curl -H "Authorization: token ${gh}" x` }],
      },
      [
        { index: 0, digest: 'sha256:a' },
        { index: 1, digest: 'sha256:b' },
      ],
    );
    assert.deepEqual(
      got.map((g) => `${g.file}:${g.line}:${g.ruleId}:${g.layer?.index ?? '-'}`),
      ['config:env:2:github-token:-', 'config:history:3:github-token:1'],
    );
    assert.ok(got.every((g) => !g.match.includes(gh)));
  });
});

describe('keyword prefilter', () => {
  it('finds exactly the keywords a case-insensitive search finds, overlapping and nested ones included', () => {
    const keywords = [...new Set(SECRET_RULES.flatMap((r) => r.keywords))];
    let seed = 7;
    const rand = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed % n;
    };
    const texts = ['', 'SECRET_ACCESS_KEY=x', 'aws_secretaccesskey', 'xoxb-ghp_npm_', 'PassWord pwd=1 https://', 'private_key_id private key'];
    for (let i = 0; i < 300; i++) {
      let t = '';
      for (let j = rand(8); j >= 0; j--) {
        const k = keywords[rand(keywords.length)]!;
        // Keywords cut, glued, in mixed case, between filler.
        const piece = rand(3) === 0 ? k.slice(0, 1 + rand(k.length)) : k;
        t += [...piece].map((c) => (rand(2) ? c.toUpperCase() : c)).join('') + ['', ' ', '_', 'x', '\n'][rand(5)];
      }
      texts.push(t);
    }
    for (const t of texts) {
      const lower = t.toLowerCase();
      const want = keywords.filter((k) => lower.includes(k)).sort();
      assert.deepEqual([...keywordsIn(t)].sort(), want, JSON.stringify(t));
    }
  });
});
