// Index of the image baseline checks (`image.baseline`) and the runner that shapes their findings.
import { ModuleIndex } from '../../module-index.js';
import type { BaselineFinding } from '../../scan/types.js';
import { addRemoteUrlCheck } from './add-remote-url.js';
import { compilerCheck, pkgCacheCheck } from './build-leftovers.js';
import { duplicateIdsCheck } from './duplicate-ids.js';
import { emptyPasswordCheck } from './empty-password.js';
import { envSecretCheck } from './env-secret.js';
import { healthcheckCheck } from './healthcheck.js';
import { hiddenAccountCheck } from './hidden-account.js';
import { latestTagCheck } from './latest-tag.js';
import { rootUserCheck } from './root-user.js';
import { sshEmptyPasswordsCheck, sshPasswordAuthCheck, sshRootLoginCheck } from './sshd.js';
import { suidFilesCheck } from './suid-files.js';
import { sudoNopasswdCheck } from './sudoers-nopasswd.js';
import type { ImageCheck, ImageCheckInput } from './types.js';
import { uid0CloneCheck } from './uid0-clone.js';
import { worldWritableCheck } from './world-writable.js';

export const imageCheckIndex = new ModuleIndex<ImageCheck>('image baseline check', [
  rootUserCheck,
  envSecretCheck,
  addRemoteUrlCheck,
  latestTagCheck,
  healthcheckCheck,
  emptyPasswordCheck,
  uid0CloneCheck,
  duplicateIdsCheck,
  hiddenAccountCheck,
  suidFilesCheck,
  worldWritableCheck,
  sshRootLoginCheck,
  sshPasswordAuthCheck,
  sshEmptyPasswordsCheck,
  sudoNopasswdCheck,
  pkgCacheCheck,
  compilerCheck,
]);

/** Run every baseline check, in index order. */
export function runImageChecks(input: ImageCheckInput): BaselineFinding[] {
  const out: BaselineFinding[] = [];
  for (const c of imageCheckIndex.all()) {
    for (const h of c.run(input)) {
      const f: BaselineFinding = { id: c.id, severity: c.severity, title: c.title, detail: h.detail, remedy: c.remedy };
      if (h.file) f.file = h.file;
      if (c.cis) f.reference = `CIS Docker Benchmark ${c.cis}`;
      out.push(f);
    }
  }
  return out;
}

export { BASELINE_DIRS, BASELINE_FILES, type ImageCheck, type ImageCheckInput } from './types.js';
