// Benchmark: runtime events per CPU-second through the whole built-in
// ruleset and detectors, (a) on events already normalised in memory and
// (b) from JSON lines (JSON.parse + engine), against the floor of (b):
// JSON.parse alone. Also prints the ratio to Falco's published ceiling of
// about 320k syscalls/s on 2 CPUs (160k per core). Target: >= 1M events/s/core.
//
//   node --import tsx bench/engine.ts [--events 300000] [--rounds 5]
import { generateEvents } from './engine-gen.js';
import { Engine, loadRuleset, DEFAULT_THREAT_IPS } from '../src/core/rules/index.js';
import type { SyscallEvent } from '../src/core/events/event.js';
import { builtinRuleFiles } from '../src/node/rules/load.js';

const arg = (name: string, def: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : Number(process.env[`BENCH_${name.toUpperCase()}`] ?? def);
};
const N = arg('events', 300_000);
const ROUNDS = arg('rounds', 5);
const FALCO_PER_CORE = 320_000 / 2;

const cpu = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

async function main(): Promise<void> {
  const { ruleset, diagnostics } = loadRuleset(await builtinRuleFiles(), { builtin: true });
  if (diagnostics.length) throw new Error(`built-in rules have diagnostics: ${diagnostics[0]!.message}`);
  const events = generateEvents(N);
  const lines = events.map((e) => JSON.stringify(e));
  const bytes = lines.reduce((s, l) => s + l.length + 1, 0);
  const types = new Map<string, number>();
  for (const e of events) types.set(e.type, (types.get(e.type) ?? 0) + 1);
  console.log(
    `${N} events, ${Math.round(bytes / N)} B/event as JSON; mix: ${[...types]
      .sort((a, b) => b[1] - a[1])
      .map(([t, n]) => `${t} ${((n / N) * 100).toFixed(1)}%`)
      .join(', ')}`,
  );
  console.log(`ruleset ${ruleset.version}: ${ruleset.rules.length} rules + detectors, threat list ${DEFAULT_THREAT_IPS.length} range(s)`);
  const mk = () => new Engine(ruleset, { host: 'bench', threatIps: [...DEFAULT_THREAT_IPS], newId: () => 'x' });
  const res = { floor: [] as number[], norm: [] as number[], json: [] as number[] };
  let alerts = 0;
  for (let round = 0; round < ROUNDS; round++) {
    // Fresh event objects each round: the engine caches derived strings on
    // events, and a recorded stream never repeats an object.
    const fresh: SyscallEvent[] = lines.map((l) => JSON.parse(l) as SyscallEvent);
    let t = cpu();
    let n = 0;
    for (const l of lines) {
      if (JSON.parse(l)) n++;
    }
    res.floor.push(cpu() - t);
    const en = mk();
    t = cpu();
    let a = 0;
    for (let i = 0; i < fresh.length; i++) a += en.process(fresh[i]!).length;
    res.norm.push(cpu() - t);
    const en2 = mk();
    t = cpu();
    for (const l of lines) a += en2.process(JSON.parse(l) as SyscallEvent).length;
    res.json.push(cpu() - t);
    alerts = a / 2;
    if (n !== N) throw new Error('floor count');
  }
  const rate = (ms: number) => (N / ms) * 1000;
  const f = median(res.floor);
  const nm = median(res.norm);
  const js = median(res.json);
  console.log(`floor  JSON.parse only                 median ${f.toFixed(0)} ms CPU  ${fmt(rate(f))} events/CPU-s`);
  console.log(`vigil  normalised events -> engine     median ${nm.toFixed(0)} ms CPU  ${fmt(rate(nm))} events/CPU-s  (${alerts} alerts)`);
  console.log(`vigil  JSON lines -> parse -> engine   median ${js.toFixed(0)} ms CPU  ${fmt(rate(js))} events/CPU-s`);
  console.log(
    `ratio JSON path / floor: ${(js / f).toFixed(2)}x; vs Falco's ~160k syscalls/s/core: ${(rate(nm) / FALCO_PER_CORE).toFixed(1)}x (normalised), ${(rate(js) / FALCO_PER_CORE).toFixed(1)}x (JSON)`,
  );
  console.log(`target >= 1,000,000 events/s/core: normalised ${rate(nm) >= 1e6 ? 'met' : 'NOT met'}, JSON ${rate(js) >= 1e6 ? 'met' : 'NOT met'}`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
