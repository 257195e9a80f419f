// The content scanners of a scan (`malware`, `secret`, `baseline`, `files`):
// which ContentScanners run while layers stream, and how their observations
// and the squashed view become the ScanReport's sections.
import { BASELINE_DIRS, BASELINE_FILES, runImageChecks } from '../checks/image/index.js';
import type { ImageAnalysis } from '../image/analyze.js';
import type { ContentScanner } from '../image/content.js';
import type { BaselineFinding, FileFinding, MalwareFinding, ScannerId, SecretFinding } from '../scan/types.js';
import { malwareFinding, malwareScanner, type KnownBadHash, type MalwareObservation, type SignatureEngine } from './malware.js';
import { configSecrets, secretFinding, secretScanner, type SecretObservation } from './secrets.js';
import { unownedFiles } from './unowned.js';

export interface ContentDeps {
  /** Compiled signatures (src/node/malware); without it only hash lists match. */
  engine?: SignatureEngine;
  knownBad?: ReadonlyMap<string, KnownBadHash>;
  /** Largest file given to the signature engine. */
  malwareMaxFileSize?: number;
}

const BASELINE_MAX_FILE = 1024 * 1024;

/** Collects the text of the system files the baseline checks read. */
export function baselineFilesScanner(): ContentScanner {
  return {
    id: 'baseline-files',
    version: 1,
    maxFileSize: BASELINE_MAX_FILE,
    wants: (e) => BASELINE_FILES.includes(e.path) || BASELINE_DIRS.some((d) => e.path.startsWith(d) && !e.path.slice(d.length).includes('/')),
    scan: (f) => [f.content.toString('utf8')],
  };
}

export interface ContentPlan {
  scanners: ContentScanner[];
  hashFiles: boolean;
}

export function contentPlan(ids: ReadonlySet<ScannerId>, deps: ContentDeps = {}): ContentPlan {
  const scanners: ContentScanner[] = [];
  if (ids.has('malware')) scanners.push(malwareScanner(deps.engine, deps.knownBad ?? new Map(), deps.malwareMaxFileSize));
  if (ids.has('secret')) scanners.push(secretScanner());
  if (ids.has('baseline')) scanners.push(baselineFilesScanner());
  return { scanners, hashFiles: ids.has('files') };
}

export interface ContentResults {
  malware: MalwareFinding[];
  secrets: SecretFinding[];
  baseline: BaselineFinding[];
  files: FileFinding[];
}

/** Turn the analysis (observations + squashed view) into report sections for the requested scanners. */
export function contentResults(analysis: ImageAnalysis, ids: ReadonlySet<ScannerId>, ref: { repoTags?: string[]; name?: string } = {}): ContentResults {
  const out: ContentResults = { malware: [], secrets: [], baseline: [], files: [] };
  const layers = analysis.layers;
  const cfgSecrets = ids.has('secret') || ids.has('baseline') ? configSecrets(analysis.config, layers) : [];
  const baselineText = new Map<string, string>();
  for (const r of analysis.content) {
    if (r.scanner === 'malware' && ids.has('malware')) out.malware.push(malwareFinding(r.path, r.data as MalwareObservation, layers[r.layer], r.deleted));
    else if (r.scanner === 'secret' && ids.has('secret')) {
      const f = secretFinding(r.path, r.data as SecretObservation, layers[r.layer], r.deleted);
      if (f) out.secrets.push(f);
    } else if (r.scanner === 'baseline-files' && !r.deleted && typeof r.data === 'string') baselineText.set(r.path, r.data);
  }
  if (ids.has('secret')) out.secrets.unshift(...cfgSecrets);
  if (ids.has('baseline')) {
    out.baseline = runImageChecks({
      config: analysis.config,
      tree: analysis.tree,
      files: baselineText,
      configSecrets: cfgSecrets,
      repoTags: ref.repoTags,
      name: ref.name,
    });
  }
  if (ids.has('files')) out.files = unownedFiles(analysis.tree, analysis.packages, layers);
  return out;
}
