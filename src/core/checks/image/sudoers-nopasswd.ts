// Check `sudo-nopasswd-all`: a sudoers rule grants ALL commands without a password.
import { filesIn, type ImageCheck } from './types.js';

export const sudoNopasswdCheck: ImageCheck = {
  id: 'sudo-nopasswd-all',
  severity: 'high',
  title: 'sudo NOPASSWD: ALL',
  rationale: 'Any process of that user (or group) becomes root without a secret: the unprivileged USER protects nothing.',
  remedy: 'Remove the rule, or limit it to the few commands needed and require a password.',
  *run(i) {
    for (const [file, text] of filesIn(i.files, '/etc/sudoers', '/etc/sudoers.d/')) {
      for (const raw of text.split('\n')) {
        const line = raw.replace(/(^|\s)#(?!include).*/, '').trim();
        if (/NOPASSWD\s*:\s*ALL\s*$/.test(line)) yield { detail: line.slice(0, 200), file };
      }
    }
  },
};
