// `vigil db import PATH...`, `vigil db update`, `vigil db info`: the
// vulnerability DB file. Implementations load lazily (src/node/vulndb).
import type { Command } from 'commander';
import type { FeedOptionValues } from '../../core/feeds/index.js';
import { action } from '../exit.js';
import { collect } from '../options.js';

const list = (s: string): string[] =>
  s
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean);

/** commander's attribute of a flag: `--osv-url <url>` -> `osvUrl`. */
function optionAttr(flag: string): string {
  return flag
    .replace(/^--/, '')
    .split(/\s/, 1)[0]!
    .replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
}

export async function register(program: Command): Promise<void> {
  const db = program.command('db').description('Manage the vulnerability DB (an SQLite file; default under ~/.cache/vigil/db, env VIGIL_DB)');

  db.command('import')
    .description(
      'Build or extend the DB from advisory files, offline: OSV JSON files, directories, OSV all.zip, Debian tracker JSON, Alpine secdb JSON, NVD API 2.0 JSON',
    )
    .argument('<paths...>', 'files or directories')
    .option('--db <path>', 'DB file')
    .action(
      action(async (paths: string[], o: { db?: string }) => {
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
        const formats = Object.entries(stats.formats)
          .map(([k, v]) => `${k}: ${v}`)
          .join(', ');
        process.stdout.write(
          `imported ${stats.advisories} advisories${stats.withdrawn ? ` (${stats.withdrawn} withdrawn removed)` : ''}, ${stats.cves} CVE enrichments from ${stats.files} documents (${formats || 'none'}) into ${path}\n`,
        );
      }),
    );

  // The feeds, their `--sources` values and flags come from the feed index (src/core/feeds), loaded only when
  // `db update` is the command run (or its help shown): every other command starts without the feed modules.
  const update = db
    .command('update')
    .description('Download the public advisory feeds and replace the DB atomically')
    .option('--db <path>', 'DB file')
    .option('--sources <list>', 'feeds to download (default all)', list);
  const flags: Array<{ source: string; key: string; attr: string; env?: string }> = [];
  let feedOptionsAdded = false;
  db.hook('preSubcommand', async (_db, sub) => {
    if (sub !== update || feedOptionsAdded) return;
    feedOptionsAdded = true;
    const { advisoryFeeds } = await import('../../node/vulndb/feeds.js');
    const sources = (await advisoryFeeds()).updateSources();
    const opt = update.options.find((o) => o.long === '--sources');
    if (opt) opt.description = `feeds to download (default all): ${[...sources].map(([id, f]) => `${id} (${f.help})`).join(', ')}`;
    for (const [source, feed] of sources) {
      for (const o of feed.options) {
        const help = `${o.help}${o.env ? ` (env ${o.env})` : ''}`;
        if (o.list) update.option(o.flag, help, list);
        else update.option(o.flag, help);
        flags.push({ source, key: o.key, attr: optionAttr(o.flag), ...(o.env ? { env: o.env } : {}) });
      }
    }
  });
  update
    .option('--max-download-size <bytes>', 'largest download accepted', (s) => Number(s))
    .option(
      '--outbound-allow <list>',
      'loopback/private/link-local addresses or CIDR ranges the downloads may reach (comma-separated; refused by default, as for the server; env VIGIL_OUTBOUND_ALLOW)',
    )
    .action(
      action(async (o: Record<string, unknown> & { db?: string; sources?: string[]; maxDownloadSize?: number; outboundAllow?: string }) => {
        const { defaultDbPath } = await import('../../node/vulndb/scan-vulns.js');
        const { updateDb } = await import('../../node/vulndb/update.js');
        const feedOptions: Record<string, FeedOptionValues> = {};
        for (const f of flags) {
          const v = (o[f.attr] as string | string[] | undefined) ?? (f.env ? process.env[f.env] || undefined : undefined);
          if (v !== undefined) (feedOptions[f.source] ??= {})[f.key] = v;
        }
        const path = o.db ?? defaultDbPath();
        const r = await updateDb({
          dbPath: path,
          ...(o.sources ? { sources: o.sources } : {}),
          feedOptions,
          ...(o.maxDownloadSize && Number.isFinite(o.maxDownloadSize) ? { maxDownloadBytes: o.maxDownloadSize } : {}),
          outboundAllow: o.outboundAllow ?? process.env.VIGIL_OUTBOUND_ALLOW ?? '',
          log: (l) => process.stderr.write(`${l}\n`),
        });
        process.stdout.write(`updated ${path}: ${r.stats.advisories} advisories, ${r.stats.cves} CVE enrichments from ${r.downloads.length} downloads\n`);
      }),
    );

  db.command('info')
    .description('Show the DB metadata (schema version, build time, sources and record counts) and the malware signatures (version, rule and hash counts)')
    .option('--db <path>', 'DB file')
    .option('--format <format>', 'table or json', 'table')
    .option('--malware-rules <path>', 'also count these user YARA rules / hash lists (repeatable)', collect)
    .action(
      action(async (o: { db?: string; format: string; malwareRules?: string[] }) => {
        const { defaultDbPath } = await import('../../node/vulndb/scan-vulns.js');
        const { dbInfo, formatInfoTable } = await import('../../node/vulndb/info.js');
        const { signatureInfo, formatSignatureInfo } = await import('../../node/malware/info.js');
        const { UsageError } = await import('../exit.js');
        if (o.format !== 'table' && o.format !== 'json') throw new UsageError(`--format must be table or json, not "${o.format}"`);
        const info = dbInfo(o.db ?? defaultDbPath());
        const signatures = await signatureInfo(o.malwareRules ?? []);
        process.stdout.write(
          o.format === 'json' ? `${JSON.stringify({ ...info, signatures }, null, 2)}\n` : formatInfoTable(info) + '\n' + formatSignatureInfo(signatures),
        );
      }),
    );
}
