// pnpm-lock.yaml (5.x, 6.x, 9.x, ../pnpm-lock.ts) read against the project's
// package.json files: packages installed under the lockfile's node_modules
// (node_modules/.pnpm/...) are installed, the others declared only;
// direct/indirect, dev, workspace members (importers) and dependency edges.
// Package IDs carry no peer suffix in the report (one component per name@version).
import { loadYaml } from '../yaml-lazy.js';
import { jsLockfileAnalyzer, lockId } from '../js-lock.js';
import { parsePnpmLock, trimPeers } from '../pnpm-lock.js';

/** `name@version(peer@1)` (9.x) or `name@version_peer@1` (5.x) as `name@version`. */
export function pnpmComponentId(id: string): string {
  const at = id.indexOf('@', 1);
  return at < 0 ? id : lockId(id.slice(0, at), trimPeers(trimPeers(id.slice(at + 1), 9), 5));
}

export default jsLockfileAnalyzer('pnpm', 1, { file: 'pnpm-lock.yaml', parse: parsePnpmLock, prepare: loadYaml, canonicalId: pnpmComponentId });
