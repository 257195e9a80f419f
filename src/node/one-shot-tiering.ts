// V8's tiering for a one-shot command (`vigil sbom`, `vigil scan`): a run of
// a few seconds. By default V8 optimizes a function with TurboFan, on
// background threads, as soon as it has run a little; on the application
// image of bench/app-image-bench.ts those compilations cost ~0.3-0.5 s of
// CPU (a quarter of `vigil sbom`, measured with `perf` per thread: four V8
// threads in TurboFan's graph reducers) for code that then runs for a few
// hundred milliseconds. A larger interrupt budget (the bytecode a function
// runs between tiering checks: 67,584 by default, here ~15x that) makes V8
// wait longer before optimizing, so only what stays hot in a long run (the
// walk of a large tree) is compiled. Long-running commands (server, agent)
// keep V8's defaults.
import { setFlagsFromString } from 'node:v8';

/** The interrupt budget of a one-shot command. */
export const ONE_SHOT_INTERRUPT_BUDGET = 1_000_000;

/** Makes V8 tier up later, for the rest of this process (workers started after it included). */
export function oneShotTiering(): void {
  setFlagsFromString(`--interrupt-budget=${ONE_SHOT_INTERRUPT_BUDGET}`);
}
