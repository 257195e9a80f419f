// Console flows console.test.ts does not cover, each through the UI of a
// real `vigil server --demo` in Debian's Chromium (harness.ts) and checked
// against the API: a registry with credentials on a real docker-registry
// (Basic auth) — a wrong password's sync fails with the API's message, the
// edited password syncs and the result is shown, the password is never
// shown again — and the project's scan schedule; users (role on creation,
// status, disable/enable, password reset, a confirmed role removal) and API
// tokens with a validity; a webhook's signing secret, write-only; the audit trail's chain status said plainly and
// every one of those actions in it.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { writeDockerArchive } from '../../helpers/image-builder.js';
import { pushImage, startRegistry, type RegistryServer } from '../../helpers/registry-server.js';
import { ADMIN_PASSWORD, startConsole, stopConsole, type ConsoleServer } from './harness.js';

const REG_USER = 'puller';
const REG_PASSWORD = 'reg-Secret-9k2-flows';

let c: ConsoleServer;

/** An administrator's page at `path` with the add form behind `button` open. */
async function openForm(path: string, button: string) {
  const session = await c.adminSession();
  await session.page.goto(c.base + path);
  await session.page.getByRole('button', { name: button }).click();
  return { ...session, form: session.page.getByRole('dialog') };
}
let reg: RegistryServer;
let admin: string;

describe('console flows in Chromium', { timeout: 900_000 }, () => {
  before(async () => {
    reg = await startRegistry({ auth: { kind: 'basic', username: REG_USER, password: REG_PASSWORD } });
    // The registry is on loopback: the operator allowlists it (outbound guard, docs/security.md).
    c = await startConsole({ VIGIL_OUTBOUND_ALLOW: '127.0.0.1' });
    admin = await c.token('admin', ADMIN_PASSWORD);
    const archive = join(c.dir, 'app.tar');
    await writeDockerArchive(archive, {
      layers: [{ createdBy: 'app', files: [{ path: 'etc/os-release', content: 'ID=debian\nVERSION_ID="12"\n' }] }],
      repoTags: ['app:1'],
    });
    await pushImage(`docker-archive:${archive}`, `${reg.host}/team/app:1`, { username: REG_USER, password: REG_PASSWORD, format: 'v2s2' });
  });

  after(async () => {
    await stopConsole(c);
    await reg?.stop();
  });

  test('registry: credentials write-only, a failed sync shows the reason, the edited password syncs, the scan schedule is saved', async () => {
    const { ctx, page, problems, form } = await openForm(`/registries?project=${c.projectId}`, 'Add registry');
    // Field ids are the form's field names (antd); "Name" alone would also match "Username".
    await form.locator('#name').fill('flows-reg');
    await form.getByLabel('URL').fill(`http://${reg.host}`);
    await form.getByLabel('Username').fill(REG_USER);
    await form.getByLabel('Password').fill('not-the-password');
    await form.getByText('Plain HTTP or unverified TLS').click();
    await form.getByRole('button', { name: 'Save' }).click();
    const row = page.locator('tbody tr.ant-table-row', { hasText: 'flows-reg' });
    await row.getByText('Password stored').waitFor();
    await row.getByText('Insecure').waitFor();

    // The wrong password: the sync fails and the API's reason is shown.
    await row.getByRole('button', { name: 'Sync now' }).click();
    const error = page.locator('.ant-message-error');
    await error.waitFor();
    assert.ok((await error.innerText()).trim().length > 10, `the reason is shown: ${await error.innerText()}`);

    // Edit: the stored password is kept unless a new one is typed; the right one syncs.
    await row.getByRole('button', { name: 'Edit' }).click();
    const edit = page.getByRole('dialog', { name: 'Edit registry flows-reg' });
    await edit.getByText('Leave empty to keep the stored password').waitFor();
    assert.equal(await edit.getByLabel('Password').inputValue(), '', 'the password is never sent back');
    assert.equal(await edit.getByLabel('Username').inputValue(), REG_USER);
    await edit.getByLabel('Password').fill(REG_PASSWORD);
    await edit.getByRole('button', { name: 'Save' }).click();
    await edit.waitFor({ state: 'detached' });
    await row.getByRole('button', { name: 'Sync now' }).click();
    await page.locator('.ant-message-success', { hasText: 'Synced: 1 images, 1 new, 1 scans queued' }).waitFor();
    await row.getByText('Never').waitFor({ state: 'detached' });

    // Never shown again: not in the page, not in the API's answers.
    assert.ok(!(await page.content()).includes(REG_PASSWORD));
    const regs = await c.api('GET', `/api/v1/projects/${c.projectId}/registries`, admin);
    assert.ok(!JSON.stringify(regs.body).includes(REG_PASSWORD));
    const mine = regs.body.items.find((r: any) => r.name === 'flows-reg');
    assert.deepEqual([mine.username, mine.hasPassword, mine.insecure, typeof mine.lastSyncAt], [REG_USER, true, true, 'string']);
    const images = await c.api('GET', `/api/v1/projects/${c.projectId}/images?name=team/app`, admin);
    assert.deepEqual(
      images.body.items.map((i: any) => i.ref),
      [`registry:${reg.host}/team/app:1`],
    );

    // The project's scan schedule: a bad cron is refused with the server's reason, a good one saved.
    const cron = page.getByLabel('Daily rescan (cron, UTC)');
    await cron.fill('every night');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.locator('.ant-message-error', { hasText: 'not a cron expression: every night' }).waitFor();
    await cron.fill('15 4 * * *');
    // The project's PATCH answered (an earlier "Saved" message may still be on screen, so the message alone proves nothing).
    const saved = page.waitForResponse((r) => r.request().method() === 'PATCH' && /\/api\/v1\/projects\/[^/]+$/.test(new URL(r.url()).pathname));
    await page.getByRole('button', { name: 'Save' }).click();
    assert.equal((await saved).status(), 200, 'the schedule is saved');
    await page.locator('.ant-message-success', { hasText: 'Saved' }).last().waitFor();
    const project = await c.api('GET', `/api/v1/projects/${c.projectId}`, admin);
    assert.equal(project.body.rescanCron, '15 4 * * *');
    await page.reload();
    assert.equal(await page.getByLabel('Daily rescan (cron, UTC)').inputValue(), '15 4 * * *');

    // The 4xx answers were the refused sync and the refused cron, shown to the user; nothing else failed.
    assert.deepEqual(
      problems.filter((p) => !/HTTP (400|401|502): (POST .*\/sync|PATCH .*\/projects\/)/.test(p) && !/status of (400|401|502)/.test(p)),
      [],
    );
    await ctx.close();
  });

  test('users and tokens: role on creation, a confirmed role removal, password reset, disable and enable; a token valid 7 days, shown once', async () => {
    const { ctx, page, problems, form } = await openForm(`/users`, 'Add user');
    await form.getByLabel('Username').fill('flows-viewer');
    await form.getByLabel('Password').fill('first-Pass-for-flows-1');
    await form.getByRole('combobox', { name: 'Role' }).click();
    await page.locator('.ant-select-item-option[title="Read only"]').click();
    await form.getByRole('button', { name: 'Save' }).click();
    const row = page.locator('tbody tr.ant-table-row', { hasText: 'flows-viewer' });
    await row.getByText('Active').waitFor();
    const binding = row.getByText(/Read only · /);
    await binding.waitFor();

    // Removing a role asks first: cancelled, it stays.
    await row.getByLabel('Remove role Read only').click();
    const confirm = page.getByRole('tooltip');
    await confirm.getByText(/Remove the role Read only on /).waitFor();
    await confirm.getByRole('button', { name: 'Cancel' }).click();
    await page.waitForTimeout(500);
    const users = (await c.api('GET', '/api/v1/users', admin)).body.items;
    const userId = users.find((u: any) => u.username === 'flows-viewer').id;
    assert.equal((await c.api('GET', `/api/v1/users/${userId}/bindings`, admin)).body.items.length, 1);

    // Password reset: the new password logs in.
    await row.getByRole('button', { name: 'Reset password' }).click();
    const reset = page.getByRole('dialog', { name: 'New password for flows-viewer' });
    await reset.getByLabel('Password').fill('second-Pass-for-flows-2');
    await reset.getByRole('button', { name: 'Save' }).click();
    await page.locator('.ant-message-success', { hasText: 'Password changed' }).waitFor();
    await c.token('flows-viewer', 'second-Pass-for-flows-2');

    // Disable (asks first): the user can no longer log in; enable again.
    await row.getByRole('button', { name: 'Disable' }).click();
    await page.getByRole('tooltip').getByRole('button', { name: 'Disable' }).click();
    await row.getByText('Disabled').waitFor();
    const refused = await fetch(`${c.base}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'flows-viewer', password: 'second-Pass-for-flows-2' }),
    });
    assert.equal(refused.status, 401);
    await row.getByRole('button', { name: 'Enable' }).click();
    await row.getByText('Active').waitFor();
    await c.token('flows-viewer', 'second-Pass-for-flows-2');

    // Now the role removal, confirmed.
    await row.getByLabel('Remove role Read only').click();
    await page.getByRole('tooltip').getByRole('button', { name: 'Delete' }).click();
    await binding.waitFor({ state: 'detached' });
    assert.equal((await c.api('GET', `/api/v1/users/${userId}/bindings`, admin)).body.items.length, 0);

    // An API token valid for 7 days: its secret shown once, then only its name.
    await page.getByLabel('Token name').fill('flows-ci');
    await page.getByLabel('Valid for (days)').fill('7');
    await page.getByRole('button', { name: 'Create token' }).click();
    const secret = (await page.getByTestId('token-secret').innerText()).trim();
    assert.ok(secret.length > 20);
    const tokens = (await c.api('GET', '/api/v1/tokens', admin)).body.items;
    const tok = tokens.find((x: any) => x.name === 'flows-ci');
    const days = (new Date(tok.expiresAt).getTime() - Date.now()) / 86_400_000;
    assert.ok(days > 6.9 && days <= 7.01, `expires in ${days} days`);
    assert.ok(!JSON.stringify(tokens).includes(secret));
    assert.equal((await c.api('GET', '/api/v1/auth/me', secret)).status, 200, 'the shown token works');
    await page.reload();
    assert.ok(!(await page.content()).includes(secret), 'not shown again');
    await page.locator('tbody tr.ant-table-row', { hasText: 'flows-ci' }).getByRole('button', { name: 'Revoke' }).click();
    await page.getByRole('tooltip').getByRole('button', { name: 'Revoke' }).click();
    await page.locator('tbody tr.ant-table-row', { hasText: 'flows-ci' }).waitFor({ state: 'detached' });
    assert.equal((await c.api('GET', '/api/v1/auth/me', secret)).status, 401, 'the revoked token is refused');
    assert.deepEqual(problems, []);
    await ctx.close();
  });

  test('settings: a webhook with a signing secret that is never shown again', async () => {
    const HOOK_SECRET = 'hook-Secret-4vQ-flows';
    const { ctx, page, problems, form } = await openForm(`/settings`, 'Add notification target');
    await form.locator('#name').fill('flows-hook');
    await form.getByLabel('URL').fill('https://hooks.example.invalid/vigil');
    await form.getByLabel('Signing secret').fill(HOOK_SECRET);
    await form.getByRole('button', { name: 'Save' }).click();
    await page.locator('tbody tr.ant-table-row', { hasText: 'flows-hook' }).waitFor();
    // The list may refresh before the modal's closing animation ends; once closed, its fields are gone from the page.
    await form.waitFor({ state: 'detached' });
    assert.ok(!(await page.content()).includes(HOOK_SECRET));
    const hooks = await c.api('GET', '/api/v1/notifiers', admin);
    assert.ok(hooks.body.items.some((h: any) => h.name === 'flows-hook' && h.kind === 'webhook'));
    assert.ok(!JSON.stringify(hooks.body).includes(HOOK_SECRET));
    assert.deepEqual(problems, []);
    await ctx.close();
  });

  test('audit trail: the chain status said plainly, and the actions of these flows in it', async () => {
    const { ctx, page, problems } = await c.adminSession();
    await page.goto(`${c.base}/audit`);
    const status = page.getByTestId('chain-status');
    await status.waitFor();
    const verify = (await c.api('GET', '/api/v1/audit/verify', admin)).body;
    assert.equal(verify.ok, true);
    const text = await status.innerText();
    assert.match(text, /Hash chain verified/);
    // Either anchored on a signed checkpoint, or the missing checkpoint said plainly.
    if (verify.warning) assert.match(text, /No signed checkpoint yet/);
    else assert.match(text, new RegExp(`signed checkpoint at record ${verify.checkpoint.seq}`));
    for (const event of [
      'registerCgsAgency',
      'modifyRegistry',
      'syncSwrPrivateImage',
      'modifyProject',
      'addUser',
      'modifyUser',
      'deleteRoleBinding',
      'createToken',
      'revokeToken',
      'addNotifier',
    ]) {
      await page.goto(`${c.base}/audit?event=${event}`);
      await page.locator('tbody tr.ant-table-row', { hasText: event }).first().waitFor();
    }
    // The refused sync is recorded as a failure.
    await page.goto(`${c.base}/audit?event=syncSwrPrivateImage`);
    await page.locator('tbody tr.ant-table-row', { hasText: 'Failure' }).first().waitFor();
    assert.deepEqual(problems, []);
    await ctx.close();
  });
});
