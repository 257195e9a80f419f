// The scan report: the in-memory form of `vigil scan --format json` (the
// contract in docs/architecture.md: fields may be added, never renamed).
// Scanners (vuln, malware, secret, baseline, files) each fill one section.
import type { Severity } from '../alerts/types.js';
import type { ImageConfig, ImageSourceType } from '../image/types.js';
import type { LayerRef, Notice, OsInfo, Package } from '../inventory/types.js';

export const SCAN_SCHEMA_VERSION = 1;

export type ScannerId = 'vuln' | 'malware' | 'secret' | 'baseline' | 'files';

export interface CvssScore {
  vector: string;
  score: number;
  version: string;
}

export type VulnStatus = 'fixed' | 'affected' | 'will_not_fix' | 'end_of_life';

export interface VulnerabilityFinding {
  /** The CVE when the advisory has one, else the advisory id. */
  id: string;
  aliases: string[];
  /** Installed (binary) package name. */
  package: string;
  /** Source package used for matching. */
  sourcePackage: string;
  /** Package type: deb, apk, rpm, npm, ... */
  type: string;
  installedVersion: string;
  /** "" when there is no fix. */
  fixedVersion: string;
  status: VulnStatus;
  severity: Severity | 'unknown';
  /** Per source: source name -> severity. */
  vendorSeverity: Record<string, string>;
  /** Per source: source name -> CVSS. */
  cvss: Record<string, CvssScore>;
  title: string;
  description?: string;
  references?: string[];
  /** Advisory ids this finding came from (e.g. DSA/DLA/OSV ids). */
  dataSource?: string;
  /** Where a language package was found. */
  pkgPath?: string;
  purl?: string;
  layer?: LayerRef;
  ignored: boolean;
  ignoreReason?: string;
}

/** `deleted`: the file's version is not in the squashed view (a later layer removed or replaced it) but ships in the image's layers. */
export interface MalwareFinding {
  file: string;
  layer?: LayerRef;
  rule: string;
  family?: string;
  severity: Severity;
  alertType: string;
  sha256: string;
  description?: string;
  deleted?: boolean;
}
/** `match` is the line with the secret masked; `file` is a path or `config:env` / `config:labels` / `config:history` (then `line` is the 1-based item). */
export interface SecretFinding {
  file: string;
  line: number;
  ruleId: string;
  title: string;
  severity: Severity;
  match: string;
  layer?: LayerRef;
  deleted?: boolean;
}
export interface BaselineFinding {
  id: string;
  severity: Severity;
  title: string;
  detail: string;
  file?: string;
  remedy: string;
  reference?: string;
}
/** An unowned file; `setuid` is true for SUID or SGID; `noise` names the documented rule that explains an expected unowned file (docs/content.md). */
export interface FileFinding {
  path: string;
  dir?: string;
  size: number;
  mode: number;
  layer?: LayerRef;
  sha256?: string;
  executable: boolean;
  setuid: boolean;
  noise?: string;
}

export interface ScanReport {
  schemaVersion: number;
  artifact: {
    name: string;
    type: ImageSourceType;
    digest?: string;
    configDigest?: string;
    os?: OsInfo;
    repoTags?: string[];
    repoDigests?: string[];
    layers?: LayerRef[];
    config?: ImageConfig;
  };
  packages: Package[];
  vulnerabilities: VulnerabilityFinding[];
  malware: MalwareFinding[];
  secrets: SecretFinding[];
  baseline: BaselineFinding[];
  files: FileFinding[];
  /** What limits these results (an OS without vulnerability data, an unreadable package database); shown by every report format. */
  notices?: Notice[];
}
