// How the content scanners' findings (malware, secrets, baseline, unowned
// files) appear in the table and CycloneDX writers. Kept apart from the
// writers so each writer only calls in. SARIF carries them as results (sarif.ts).
import type { FileFinding, ScanReport } from '../scan/types.js';
import type { Row } from './text-table.js';

type Json = Record<string, unknown>;

function short(d: string | undefined): string {
  if (!d) return '';
  const i = d.indexOf(':');
  return i >= 0 ? d.slice(i + 1, i + 13) : d.slice(0, 12);
}

function layerCell(l: { index: number; digest: string } | undefined, deleted?: boolean): string {
  if (!l) return '';
  return `${l.index} ${short(l.digest)}${deleted ? ' (deleted later)' : ''}`;
}

function fileFlags(f: FileFinding): string {
  return [f.setuid ? 'setuid' : '', f.executable ? 'exec' : ''].filter(Boolean).join(',');
}

/** Table sections: title, rows, headers; a section with no rows is left out by the caller. */
export function contentTableSections(r: ScanReport): Array<[string, Row[], string[]]> {
  const shownFiles = r.files.filter((f) => !f.noise);
  const noise = r.files.length - shownFiles.length;
  // Unowned files grouped by directory: the directory is shown on its first file only.
  let prevDir = '';
  const fileRows: Row[] = shownFiles.map((f) => {
    const dir = f.dir ?? f.path.slice(0, f.path.lastIndexOf('/'));
    const cell = dir === prevDir ? '' : dir;
    prevDir = dir;
    return [
      cell,
      f.path.slice(f.path.lastIndexOf('/') + 1),
      String(f.size),
      (f.mode & 0o7777).toString(8).padStart(4, '0'),
      fileFlags(f),
      layerCell(f.layer),
      f.sha256 ? f.sha256.slice(0, 16) : '',
    ];
  });
  return [
    [
      'Malware',
      r.malware.map((m) => [m.file, m.rule, m.family ?? '', m.severity, m.alertType, layerCell(m.layer, m.deleted)]),
      ['File', 'Rule', 'Family', 'Severity', 'Alert type', 'Layer'],
    ],
    [
      'Secrets',
      r.secrets.map((s) => [`${s.file}:${s.line}`, s.ruleId, s.severity, s.match, layerCell(s.layer, s.deleted)]),
      ['Location', 'Rule', 'Severity', 'Match (masked)', 'Layer'],
    ],
    ['Baseline', r.baseline.map((b) => [b.id, b.severity, b.title, b.detail, b.reference ?? '']), ['Check', 'Severity', 'Title', 'Detail', 'Reference']],
    [
      `Unowned files${noise ? ` (and ${noise} expected ones explained by noise rules: --format json lists them)` : ''}`,
      fileRows,
      ['Directory', 'File', 'Size', 'Mode', 'Flags', 'Layer', 'SHA-256'],
    ],
  ];
}

/**
 * CycloneDX: unowned files and files with malware as `file` components with
 * their SHA-256 and `vigil:*` properties (CycloneDX has no section for
 * secrets or configuration checks; JSON and SARIF carry those).
 */
export function contentCycloneDxComponents(r: ScanReport): Json[] {
  const byPath = new Map<string, { file?: FileFinding; malware: ScanReport['malware'] }>();
  for (const f of r.files) byPath.set(f.path, { file: f, malware: [] });
  for (const m of r.malware) {
    const e = byPath.get(m.file) ?? { malware: [] };
    e.malware.push(m);
    byPath.set(m.file, e);
  }
  const out: Json[] = [];
  for (const [path, e] of [...byPath].sort((a, b) => a[0].localeCompare(b[0]))) {
    const sha = e.file?.sha256 ?? e.malware[0]?.sha256;
    const props: Json[] = [{ name: 'vigil:file:path', value: path }];
    if (e.file) {
      props.push(
        { name: 'vigil:file:unowned', value: 'true' },
        { name: 'vigil:file:size', value: String(e.file.size) },
        { name: 'vigil:file:mode', value: (e.file.mode & 0o7777).toString(8).padStart(4, '0') },
      );
      if (e.file.setuid) props.push({ name: 'vigil:file:setuid', value: 'true' });
      if (e.file.executable) props.push({ name: 'vigil:file:executable', value: 'true' });
      if (e.file.noise) props.push({ name: 'vigil:file:noise', value: e.file.noise });
    }
    const layer = e.file?.layer ?? e.malware[0]?.layer;
    if (layer) props.push({ name: 'vigil:layer:digest', value: layer.digest });
    for (const m of e.malware) {
      props.push(
        { name: 'vigil:malware:rule', value: m.rule },
        { name: 'vigil:malware:alert-type', value: m.alertType },
        { name: 'vigil:malware:severity', value: m.severity },
      );
      if (m.family) props.push({ name: 'vigil:malware:family', value: m.family });
    }
    const c: Json = { 'bom-ref': `file:${path}`, type: 'file', name: path, properties: props };
    if (sha) c.hashes = [{ alg: 'SHA-256', content: sha }];
    out.push(c);
  }
  return out;
}
