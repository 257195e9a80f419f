import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InputError } from '../../../core/errors.js';
import { resolveCredentials } from './credentials.js';

const b64 = (s: string): string => Buffer.from(s).toString('base64');

test('order: options, then environment, then docker config (DOCKER_CONFIG respected)', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'vigil-creds-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  await mkdir(join(dir, 'dc'));
  await writeFile(
    join(dir, 'dc', 'config.json'),
    JSON.stringify({
      auths: {
        'localhost:5000': { auth: b64('cfguser:pa:ss') },
        'https://index.docker.io/v1/': { auth: b64('hub:hubpw') },
        'other.example': { username: 'u2', password: 'p2' },
        'helper.example': {},
      },
      credsStore: 'desktop',
    }),
  );
  const env = { DOCKER_CONFIG: join(dir, 'dc') };
  assert.deepEqual(await resolveCredentials('localhost:5000', { username: 'a', password: 'b', env }), {
    username: 'a',
    password: 'b',
    source: '--username/--password',
  });
  assert.equal((await resolveCredentials('localhost:5000', { env: { ...env, VIGIL_REGISTRY_USERNAME: 'e', VIGIL_REGISTRY_PASSWORD: 'f' } }))!.username, 'e');
  const fromCfg = await resolveCredentials('localhost:5000', { env });
  assert.deepEqual(fromCfg, { username: 'cfguser', password: 'pa:ss', source: join(dir, 'dc', 'config.json') });
  assert.equal((await resolveCredentials('docker.io', { env }))!.password, 'hubpw');
  assert.equal((await resolveCredentials('other.example', { env }))!.username, 'u2');
  assert.equal(await resolveCredentials('helper.example', { env }), undefined);
  assert.equal(await resolveCredentials('nowhere.example', { env }), undefined);
  // HOME/.docker/config.json when DOCKER_CONFIG is unset; a missing default file means anonymous.
  assert.equal(await resolveCredentials('localhost:5000', { env: { HOME: join(dir, 'nohome') } }), undefined);
});

test('broken config files and half-given credentials are input errors naming the file', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'vigil-creds-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const cases: Array<[string, RegExp]> = [
    ['{oops', /not valid JSON/],
    ['{"auths": []}', /"auths" is not an object/],
    [JSON.stringify({ auths: { h: { auth: b64('nocolon') } } }), /base64 of "user:password"/],
    [JSON.stringify({ auths: { h: 'str' } }), /entry is not an object/],
  ];
  for (const [i, [text, re]] of cases.entries()) {
    const p = join(dir, `c${i}.json`);
    await writeFile(p, text);
    await assert.rejects(
      resolveCredentials('h', { dockerConfigPath: p, env: {} }),
      (e: unknown) => e instanceof InputError && e.code === 'REGISTRY_BAD_DOCKER_CONFIG' && re.test(e.message) && e.message.includes(p),
      text,
    );
  }
  await assert.rejects(resolveCredentials('h', { dockerConfigPath: join(dir, 'missing.json'), env: {} }), /cannot read docker config \(ENOENT\)/);
  await assert.rejects(resolveCredentials('h', { username: 'only', env: {} }), /both --username and --password/);
});
