// Check `file-unexpected-suid`: a SUID/SGID regular file that is not on the list of binaries distributions ship with those bits.
import { regularFiles, type ImageCheck } from './types.js';

/** SUID/SGID binaries distributions install on purpose (merged /usr: /bin, /sbin are folded in). Documented in docs/content.md. */
export const KNOWN_SUID = new Set([
  '/usr/bin/passwd',
  '/usr/bin/chsh',
  '/usr/bin/chfn',
  '/usr/bin/gpasswd',
  '/usr/bin/newgrp',
  '/usr/bin/chage',
  '/usr/bin/expiry',
  '/usr/bin/su',
  '/usr/bin/sudo',
  '/usr/bin/sudoedit',
  '/usr/bin/mount',
  '/usr/bin/umount',
  '/usr/bin/fusermount',
  '/usr/bin/fusermount3',
  '/usr/bin/newuidmap',
  '/usr/bin/newgidmap',
  '/usr/bin/crontab',
  '/usr/bin/at',
  '/usr/bin/wall',
  '/usr/bin/write',
  '/usr/bin/bsd-write',
  '/usr/bin/ssh-agent',
  '/usr/bin/dotlockfile',
  '/usr/bin/pkexec',
  '/usr/bin/ping',
  '/usr/bin/ping6',
  '/usr/bin/traceroute6.iputils',
  '/usr/bin/mail-lock',
  '/usr/bin/mail-unlock',
  '/usr/bin/mail-touchlock',
  '/usr/bin/screen',
  '/usr/bin/bbsuid',
  '/usr/sbin/unix_chkpwd',
  '/usr/sbin/pam_extrausers_chkpwd',
  '/usr/sbin/pam_timestamp_check',
  '/usr/sbin/userhelper',
  '/usr/sbin/mount.nfs',
  '/usr/sbin/mount.cifs',
  '/usr/sbin/postdrop',
  '/usr/sbin/postqueue',
  '/usr/sbin/exim4',
  '/usr/sbin/grub2-set-bootflag',
  '/usr/lib/openssh/ssh-keysign',
  '/usr/libexec/openssh/ssh-keysign',
  '/usr/lib/dbus-1.0/dbus-daemon-launch-helper',
  '/usr/libexec/dbus-1/dbus-daemon-launch-helper',
  '/usr/lib/polkit-1/polkit-agent-helper-1',
  '/usr/libexec/polkit-agent-helper-1',
  '/usr/lib/eject/dmcrypt-get-device',
  '/usr/libexec/utempter/utempter',
  '/usr/lib/x86_64-linux-gnu/utempter/utempter',
]);

function canonical(path: string): string {
  return path.replace(/^\/(bin|sbin)\//, '/usr/$1/').replace(/^\/lib\//, '/usr/lib/');
}

export const suidFilesCheck: ImageCheck = {
  id: 'file-unexpected-suid',
  severity: 'high',
  title: 'Unexpected SUID/SGID file',
  rationale:
    "A SUID/SGID file runs with its owner's (usually root's) rights for every user; a copy of a shell or an unknown binary with the bit is a ready-made privilege escalation.",
  remedy:
    'Remove the file or its bits (`chmod u-s,g-s FILE`); in the Dockerfile, strip them from everything not needed (`find / -perm /6000 -type f -exec chmod a-s {} +`).',
  cis: '4.8',
  *run(i) {
    for (const e of regularFiles(i.tree)) {
      if ((e.mode & 0o6000) === 0 || KNOWN_SUID.has(canonical(e.path))) continue;
      const bits = [(e.mode & 0o4000) !== 0 ? 'setuid' : '', (e.mode & 0o2000) !== 0 ? 'setgid' : ''].filter(Boolean).join('+');
      yield { detail: `${e.path} (${bits}, mode ${(e.mode & 0o7777).toString(8).padStart(4, '0')}, uid ${e.uid})`, file: e.path };
    }
  },
};
