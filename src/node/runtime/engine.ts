// The detection engine as runtime watch uses it: the built-in rules plus the
// user's rule files and threat-IP list, compiled once, fed one event at a
// time. Owns only the binding to the engine's public API
// (src/core/rules/index.ts, src/node/rules/load.ts); rule load errors become
// one-line InputErrors. Policies are not passed to the engine: runtime watch
// evaluates them itself (src/core/policy), because it must learn whitelists
// and kill before anything else runs; the engine's process-whitelist and
// file-protection detectors delegate to that same decision, so both agree.
import { readFileSync, statSync } from 'node:fs';
import type { Alert } from '../../core/alerts/types.js';
import type { EngineEvent } from '../../core/rules/event.js';
import { InputError } from '../../core/errors.js';
import { Engine, parseThreatIpList, type Diagnostic, type LoadResult } from '../../core/rules/index.js';
import { loadBuiltinRules, loadRuleFiles } from '../rules/load.js';

export interface EngineLike {
  process(e: EngineEvent): Alert[];
  /** Evict expired aggregation windows. */
  flush?(nowMs: number): void;
  /** Number of loaded rules, for the start line. */
  readonly ruleCount: number;
}

export interface EngineLoadOptions {
  ruleFiles?: string[];
  threatIpsFile?: string;
  host: string;
  /** Load the built-in rules (default true). */
  builtin?: boolean;
}

export const THREAT_IPS_MAX_BYTES = 64 * 1024 * 1024;

function firstError(r: LoadResult): Diagnostic | undefined {
  return r.diagnostics.find((d) => d.severity === 'error');
}

export async function loadEngine(o: EngineLoadOptions): Promise<EngineLike> {
  const sets = [];
  if (o.builtin !== false) {
    const builtin = await loadBuiltinRules();
    const bErr = firstError(builtin);
    if (bErr) throw new InputError('RULES_INVALID', `${bErr.message} (${bErr.code})`, `${bErr.file}:${bErr.line}`);
    sets.push(builtin.ruleset);
  }
  if (o.ruleFiles?.length) {
    const user = await loadRuleFiles(o.ruleFiles, { source: 'syscall' });
    const err = firstError(user);
    if (err) throw new InputError('RULES_INVALID', `${err.message} (${err.code})`, `${err.file}:${err.line}:${err.column}`);
    sets.push(user.ruleset);
  }
  let threatIps;
  if (o.threatIpsFile) {
    let size: number;
    try {
      size = statSync(o.threatIpsFile).size;
    } catch (e) {
      throw new InputError('THREAT_IPS_UNREADABLE', `cannot read: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, o.threatIpsFile);
    }
    if (size > THREAT_IPS_MAX_BYTES) throw new InputError('THREAT_IPS_TOO_LARGE', `larger than ${THREAT_IPS_MAX_BYTES} bytes`, o.threatIpsFile);
    threatIps = parseThreatIpList(readFileSync(o.threatIpsFile, 'utf8'), o.threatIpsFile);
  }
  const engine = new Engine(sets, { host: o.host, ...(threatIps ? { threatIps } : {}) });
  return { process: (e) => engine.process(e), flush: (now) => engine.flush(now), ruleCount: engine.rules.length };
}
