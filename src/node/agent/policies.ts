// The agent's policies from the server (docs/agent.md): each policy set the
// server pushes (src/core/policy/pushed.ts) is checked, merged with the
// node's own --policy file (a local policy wins over a pushed one of the same
// name), applied to the running pipeline's PolicyStage at once, and saved to
// <data-dir>/policies.json so a restart without the server applies the last
// set it had. A set that does not validate is refused as a whole (the
// previous one stays) and reported to the server. The set's detection
// policies, merged the same way with the --policy file's, retune the running
// rule engine (the path `runtime watch --policy` takes at start, live: types
// off, severities, thresholds, allowlists, scopes); what the engine then
// applies is written to <data-dir>/detection-effective.json (the JSON of
// `vigil rules effective`). The set's custom rule files and threat-IP entries
// (docs/rules.md) rebuild the engine the same way: each file its own rule
// set next to the built-in and --rules ones, the entries added to the
// --threat-ips list; saved with the set, so they apply offline after a restart.
import { join } from 'node:path';
import { validatePolicyDocument, protectedPaths, type PolicyDocument } from '../../core/policy/model.js';
import { validateDetectionPolicy, type DetectionPolicy } from '../../core/policy/detection.js';
import { PUSHED_FORMAT, type PushedPolicies } from '../../core/policy/pushed.js';
import { readLearnedDecisions } from '../../core/policy/learned.js';
import type { PolicyStage } from '../../core/policy/stage.js';
import type { EffectiveConfig } from '../../core/rules/tuning.js';
import type { LiveDetection } from '../runtime/engine.js';
import { MAX_MESSAGE_BYTES, type ThreatListChunk } from './proto.js';
import { ThreatListAssembler, MAX_THREAT_LIST_ENTRIES } from './threat-list.js';
import { writeFileDurable } from './durable-file.js';
import { MAX_SAVED_SET_BYTES, readSavedSetText, SERVER_RULE_PREFIX } from './saved-set.js';
import { createHash } from 'node:crypto';
import { loadRuleset, type Ruleset } from '../../core/rules/index.js';
import { cidrSet } from '../../core/rules/cidr.js';
import type { EngineExtra } from '../runtime/engine.js';

/** Bounds of what the agent takes from one set (the server's own limits are lower). */
const MAX_PUSHED_RULE_FILES = 100;
const MAX_PUSHED_THREAT_IPS = MAX_THREAT_LIST_ENTRIES;

/** What the engine took from the server's rules and threat list (written with the effective configuration). */
export interface ServerIntelSummary {
  ruleFiles: Array<{ name: string; rules: number }>;
  threatIps: number;
}

const intelDigest = (set: PushedPolicies): string =>
  createHash('sha256')
    .update(JSON.stringify([set.rules ?? [], set.threatIps ?? []]))
    .digest('hex');

export interface AppliedPolicies {
  revision: string;
  /** Runtime policies now in force (local and pushed). */
  count: number;
  /** Detection policies now in force (local and pushed). */
  detection?: number;
  error?: string;
  /** Kept until the pipeline starts. */
  deferred?: boolean;
}

export class AgentPolicies {
  private stage?: PolicyStage;
  private local: PolicyDocument = { policies: [] };
  private probe: readonly string[] | undefined;
  private detection?: LiveDetection;
  /** The pushed detection policies, rules and threat list in force: an unchanged set does not rebuild the engine. */
  private detectionKey = '';
  /** Digest of the server's rules and threat list in force ('' before any). */
  private intelKey = '';
  private intelSummary?: ServerIntelSummary;
  private pending?: string;
  private pendingLimit = MAX_MESSAGE_BYTES;
  /** Packed threat lists from the server (ThreatList chunks): the last complete one. */
  private readonly lists = new ThreatListAssembler();
  /** Told of every set applied (or refused) once the pipeline runs. */
  onApplied?: (r: AppliedPolicies) => void;
  /** The last set applied. */
  current?: PushedPolicies;
  readonly file: string;
  /** Where the effective detection configuration is written after each change. */
  readonly effectiveFile: string;

  constructor(
    dataDir: string,
    private readonly notice: (line: string) => void,
  ) {
    this.file = join(dataDir, 'policies.json');
    this.effectiveFile = join(dataDir, 'detection-effective.json');
  }

  /** Protected paths of the saved set (the eBPF probe compiles them in at start). */
  savedProtectedPaths(): string[] {
    try {
      const set = JSON.parse(readSavedSetText(this.file) ?? '') as PushedPolicies;
      return protectedPaths(validatePolicyDocument(set.runtime, this.file));
    } catch {
      return [];
    }
  }

  /** The pipeline's stage (its document now is the local policy file's) and engine; applies the saved set, if any. */
  bind(stage: PolicyStage, probe: { protectedPrefixes: readonly string[] | undefined }, detection?: LiveDetection): void {
    this.stage = stage;
    this.local = stage.doc;
    this.probe = probe.protectedPrefixes;
    if (detection) {
      this.detection = detection;
      this.writeEffective(detection.apply(detection.local));
    }
    const pending = this.pending;
    this.pending = undefined;
    if (pending !== undefined) {
      this.onApplied?.(this.apply(pending, true, this.pendingLimit));
      return;
    }
    let saved: string | undefined;
    try {
      saved = readSavedSetText(this.file);
    } catch (e) {
      this.notice(`ignoring the saved policies: ${(e as Error).message}`);
      return;
    }
    if (saved === undefined) return;
    const r = this.apply(saved, false, MAX_SAVED_SET_BYTES);
    if (r.error) this.notice(`ignoring the saved policies ${this.file}: ${r.error}`);
    else this.notice(`applied the saved policies (revision ${r.revision.slice(0, 19)}, ${r.count} runtime policies) until the server sends its own`);
  }

  /** The server's decisions on learned entries: forgotten from the learn state (accepted ones are whitelisted by then, rejected ones alert again). */
  forgetLearned(json: string): void {
    if (!this.stage) return;
    let decisions;
    try {
      decisions = readLearnedDecisions(json, 'learned decisions from the server');
    } catch (e) {
      this.notice((e as Error).message);
      return;
    }
    if (this.stage.forget(decisions))
      this.notice(
        `learned entries decided by the server: ${decisions.filter((d) => d.decision === 'accepted').length} accepted, ${decisions.filter((d) => d.decision === 'rejected').length} rejected`,
      );
  }

  /** A chunk of the packed threat list the next set names (ServerMessage.threatList). */
  threatListChunk(c: ThreatListChunk): void {
    const r = this.lists.add(c);
    if (r.error) this.notice(`${r.error}; the set that names it is refused`);
  }

  /** One `policies` command (or the saved file, up to MAX_SAVED_SET_BYTES): validate, merge, save, apply. */
  apply(input: string, save = true, limit = MAX_MESSAGE_BYTES): AppliedPolicies {
    const fail = (error: string): AppliedPolicies => ({ revision: this.current?.revision ?? '', count: this.stage?.doc.policies.length ?? 0, error });
    if (input.length > limit) return fail(`policy set larger than ${limit} bytes`);
    let set: PushedPolicies;
    try {
      set = JSON.parse(input) as PushedPolicies;
    } catch {
      return fail('policy set is not JSON');
    }
    if (!set || typeof set !== 'object' || set.format !== PUSHED_FORMAT || typeof set.revision !== 'string')
      return fail(`unsupported policy set (format ${JSON.stringify((set as { format?: unknown })?.format)}; this agent reads format ${PUSHED_FORMAT})`);
    // A packed threat list (sent in chunks before the set): the set is saved and applied with the list in it.
    let json = input;
    if (set.threatList !== undefined) {
      const digest = String((set.threatList as { digest?: unknown })?.digest ?? '');
      const list = this.lists.list(digest);
      if (!list) return fail(`the threat list ${digest.slice(0, 12)} the set names was not received whole`);
      const { threatList: _t, ...rest } = set;
      set = { ...rest, threatIps: list };
      json = JSON.stringify(set);
    }
    let pushed: PolicyDocument;
    let pushedDetection: DetectionPolicy[];
    try {
      pushed = validatePolicyDocument(set.runtime, 'pushed policies');
      if (set.detection !== undefined && !Array.isArray(set.detection)) throw new Error('pushed detection policies: expected a list');
      pushedDetection = (set.detection ?? []).map((p, i) => validateDetectionPolicy(p, `pushed detection policies[${i}]`));
    } catch (e) {
      return fail((e as Error).message);
    }
    const localNames = new Set(this.local.policies.map((p) => p.name));
    const shadowed = pushed.policies.filter((p) => localNames.has(p.name)).map((p) => p.name);
    if (shadowed.length) this.notice(`the local --policy file overrides pushed policies ${shadowed.join(', ')}`);
    const doc: PolicyDocument = { policies: [...this.local.policies, ...pushed.policies.filter((p) => !localNames.has(p.name))] };
    if (!this.stage) {
      // Arrived before the pipeline started: applied by bind().
      this.pending = json;
      this.pendingLimit = Math.max(limit, json.length);
      return { revision: set.revision, count: 0, deferred: true };
    }
    // Saved (durably) before anything says it is applied: the log line and PolicyApplied mean the set survives a restart.
    if (save) {
      try {
        writeFileDurable(this.file, json);
      } catch (e) {
        this.notice(`cannot save the policies to ${this.file}: ${(e as Error).message}`);
      }
    }
    this.stage.replace(doc);
    this.current = set;
    const detectionCount = this.applyDetection(pushedDetection, JSON.stringify(set.detection ?? []), set);
    if (this.probe) {
      const outside = protectedPaths(doc).filter((p) => !this.probe!.some((x) => `${p}/`.startsWith(x) || p === x));
      if (outside.length)
        this.notice(
          `file protection of ${outside.join(', ')} needs an agent restart (the eBPF probe filters opens by path; it watches them from the next start)`,
        );
    }
    for (const x of set.inactive ?? []) this.notice(`policy ${String(x.name).slice(0, 128)} is not applied: ${String(x.why).slice(0, 200)}`);
    return { revision: set.revision, count: doc.policies.length, ...(detectionCount !== undefined ? { detection: detectionCount } : {}) };
  }

  /**
   * Local detection policies first (they win by name), then the pushed ones, with the server's rule files and
   * threat-IP entries; the engine is rebuilt only when one of them changed.
   */
  private applyDetection(pushed: DetectionPolicy[], detectionKey: string, set: PushedPolicies): number | undefined {
    const d = this.detection;
    if (!d) return undefined;
    const localNames = new Set(d.local.map((p) => p.name));
    const merged = [...d.local, ...pushed.filter((p) => !localNames.has(p.name))];
    // A set without them (an older server) keeps what the engine has.
    const intelKey = set.rules === undefined && set.threatIps === undefined ? this.intelKey : intelDigest(set);
    const key = `${detectionKey}\u0000${intelKey}`;
    if (key !== this.detectionKey) {
      const shadowed = pushed.filter((p) => localNames.has(p.name)).map((p) => p.name);
      if (shadowed.length) this.notice(`the local --policy file overrides pushed detection policies ${shadowed.join(', ')}`);
      const extra = intelKey !== this.intelKey ? this.serverIntel(set) : undefined;
      this.writeEffective(d.apply(merged, extra?.engine), extra?.summary);
      if (extra) {
        this.intelSummary = extra.summary;
        // Said once the engine runs with them and the effective configuration shows them (the set is saved by then).
        const { ruleFiles, threatIps } = extra.summary;
        this.notice(
          `server rules and threat list applied: ${ruleFiles.length} rule files (${ruleFiles.reduce((n, f) => n + f.rules, 0)} rules), ${threatIps} threat-IP entries`,
        );
      }
      this.detectionKey = key;
      this.intelKey = intelKey;
    }
    return merged.length;
  }

  /** The server's rule files (each its own rule set; one that does not load here is left out, with a notice) and threat-IP entries. */
  private serverIntel(set: PushedPolicies): { engine: EngineExtra; summary: ServerIntelSummary } {
    const rules: Ruleset[] = [];
    const files: ServerIntelSummary['ruleFiles'] = [];
    for (const f of (Array.isArray(set.rules) ? set.rules : []).slice(0, MAX_PUSHED_RULE_FILES)) {
      if (!f || typeof f.name !== 'string' || typeof f.content !== 'string') continue;
      const name = `${SERVER_RULE_PREFIX}${f.name.slice(0, 128)}`;
      const r = loadRuleset([{ name, text: f.content }], { builtin: false, source: 'syscall' });
      const err = r.diagnostics.find((x) => x.severity === 'error');
      if (err) {
        this.notice(`rule file ${name} from the server does not load here, left out: ${err.line}:${err.column}: ${err.message} (${err.code})`);
        continue;
      }
      rules.push(r.ruleset);
      files.push({ name: f.name.slice(0, 128), rules: r.ruleset.rules.length });
    }
    const cidrs = (Array.isArray(set.threatIps) ? set.threatIps : []).filter((x): x is string => typeof x === 'string').slice(0, MAX_PUSHED_THREAT_IPS);
    const threatIps = cidrSet(cidrs);
    if (threatIps.invalid.length) this.notice(`${threatIps.invalid.length} threat-IP entries from the server are not CIDRs, left out`);
    const summary = { ruleFiles: files, threatIps: cidrs.length - threatIps.invalid.length };
    return { engine: { rules, threatIps }, summary };
  }

  private writeEffective(eff: EffectiveConfig | undefined, intel: ServerIntelSummary | undefined = this.intelSummary): void {
    if (!eff) return;
    try {
      writeFileDurable(this.effectiveFile, `${JSON.stringify({ ...eff, ...(intel ? { server: intel } : {}) }, null, 2)}\n`);
    } catch (e) {
      this.notice(`cannot write ${this.effectiveFile}: ${(e as Error).message}`);
    }
  }
}
