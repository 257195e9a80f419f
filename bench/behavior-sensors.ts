// Cost of the behaviour sensors (CPU sampler, account files) on the real
// /proc: CPU time per sample against a physical floor (reading every
// process's /proc/PID/stat and nothing else), and the share of one core
// that cost is at the default intervals. Rounds alternate the contenders.
//   node --import tsx bench/behavior-sensors.ts [--procs 500] [--rounds 30]
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { CpuSampler } from '../src/node/sensors/cpu-sampler.js';
import { AccountFilesSensor } from '../src/node/sensors/account-files.js';
import { ProcCache, ProcFs } from '../src/node/sensors/procfs.js';
import { ContainerResolver } from '../src/node/sensors/container-resolver.js';
import { behaviorThresholds } from '../src/core/behavior/thresholds.js';
import { defaultThresholds } from '../src/core/policy/thresholds.js';

const arg = (name: string, def: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : def;
};
const extra = arg('procs', 500);
const rounds = arg('rounds', 30);
const th = behaviorThresholds();

const kids: ChildProcess[] = [];
for (let i = 0; i < extra; i++) kids.push(spawn('sleep', ['600'], { stdio: 'ignore' }));
await new Promise((r) => setTimeout(r, 1000));

function cpuMs(f: () => void): number {
  const a = process.cpuUsage();
  f();
  const d = process.cpuUsage(a);
  return (d.user + d.system) / 1000;
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

const floor = () => {
  for (const n of readdirSync('/proc')) {
    if (!/^\d+$/.test(n)) continue;
    try {
      readFileSync(`/proc/${n}/stat`);
    } catch {
      // exited
    }
  }
};
const sampler = new CpuSampler({
  procs: new ProcCache(new ProcFs()),
  containers: new ContainerResolver(),
  host: 'bench',
  thresholds: th.cpu,
  level: () => defaultThresholds().cpu,
});
const accounts = new AccountFilesSensor({ containers: new ContainerResolver(), host: 'bench', thresholds: th.accounts });
const t = { floor: [] as number[], cpu: [] as number[], accounts: [] as number[] };
sampler.sample();
accounts.poll();
for (let r = 0; r < rounds; r++) {
  t.floor.push(cpuMs(floor));
  t.cpu.push(cpuMs(() => sampler.sample()));
  t.accounts.push(cpuMs(() => accounts.poll()));
}
const procs = readdirSync('/proc').filter((n) => /^\d+$/.test(n)).length;
for (const k of kids) k.kill('SIGKILL');

const f = median(t.floor);
const c = median(t.cpu);
const a = median(t.accounts);
console.log(`processes on the host: ${procs} (${extra} of them added sleeps), ${rounds} rounds, median CPU time per sample:`);
console.log(`  floor (read every /proc/PID/stat)   ${f.toFixed(2)} ms`);
console.log(`  CPU sampler                         ${c.toFixed(2)} ms  (${(c / f).toFixed(2)}x the floor)`);
console.log(`  account files (host + containers)   ${a.toFixed(2)} ms  (${(a / f).toFixed(2)}x the floor)`);
console.log(`share of one core at the default intervals:`);
console.log(`  CPU sampler every ${th.cpu.intervalMs} ms       ${((c / th.cpu.intervalMs) * 100).toFixed(3)} %`);
console.log(`  account files every ${th.accounts.intervalMs} ms     ${((a / th.accounts.intervalMs) * 100).toFixed(3)} %`);
