// Check `account-empty-password`: an account in /etc/shadow has an empty password field (login without a password).
import { colonRecords, type ImageCheck } from './types.js';

export const emptyPasswordCheck: ImageCheck = {
  id: 'account-empty-password',
  severity: 'high',
  title: 'Account with an empty password',
  rationale: 'An empty password field lets anyone log in as that account (su, login, sshd with PermitEmptyPasswords) without knowing a secret.',
  remedy: 'Lock the account (`passwd -l NAME`, or `*`/`!` in the password field) or set a password hash.',
  run: (i) =>
    colonRecords(i.files.get('/etc/shadow'))
      .filter((r) => r.length >= 2 && r[0] !== '' && r[1] === '')
      .map((r) => ({ detail: r[0]!, file: '/etc/shadow' })),
};
