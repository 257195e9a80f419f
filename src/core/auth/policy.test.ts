import { test } from 'node:test';
import assert from 'node:assert/strict';
import { authorize, projectsFor, SELF_ACTIONS, type Binding } from './policy.js';
import { ACTIONS } from './actions.js';

const A = 'proj-a';
const B = 'proj-b';

test('ReadOnlyAccess gets no action that changes anything but its own account (log out, own API tokens)', () => {
  const ro: Binding[] = [{ role: 'ReadOnlyAccess', projectId: null, actions: [] }];
  for (const x of ACTIONS) {
    const allowed = authorize(ro, x.id, 'project', A);
    if (SELF_ACTIONS.includes(x.id)) assert.equal(allowed, true);
    else assert.equal(allowed, x.read && !x.admin, x.id);
  }
});

test('every role, Custom included, may log out and manage its own API tokens', () => {
  for (const role of ['Administrator', 'FullAccess', 'ReadOnlyAccess', 'Custom'] as const) {
    const b: Binding[] = [{ role, projectId: A, actions: role === 'Custom' ? ['image:read'] : [] }];
    for (const x of SELF_ACTIONS) assert.equal(authorize(b, x, 'self'), true, `${role} ${x}`);
  }
});

test('FullAccess on a project: everything there except the admin domain; nothing on another project', () => {
  const fa: Binding[] = [{ role: 'FullAccess', projectId: A, actions: [] }];
  assert.equal(authorize(fa, 'policy:create', 'project', A), true);
  assert.equal(authorize(fa, 'policy:create', 'project', B), false);
  assert.equal(authorize(fa, 'user:create', 'global'), false);
  assert.equal(authorize(fa, 'project:create', 'global'), false);
  assert.deepEqual(projectsFor(fa, 'alert:read'), [A]);
});

test('Administrator on all projects gets everything', () => {
  const ad: Binding[] = [{ role: 'Administrator', projectId: null, actions: [] }];
  for (const x of ACTIONS) assert.equal(authorize(ad, x.id, 'global'), true, x.id);
  assert.equal(projectsFor(ad, 'alert:read'), 'all');
});

test('fine-grained policy grants single actions on one project', () => {
  const c: Binding[] = [{ role: 'Custom', projectId: A, actions: ['image:scan', 'user:create'] }];
  assert.equal(authorize(c, 'image:scan', 'project', A), true);
  assert.equal(authorize(c, 'image:scan', 'project', B), false);
  assert.equal(authorize(c, 'image:delete', 'project', A), false);
  assert.equal(authorize(c, 'user:create', 'global'), false);
  assert.equal(authorize([], 'image:read', 'project', A), false);
  assert.equal(authorize([], 'x', 'public'), true);
});
