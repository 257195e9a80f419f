// Baseline checks of `image.baseline`: one file per check, each a module with
// an id, severity, title, rationale, remedy and (where one matches) the CIS
// Docker Benchmark item. A check reads the image config, the squashed file
// tree and the text of a few system files (accounts, sshd, sudoers).
import type { Severity } from '../../alerts/types.js';
import type { FileTree } from '../../analyzers/types.js';
import type { ImageConfig } from '../../image/types.js';
import type { SecretFinding } from '../../scan/types.js';

export interface ImageCheckInput {
  config: ImageConfig;
  tree: FileTree;
  /** Final text of the system files the baseline reads (BASELINE_FILES), by path. */
  files: ReadonlyMap<string, string>;
  /** Secrets found in the image config (ENV, labels, history). */
  configSecrets: readonly SecretFinding[];
  /** The image's own references (tags), for the tag check. */
  repoTags?: readonly string[];
  name?: string;
}

export interface ImageCheckHit {
  /** What failed: the account, variable, path or setting. */
  detail: string;
  file?: string;
}

export interface ImageCheck {
  id: string;
  severity: Severity;
  title: string;
  rationale: string;
  remedy: string;
  /** CIS Docker Benchmark item (section 4, images), when one matches. */
  cis?: string;
  /** The check's hits: a list, or a generator yielding each as it is found. */
  run(input: ImageCheckInput): Iterable<ImageCheckHit>;
}

/** Files whose text the baseline checks read (exact paths, or directories whose files are all read). */
export const BASELINE_FILES = ['/etc/passwd', '/etc/shadow', '/etc/group', '/etc/ssh/sshd_config', '/etc/sudoers'];
export const BASELINE_DIRS = ['/etc/ssh/sshd_config.d/', '/etc/sudoers.d/'];

/** Parsed colon-separated account files (passwd, shadow, group): non-empty, non-comment lines. */
export function colonRecords(text: string | undefined): string[][] {
  if (!text) return [];
  return text
    .split('\n')
    .map((l) => l.replace(/\r$/, ''))
    .filter((l) => l.trim() !== '' && !l.startsWith('#'))
    .map((l) => l.split(':'));
}

/** Files of the tree under a directory, or the one file. */
export function filesIn(files: ReadonlyMap<string, string>, exact: string, dir: string): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  const main = files.get(exact);
  if (main !== undefined) out.push([exact, main]);
  for (const [p, t] of [...files].sort((a, b) => a[0].localeCompare(b[0]))) if (p.startsWith(dir)) out.push([p, t]);
  return out;
}

/** Regular files of the tree (squashed view). */
export function* regularFiles(tree: FileTree): Iterable<import('../../inventory/types.js').FileEntry> {
  for (const e of tree.entries()) if (e.kind === 'file') yield e;
}
