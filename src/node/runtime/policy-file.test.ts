import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { readPolicyFile, readLearnState, writeLearnState, POLICY_MAX_BYTES } from './policy-file.js';
import { InputError } from '../../core/errors.js';
import { tempFiles } from './files.test-helpers.js';

describe('policy and learn-state files', () => {
  const { dir, file } = tempFiles('vigil-policy-');
  const code = (c: string, re?: RegExp) => (e: unknown) => e instanceof InputError && e.code === c && (!re || re.test(e.message));

  it('reads the documented YAML example', () => {
    const p = file(
      'ok.yaml',
      `apiVersion: vigil.dev/v1
kind: RuntimePolicy
policies:
  - name: nginx
    selector:
      images: ["nginx:*", "docker.io/library/nginx:*"]
    mode: enforce
    processWhitelist:
      executables: [/usr/sbin/nginx, /docker-entrypoint.sh, /bin/sh]
      learn: 10m
    fileProtection:
      paths: [/usr/bin, /usr/sbin, /etc/nginx]
    reverseShell: enforce
`,
    );
    const d = readPolicyFile(p);
    assert.equal(d.policies[0]!.name, 'nginx');
    assert.deepEqual(d.policies[0]!.fileProtection?.paths, ['/usr/bin', '/usr/sbin', '/etc/nginx']);
  });

  it('rejects broken files with one line naming the file', () => {
    assert.throws(() => readPolicyFile(join(dir, 'missing.yaml')), code('POLICY_UNREADABLE', /missing\.yaml/));
    assert.throws(
      () => readPolicyFile(file('bad.yaml', 'policies: [\n  - name: x\n    selector: {images: [a]\n')),
      code('POLICY_YAML', /bad\.yaml: invalid YAML at line/),
    );
    assert.throws(
      () => readPolicyFile(file('mode.yaml', 'policies:\n  - {name: x, selector: {images: [a]}, mode: maybe}\n')),
      code('POLICY_INVALID', /mode\.yaml: policies\[0\]\.mode/),
    );
    assert.throws(() => readPolicyFile(file('big.yaml', '#'.repeat(POLICY_MAX_BYTES + 1))), code('POLICY_TOO_LARGE'));
    assert.throws(
      () =>
        readPolicyFile(
          file(
            'bomb.yaml',
            'a: &a [x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\npolicies: []\n',
          ),
        ),
      InputError,
    );
  });

  it('round-trips the learn state and rejects a corrupt one', () => {
    const p = join(dir, 'state', 'learn.json');
    assert.deepEqual(readLearnState(p), { version: 1, policies: {} });
    writeLearnState(p, { version: 1, policies: { web: { startedAt: 5, executables: ['/bin/sh'] } } });
    assert.deepEqual(readLearnState(p).policies.web, { startedAt: 5, executables: ['/bin/sh'], seen: {} });
    assert.throws(() => readLearnState(file('s1.json', '{nope')), code('STATE_INVALID'));
    assert.throws(() => readLearnState(file('s2.json', '{"version": 2, "policies": {}}')), code('STATE_INVALID'));
    assert.throws(() => readLearnState(file('s3.json', '{"version": 1, "policies": {"a": {"startedAt": "x"}}}')), code('STATE_INVALID'));
  });
});
