// The policy stage: the one place a runtime event is decided against the
// runtime policies. It owns the policy document, the learn state and the
// clock, and memoises the decision of each event (by the event object, in a
// WeakMap: an event decided, then another, then the first asked again still
// gets its own decision, never re-learned or re-judged at a later clock), so the
// runtime pipeline (which kills first, src/node/runtime/pipeline.ts) and the
// rules engine's process-whitelist and file-protection detectors (which word
// the alerts, through the engine's `policyDecision` hook) share one decision:
// one learning step per event, never two verdicts. Pure: the clock is passed in.
import type { SyscallEvent } from '../events/event.js';
import type { PolicyDecision } from './evaluate.js';
import { evaluate, forgetLearned, startLearning, type Evaluation, type LearnState } from './evaluate.js';
import type { PolicyDocument } from './model.js';

export type { PolicyDecision };

const NONE: Evaluation = { violations: [], learned: false };

export class PolicyStage {
  private readonly decided = new WeakMap<SyscallEvent, Evaluation>();
  /** The learn state changed since the last `takeLearned()`. */
  private dirty = false;

  constructor(
    private current: PolicyDocument,
    readonly learn: LearnState,
    private readonly clock: () => number,
  ) {
    if (startLearning(current, learn, clock())) this.dirty = true;
  }

  get doc(): PolicyDocument {
    return this.current;
  }

  /**
   * Swap the policies (the agent's live update from the server): events from
   * now on are decided against `doc`; learn windows of new policies start now,
   * what was learned under a name is kept.
   */
  replace(doc: PolicyDocument): void {
    this.current = doc;
    if (startLearning(doc, this.learn, this.clock())) this.dirty = true;
  }

  /** The decision for `e` (evaluated once per event object; later calls for the same event return the same result). */
  decide(e: SyscallEvent): Evaluation {
    const known = this.decided.get(e);
    if (known) return known;
    const ev = e.source === 'syscall' ? evaluate(this.current, e, this.learn, this.clock()) : NONE;
    if (ev.learned || ev.counted) this.dirty = true;
    this.decided.set(e, ev);
    return ev;
  }

  /** The engine's hook (EngineOptions.policyDecision): the violations of `e`, from the same decision. */
  readonly violations: PolicyDecision = (e) => this.decide(e).violations;

  /** Forget learned executables the server decided (src/core/policy/learned.ts); returns how many policies changed. */
  forget(decisions: ReadonlyArray<{ policy: string; executable: string }>): number {
    const byPolicy = new Map<string, string[]>();
    for (const d of decisions) (byPolicy.get(d.policy) ?? byPolicy.set(d.policy, []).get(d.policy)!).push(d.executable);
    let n = 0;
    for (const [policy, exes] of byPolicy) if (forgetLearned(this.learn, policy, exes)) n++;
    if (n) this.dirty = true;
    return n;
  }

  /** Whether the learn state changed since the last call (then it should be saved). */
  takeLearned(): boolean {
    const d = this.dirty;
    this.dirty = false;
    return d;
  }
}
