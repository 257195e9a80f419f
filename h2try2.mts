import { fuzz } from './test/fuzz/coverage-fuzzer.ts';
const module = new URL('./test/fuzz/coverage-toys.ts', import.meta.url);
const target = process.argv[2]!;
const r = await fuzz({ module, target, seconds: Number(process.argv[3] ?? 8), timeoutMs: Number(process.env.TMO ?? 500), memoryMb: 64, feedback: process.argv[4] !== 'nofb', stopOnFinding: true, batch: 64, maxExecs: 2_000_000, seed: Number(process.argv[5] ?? 1), log: (l) => console.log(l) });
console.log({ ...r, findings: r.findings.map((f) => [f.kind, f.message, f.input.toString('hex')]) });
