// Options several commands share, defined once: repeatable values, and the
// runtime sensor choice of `runtime watch` and `agent` with its check.
import type { Command } from 'commander';
import { UsageError } from './exit.js';

/** Commander's argument parser of a repeatable option: each use adds a value. */
export function collect(v: string, prev: string[] = []): string[] {
  return [...prev, v];
}

export type SensorKind = 'ebpf' | 'procfs';

/** `--sensor <kind>`: eBPF, or the procfs polling fallback. */
export function addSensorOption(cmd: Command): Command {
  return cmd.option('--sensor <kind>', 'ebpf, or procfs (polling fallback when eBPF is unavailable)', 'ebpf');
}

/** The `--sensor` value, or a usage error naming it. */
export function sensorOf(opts: Record<string, unknown>): SensorKind {
  const sensor = String(opts.sensor);
  if (sensor !== 'ebpf' && sensor !== 'procfs') throw new UsageError(`--sensor must be ebpf or procfs, not ${sensor}`);
  return sensor;
}
