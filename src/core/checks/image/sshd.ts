// Checks `ssh-root-login`, `ssh-password-auth`, `ssh-empty-passwords`: settings of an OpenSSH server in the image
// (/etc/ssh/sshd_config and the files of /etc/ssh/sshd_config.d/; the first value of a keyword wins, as sshd reads it).
import { filesIn, type ImageCheck, type ImageCheckInput } from './types.js';

interface SshdSetting {
  value: string;
  file: string;
}

/** Effective keywords (lower case) outside Match blocks; undefined when the image has no sshd_config. */
export function sshdSettings(i: ImageCheckInput): Map<string, SshdSetting> | undefined {
  if (!i.files.has('/etc/ssh/sshd_config')) return undefined;
  const out = new Map<string, SshdSetting>();
  // sshd reads Include files where the Include line is; Debian's include is at the top, so reading the
  // drop-ins first gives the same first-value-wins result for the usual layout.
  const main = i.files.get('/etc/ssh/sshd_config')!;
  const order = /^\s*Include\s/im.test(main)
    ? [...filesIn(i.files, '', '/etc/ssh/sshd_config.d/'), ['/etc/ssh/sshd_config', main] as [string, string]]
    : [['/etc/ssh/sshd_config', main] as [string, string]];
  for (const [file, text] of order) {
    for (const raw of text.split('\n')) {
      const line = raw.replace(/#.*/, '').trim();
      if (!line) continue;
      const m = /^(\S+)\s*[= ]\s*(.*)$/.exec(line);
      if (!m) continue;
      const key = m[1]!.toLowerCase();
      if (key === 'match') break; // settings below apply only to matching connections
      if (!out.has(key)) out.set(key, { value: m[2]!.trim().toLowerCase(), file });
    }
  }
  return out;
}

/** A check that fails where sshd_config sets `keyword` to `yes`. */
function sshdYesCheck(keyword: string, check: Omit<ImageCheck, 'version' | 'run'>): ImageCheck {
  return {
    ...check,
    run: (i) => {
      const s = sshdSettings(i)?.get(keyword.toLowerCase());
      return s && s.value === 'yes' ? [{ detail: `${keyword} yes`, file: s.file }] : [];
    },
  };
}

export const sshRootLoginCheck = sshdYesCheck('PermitRootLogin', {
  id: 'ssh-root-login',
  severity: 'high',
  title: 'sshd allows root login',
  rationale: "PermitRootLogin yes lets an attacker guess or reuse root's password over the network and log in directly with full rights.",
  remedy: 'Set `PermitRootLogin no` (or prohibit-password) in sshd_config; better, do not run sshd in a container.',
});

export const sshPasswordAuthCheck: ImageCheck = {
  id: 'ssh-password-auth',
  severity: 'medium',
  title: 'sshd allows password authentication',
  rationale: 'Password logins can be brute-forced and phished; keys cannot.',
  remedy: 'Set `PasswordAuthentication no` and use keys.',
  run: (i) => {
    const settings = sshdSettings(i);
    if (!settings) return [];
    const s = settings.get('passwordauthentication');
    if (!s) return [{ detail: 'PasswordAuthentication not set (OpenSSH default: yes)', file: '/etc/ssh/sshd_config' }];
    return s.value === 'yes' ? [{ detail: 'PasswordAuthentication yes', file: s.file }] : [];
  },
};

export const sshEmptyPasswordsCheck = sshdYesCheck('PermitEmptyPasswords', {
  id: 'ssh-empty-passwords',
  severity: 'critical',
  title: 'sshd allows empty passwords',
  rationale: 'PermitEmptyPasswords yes lets anyone log in over the network to every account whose password is empty.',
  remedy: 'Set `PermitEmptyPasswords no` (the default).',
});
