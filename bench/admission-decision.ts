// The admission decision path in one process, without HTTP or TLS: what
// `vigil admission webhook` does per review once the body is read
// (JSON.parse, the review's uid, the workload adapter, image facts from a
// warm cache, both example policies over every container, metrics, the
// alerts of denied reviews, the response JSON) against the floor that any
// webhook pays: JSON.parse of the same review and JSON.stringify of a fixed
// "allowed" answer. Policy loading (reading and validating both example
// files) is a start-up cost and is timed on its own.
// Reports CPU per review (process.cpuUsage), the per-review latency
// distribution (p50/p99/max of process.hrtime around each review), and ratios.
// Usage: node --import tsx bench/admission-decision.ts [--reviews 20000] [--rounds 5]
import { fileURLToPath } from 'node:url';
import { cpus, loadavg } from 'node:os';
import { parseAdmissionReview, reviewResponse, reviewUid } from '../src/core/admission/review.js';
import { FactsTable } from '../src/core/admission/facts.js';
import { AdmissionService, LocalSource, loadPolicyFiles } from '../src/node/admission/service.js';
import { factsImages, review } from './lib/admission-reviews.js';

const arg = (n: string, d: number) => {
  const i = process.argv.indexOf(`--${n}`);
  return i > 0 ? Number(process.argv[i + 1]) : d;
};
const N = arg('reviews', 20_000);
const ROUNDS = arg('rounds', 5);
const ex = (n: string) => fileURLToPath(new URL(`../examples/admission/${n}`, import.meta.url));

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const pct = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))]!;

interface Round {
  cpuUsPerReview: number;
  lat: number[];
  denied: number;
}

async function main(): Promise<void> {
  console.log(
    `# admission-decision: ${N} reviews x ${ROUNDS} rounds, ${cpus().length} CPUs, load ${loadavg()
      .map((x) => x.toFixed(1))
      .join(' ')}`,
  );
  const files = [ex('block-dangerous-settings.yaml'), ex('block-critical-vulns.yaml')];
  const loads: number[] = [];
  for (let i = 0; i < 20; i++) {
    const c = process.cpuUsage();
    await loadPolicyFiles(files);
    const u = process.cpuUsage(c);
    loads.push((u.user + u.system) / 1000);
  }
  const policies = await loadPolicyFiles(files);
  const facts = new FactsTable();
  for (const [ref, f] of Object.entries(factsImages(new Date()))) facts.set(ref, f as Parameters<FactsTable['set']>[1]);
  let alerts = 0;
  const service = new AdmissionService({ source: new LocalSource(policies, facts), onAlerts: (a) => (alerts += a.length) });
  const bodies = Array.from({ length: 1000 }, (_, i) => review(i));

  const vigil = async (): Promise<Round> => {
    const lat: number[] = [];
    let denied = 0;
    const c = process.cpuUsage();
    for (let i = 0; i < N; i++) {
      const t0 = process.hrtime.bigint();
      const v = JSON.parse(bodies[i % bodies.length]!) as unknown;
      const uid = reviewUid(v)!;
      const r = parseAdmissionReview(v);
      const d = await service.decide({ target: 'kubernetes', specs: r.specs });
      service.record(d, { target: 'kubernetes', namespace: r.namespace, workload: r.name, kind: r.kind, user: r.user, operation: r.operation }, r.dryRun, 0);
      const out = JSON.stringify(reviewResponse(uid, d));
      if (!d.allowed) denied++;
      if (out.length === 0) throw new Error('empty response');
      lat.push(Number(process.hrtime.bigint() - t0) / 1e3);
    }
    const u = process.cpuUsage(c);
    return { cpuUsPerReview: (u.user + u.system) / N, lat, denied };
  };
  const floor = async (): Promise<Round> => {
    const lat: number[] = [];
    const c = process.cpuUsage();
    for (let i = 0; i < N; i++) {
      const t0 = process.hrtime.bigint();
      const v = JSON.parse(bodies[i % bodies.length]!) as { request: { uid: string } };
      const out = JSON.stringify({ apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', response: { uid: v.request.uid, allowed: true } });
      if (out.length === 0) throw new Error('empty response');
      await Promise.resolve();
      lat.push(Number(process.hrtime.bigint() - t0) / 1e3);
    }
    const u = process.cpuUsage(c);
    return { cpuUsPerReview: (u.user + u.system) / N, lat, denied: 0 };
  };

  // Warm-up (JIT), then alternate.
  await vigil();
  await floor();
  const vs: Round[] = [];
  const fs: Round[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    vs.push(await vigil());
    fs.push(await floor());
  }
  const show = (name: string, rs: Round[]) => {
    const lat = rs.flatMap((r) => r.lat).sort((a, b) => a - b);
    const cpu = median(rs.map((r) => r.cpuUsPerReview));
    console.log(
      `${name.padEnd(62)} CPU ${cpu.toFixed(1).padStart(6)} us/review  p50 ${pct(lat, 50).toFixed(1)} us  p99 ${pct(lat, 99).toFixed(1)} us  max ${lat[lat.length - 1]!.toFixed(0)} us`,
    );
    return cpu;
  };
  const fc = show('floor: JSON.parse + fixed answer', fs);
  const vc = show('vigil: parse + adapter + facts + 2 policies + metrics/alerts + answer', vs);
  console.log(`ratio (CPU per review): ${(vc / fc).toFixed(2)}x the floor; denied ${vs[0]!.denied} of ${N} per round; ${alerts} alerts built`);
  console.log(`policy load (read + parse + validate both example files): median ${median(loads).toFixed(2)} ms CPU, once at start`);
  console.log(`one core at this CPU cost: ${Math.floor(1e6 / vc)} reviews/s (target: 500/s with p99 < 10 ms)`);
}

await main();
