// yarn.lock (yarn v1 and berry, ../yarn-lock.ts) read against the project's
// package.json files: packages installed under the lockfile's node_modules
// are installed, the others declared only; direct/indirect, dev, workspace
// members and dependency edges as the lockfile and manifests give them.
import { MAX_JS_LOCKFILE, MAX_PACKAGE_JSON, analyzeJsLockfiles, isAppLockfile, isInstalledPackageJson, isProjectManifest } from '../js-lock.js';
import type { Analyzer } from '../types.js';
import { parseYarnLock } from '../yarn-lock.js';

const yarn: Analyzer = {
  id: 'yarn',
  version: 1,
  kind: 'package',
  required(path, entry) {
    if (entry.kind !== 'file') return false;
    if (isAppLockfile(path, 'yarn.lock')) return entry.size <= MAX_JS_LOCKFILE;
    return (isInstalledPackageJson(path) || isProjectManifest(path)) && entry.size <= MAX_PACKAGE_JSON;
  },
  analyze: (input) =>
    input.files.some((f) => isAppLockfile(f.path, 'yarn.lock')) ? analyzeJsLockfiles(input, { file: 'yarn.lock', parse: parseYarnLock }) : {},
};

export default yarn;
