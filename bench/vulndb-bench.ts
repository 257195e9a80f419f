// Vulnerability DB benchmark: `vigil db import` of 300k generated OSV records
// (per-ecosystem all.zip archives) against the physical floor of reading and
// JSON-parsing the same archives, the DB file size, and matching 10k
// installed packages against the DB. Targets: import < 60 s, file < 150 MB,
// matching < 0.5 s.
//   npm run build && node --import tsx bench/vulndb-bench.ts [--records 300000] [--packages 10000]
//   node --import tsx bench/vulndb-bench.ts --src   (runs the CLI from src/ through tsx, no build needed)
// Wall and CPU time are both printed: the machine is shared, so wall time
// alone says more about the load than about the code.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import yauzl from 'yauzl';
import { ECOSYSTEMS, generateZips, pkgName } from './vulndb-gen.js';

const arg = (name: string, def: number): number => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : Number(process.env[`BENCH_${name.toUpperCase()}`] ?? def);
};
const RECORDS = arg('records', 300_000);
const PACKAGES = arg('packages', 10_000);
const FROM_SRC = process.argv.includes('--src');
const cli = new URL(FROM_SRC ? '../src/cli/main.ts' : '../dist/cli/main.js', import.meta.url).pathname;
const cliArgs = FROM_SRC ? ['--import', 'tsx', cli] : [cli];
const lib = (p: string): string => (FROM_SRC ? `../src/${p}.ts` : `../dist/${p}.js`);

/** CPU seconds (user + system) of this process's waited-for children, from /proc (USER_HZ is 100 on Linux). */
function childrenCpu(): number {
  const stat = readFileSync('/proc/self/stat', 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // Fields 16 and 17 of stat(5) (cutime, cstime); f[0] is field 3.
  return (Number(f[13]) + Number(f[14])) / 100;
}

const cpuSeconds = (u: NodeJS.CpuUsage): number => (u.user + u.system) / 1e6;

/** The floor: read every zip entry (from memory) and JSON.parse it, nothing else. */
async function floor(files: string[]): Promise<number> {
  let n = 0;
  for (const f of files) {
    const buf = readFileSync(f);
    await new Promise<void>((resolve, reject) => {
      yauzl.fromBuffer(buf, { lazyEntries: true }, (err, zip) => {
        if (err || !zip) return reject(err);
        zip.on('entry', (e: yauzl.Entry) =>
          zip.openReadStream(e, (er, s) => {
            if (er || !s) return reject(er);
            const chunks: Buffer[] = [];
            s.on('data', (c: Buffer) => chunks.push(c));
            s.on('end', () => {
              JSON.parse(Buffer.concat(chunks).toString('utf8'));
              n++;
              zip.readEntry();
            });
          }),
        );
        zip.on('end', () => resolve());
        zip.readEntry();
      });
    });
  }
  return n;
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-bench-vulndb-'));
  try {
    let t = performance.now();
    const zips = generateZips(RECORDS);
    const files = zips.map((z) => {
      const p = join(dir, `${z.ecosystem.replace(/\W/g, '_')}-all.zip`);
      writeFileSync(p, z.zip);
      return p;
    });
    const zipBytes = zips.reduce((s, z) => s + z.zip.length, 0);
    console.log(
      `generated ${RECORDS} OSV records in ${files.length} all.zip files (${(zipBytes / 1e6).toFixed(1)} MB) in ${((performance.now() - t) / 1000).toFixed(1)} s`,
    );

    t = performance.now();
    const floorCpu0 = process.cpuUsage();
    const parsed = await floor(files);
    const floorS = (performance.now() - t) / 1000;
    const floorCpu = cpuSeconds(process.cpuUsage(floorCpu0));

    const db = join(dir, 'vigil.db');
    t = performance.now();
    const importCpu0 = childrenCpu();
    const r = spawnSync(process.execPath, [...cliArgs, 'db', 'import', ...files, '--db', db], { encoding: 'utf8' });
    const importS = (performance.now() - t) / 1000;
    const importCpu = childrenCpu() - importCpu0;
    if (r.status !== 0) throw new Error(`vigil db import failed: ${r.stderr}`);
    const size = statSync(db).size;

    // Matching: 10k packages over every ecosystem; a third of them have advisories, and
    // one in ten of those is installed at an old version (a realistic image: hundreds of findings).
    const { VulnDb } = await import(lib('node/vulndb/db'));
    const { matchPackages } = await import(lib('core/vulndb/match'));
    const osFor: Record<string, { family: string; version: string } | undefined> = {
      Debian: { family: 'debian', version: '12' },
      Ubuntu: { family: 'ubuntu', version: '22.04' },
      Alpine: { family: 'alpine', version: '3.19.1' },
      'Rocky Linux': { family: 'rocky', version: '9.3' },
    };
    const typeFor: Record<string, string> = { Debian: 'deb', Ubuntu: 'deb', Alpine: 'apk', 'Rocky Linux': 'rpm', npm: 'npm' };
    const versionFor: Record<string, string> = { deb: '1.0-1', apk: '1.0-r0', rpm: '1:1.0-1.el9', npm: '1.0.0' };
    const latestFor: Record<string, string> = { deb: '99.0-1', apk: '99.0-r0', rpm: '9:99.0-1.el9', npm: '99.0.0' };
    const groups = ECOSYSTEMS.map((e, gi) => ({
      os: osFor[e.name],
      packages: Array.from({ length: Math.round(PACKAGES / ECOSYSTEMS.length) }, (_, i) => {
        const type = typeFor[e.name]!;
        const name = i % 3 === 0 ? pkgName(e, i) : `unrelated${gi}-${i}`;
        return { type, name, version: i % 30 === 0 ? versionFor[type] : latestFor[type], sourceName: name };
      }),
    }));
    const vdb = VulnDb.open(db);
    // The first round reads the DB file cold (page cache, JIT); later rounds are what a server or a second scan sees.
    const rounds: number[] = [];
    let findings = 0;
    for (let round = 0; round < 3; round++) {
      t = performance.now();
      findings = 0;
      for (const g of groups) findings += matchPackages(g.packages, g.os, vdb).length;
      rounds.push((performance.now() - t) / 1000);
    }
    const matchS = Math.min(...rounds);
    vdb.close();

    const rows = [
      [
        'import (vigil db import)',
        `${importS.toFixed(1)} s`,
        `< 60 s`,
        `${(importS / floorS).toFixed(1)}x floor (read+parse ${floorS.toFixed(1)} s, ${parsed} records)`,
      ],
      [
        'import CPU (user+sys)',
        `${importCpu.toFixed(1)} s`,
        '',
        `${(importCpu / floorCpu).toFixed(1)}x floor CPU (${floorCpu.toFixed(1)} s)${FROM_SRC ? '; CLI run from src/ through tsx' : ''}`,
      ],
      ['DB file size', `${(size / 1e6).toFixed(1)} MB`, '< 150 MB', `${(size / zipBytes).toFixed(2)}x the compressed input`],
      [`match ${PACKAGES} packages`, `${matchS.toFixed(2)} s`, '< 0.5 s', `${findings} findings; first (cold) round ${rounds[0]!.toFixed(2)} s`],
    ];
    for (const row of rows) console.log(row.map((c, i) => c.padEnd([28, 10, 10, 0][i]!)).join('  '));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
