// One scan of one image, as the CLI (`vigil scan`, `vigil sbom`) and the
// server's scan workers run it: open the image from its source, stream its
// layers through the analyzers, then run the requested scanners over the
// inventory. Returns the ScanReport contract; formatting is the caller's.
import { analyzeImage, type LayerCache } from '../../core/image/analyze.js';
import { defaultAnalyzers } from '../analyzers/index.js';
import type { Analyzer } from '../../core/analyzers/types.js';
import { SCAN_SCHEMA_VERSION, type ScanReport, type ScannerId } from '../../core/scan/types.js';
import { openImage } from '../image/open.js';
import { tempSpill } from '../image/spill.js';
import type { OpenImageOptions } from '../image/types.js';
import { nodeAnalyzerContext } from '../analyzers/context.js';
import type { PreparedVulnScan, ScanVulnsOptions } from '../vulndb/scan-vulns.js';
import type { ContentDeps } from '../../core/content/index.js';

export interface ScanProgress {
  phase: 'open' | 'layers' | 'scanners' | 'done';
  layer?: number;
  layers?: number;
  bytes?: number;
  totalBytes?: number;
}

export interface RunScanOptions extends OpenImageOptions {
  /** Scanners to run over the inventory; none = inventory only (what `sbom` needs). */
  scanners?: ScannerId[];
  vuln?: Omit<ScanVulnsOptions, 'artifactName' | 'artifactDigest'>;
  layerCache?: LayerCache;
  analyzers?: Analyzer[];
  onProgress?: (p: ScanProgress) => void;
  /** User YARA rule / hash-list files or directories, added to the built-in set (`--malware-rules`). */
  malwareRules?: string[];
  /** Leave the built-in malware signatures out (tests of user rules). */
  noBuiltinMalwareRules?: boolean;
}

export const SUPPORTED_SCANNERS: readonly ScannerId[] = ['vuln', 'malware', 'secret', 'baseline', 'files'];

export async function runScan(ref: string, opts: RunScanOptions = {}): Promise<ScanReport> {
  const progress = opts.onProgress ?? (() => {});
  const scanners = new Set(opts.scanners ?? []);
  // A missing DB or a broken ignore/VEX file fails now, before any layer is read.
  const vuln = scanners.has('vuln') ? (await import('../vulndb/scan-vulns.js')).prepareVulnScan(opts.vuln) : undefined;
  try {
    return await scanImage(ref, opts, progress, vuln);
  } finally {
    vuln?.close();
  }
}

async function scanImage(ref: string, opts: RunScanOptions, progress: (p: ScanProgress) => void, vuln: PreparedVulnScan | undefined): Promise<ScanReport> {
  progress({ phase: 'open' });
  const scanners = new Set(opts.scanners ?? []);
  const deps: ContentDeps = {};
  if (scanners.has('malware')) {
    // Compiled before the image is opened: a bad rule fails fast, and the set is compiled once per process.
    const { loadSignatures } = await import('../malware/signatures.js');
    const sigs = await loadSignatures(opts.malwareRules ?? [], { builtin: !opts.noBuiltinMalwareRules });
    if (sigs.engine) deps.engine = sigs.engine;
    deps.knownBad = sigs.knownBad;
  }
  // The content scanners (and the image checks) are loaded only when a scanner other than `vuln` runs: `sbom` needs none.
  const content = [...scanners].some((s) => s !== 'vuln') ? await import('../../core/content/index.js') : undefined;
  const plan = content ? content.contentPlan(scanners, deps) : { scanners: [], hashFiles: false };
  const image = await openImage(ref, opts);
  try {
    const analysis = await analyzeImage(image, opts.analyzers ?? (await defaultAnalyzers()), {
      contentScanners: plan.scanners,
      hashFiles: plan.hashFiles,
      limits: opts.limits,
      ctx: nodeAnalyzerContext(),
      spill: tempSpill,
      layerCache: opts.layerCache,
      // Without content scanners (sbom, scan --scanners vuln) only the analyzers read the tree.
      analyzersOnly: !content,
      onProgress: (p) => progress({ phase: 'layers', layer: p.layer, layers: p.layers, bytes: p.bytes, totalBytes: p.totalBytes }),
    });
    const report: ScanReport = {
      schemaVersion: SCAN_SCHEMA_VERSION,
      artifact: {
        name: image.name,
        type: image.type,
        digest: image.digest,
        configDigest: image.configDigest,
        os: analysis.os,
        repoTags: image.repoTags,
        repoDigests: image.repoDigests,
        layers: analysis.layers,
        config: analysis.config,
      },
      packages: analysis.packages,
      vulnerabilities: [],
      malware: [],
      secrets: [],
      baseline: [],
      files: [],
      notices: [...analysis.notices],
    };
    if (scanners.size) progress({ phase: 'scanners' });
    if (vuln) {
      // VEX products name the image by name or by digest (`pkg:oci/app@sha256:...`, `...@sha256:...`).
      const r = vuln.run({ packages: analysis.packages, os: analysis.os }, { name: image.name, digest: image.digest ?? image.configDigest });
      report.vulnerabilities = r.findings;
      report.notices!.push(...r.notices);
    }
    if (content) {
      const found = content.contentResults(analysis, scanners, { repoTags: image.repoTags, name: image.name });
      report.malware = found.malware;
      report.secrets = found.secrets;
      report.baseline = found.baseline;
      report.files = found.files;
    }
    progress({ phase: 'done' });
    return report;
  } finally {
    await image.close();
  }
}
