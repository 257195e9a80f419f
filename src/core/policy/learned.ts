// Learned process-whitelist entries on the wire (docs/agent.md): what an
// agent in learn mode reports to the server (`LearnedProcesses`: per policy,
// each executable it learned with the image it was first seen in, when, and
// how often), and what the server answers once a user accepted or rejected
// entries (`LearnedDecisions`: the agent forgets them; accepted ones are in
// the policy's whitelist by then, rejected ones alert again). Both readers
// are bounded and validate every field: the server reads what a node sends.
// Pure.
import { InputError } from '../errors.js';
import { MAX_LEARNED, type LearnState } from './evaluate.js';

export interface LearnedEntry {
  policy: string;
  executable: string;
  /** The image of the container it was first seen in ("" when unknown). */
  image: string;
  /** ISO 8601 time it was first seen. */
  firstSeen: string;
  count: number;
}

export interface LearnedDecision {
  policy: string;
  executable: string;
  decision: 'accepted' | 'rejected';
}

/** Most entries one report (or one decision list) holds. */
export const MAX_LEARNED_REPORT = 20_000;
const POLICY_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;
const MAX_EXE = 4096;
const MAX_IMAGE = 1024;

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The report of a learn state: every learned executable of every policy (the agent sends it after each save). */
export function learnedReport(state: LearnState): { entries: LearnedEntry[] } {
  const entries: LearnedEntry[] = [];
  for (const [policy, st] of Object.entries(state.policies)) {
    for (const executable of st.executables.slice(0, MAX_LEARNED)) {
      if (entries.length >= MAX_LEARNED_REPORT) break;
      const s = st.seen?.[executable];
      entries.push({ policy, executable, image: s?.image ?? '', firstSeen: new Date(s?.firstSeen ?? st.startedAt).toISOString(), count: s?.count ?? 1 });
    }
  }
  return { entries };
}

function list(json: string, key: string, where: string): unknown[] {
  if (json.length > 8 * 1024 * 1024) throw new InputError('LEARNED_INVALID', 'larger than 8 MiB', where);
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch {
    throw new InputError('LEARNED_INVALID', 'not JSON', where);
  }
  if (!isObj(raw) || !Array.isArray(raw[key])) throw new InputError('LEARNED_INVALID', `expected an object with a "${key}" list`, where);
  const items = raw[key] as unknown[];
  if (items.length > MAX_LEARNED_REPORT) throw new InputError('LEARNED_INVALID', `more than ${MAX_LEARNED_REPORT} entries`, where);
  return items;
}

function common(x: unknown, w: string): { policy: string; executable: string; o: Obj } {
  if (!isObj(x)) throw new InputError('LEARNED_INVALID', 'not an object', w);
  if (typeof x.policy !== 'string' || !POLICY_NAME.test(x.policy)) throw new InputError('LEARNED_INVALID', 'policy: not a policy name', w);
  if (typeof x.executable !== 'string' || x.executable.length === 0 || x.executable.length > MAX_EXE || /[\u0000-\u001f]/.test(x.executable))
    throw new InputError('LEARNED_INVALID', `executable: a string of 1-${MAX_EXE} printable characters`, w);
  return { policy: x.policy, executable: x.executable, o: x };
}

/** Reads an agent's report (bounded, every field checked). */
export function readLearnedReport(json: string, where = 'learned report'): LearnedEntry[] {
  return list(json, 'entries', where).map((x, i) => {
    const w = `${where}: entries[${i}]`;
    const { policy, executable, o } = common(x, w);
    if (typeof o.image !== 'string' || o.image.length > MAX_IMAGE || /[\u0000-\u001f]/.test(o.image))
      throw new InputError('LEARNED_INVALID', `image: a string of at most ${MAX_IMAGE} printable characters`, w);
    if (typeof o.firstSeen !== 'string' || o.firstSeen.length > 40 || Number.isNaN(Date.parse(o.firstSeen)))
      throw new InputError('LEARNED_INVALID', 'firstSeen: not an ISO 8601 time', w);
    if (typeof o.count !== 'number' || !Number.isSafeInteger(o.count) || o.count < 1)
      throw new InputError('LEARNED_INVALID', 'count: not a positive integer', w);
    return { policy, executable, image: o.image, firstSeen: new Date(o.firstSeen).toISOString(), count: o.count };
  });
}

/** Reads the server's decisions (the agent's side; bounded, every field checked). */
export function readLearnedDecisions(json: string, where = 'learned decisions'): LearnedDecision[] {
  return list(json, 'decisions', where).map((x, i) => {
    const w = `${where}: decisions[${i}]`;
    const { policy, executable, o } = common(x, w);
    if (o.decision !== 'accepted' && o.decision !== 'rejected') throw new InputError('LEARNED_INVALID', 'decision: accepted or rejected', w);
    return { policy, executable, decision: o.decision };
  });
}
