// yarn.lock (yarn v1 and berry, ../yarn-lock.ts) read against the project's
// package.json files: packages installed under the lockfile's node_modules
// are installed, the others declared only; direct/indirect, dev, workspace
// members and dependency edges as the lockfile and manifests give them.
import { loadYaml } from '../yaml-lazy.js';
import { jsLockfileAnalyzer } from '../js-lock.js';
import { parseYarnLock } from '../yarn-lock.js';

export default jsLockfileAnalyzer('yarn', 1, { file: 'yarn.lock', parse: parseYarnLock, prepare: loadYaml });
