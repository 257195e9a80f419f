// SARIF 2.1.0 report (for GitHub code scanning and other SARIF consumers):
// one rule per vulnerability id / detection rule, one result per finding,
// located at the file that declares the package inside the image. Ignored
// findings (ignore file, VEX, --ignore-unfixed) carry a SARIF suppression.
import type { Severity } from '../alerts/types.js';
import type { ScanReport, VulnerabilityFinding } from '../scan/types.js';

export interface SarifOptions {
  toolVersion?: string;
}

type Json = Record<string, unknown>;
type Level = 'error' | 'warning' | 'note';

const PKG_DB: Record<string, string> = {
  deb: 'var/lib/dpkg/status',
  apk: 'lib/apk/db/installed',
  rpm: 'var/lib/rpm/rpmdb.sqlite',
};

function levelOf(s: Severity | 'unknown'): Level {
  return s === 'critical' || s === 'high' ? 'error' : s === 'medium' ? 'warning' : 'note';
}

/** GitHub's `security-severity`: a CVSS-like 0-10 number as a string. */
function securitySeverity(v: VulnerabilityFinding): string {
  const scores = Object.values(v.cvss)
    .map((c) => c.score)
    .filter((x) => x > 0);
  if (scores.length) return Math.max(...scores).toFixed(1);
  return { critical: '9.5', high: '8.0', medium: '5.5', low: '2.0', info: '0.0', unknown: '0.0' }[v.severity];
}

function locationOf(uri: string, text: string): Json {
  return {
    physicalLocation: {
      artifactLocation: { uri: uri.replace(/^\/+/, ''), uriBaseId: 'ROOTPATH' },
      region: { startLine: 1, startColumn: 1, endLine: 1, endColumn: 1 },
    },
    message: { text },
  };
}

function helpUri(id: string): string {
  if (id.startsWith('CVE-')) return `https://nvd.nist.gov/vuln/detail/${id}`;
  if (id.startsWith('GHSA-')) return `https://github.com/advisories/${id}`;
  return `https://osv.dev/vulnerability/${encodeURIComponent(id)}`;
}

class Rules {
  readonly list: Json[] = [];
  private readonly index = new Map<string, number>();
  add(id: string, make: () => Json): number {
    let i = this.index.get(id);
    if (i === undefined) {
      i = this.list.length;
      this.list.push({ id, ...make() });
      this.index.set(id, i);
    }
    return i;
  }
}

export function toSarif(report: ScanReport, opts: SarifOptions = {}): Json {
  const rules = new Rules();
  const results: Json[] = [];
  for (const v of report.vulnerabilities) {
    const ruleIndex = rules.add(v.id, () => ({
      name: v.type === 'deb' || v.type === 'apk' || v.type === 'rpm' ? 'OsPackageVulnerability' : 'LanguageSpecificPackageVulnerability',
      shortDescription: { text: v.title || v.id },
      fullDescription: { text: v.description || v.title || v.id },
      defaultConfiguration: { level: levelOf(v.severity) },
      helpUri: helpUri(v.id),
      help: {
        text: `Vulnerability ${v.id}\nSeverity: ${v.severity}\nPackage: ${v.package}\nFixed version: ${v.fixedVersion || 'none'}\n${v.title}`,
        markdown: `**Vulnerability ${v.id}**\n| Severity | Package | Fixed Version |\n| --- | --- | --- |\n| ${v.severity} | ${v.package} | ${v.fixedVersion || 'none'} |\n\n${v.title}`,
      },
      properties: { tags: ['vulnerability', 'security', v.severity.toUpperCase()], precision: 'very-high', 'security-severity': securitySeverity(v) },
    }));
    const where = v.pkgPath ?? PKG_DB[v.type] ?? report.artifact.name;
    const fix = v.fixedVersion ? `Fixed version: ${v.fixedVersion}` : `No fixed version (${v.status})`;
    const r: Json = {
      ruleId: v.id,
      ruleIndex,
      level: levelOf(v.severity),
      message: { text: `Package: ${v.package}\nInstalled Version: ${v.installedVersion}\nVulnerability: ${v.id}\nSeverity: ${v.severity}\n${fix}` },
      locations: [locationOf(where, `${report.artifact.name}: ${v.package}@${v.installedVersion}`)],
      partialFingerprints: { 'vigil/v1': `${v.id}:${v.type}:${v.package}:${v.installedVersion}:${v.pkgPath ?? ''}` },
    };
    if (v.ignored) r.suppressions = [{ kind: 'external', status: 'accepted', justification: v.ignoreReason ?? 'ignored' }];
    results.push(r);
  }
  /** A secret, malware or baseline finding: its rule `kind/id` (added once) and one result. */
  const finding = (kind: string, id: string, severity: Severity, rule: { name: string; short: string; help?: string }, message: string, location: Json) => {
    const ruleId = `${kind}/${id}`;
    const ruleIndex = rules.add(ruleId, () => ({
      name: rule.name,
      shortDescription: { text: rule.short },
      ...(rule.help !== undefined ? { help: { text: rule.help } } : {}),
      defaultConfiguration: { level: levelOf(severity) },
      properties: { tags: [kind, 'security', severity.toUpperCase()] },
    }));
    results.push({ ruleId, ruleIndex, level: levelOf(severity), message: { text: message }, locations: [location] });
  };
  for (const s of report.secrets) {
    const at = {
      physicalLocation: { artifactLocation: { uri: s.file.replace(/^\/+/, ''), uriBaseId: 'ROOTPATH' }, region: { startLine: Math.max(1, s.line) } },
    };
    finding('secret', s.ruleId, s.severity, { name: 'Secret', short: s.title }, `${s.title}: ${s.match}`, at);
  }
  for (const m of report.malware) {
    const short = m.family ? `${m.rule} (${m.family})` : m.rule;
    finding('malware', m.rule, m.severity, { name: 'Malware', short }, `${m.rule} matched (sha256 ${m.sha256})`, locationOf(m.file, m.file));
  }
  for (const b of report.baseline)
    finding(
      'baseline',
      b.id,
      b.severity,
      { name: 'Baseline', short: b.title, help: b.remedy },
      `${b.title}: ${b.detail}`,
      locationOf(b.file ?? report.artifact.name, b.detail),
    );
  const properties: Json = { imageName: report.artifact.name };
  if (report.artifact.digest) properties.imageDigest = report.artifact.digest;
  if (report.artifact.repoTags?.length) properties.repoTags = report.artifact.repoTags;
  if (report.artifact.repoDigests?.length) properties.repoDigests = report.artifact.repoDigests;
  if (report.artifact.os) properties.os = `${report.artifact.os.family} ${report.artifact.os.version}`;
  return {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'Vigil',
            fullName: 'Vigil container security scanner',
            ...(opts.toolVersion ? { version: opts.toolVersion } : {}),
            rules: rules.list,
          },
        },
        results,
        // Notices (no vulnerability data for an OS, an unreadable package DB) are tool notifications: they limit the results.
        ...(report.notices?.length
          ? {
              invocations: [
                {
                  executionSuccessful: true,
                  toolExecutionNotifications: report.notices.map((n) => ({
                    level: 'warning',
                    message: { text: n.message },
                    descriptor: { id: `vigil/${n.kind}` },
                    ...(n.path ? { locations: [locationOf(n.path, n.message)] } : {}),
                  })),
                },
              ],
            }
          : {}),
        columnKind: 'utf16CodeUnits',
        originalUriBaseIds: { ROOTPATH: { uri: 'file:///' } },
        properties,
      },
    ],
  };
}
