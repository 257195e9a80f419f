// Policy files and the learn-state file of `vigil runtime watch`. Owns:
// reading a YAML/JSON policy file with size limits into the validated model
// (runtime policies: src/core/policy/model.ts; detection policies,
// `kind: DetectionPolicy`: src/core/policy/detection.ts; a file may hold
// several YAML documents of either kind), and loading/saving the learned
// whitelists atomically (write to a temp file, then rename).
import { readFileSync, writeFileSync, renameSync, mkdirSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { InputError } from '../../core/errors.js';
import { validatePolicyDocument, type PolicyDocument } from '../../core/policy/model.js';
import { DETECTION_KIND, isDetectionDocument, validateDetectionDocument, type DetectionDocument } from '../../core/policy/detection.js';
import { DetectionTuning } from '../../core/rules/tuning.js';
import { emptyLearnState, MAX_LEARNED, type LearnedSighting, type LearnState } from '../../core/policy/evaluate.js';

export const POLICY_MAX_BYTES = 1024 * 1024;

/** The YAML (or JSON) documents of a policy file, parsed with limits; errors name the file. */
function readDocuments(file: string): unknown[] {
  let size: number;
  try {
    size = statSync(file).size;
  } catch (e) {
    throw new InputError('POLICY_UNREADABLE', `cannot read policy file: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, file);
  }
  if (size > POLICY_MAX_BYTES) throw new InputError('POLICY_TOO_LARGE', `larger than ${POLICY_MAX_BYTES} bytes`, file);
  const text = readFileSync(file, 'utf8');
  const docs = parseAllDocuments(text, { prettyErrors: true });
  if (!Array.isArray(docs)) return [];
  if (docs.length > 100) throw new InputError('POLICY_YAML', 'more than 100 YAML documents', file);
  return docs.map((doc) => {
    if (doc.errors.length > 0) {
      const err = doc.errors[0]!;
      const line = err.linePos?.[0]?.line;
      throw new InputError('POLICY_YAML', `invalid YAML${line ? ` at line ${line}` : ''}: ${err.message.split('\n')[0]}`, file);
    }
    try {
      return doc.toJS({ maxAliasCount: 100 }) as unknown;
    } catch (e) {
      // The yaml library refuses alias bombs while expanding them.
      throw new InputError('POLICY_YAML', `cannot expand the YAML: ${(e as Error).message}`, file);
    }
  });
}

/** A runtime policy file (one document). */
export function readPolicyFile(file: string): PolicyDocument {
  const docs = readDocuments(file);
  if (docs.length > 1) throw new InputError('POLICY_INVALID', 'several YAML documents: give them to --policy (runtime watch reads all of them)', file);
  return validatePolicyDocument(docs[0] ?? null, file);
}

export interface PolicyFiles {
  /** Runtime policies (process whitelist, file protection, reverse shells) of every file, merged. */
  runtime?: PolicyDocument;
  /** Detection policies (`kind: DetectionPolicy`) of every file, in order. */
  detection?: DetectionDocument;
}

/**
 * Policy files for `runtime watch`, `k8s audit|follow|webhook` and `rules
 * effective`: every YAML document of every file, runtime or detection
 * (by `kind`); policy names must be unique per kind across the files.
 */
export function readPolicyFiles(files: readonly string[]): PolicyFiles {
  const runtime: unknown[] = [];
  const detection: DetectionDocument['policies'] = [];
  const seen = new Map<string, string>();
  for (const file of files) {
    const docs = readDocuments(file);
    docs.forEach((raw, i) => {
      const where = docs.length > 1 ? `${file} (document ${i + 1})` : file;
      if (isDetectionDocument(raw)) {
        for (const p of validateDetectionDocument(raw, where).policies) {
          const prev = seen.get(p.name);
          if (prev) throw new InputError('DETECTION_POLICY_INVALID', `duplicate policy name ${p.name} (also in ${prev})`, where);
          seen.set(p.name, where);
          detection.push(p);
        }
      } else runtime.push(...validatePolicyDocument(raw, where).policies);
    });
  }
  const out: PolicyFiles = {};
  if (runtime.length) out.runtime = validatePolicyDocument({ policies: runtime }, files.join(', '));
  if (detection.length) {
    // Values only the engine's compiler checks (CIDRs) fail here, before anything starts.
    new DetectionTuning(detection, files.join(', '));
    out.detection = { kind: DETECTION_KIND, policies: detection };
  }
  return out;
}

export function readLearnState(file: string): LearnState {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return emptyLearnState();
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new InputError('STATE_INVALID', 'the learn-state file is not JSON (delete it to start learning again)', file);
  }
  const s = raw as Partial<LearnState>;
  if (!s || s.version !== 1 || typeof s.policies !== 'object' || s.policies === null) {
    throw new InputError('STATE_INVALID', 'not a learn-state file of version 1', file);
  }
  const out = emptyLearnState();
  for (const [name, v] of Object.entries(s.policies)) {
    if (!v || typeof v.startedAt !== 'number' || !Array.isArray(v.executables)) throw new InputError('STATE_INVALID', `policy ${name}: bad entry`, file);
    const executables = v.executables.filter((x): x is string => typeof x === 'string').slice(0, MAX_LEARNED);
    const seen: Record<string, LearnedSighting> = {};
    const raw = (v as { seen?: unknown }).seen;
    if (raw && typeof raw === 'object')
      for (const x of executables) {
        const o = (raw as Record<string, Partial<LearnedSighting> | undefined>)[x];
        if (o && typeof o.image === 'string' && typeof o.firstSeen === 'number' && typeof o.count === 'number')
          seen[x] = { image: o.image.slice(0, 1024), firstSeen: o.firstSeen, count: Math.max(1, Math.floor(o.count)) };
      }
    out.policies[name] = { startedAt: v.startedAt, executables, seen };
  }
  return out;
}

export function writeLearnState(file: string, state: LearnState): void {
  mkdirSync(dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(state, null, 1)}\n`);
  renameSync(tmp, file);
}
