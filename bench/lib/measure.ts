// Timing a command for the SBOM benchmarks: wall clock, and peak RSS and CPU
// time (user + system) from GNU time (`/usr/bin/time`, Debian package `time`)
// when installed; medians.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { debianRootfs, VIGIL_CLI } from './debian-image.js';
import { ensureTrivy } from './trivy-peer.js';

const TIME = '/usr/bin/time';

export interface Sample {
  ms: number;
  rssKiB?: number;
  /** user + system CPU time: less sensitive than wall time to a loaded machine. */
  cpuMs?: number;
}

/** Run a command (output discarded), timing its wall clock; peak RSS and CPU time from GNU time when installed. */
export function measure(cmd: string, args: string[], env: NodeJS.ProcessEnv = process.env): Promise<Sample> {
  const useTime = existsSync(TIME);
  const [c, a] = useTime ? [TIME, ['-f', 'VIGIL_BENCH_RSS %M %U %S', cmd, ...args]] : [cmd, args];
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const p = spawn(c, a, { stdio: ['ignore', 'ignore', 'pipe'], env });
    let err = '';
    p.stderr.on('data', (d: Buffer) => {
      err = (err + d.toString()).slice(-20_000);
    });
    p.on('error', reject);
    p.on('close', (code) => {
      const ms = performance.now() - t0;
      if (code !== 0) return reject(new Error(`${cmd} ${args.join(' ')} exited ${code}: ${err.slice(-2000)}`));
      const m = /VIGIL_BENCH_RSS (\d+) ([\d.]+) ([\d.]+)/.exec(err);
      resolve({ ms, ...(m ? { rssKiB: Number(m[1]), cpuMs: (Number(m[2]) + Number(m[3])) * 1000 } : {}) });
    });
  });
}

export const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

/** `--rounds N` from the command line, else BENCH_ROUNDS, else `dflt`. */
export function roundsFromArgs(dflt = 5): number {
  const i = process.argv.indexOf('--rounds');
  return i > 0 ? Number(process.argv[i + 1]) : Number(process.env.BENCH_ROUNDS ?? dflt);
}

/** Median wall time, CPU time and peak RSS of a series, for printing. */
export function summary(xs: Sample[]): { ms: number; cpu: string; rss: string } {
  const cpu = xs.every((s) => s.cpuMs !== undefined) ? `${median(xs.map((s) => s.cpuMs!)).toFixed(0)} ms CPU` : 'CPU n/a';
  const r = xs.map((s) => s.rssKiB ?? 0);
  const rss = r.some(Boolean) ? `${(Math.max(...r) / 1024).toFixed(0)} MiB peak` : 'RSS n/a';
  return { ms: median(xs.map((s) => s.ms)), cpu, rss };
}

/** Ratio of the median CPU times of two series, when both have them. */
export function cpuRatio(a: Sample[], b: Sample[]): number | undefined {
  if (!a.every((s) => s.cpuMs !== undefined) || !b.every((s) => s.cpuMs !== undefined) || !a.length || !b.length) return undefined;
  return median(a.map((s) => s.cpuMs!)) / median(b.map((s) => s.cpuMs!));
}

/** `2 CPUs, load average 12.1 10.3 9.8`: printed with every result on the shared machine. */
export const loadAverageText = (): string =>
  `${cpus().length} CPUs, load average ${loadavg()
    .map((x) => x.toFixed(1))
    .join(' ')}`;

/** What every SBOM benchmark needs first: the Debian rootfs, the compiled CLI, the Trivy peer, a work directory; prints the machine's load. */
export async function sbomBenchSetup(prefix: string): Promise<{ base: string; trivy: string; work: string }> {
  const base = debianRootfs();
  if (!base) throw new Error('no Debian rootfs: set VIGIL_TEST_DEBIAN_ROOTFS (see .ci/run)');
  if (!existsSync(VIGIL_CLI)) throw new Error(`${VIGIL_CLI} missing: run \`npm run build\` first`);
  const trivy = ensureTrivy((s) => console.log(s));
  const work = await mkdtemp(join(tmpdir(), prefix));
  console.log(loadAverageText());
  return { base, trivy, work };
}

/** ` (1.23x in CPU time)`, or nothing without CPU times. */
export const cpuText = (x: number | undefined): string => (x === undefined ? '' : ` (${x.toFixed(2)}x in CPU time)`);

/** Prints each series' median wall time, CPU time and peak RSS, then each ratio of medians (wall, and CPU), against its target (at most) when it has one. */
export function printResults(rows: Array<[string, Sample[]]>, ratios: Array<{ label: string; a: Sample[]; b: Sample[]; target?: number }>): void {
  const w = Math.max(...rows.map(([l]) => l.length), ...ratios.map((r) => r.label.length)) + 2;
  console.log(`\nresults (median of ${rows[0]?.[1].length ?? 0}; ${loadAverageText()}):`);
  for (const [label, xs] of rows) {
    const s = summary(xs);
    console.log(`  ${label.padEnd(w)}${s.ms.toFixed(0)} ms  ${s.cpu}  ${s.rss}`);
  }
  for (const r of ratios) {
    const x = summary(r.a).ms / summary(r.b).ms;
    const verdict = r.target === undefined ? '' : ` (target <= ${r.target}x: ${x <= r.target ? 'met' : 'MISSED'})`;
    console.log(`  ${r.label.padEnd(w)}${x.toFixed(2)}x${cpuText(cpuRatio(r.a, r.b))}${verdict}`);
  }
}

/**
 * One `vigil sbom` series of the SBOM benches: a root, and the `--analyzers`
 * list when not all of them; or, with `command`, another command timed in
 * the same rounds (a floor such as `node -e 0`).
 */
export interface VigilSeries {
  label: string;
  root: string;
  analyzers?: string;
  command?: [string, ...string[]];
}

/**
 * The rounds both SBOM-against-Trivy benches run, interleaved (each round
 * runs every series once, the order rotated by one each round so that no
 * series always runs first): `trivy rootfs` of `trivyRoot` and each Vigil
 * series; then the medians and the ratios of `ratios` (indexes into
 * `vigil`, or 'trivy'), with their targets.
 */
export async function sbomRounds(o: {
  trivy: string;
  work: string;
  trivyRoot: string;
  trivyLabel: string;
  vigil: VigilSeries[];
  ratios: Array<{ label: string; a: number | 'trivy'; b: number | 'trivy'; target?: number }>;
  sameGo: boolean;
}): Promise<void> {
  const runs: Sample[][] = [[], ...o.vigil.map(() => [])];
  const run = (k: number): Promise<Sample> => {
    if (k === 0)
      return measure(o.trivy, [
        'rootfs',
        '--quiet',
        '--format',
        'cyclonedx',
        '--cache-dir',
        join(o.work, `tc${runs[0]!.length}`),
        '--output',
        join(o.work, 't.json'),
        o.trivyRoot,
      ]);
    const v = o.vigil[k - 1]!;
    if (v.command) return measure(v.command[0], v.command.slice(1));
    const args = [
      VIGIL_CLI,
      'sbom',
      '--format',
      'json',
      '--output',
      join(o.work, `v${k}.json`),
      ...(v.analyzers ? ['--analyzers', v.analyzers] : []),
      `rootfs:${v.root}`,
    ];
    return measure('node', args);
  };
  const rounds = roundsFromArgs();
  for (let r = 0; r < rounds; r++) {
    for (let i = 0; i < runs.length; i++) {
      const k = (i + r) % runs.length;
      runs[k]!.push(await run(k));
    }
    const last = (k: number): string => `${runs[k]![r]!.ms.toFixed(0)} ms / ${runs[k]![r]!.cpuMs?.toFixed(0) ?? '?'} ms CPU`;
    console.log(`  round ${r + 1}: trivy ${last(0)}, ${o.vigil.map((v, i) => `${v.label} ${last(i + 1)}`).join(', ')}`);
  }
  const series = (k: number | 'trivy'): Sample[] => runs[k === 'trivy' ? 0 : k + 1]!;
  printResults(
    [[o.trivyLabel, runs[0]!], ...o.vigil.map((v, i): [string, Sample[]] => [v.label, runs[i + 1]!])],
    o.ratios.map((r) => ({ label: r.label, a: series(r.a), b: series(r.b), ...(r.target !== undefined ? { target: r.target } : {}) })),
  );
  console.log(`  Go modules per binary: ${o.sameGo ? 'same as Trivy' : 'DIFFERENT'}`);
  if (!o.sameGo) process.exitCode = 1;
}
