// `vigil db import PATH...`, `vigil db update`, `vigil db info`: the
// vulnerability DB file. Implementations load lazily (src/node/vulndb).
import type { Command } from 'commander';
import { action } from '../exit.js';

const list = (s: string): string[] => s.split(',').map((x) => x.trim()).filter(Boolean);

export function register(program: Command): void {
  const db = program.command('db').description('Manage the vulnerability DB (an SQLite file; default under ~/.cache/vigil/db, env VIGIL_DB)');

  db.command('import')
    .description('Build or extend the DB from advisory files, offline: OSV JSON files, directories, OSV all.zip, Debian tracker JSON, Alpine secdb JSON, NVD API 2.0 JSON')
    .argument('<paths...>', 'files or directories')
    .option('--db <path>', 'DB file')
    .action(action(async (paths: string[], o: { db?: string }) => {
      const { defaultDbPath } = await import('../../node/vulndb/scan-vulns.js');
      const { DbWriter } = await import('../../node/vulndb/db.js');
      const { importPaths } = await import('../../node/vulndb/import.js');
      const path = o.db ?? defaultDbPath();
      const writer = DbWriter.open(path);
      let stats;
      try {
        stats = await importPaths(writer, paths);
        writer.commit();
      } catch (e) {
        writer.abort();
        throw e;
      }
      const formats = Object.entries(stats.formats).map(([k, v]) => `${k}: ${v}`).join(', ');
      process.stdout.write(`imported ${stats.advisories} advisories${stats.withdrawn ? ` (${stats.withdrawn} withdrawn removed)` : ''}, ${stats.cves} CVE enrichments from ${stats.files} documents (${formats || 'none'}) into ${path}\n`);
    }));

  db.command('update')
    .description('Download the public advisory feeds and replace the DB atomically')
    .option('--db <path>', 'DB file')
    .option('--sources <list>', 'feeds to download: osv,debian,alpine', list)
    .option('--osv-url <url>', 'OSV bucket base URL (env VIGIL_OSV_URL)')
    .option('--osv-ecosystems <list>', 'OSV ecosystems (all.zip per ecosystem)', list)
    .option('--debian-tracker-url <url>', 'Debian security tracker JSON URL (env VIGIL_DEBIAN_TRACKER_URL)')
    .option('--alpine-secdb-url <url>', 'Alpine secdb base URL (env VIGIL_ALPINE_SECDB_URL)')
    .option('--alpine-branches <list>', 'Alpine branches, e.g. v3.19,v3.20', list)
    .option('--max-download-size <bytes>', 'largest download accepted', (s) => Number(s))
    .action(action(async (o: { db?: string; sources?: string[]; osvUrl?: string; osvEcosystems?: string[]; debianTrackerUrl?: string; alpineSecdbUrl?: string; alpineBranches?: string[]; maxDownloadSize?: number }) => {
      const { defaultDbPath } = await import('../../node/vulndb/scan-vulns.js');
      const { updateDb } = await import('../../node/vulndb/update.js');
      const env = process.env;
      const path = o.db ?? defaultDbPath();
      const r = await updateDb({
        dbPath: path,
        ...(o.sources ? { sources: o.sources } : {}),
        ...(o.osvUrl ?? env.VIGIL_OSV_URL ? { osvUrl: o.osvUrl ?? env.VIGIL_OSV_URL } : {}),
        ...(o.osvEcosystems ? { osvEcosystems: o.osvEcosystems } : {}),
        ...(o.debianTrackerUrl ?? env.VIGIL_DEBIAN_TRACKER_URL ? { debianTrackerUrl: o.debianTrackerUrl ?? env.VIGIL_DEBIAN_TRACKER_URL } : {}),
        ...(o.alpineSecdbUrl ?? env.VIGIL_ALPINE_SECDB_URL ? { alpineSecdbUrl: o.alpineSecdbUrl ?? env.VIGIL_ALPINE_SECDB_URL } : {}),
        ...(o.alpineBranches ? { alpineBranches: o.alpineBranches } : {}),
        ...(o.maxDownloadSize && Number.isFinite(o.maxDownloadSize) ? { maxDownloadBytes: o.maxDownloadSize } : {}),
        log: (l) => process.stderr.write(`${l}\n`),
      });
      process.stdout.write(`updated ${path}: ${r.stats.advisories} advisories, ${r.stats.cves} CVE enrichments from ${r.downloads.length} downloads\n`);
    }));

  db.command('info')
    .description('Show the DB metadata (schema version, build time, sources and record counts) and the malware signatures (version, rule and hash counts)')
    .option('--db <path>', 'DB file')
    .option('--format <format>', 'table or json', 'table')
    .option('--malware-rules <path>', 'also count these user YARA rules / hash lists (repeatable)', (v: string, prev: string[] = []) => [...prev, v])
    .action(action(async (o: { db?: string; format: string; malwareRules?: string[] }) => {
      const { defaultDbPath } = await import('../../node/vulndb/scan-vulns.js');
      const { dbInfo, formatInfoTable } = await import('../../node/vulndb/info.js');
      const { signatureInfo, formatSignatureInfo } = await import('../../node/malware/info.js');
      const { UsageError } = await import('../exit.js');
      if (o.format !== 'table' && o.format !== 'json') throw new UsageError(`--format must be table or json, not "${o.format}"`);
      const info = dbInfo(o.db ?? defaultDbPath());
      const signatures = await signatureInfo(o.malwareRules ?? []);
      process.stdout.write(o.format === 'json' ? `${JSON.stringify({ ...info, signatures }, null, 2)}\n` : formatInfoTable(info) + '\n' + formatSignatureInfo(signatures));
    }));
}
