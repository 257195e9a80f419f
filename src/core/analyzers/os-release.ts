// The OS analyzer: which distribution an image is, from /etc/os-release
// (or /usr/lib/os-release), refined or replaced by the distribution's own
// files: /etc/debian_version (Debian point release), /etc/alpine-release,
// and the Red Hat family's /etc/*-release lines (CentOS 7's full 7.9.2009,
// and images old enough to have no os-release). Distroless images (dpkg
// records in /var/lib/dpkg/status.d, no status file) are Debian: when they
// carry no os-release and no debian_version, the version comes from their
// base-files record, whose major version is the Debian release.
import type { OsInfo } from '../inventory/types.js';
import { ALPINE_RELEASE, DEBIAN_VERSION, DISTROLESS_BASE_FILES, OS_RELEASE, OS_RELEASE_PATHS, REDHAT_RELEASE } from './claim-lists.js';
import { parseControlFile } from './deb822.js';
import { parseOsRelease, parseRedHatRelease, parseVersionFile } from './release-files.js';
import type { Analyzer, AnalyzerFile, AnalyzerInput, AnalyzerResult } from './types.js';
import type { FileEntry } from '../inventory/types.js';

const REQUIRED = new Set(OS_RELEASE_PATHS);

/** os-release IDs whose family name differs. */
const FAMILY_BY_ID: Record<string, string> = { amzn: 'amazon', ol: 'oracle', 'cbl-mariner': 'mariner' };
const REDHAT_FAMILY = new Set(['rhel', 'centos', 'rocky', 'almalinux', 'oracle', 'fedora', 'amazon']);

function familyFromRedHatName(name: string): string | undefined {
  const n = name.toLowerCase();
  if (n.startsWith('centos')) return 'centos';
  if (n.startsWith('red hat enterprise linux')) return 'rhel';
  if (n.startsWith('rocky linux')) return 'rocky';
  if (n.startsWith('almalinux')) return 'almalinux';
  if (n.startsWith('oracle linux')) return 'oracle';
  if (n.startsWith('fedora')) return 'fedora';
  if (n.startsWith('amazon linux')) return 'amazon';
  return undefined;
}

/** The file at `path` after following symlinks in the squashed tree, if an analyzer buffered it. */
function fileAt(input: AnalyzerInput, byPath: Map<string, AnalyzerFile>, path: string): AnalyzerFile | undefined {
  const direct = byPath.get(path);
  if (direct) return direct;
  const resolved = input.tree.resolve(path);
  return resolved ? byPath.get(resolved.path) : undefined;
}

function redHat(input: AnalyzerInput, byPath: Map<string, AnalyzerFile>): OsInfo | undefined {
  for (const path of REDHAT_RELEASE) {
    const f = fileAt(input, byPath, path);
    if (!f) continue;
    const r = parseRedHatRelease(f.content, f.path);
    const family = familyFromRedHatName(r.name);
    if (family) return { family, version: r.version, name: `${r.name} ${r.version}`, codename: r.codename };
  }
  return undefined;
}

function distrolessDebianVersion(input: AnalyzerInput, byPath: Map<string, AnalyzerFile>): string | undefined {
  const f = byPath.get(DISTROLESS_BASE_FILES);
  if (!f) return undefined;
  const rec = parseControlFile(f.content, f.path)[0];
  const version = rec?.fields.get('version');
  const major = version ? /^[0-9]+/.exec(version)?.[0] : undefined;
  return major;
}

function isDistroless(input: AnalyzerInput): boolean {
  return !input.tree.get('/var/lib/dpkg/status') && input.tree.list('/var/lib/dpkg/status.d').length > 0;
}

export const osReleaseAnalyzer: Analyzer = {
  id: 'os-release',
  version: 1,
  kind: 'os',
  claims: { paths: OS_RELEASE_PATHS, dirs: ['/usr/lib/os.release.d/'] },
  required(path: string, entry: FileEntry): boolean {
    // Fedora's /usr/lib/os-release is a symlink into /usr/lib/os.release.d/: claim the targets too.
    return (entry.kind === 'file' || entry.kind === 'hardlink') && (REQUIRED.has(path) || path.startsWith('/usr/lib/os.release.d/'));
  },
  analyze(input: AnalyzerInput): AnalyzerResult {
    const byPath = new Map(input.files.map((f) => [f.path, f]));
    let os: OsInfo | undefined;
    const osReleaseFile = OS_RELEASE.map((p) => fileAt(input, byPath, p)).find((f) => f !== undefined);
    const vars = osReleaseFile ? parseOsRelease(osReleaseFile.content, osReleaseFile.path) : undefined;
    const id = vars?.get('ID')?.toLowerCase();
    if (vars && id) {
      const family = FAMILY_BY_ID[id] ?? id;
      os = { family, version: vars.get('VERSION_ID') ?? '' };
      const name = vars.get('PRETTY_NAME') ?? vars.get('NAME');
      if (name) os.name = name;
      const codename = vars.get('VERSION_CODENAME');
      if (codename) os.codename = codename;
      if (family === 'debian') {
        // debian_version names the point release (12.5) or, on testing/sid, the suite.
        const dv = fileAt(input, byPath, DEBIAN_VERSION);
        const point = dv ? parseVersionFile(dv.content, dv.path) : undefined;
        if (point && (os.version === '' || point.startsWith(`${os.version}.`))) os.version = point;
      } else if (family === 'alpine' && os.version === '') {
        const ar = fileAt(input, byPath, ALPINE_RELEASE);
        if (ar) os.version = parseVersionFile(ar.content, ar.path);
      } else if (REDHAT_FAMILY.has(family)) {
        // CentOS 7's os-release says 7, centos-release says 7.9.2009.
        const rh = redHat(input, byPath);
        if (rh && rh.family === family && rh.version.startsWith(os.version)) os.version = rh.version;
      }
    } else {
      const ar = fileAt(input, byPath, ALPINE_RELEASE);
      if (ar) os = { family: 'alpine', version: parseVersionFile(ar.content, ar.path) };
      os ??= redHat(input, byPath);
      if (!os) {
        const dv = fileAt(input, byPath, DEBIAN_VERSION);
        if (dv) os = { family: 'debian', version: parseVersionFile(dv.content, dv.path) };
      }
      if (!os && isDistroless(input)) {
        const v = distrolessDebianVersion(input, byPath);
        if (v) os = { family: 'debian', version: v };
      }
    }
    if (os && (os.family === 'debian' || os.family === 'ubuntu') && isDistroless(input)) os.distroless = true;
    return os ? { os } : {};
  },
};
