// `image.secret`: the secret rules run over text files as layers stream by
// (a ContentScanner) and over the image config (ENV, labels, history
// created_by). Every finding carries the masked line only: the secret itself
// never leaves this module, not in observations (stored in the layer cache),
// reports, the server or logs.
import type { Severity } from '../alerts/types.js';
import type { ContentFile, ContentScanner } from '../image/content.js';
import type { ImageConfig } from '../image/types.js';
import type { FileEntry, LayerRef } from '../inventory/types.js';
import type { SecretFinding } from '../scan/types.js';
import { SAFE_VALUE, SECRET_RULES, type SecretRule } from './secret-rules.js';

/** Largest file read for secrets. */
export const SECRET_MAX_FILE_SIZE = 5 * 1024 * 1024;
const MAX_FINDINGS_PER_FILE = 50;
const MAX_MATCH_CHARS = 160;

/**
 * Paths never read for secrets (documentation, tests, examples, locale data):
 * keys there are test vectors and samples. Documented in docs/content.md.
 */
export const SECRET_PATH_ALLOWLIST: readonly RegExp[] = [
  /^\/usr\/share\/(doc|man|info|locale|i18n|zoneinfo|common-licenses|perl5?\/[^/]+\/pod)\//,
  /\/(test|tests|testdata|__tests__|spec|specs|examples?|samples?|fixtures?)\//i,
  /^\/usr\/lib\/python3[^/]*\/(test|lib2to3|idlelib)\//,
  /^\/usr\/share\/ca-certificates\//,
  /^\/etc\/ssl\/certs\//,
];

// Files by extension that are not text (or are archives the scanner does not open).
const BINARY_EXT =
  /\.(so(\.[0-9.]+)?|a|o|png|jpe?g|gif|ico|webp|bmp|svgz|woff2?|ttf|otf|eot|gz|tgz|bz2|xz|zst|zip|jar|war|ear|whl|7z|rar|pyc|pyo|class|mo|db|sqlite3?|pdf|mp[34]|wasm)$/i;

export interface SecretObservation {
  ruleId: string;
  line: number;
  /** The line around the secret, secret masked. */
  match: string;
}

function mask(secret: string): string {
  // Keep a hint of the kind (AKIA..., ghp_...) only when plenty stays hidden.
  const keep = secret.length >= 20 ? 4 : 0;
  return secret.slice(0, keep) + '*'.repeat(Math.min(secret.length - keep, 24));
}

function lineAround(text: string, start: number, end: number, secret: string): { line: number; match: string } {
  let line = 1;
  for (let i = text.indexOf('\n'); i !== -1 && i < start; i = text.indexOf('\n', i + 1)) line++;
  const ls = text.lastIndexOf('\n', start - 1) + 1;
  let le = text.indexOf('\n', end);
  if (le === -1) le = text.length;
  let before = text.slice(ls, start);
  let after = text.slice(end, le);
  // Multi-line secrets (key bodies): show the first line only.
  const nl = after.indexOf('\n');
  if (nl >= 0) after = after.slice(0, nl);
  if (before.length > 60) before = '...' + before.slice(-60);
  if (after.length > 60) after = after.slice(0, 60) + '...';
  const shown = (before + mask(secret.replace(/\s+/g, '')) + after).replace(/\r/g, '');
  return { line, match: shown.length > MAX_MATCH_CHARS ? shown.slice(0, MAX_MATCH_CHARS) + '...' : shown };
}

const keywordScans = new WeakMap<readonly SecretRule[], { re: RegExp; within: Map<string, string[]> }>();

/**
 * The rules' keywords present in `text` (case-insensitive): one regex pass instead of one search per
 * keyword over a lower-cased copy. The scan is overlapping (restarts one character after each match), and
 * a match also counts the keywords it contains, so `secret` is found inside `secret_access_key`.
 */
export function keywordsIn(text: string, rules: readonly SecretRule[] = SECRET_RULES): Set<string> {
  let scan = keywordScans.get(rules);
  if (!scan) {
    const all = [...new Set(rules.flatMap((r) => r.keywords.map((k) => k.toLowerCase())))].sort((a, b) => b.length - a.length);
    const re = new RegExp(all.map((k) => k.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')).join('|'), 'gi');
    const within = new Map(all.map((k) => [k, all.filter((o) => o !== k && k.includes(o))]));
    scan = { re, within };
    keywordScans.set(rules, scan);
  }
  const { re, within } = scan;
  const found = new Set<string>();
  re.lastIndex = 0;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    const k = m[0].toLowerCase();
    if (!found.has(k)) {
      found.add(k);
      for (const o of within.get(k) ?? []) found.add(o);
    }
    re.lastIndex = m.index + 1;
  }
  return found;
}

/** Run the rules over one text; `name` is the base name (for rules limited to some files). */
export function findSecrets(text: string, name: string | undefined, rules: readonly SecretRule[] = SECRET_RULES): SecretObservation[] {
  const out: SecretObservation[] = [];
  let present: Set<string> | undefined;
  for (const rule of rules) {
    if (rule.files && (name === undefined || !rule.files.test(name))) continue;
    present ??= keywordsIn(text, rules);
    if (!rule.keywords.some((k) => present!.has(k))) continue;
    rule.regex.lastIndex = 0;
    for (let m = rule.regex.exec(text); m; m = rule.regex.exec(text)) {
      if (m[0].length === 0) {
        rule.regex.lastIndex++;
        continue;
      }
      const secret = m.groups?.secret;
      if (!secret) continue;
      if (rule.id !== 'private-key' && SAFE_VALUE.test(secret)) continue;
      const start = m.index + m[0].indexOf(secret);
      out.push({ ruleId: rule.id, ...lineAround(text, start, start + secret.length, secret) });
      if (out.length >= MAX_FINDINGS_PER_FILE) return out;
    }
  }
  return out;
}

function isText(b: Buffer): boolean {
  return b.subarray(0, 8192).indexOf(0) === -1;
}

export function secretPathAllowed(path: string): boolean {
  return SECRET_PATH_ALLOWLIST.some((r) => r.test(path));
}

/** The content scanner of `image.secret`. */
export function secretScanner(): ContentScanner {
  return {
    id: 'secret',
    version: 1,
    maxFileSize: SECRET_MAX_FILE_SIZE,
    wants(entry: FileEntry): boolean {
      return entry.size > 0 && !BINARY_EXT.test(entry.path) && !secretPathAllowed(entry.path);
    },
    scan(file: ContentFile): unknown[] {
      if (!isText(file.content)) return [];
      const name = file.path.slice(file.path.lastIndexOf('/') + 1);
      return findSecrets(file.content.toString('utf8'), name);
    },
  };
}

const RULE_BY_ID = new Map(SECRET_RULES.map((r) => [r.id, r]));

/** A finding from an observation the scanner stored. */
export function secretFinding(path: string, ob: SecretObservation, layer: LayerRef | undefined, deleted: boolean): SecretFinding | undefined {
  const rule = RULE_BY_ID.get(ob.ruleId);
  if (!rule || typeof ob.line !== 'number' || typeof ob.match !== 'string') return undefined;
  const f: SecretFinding = { file: path, line: ob.line, ruleId: rule.id, title: rule.title, severity: rule.severity as Severity, match: ob.match };
  if (layer) f.layer = layer;
  if (deleted) f.deleted = true;
  return f;
}

/** Secrets in the image config: ENV (`config:env`), labels (`config:labels`), history created_by (`config:history`); `line` is the 1-based item. */
export function configSecrets(config: ImageConfig, layers: readonly LayerRef[]): SecretFinding[] {
  const out: SecretFinding[] = [];
  const add = (file: string, index: number, text: string, layer?: LayerRef): void => {
    // Each item is one line; the generic rule sees it as an assignment in a config file.
    for (const ob of findSecrets(text.replace(/\n/g, ' '), '.env')) {
      const f = secretFinding(file, { ...ob, line: index + 1 }, layer, false);
      if (f) out.push(f);
    }
  };
  (config.config?.Env ?? []).forEach((e, i) => {
    if (typeof e === 'string') add('config:env', i, e);
  });
  Object.entries(config.config?.Labels ?? {}).forEach(([k, v], i) => add('config:labels', i, `${k}=${String(v)}`));
  let layerIdx = 0;
  (config.history ?? []).forEach((h, i) => {
    const layer = h.empty_layer ? undefined : layers[layerIdx++];
    if (typeof h.created_by === 'string') add('config:history', i, h.created_by, layer);
  });
  return out;
}
